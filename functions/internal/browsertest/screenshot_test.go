package browsertest

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestScreenshots writes a full-page screenshot of every built page (both
// languages: the Arabic pages' names start with "ar-"), at the phone and the
// desktop viewport, to /screenshots/ (git-ignored) for people to look at:
// PAGE-VIEWPORT.png, e.g. home-phone.png, ar-orthokine-therapy-desktop.png,
// plus the 422 page of the suitability form posted empty without JavaScript
// (suitability-422-phone.png, ar-suitability-422-phone.png). It asserts only
// that each page loads and the picture is made.
func TestScreenshots(t *testing.T) {
	need(t)
	dir := filepath.Join(env.root, "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	pages := builtPages(t)
	for _, vp := range viewports {
		t.Run(vp.name, func(t *testing.T) {
			t.Parallel()
			shoot := func(tb *tab, name string) {
				t.Helper()
				// Lazy images below the fold: scroll through the page so
				// they load before the full-page picture. (Timers need
				// scripts on; the page's own scripts stay skipped.)
				if !tb.js {
					tb.setScripts(true)
					defer tb.setScripts(false)
				}
				eval[bool](tb, `(async () => {
  for (let y = 0; y < document.documentElement.scrollHeight; y += innerHeight) { scrollTo(0, y); await new Promise((r) => setTimeout(r, 50)); }
  scrollTo(0, 0);
  await Promise.all([...document.images].map((i) => i.complete ? null : new Promise((r) => { i.onload = i.onerror = r; setTimeout(r, 2000); })));
  return true;
})()`)
				png, err := chromedp.Run(tb.ctx, chromedp.FullScreenshot(100))
				if err != nil {
					t.Fatalf("screenshot of %s: %v", name, err)
				}
				f := filepath.Join(dir, name+"-"+vp.name+".png")
				if err := os.WriteFile(f, png, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			homes := map[string]string{} // "/ar/" → "ar-home"
			for _, l := range languages(t) {
				if l.prefix != "" {
					homes[l.home()] = l.code + "-home"
				}
			}
			tb := newTab(t, vp, true)
			for _, p := range pages {
				tb.open(p, 0)
				name := pageName(p)
				if h, ok := homes[p]; ok {
					name = h
				}
				shoot(tb, name)
			}
			// The 422 page: the suitability form posted empty without
			// JavaScript.
			for _, l := range languages(t) {
				prefix := ""
				if l.prefix != "" {
					prefix = l.code + "-"
				}
				nojs := newTab(t, vp, false)
				nojs.open(l.prefix+"/enquire/suitability/", 200)
				nojs.do(step{do: submit, label: l.T(t, "submit_suitability")})
				nojs.waitPath("/api/enquiry", 15*time.Second)
				shoot(nojs, prefix+"suitability-422")
			}
		})
	}
}
