package browsertest

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestScreenshots writes full-page screenshots of the key pages, at both
// viewports and in every language, to /screenshots/ (git-ignored) for
// people to look at: LANG-PAGE-VIEWPORT.png (no LANG for the default
// language). It asserts only that each page loads and the picture is made.
func TestScreenshots(t *testing.T) {
	need(t)
	dir := filepath.Join(env.root, "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, l := range languages(t) {
		for _, vp := range viewports {
			t.Run(l.code+"/"+vp.name, func(t *testing.T) {
				t.Parallel()
				prefix := ""
				if l.prefix != "" {
					prefix = l.code + "-"
				}
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
					f := filepath.Join(dir, prefix+name+"-"+vp.name+".png")
					if err := os.WriteFile(f, png, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				tb := newTab(t, vp, true)
				for _, p := range []struct{ name, path string }{
					{"home", l.home()},
					{"therapy", l.prefix + "/orthokine-therapy/"},
					{"suitability", l.prefix + "/enquire/suitability/"},
					{"appointment", l.prefix + "/enquire/appointment/"},
					{"thanks", l.prefix + "/enquire/suitability/thanks/"},
				} {
					tb.open(p.path, 200)
					shoot(tb, p.name)
				}
				// The 422 page: the suitability form posted empty without
				// JavaScript.
				nojs := newTab(t, vp, false)
				nojs.open(l.prefix+"/enquire/suitability/", 200)
				nojs.do(step{do: submit, label: l.T(t, "submit_suitability")})
				nojs.waitPath("/api/enquiry", 15*time.Second)
				shoot(nojs, "suitability-422")
			})
		}
	}
}
