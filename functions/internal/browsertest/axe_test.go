package browsertest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// The WCAG levels the site promises (design.md: WCAG 2.2 AA).
const axeTags = `["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]`

type axeNode struct {
	Target  []string `json:"target"`
	HTML    string   `json:"html"`
	Summary string   `json:"summary"`
}

type axeViolation struct {
	ID      string    `json:"id"`
	Impact  string    `json:"impact"`
	Help    string    `json:"help"`
	HelpURL string    `json:"helpUrl"`
	Nodes   []axeNode `json:"nodes"`
}

func (v axeViolation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s): %s\n    %s", v.ID, v.Impact, v.Help, v.HelpURL)
	for i, n := range v.Nodes {
		if i == 8 {
			fmt.Fprintf(&b, "\n    … and %d more", len(v.Nodes)-i)
			break
		}
		fmt.Fprintf(&b, "\n    - %s\n      %s", strings.Join(n.Target, " "), shorten(n.HTML))
		if n.Summary != "" {
			fmt.Fprintf(&b, "\n      %s", strings.ReplaceAll(strings.TrimSpace(n.Summary), "\n", "\n      "))
		}
	}
	return b.String()
}

const axeRunJS = `(async () => {
  const r = await axe.run(document, {runOnly: {type: "tag", values: ` + axeTags + `}, resultTypes: ["violations"]});
  return r.violations.map((v) => ({
    id: v.id, impact: v.impact || "", help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({target: n.target.map(String), html: n.html, summary: n.failureSummary || ""})),
  }));
})()`

// axe injects axe-core into the page (Runtime.evaluate is not subject to
// the page's Content-Security-Policy, and works with scripts turned off)
// and returns the violations.
func (tb *tab) axe() []axeViolation {
	tb.t.Helper()
	if !tb.js {
		// axe waits on timers, which do not run while scripts are off.
		// Turning them on now runs none of the page's own scripts (they
		// were skipped when the page loaded).
		tb.setScripts(true)
		defer tb.setScripts(false)
	}
	if !eval[bool](tb, `typeof window.axe === "object"`) {
		if err := chromedp.Do(tb.ctx, chromedp.Evaluate[chromedp.Void](env.axeJS)); err != nil {
			tb.t.Fatalf("injecting axe-core: %v", err)
		}
	}
	return eval[[]axeViolation](tb, axeRunJS)
}

// checkAxe fails the test for each axe violation on the current page and,
// on the phone, if the page in its current state scrolls sideways.
func (tb *tab) checkAxe(what string) {
	tb.t.Helper()
	for _, v := range tb.axe() {
		tb.t.Errorf("axe: %s %s (%s, script %v): %s", what, tb.path(), tb.vp.name, tb.js, v)
	}
	if tb.vp.mobile {
		if out := eval[[]string](tb, overflowJS); len(out) > 0 {
			tb.t.Errorf("%s %s (%s): the page scrolls sideways; wider than the screen: %s", what, tb.path(), tb.vp.name, strings.Join(out, ", "))
		}
	}
}

// overflowJS finds what sticks out sideways: a page a phone user has to
// scroll horizontally. It measures against the screen, since a phone widens
// its layout viewport to fit content that is too wide.
const overflowJS = `(() => {
  const w = Math.min(document.documentElement.clientWidth, screen.width);
  if (document.documentElement.scrollWidth <= w) return [];
  const out = [];
  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    if (r.width && (r.right > w + 1 || r.left < -1) && !el.closest(".hp, .skip-link, [aria-hidden=true]")) {
      const parentToo = el.parentElement && (() => { const p = el.parentElement.getBoundingClientRect(); return p.right > w + 1 || p.left < -1; })();
      if (!parentToo) out.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : "") + " (" + Math.round(r.left) + "–" + Math.round(r.right) + "px)");
    }
    if (out.length >= 5) break;
  }
  return out.length ? out : ["the document is " + document.documentElement.scrollWidth + "px wide"];
})()`

// TestAxeEveryPage runs axe-core on every built page (and on the page a
// missing address gets), at the phone and the desktop viewport, and checks
// that no page scrolls sideways on the phone.
func TestAxeEveryPage(t *testing.T) {
	need(t)
	pages := builtPages(t)
	for _, l := range languages(t) {
		pages = append(pages, l.prefix+"/no-such-page/")
	}
	for _, vp := range viewports {
		t.Run(vp.name, func(t *testing.T) {
			t.Parallel()
			tb := newTab(t, vp, true)
			parent := t
			for _, p := range pages {
				t.Run(pageName(p), func(t *testing.T) {
					tb.t = t
					defer func() { tb.t = parent }()
					tb.open(p, 0)
					tb.checkAxe("page")
					tb.checkConsole(p)
				})
			}
		})
	}
}
