package browsertest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// viewport is a screen the tests run at.
type viewport struct {
	name   string
	w, h   int64
	mobile bool
}

var viewports = []viewport{
	{name: "phone", w: 390, h: 844, mobile: true},
	{name: "desktop", w: 1280, h: 800},
}

// startBrowser starts one headless Chromium for the whole package, with the
// flags an offline machine needs and a fresh profile. Each test opens its
// own tab with newTab.
func startBrowser(profile string) (stop func(), err error) {
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(env.chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("lang", "en-US"), // date inputs take mm/dd/yyyy
		chromedp.UserDataDir(profile),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	stop = func() {
		cancelCtx()
		cancelAlloc()
	}
	// The first Do starts the browser and binds it to ctx: no timeout on
	// ctx itself, a watchdog instead.
	done := make(chan error, 1)
	go func() { done <- chromedp.Do(ctx) }()
	select {
	case err := <-done:
		if err != nil {
			stop()
			return nil, fmt.Errorf("starting Chromium (%s): %w", env.chromium, err)
		}
	case <-time.After(60 * time.Second):
		stop()
		return nil, fmt.Errorf("Chromium (%s) did not start in 60 s", env.chromium)
	}
	env.browser = ctx
	return stop, nil
}

// tab is one browser tab of a test, at a viewport, with or without
// JavaScript.
type tab struct {
	t   *testing.T
	ctx context.Context
	vp  viewport
	js  bool

	mu      sync.Mutex
	console []string    // errors the page logged (CSP violations, exceptions, failed loads)
	posts   []postEntry // POSTs to /api/enquiry
}

// postEntry is one POST the page sent to the enquiry endpoint: "Document"
// for a native form submission, "Fetch" for the page's script.
type postEntry struct {
	resourceType string
	contentType  string
}

// newTab opens a tab at vp; js false turns script execution off, as in a
// browser with JavaScript disabled. The tab closes when the test ends.
func newTab(t *testing.T, vp viewport, js bool) *tab {
	t.Helper()
	return newTabWithin(t, vp, js, 3*time.Minute)
}

// newTabWithin is newTab for a test that needs the tab longer than 3 minutes
// (the content editor's, which builds the site twice meanwhile).
func newTabWithin(t *testing.T, vp viewport, js bool, budget time.Duration) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(env.browser)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil { // opens the tab
		t.Fatalf("opening a tab: %v", err)
	}
	var emulate chromedp.Action[chromedp.Void]
	if vp.mobile {
		emulate = chromedp.EmulateViewport(vp.w, vp.h, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch)
	} else {
		emulate = chromedp.EmulateViewport(vp.w, vp.h)
	}
	if err := chromedp.Do(ctx, emulate); err != nil {
		t.Fatalf("emulating %s: %v", vp.name, err)
	}
	// Reduced motion: no smooth scrolling, so a click lands where the
	// element is (the theme scrolls smoothly otherwise). Focus emulation:
	// each tab behaves as the focused window, as parallel tabs must.
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-reduced-motion", Value: "reduce"}},
	}); err != nil {
		t.Fatalf("emulating reduced motion: %v", err)
	}
	if _, err := chromedp.Call(ctx, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true}); err != nil {
		t.Fatalf("emulating focus: %v", err)
	}
	tb := &tab{t: t, ctx: ctx, vp: vp, js: js}
	if !js {
		tb.setScripts(false)
	}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() || m.Type == chromedp.ConsoleWarning {
				// A 422 from the enquiry endpoint and the 404 of a missing
				// page are answers the tests ask for, not faults.
				if strings.HasPrefix(m.Text, "Failed to load resource: the server responded with a status of") &&
					(strings.HasSuffix(m.URL, "/api/enquiry") || strings.HasSuffix(m.URL, "/no-such-page/")) {
					continue
				}
				tb.mu.Lock()
				tb.console = append(tb.console, fmt.Sprintf("%s %s (%s:%d)", m.Type, m, m.URL, m.Line+1))
				tb.mu.Unlock()
			}
		}
	}()
	requests := chromedp.Events(ctx, network.RequestWillBeSent)
	go func() {
		for ev, err := range requests {
			if err != nil {
				return
			}
			if ev.Request == nil || ev.Request.Method != "POST" || !strings.HasSuffix(ev.Request.URL, "/api/enquiry") {
				continue
			}
			ct := ""
			for k, v := range ev.Request.Headers {
				if strings.EqualFold(k, "Content-Type") {
					ct = fmt.Sprint(v)
				}
			}
			tb.mu.Lock()
			tb.posts = append(tb.posts, postEntry{resourceType: string(ev.Type), contentType: ct})
			tb.mu.Unlock()
		}
	}()
	tctx, tcancel := context.WithTimeout(ctx, budget)
	t.Cleanup(tcancel)
	tb.ctx = tctx
	return tb
}

// setScripts turns the tab's script execution on or off.
func (tb *tab) setScripts(on bool) {
	tb.t.Helper()
	if _, err := chromedp.Call(tb.ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !on}); err != nil {
		tb.t.Fatalf("turning JavaScript on=%v: %v", on, err)
	}
}

// consoleErrors returns and forgets what the page logged as errors.
func (tb *tab) consoleErrors() []string {
	time.Sleep(50 * time.Millisecond) // let the iterator deliver the last messages
	tb.mu.Lock()
	defer tb.mu.Unlock()
	out := tb.console
	tb.console = nil
	return out
}

// checkPosts checks how the page sent its enquiries: with the script, as
// JSON from fetch; without, as a native form post. It returns the count.
func (tb *tab) checkPosts() int {
	tb.t.Helper()
	time.Sleep(50 * time.Millisecond)
	tb.mu.Lock()
	posts := slices.Clone(tb.posts)
	tb.mu.Unlock()
	for _, p := range posts {
		switch {
		case tb.js && (p.resourceType != "Fetch" || !strings.HasPrefix(p.contentType, "application/json")):
			tb.t.Errorf("with the script on, the enquiry went as %s %q, want a JSON fetch", p.resourceType, p.contentType)
		case !tb.js && (p.resourceType != "Document" || !strings.HasPrefix(p.contentType, "application/x-www-form-urlencoded")):
			tb.t.Errorf("with the script off, the enquiry went as %s %q, want a native form post", p.resourceType, p.contentType)
		}
	}
	return len(posts)
}

// checkConsole fails the test when the page logged an error: a CSP
// violation, an exception, a resource that failed to load.
func (tb *tab) checkConsole(where string) {
	tb.t.Helper()
	for _, m := range tb.consoleErrors() {
		tb.t.Errorf("%s: console: %s", where, m)
	}
}

// open loads path (e.g. "/enquire/suitability/") and checks the status
// (0: any).
func (tb *tab) open(path string, wantStatus int64) {
	tb.t.Helper()
	resp, err := chromedp.Run(tb.ctx, chromedp.NavigateResponse(env.baseURL+path))
	if err != nil {
		tb.t.Fatalf("open %s: %v", path, err)
	}
	if wantStatus != 0 && resp.Status != wantStatus {
		tb.t.Fatalf("open %s: status %d, want %d", path, resp.Status, wantStatus)
	}
}

// path is the tab's current path.
func (tb *tab) path() string {
	p, err := chromedp.Run(tb.ctx, js[string](`location.pathname`))
	if err != nil {
		return "?"
	}
	return p
}

// waitPath waits until the tab shows a page whose path ends in suffix and
// has loaded.
func (tb *tab) waitPath(suffix string, within time.Duration) {
	tb.t.Helper()
	deadline := time.Now().Add(within)
	for {
		p, err := chromedp.Run(tb.ctx, js[string](`document.readyState === "complete" ? location.pathname : ""`))
		if err == nil && strings.HasSuffix(p, suffix) {
			return
		}
		if time.Now().After(deadline) {
			tb.t.Fatalf("%s: still on %q after %s, want a page ending in %s\nserver log:\n%s", tb.vp.name, tb.path(), within, suffix, serverLogTail())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// js evaluates a JavaScript expression and decodes its value into T.
func js[T any](expr string) chromedp.Action[T] {
	return chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise)
}

// eval runs js and fails the test on error.
func eval[T any](tb *tab, expr string) T {
	tb.t.Helper()
	v, err := chromedp.Run(tb.ctx, js[T](expr))
	if err != nil {
		tb.t.Fatalf("evaluating %s: %v", shorten(expr), err)
	}
	return v
}

func shorten(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 120 {
		return s[:120] + "…"
	}
	return s
}

// press sends keys (kb constants or text) to the focused element.
func (tb *tab) press(keys string) {
	tb.t.Helper()
	if err := chromedp.Do(tb.ctx, chromedp.KeyEvent(keys)); err != nil {
		tb.t.Fatalf("pressing %q: %v", keys, err)
	}
}
