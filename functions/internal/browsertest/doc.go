// Package browsertest holds the tests that a person would trust: the built
// site and the real local server (functions/cmd/serve, with its outbox),
// driven in Debian's Chromium through chromedp, at a phone and a desktop
// viewport, in every language the site holds: journeys by keyboard with and
// without JavaScript down to the email in the outbox, invalid input, a
// double click, axe-core and the Nu HTML Checker on every page, the look on
// phones, the content editor, and screenshots. docs/browser-tests.md says
// what each test proves and how to run them.
//
// Needs Chromium, a Java runtime for vnu, and the npm packages pinned in
// package-lock.json (`npm ci`). Without them the tests skip on a developer
// machine, saying what to install, and fail in CI (CI set).
package browsertest
