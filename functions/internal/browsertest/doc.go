// Package browsertest holds the tests that a person would trust: the built
// site and the real local server (functions/cmd/serve, with its outbox),
// driven in Debian's Chromium through chromedp.
//
// What they check (see docs/browser-tests.md):
//   - journeys at a 390×844 phone viewport and a 1280×800 desktop, keyboard
//     only, by label text: home → therapy → suitability check (section by
//     section with Next and a review, or all on one page without
//     JavaScript; pain by arrow keys on the 0–10 scale) → thank-you page,
//     with the email in the outbox; the appointment form without
//     JavaScript; each section's check of missing answers; invalid input
//     with and without JavaScript, and the server's error page with it; a
//     double click sends one email;
//   - axe-core (WCAG 2.0, 2.1, 2.2 A and AA) on every built page at both
//     viewports, and on the server's 422 page;
//   - the Nu HTML Checker (vnu) on every built page and the 422 page;
//   - the look on phones: header at most 64 px tall, the menu button without
//     JavaScript, the Call/WhatsApp/Enquire bar inside the screen and clear of
//     the page end and the forms' submit button (look_test.go);
//   - full-page screenshots of every page, both languages, both viewports, in
//     /screenshots/ (git-ignored).
//
// Every language the built site holds (English at /, Arabic at /ar/ when it
// exists) is covered: nothing here needs changing when a language appears.
//
// Needs Chromium (`sudo apt-get install chromium`), a Java runtime for vnu,
// and the npm packages pinned in package-lock.json (`npm ci`). Without them
// the tests skip on a developer machine, with one line on the terminal
// naming what is missing and the command that installs it, and fail in CI
// (CI set).
package browsertest
