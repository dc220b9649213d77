package browsertest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// box is an element's place on the screen, in CSS pixels.
type box struct {
	Found   bool    `json:"found"`
	Shown   bool    `json:"shown"` // rendered (not display:none, not in a closed <details>)
	Top     float64 `json:"top"`
	Bottom  float64 `json:"bottom"`
	Left    float64 `json:"left"`
	Right   float64 `json:"right"`
	Width   float64 `json:"width"`
	Height  float64 `json:"height"`
	ViewW   float64 `json:"viewW"`
	ViewH   float64 `json:"viewH"`
	Smaller string  `json:"smaller"` // a link or button inside it below 48×48 px, if any
}

// boxJS measures the first element matching a selector (%q).
const boxJS = `(() => {
  const el = document.querySelector(%q);
  if (!el) return {found: false};
  const r = el.getBoundingClientRect();
  let smaller = "";
  for (const a of el.querySelectorAll("a, button, summary")) {
    const b = a.getBoundingClientRect();
    if (!smaller && (b.height < 48 || b.width < 48)) smaller = a.textContent.trim() + " (" + Math.round(b.width) + "×" + Math.round(b.height) + ")";
  }
  return {found: true, shown: el.checkVisibility(), top: r.top, bottom: r.bottom, left: r.left, right: r.right,
    width: r.width, height: r.height, viewW: document.documentElement.clientWidth, viewH: innerHeight, smaller};
})()`

func (tb *tab) box(selector string) box {
	tb.t.Helper()
	return eval[box](tb, fmt.Sprintf(boxJS, selector))
}

// lookPages are the pages the look tests visit in each language: the home page,
// a long content page and both forms.
func lookPages(l language) []string {
	return []string{l.home(), l.prefix + "/orthokine-therapy/", l.prefix + "/contact/", l.prefix + "/enquire/suitability/", l.prefix + "/enquire/appointment/"}
}

// onLookPages opens each of lookPages in every language at each viewport (one
// tab per viewport, in parallel, scripts off: the forms then show every
// question and the submit button on one page) and calls check on it.
func onLookPages(t *testing.T, check func(t *testing.T, tb *tab, l language, path string)) {
	need(t)
	for _, vp := range viewports {
		t.Run(vp.name, func(t *testing.T) {
			t.Parallel()
			tb := newTab(t, vp, false)
			for _, l := range languages(t) {
				for _, p := range lookPages(l) {
					tb.open(p, 200)
					check(t, tb, l, p)
				}
			}
			tb.checkConsole(vp.name)
		})
	}
}

// TestHeaderCompact: on a 390 px wide phone the header is one row at most 64 px
// tall (logo, language link, menu button), in both languages; on the desktop the
// navigation is shown inline and the menu button is not.
func TestHeaderCompact(t *testing.T) {
	onLookPages(t, func(t *testing.T, tb *tab, l language, p string) {
		vp := tb.vp
		h := tb.box(".site-header")
		menu := tb.box(".menu > summary")
		wide := tb.box(".site-nav--wide")
		switch {
		case !h.Found:
			t.Errorf("%s: no .site-header", p)
		case vp.mobile && h.Height > 64:
			t.Errorf("%s (%s): the header is %.0f px tall, want at most 64", p, vp.name, h.Height)
		case vp.mobile && (!menu.Shown || wide.Shown):
			t.Errorf("%s (%s): want the menu button and not the inline navigation (menu %v, inline %v)", p, vp.name, menu.Shown, wide.Shown)
		case !vp.mobile && (menu.Shown || !wide.Shown):
			t.Errorf("%s (%s): want the inline navigation and no menu button (menu %v, inline %v)", p, vp.name, menu.Shown, wide.Shown)
		}
	})
}

// TestMenuWithoutJavaScript: on a phone with scripts off, the menu button opens
// the navigation and its links work.
func TestMenuWithoutJavaScript(t *testing.T) {
	need(t)
	phone := viewports[0]
	for _, l := range languages(t) {
		t.Run(l.code, func(t *testing.T) {
			t.Parallel()
			tb := newTab(t, phone, false)
			tb.open(l.home(), 200)
			if b := tb.box(".menu .site-nav"); b.Shown {
				t.Fatal("the menu is open before it is pressed")
			}
			// A real click on the button (it opens the <details>; no page load).
			if err := chromedp.Do(tb.ctx, chromedp.Click(".menu > summary", chromedp.NodeVisible)); err != nil {
				t.Fatalf("pressing the menu button: %v", err)
			}
			if b := tb.box(".menu .site-nav"); !b.Shown || b.Smaller != "" {
				t.Fatalf("after pressing the menu button: navigation shown %v, small target %q", b.Shown, b.Smaller)
			}
			tb.clickVisible(`.menu a[href$="/contact/"]`)
			if p := tb.path(); p != l.prefix+"/contact/" {
				t.Errorf("the menu's contact link led to %s", p)
			}
			tb.checkConsole("menu")
		})
	}
}

// TestActionBar: on a phone, Call, WhatsApp and Enquire sit in a bar inside the
// screen with 48 px targets, in both languages; it never hides the end of the page
// or a form's submit button (scrolled to, or reached with the keyboard). On the
// desktop there is no bar.
func TestActionBar(t *testing.T) {
	onLookPages(t, func(t *testing.T, tb *tab, l language, p string) {
		vp := tb.vp
		bar := tb.box(".action-bar")
		if !bar.Found {
			t.Errorf("%s: no action bar", p)
			return
		}
		if !vp.mobile {
			if bar.Shown {
				t.Errorf("%s (%s): the phone action bar shows on the desktop", p, vp.name)
			}
			return
		}
		if !bar.Shown || bar.Top < 0 || bar.Left < 0 || bar.Right > bar.ViewW+0.5 || bar.Bottom > bar.ViewH+0.5 {
			t.Errorf("%s (%s): the action bar is not inside the screen: %+v", p, vp.name, bar)
		}
		if bar.Smaller != "" {
			t.Errorf("%s (%s): action bar target below 48×48 px: %s", p, vp.name, bar.Smaller)
		}
		hrefs := eval[[]string](tb, `[...document.querySelectorAll(".action-bar a")].map((a) => a.getAttribute("href"))`)
		if len(hrefs) != 3 || !strings.HasPrefix(hrefs[0], "tel:+") || !strings.HasPrefix(hrefs[1], "https://wa.me/") || hrefs[2] != l.prefix+"/enquire/" {
			t.Errorf("%s: action bar links %q, want tel:, https://wa.me/ and %s/enquire/", p, hrefs, l.prefix)
		}
		// The end of the page scrolls clear of the bar.
		end := eval[float64](tb, `(() => { scrollTo(0, document.documentElement.scrollHeight); const f = document.querySelector(".site-footer__base"); return f.getBoundingClientRect().bottom; })()`)
		if end > bar.Top+0.5 {
			t.Errorf("%s (%s): scrolled to the end, the footer ends at %.0f px, under the action bar at %.0f px", p, vp.name, end, bar.Top)
		}
		if !strings.Contains(p, "/enquire/") {
			return
		}
		// The submit button: scrolled to its bottom edge, and focused from the keyboard.
		for _, how := range []string{`b.scrollIntoView({block: "end"})`, `scrollTo(0, 0), b.focus()`} {
			bottom := eval[float64](tb, `(() => { const b = document.querySelector("[data-submit]"); `+how+`; return b.getBoundingClientRect().bottom; })()`)
			if bottom > bar.Top+0.5 {
				t.Errorf("%s (%s): after %s the submit button ends at %.0f px, under the action bar at %.0f px", p, vp.name, how, bottom, bar.Top)
			}
		}
	})
}

// TestFirstScreenShowsPictures: on a 390 px wide phone the home page's first
// screen shows the therapy in pictures, not only words (issue 17): the four
// drawings of "how it works" sit above the action bar, in both languages. On the
// desktop they are beside the title.
func TestFirstScreenShowsPictures(t *testing.T) {
	need(t)
	for _, vp := range viewports {
		t.Run(vp.name, func(t *testing.T) {
			t.Parallel()
			tb := newTab(t, vp, false)
			for _, l := range languages(t) {
				tb.open(l.home(), 200)
				n := eval[int](tb, `document.querySelectorAll(".hero .diagram .pic").length`)
				if n != 4 {
					t.Errorf("%s (%s): %d drawings in the hero's diagram, want 4", l.home(), vp.name, n)
				}
				pic := tb.box(".hero .diagram li:last-child .pic")
				limit := pic.ViewH
				if bar := tb.box(".action-bar"); bar.Shown {
					limit = bar.Top
				}
				if !pic.Shown || pic.Bottom > limit || pic.Height < 40 {
					t.Errorf("%s (%s): the last drawing of the diagram is not on the first screen (its bottom at %.0f px, the screen ends at %.0f px; %.0f px tall)", l.home(), vp.name, pic.Bottom, limit, pic.Height)
				}
			}
			tb.checkConsole(vp.name)
		})
	}
}
