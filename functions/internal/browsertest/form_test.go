package browsertest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/bluetreeclinics/site/functions/internal/enquiry"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// A step is what a keyboard user does to answer one question, found by the
// text of its label (or its group's legend), as a person reads it.
type step struct {
	do     action
	label  string // the control's label text, or the group's legend (without "(required)"); a button's text
	text   string // typed (do == typeText); for next, the heading the next section must have
	option string // the option's label text (choose, tick, pick)
}

type action int

const (
	typeText action = iota // Tab to the labelled field and type
	choose                 // Tab into the radio group, arrows to the option, Space
	tick                   // Tab to the checkbox labelled option in the group, Space
	pick                   // Tab to the labelled select, arrow down to the option
	check                  // Tab to the labelled single checkbox (consent), Space
	submit                 // Tab to the button with this text, Enter
	next                   // with the script: Tab to the Next button, Enter, and land on the next section's heading; without: nothing (all sections are on the page)
)

func (s step) String() string {
	switch s.do {
	case typeText:
		return fmt.Sprintf("type %q into %q", s.text, s.label)
	case choose:
		return fmt.Sprintf("choose %q in %q", s.option, s.label)
	case tick:
		return fmt.Sprintf("tick %q in %q", s.option, s.label)
	case pick:
		return fmt.Sprintf("pick %q in %q", s.option, s.label)
	case check:
		return fmt.Sprintf("tick %q", s.label)
	case next:
		return fmt.Sprintf("press %q to reach %q", s.label, s.text)
	default:
		return fmt.Sprintf("press %q", s.label)
	}
}

// opt is what a visitor reads for one value of a choice field, in the
// language: data/form_options.yaml, the one home of these labels, as the
// enquiry function reads it.
func (l language) opt(t *testing.T, field, value string) string {
	t.Helper()
	for _, o := range enquiry.Choices[field] {
		if o.Value == value {
			return enquiry.Label(field, value, l.code)
		}
	}
	t.Fatalf("data/form_options.yaml has no %s=%s", field, value)
	return ""
}

// focused describes document.activeElement as a keyboard user meets it.
type focused struct {
	Tag      string `json:"tag"`
	Type     string `json:"type"`
	ID       string `json:"id"`
	Name     string `json:"name"`
	Label    string `json:"label"`  // text of the element's first <label>
	Legend   string `json:"legend"` // text of the enclosing fieldset's legend
	Text     string `json:"text"`   // the element's own text (buttons, links)
	Value    string `json:"value"`
	Checked  bool   `json:"checked"`
	Selected string `json:"selected"` // a select's chosen option text
}

func (f focused) String() string {
	var b strings.Builder
	b.WriteString("<" + f.Tag)
	if f.ID != "" {
		b.WriteString(" #" + f.ID)
	}
	b.WriteString(">")
	for _, s := range []string{f.Legend, f.Label, f.Text} {
		if s != "" {
			b.WriteString(" " + fmt.Sprintf("%q", shorten(s)))
		}
	}
	return b.String()
}

const focusedJS = `(() => {
  const el = document.activeElement;
  const norm = (s) => (s || "").replace(/\s+/g, " ").trim();
  if (!el || el === document.body || el === document.documentElement) return {tag: "body"};
  const fs = el.closest("fieldset");
  const legend = fs && fs.querySelector("legend");
  return {
    tag: el.tagName.toLowerCase(), type: el.type || "", id: el.id || "", name: el.name || "",
    label: el.labels && el.labels.length ? norm(el.labels[0].textContent) : "",
    legend: legend ? norm(legend.textContent) : "",
    text: ["BUTTON", "A", "SUMMARY"].includes(el.tagName) ? norm(el.textContent) : "",
    value: el.value === undefined ? "" : String(el.value),
    checked: !!el.checked,
    selected: el.tagName === "SELECT" && el.selectedIndex >= 0 ? norm(el.options[el.selectedIndex].textContent) : "",
  };
})()`

func (tb *tab) focused() focused {
	tb.t.Helper()
	return eval[focused](tb, focusedJS)
}

// norm folds white space, as the page's text is compared.
func norm(s string) string { return strings.Join(strings.Fields(s), " ") }

// startsWith: a label "Full name (required)" is found by "Full name".
func startsWith(text, want string) bool { return strings.HasPrefix(norm(text), norm(want)) }

// tabTo presses Tab until the focused element satisfies ok, and fails with
// the path the focus took when it never does.
func (tb *tab) tabTo(what string, ok func(f focused) bool) focused {
	tb.t.Helper()
	if f := tb.focused(); ok(f) {
		return f
	}
	var seen []string
	for range 120 {
		tb.press(kb.Tab)
		f := tb.focused()
		if ok(f) {
			return f
		}
		if len(seen) == 0 || seen[len(seen)-1] != f.String() {
			seen = append(seen, f.String())
		}
	}
	tb.t.Fatalf("%s (%s): Tab never reached %s; the focus went through:\n  %s", tb.path(), tb.vp.name, what, strings.Join(seen, "\n  "))
	return focused{}
}

// fill does the steps in order, keyboard only.
func (tb *tab) fill(steps []step) {
	tb.t.Helper()
	for _, s := range steps {
		tb.do(s)
	}
}

func (tb *tab) do(s step) {
	tb.t.Helper()
	switch s.do {
	case typeText:
		tb.tabTo(s.String(), func(f focused) bool {
			return (f.Tag == "input" || f.Tag == "textarea") && startsWith(f.Label, s.label)
		})
		tb.press(s.text)
	case check:
		f := tb.tabTo(s.String(), func(f focused) bool {
			return f.Type == "checkbox" && startsWith(f.Label, s.label)
		})
		if !f.Checked {
			tb.press(" ")
		}
		if !tb.focused().Checked {
			tb.t.Fatalf("%s: Space did not tick the checkbox", s)
		}
	case tick:
		f := tb.tabTo(s.String(), func(f focused) bool {
			return f.Type == "checkbox" && startsWith(f.Legend, s.label) && norm(f.Label) == norm(s.option)
		})
		if !f.Checked {
			tb.press(" ")
		}
		if !tb.focused().Checked {
			tb.t.Fatalf("%s: Space did not tick the checkbox", s)
		}
	case choose:
		f := tb.tabTo(s.String(), func(f focused) bool {
			return f.Type == "radio" && startsWith(f.Legend, s.label)
		})
		// Arrow keys move through the group (and check as they go).
		for range 12 {
			if norm(f.Label) == norm(s.option) {
				break
			}
			tb.press(kb.ArrowDown)
			f = tb.focused()
		}
		if norm(f.Label) != norm(s.option) {
			tb.t.Fatalf("%s: the arrow keys never reached the option (at %s)", s, f)
		}
		if !f.Checked {
			tb.press(" ")
		}
		if f := tb.focused(); !f.Checked {
			tb.t.Fatalf("%s: the radio is not checked after Space", s)
		}
	case pick:
		f := tb.tabTo(s.String(), func(f focused) bool {
			return f.Tag == "select" && startsWith(f.Label, s.label)
		})
		for range 30 {
			if norm(f.Selected) == norm(s.option) {
				break
			}
			tb.press(kb.ArrowDown)
			f = tb.focused()
		}
		if norm(f.Selected) != norm(s.option) {
			tb.t.Fatalf("%s: the arrow keys never selected the option (selected %q)", s, f.Selected)
		}
	case submit:
		tb.tabTo(s.String(), func(f focused) bool {
			return f.Tag == "button" && norm(f.Text) == norm(s.label)
		})
		tb.press(kb.Enter)
	case next:
		if !tb.js {
			return
		}
		tb.tabTo(s.String(), func(f focused) bool {
			return f.Tag == "button" && norm(f.Text) == norm(s.label)
		})
		tb.press(kb.Enter)
		tb.checkOnStep(s.text)
	}
}

// stepState is what the page shows of its sections: the visible ones'
// headings, and where the focus is.
type stepState struct {
	Visible []string `json:"visible"` // headings of the visible sections
	Focus   string   `json:"focus"`   // the focused heading's text, "" when the focus is not on a heading
}

const stepStateJS = `(() => {
  const norm = (s) => (s || "").replace(/\s+/g, " ").trim();
  const steps = [...document.querySelectorAll("form[data-enquiry-form] [data-step]")];
  const a = document.activeElement;
  return {
    visible: steps.filter((s) => s.checkVisibility()).map((s) => norm(s.querySelector("h2").innerText)),
    focus: a && a.tagName === "H2" ? norm(a.innerText) : "",
  };
})()`

func (tb *tab) steps() stepState {
	tb.t.Helper()
	return eval[stepState](tb, stepStateJS)
}

// checkOnStep: one section is visible, the one whose heading ends with
// title, and the focus is on its heading, which starts "Step N of M" (what
// a screen reader announces).
func (tb *tab) checkOnStep(title string) {
	tb.t.Helper()
	st := tb.steps()
	if len(st.Visible) != 1 || !strings.HasSuffix(st.Visible[0], norm(title)) {
		tb.t.Fatalf("%s (%s): the visible sections are %q, want only %q", tb.path(), tb.vp.name, st.Visible, title)
	}
	if st.Focus != st.Visible[0] {
		tb.t.Errorf("%s (%s): the focus is on heading %q, want the section's heading %q", tb.path(), tb.vp.name, st.Focus, st.Visible[0])
	}
	if !stepOf.MatchString(st.Visible[0]) {
		tb.t.Errorf("%s (%s): the heading %q does not say which step it is", tb.path(), tb.vp.name, st.Visible[0])
	}
}

// stepOf matches "Step 2 of 4" and "الخطوة 2 من 4".
var stepOf = regexp.MustCompile(`^\S+ \d+ \S+ \d+ `)

// screenshot saves a full-page picture of the tab as screenshots/form-NAME-VIEWPORT.png,
// for people to look at (TestScreenshots covers whole pages).
func (tb *tab) screenshot(name string) {
	tb.t.Helper()
	dir := filepath.Join(env.root, "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.t.Fatal(err)
	}
	png, err := chromedp.Run(tb.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		tb.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "form-"+name+"-"+tb.vp.name+".png"), png, 0o644); err != nil {
		tb.t.Fatal(err)
	}
}

// formState is every named control of the enquiry form and what it holds:
// text values, checked radios and checkboxes, selected options.
type formState map[string][]string

const formStateJS = `(() => {
  const form = document.querySelector("form[data-enquiry-form]");
  if (!form) return null;
  const out = {};
  for (const el of form.elements) {
    if (!el.name || el.type === "submit" || el.type === "button") continue;
    out[el.name] ||= [];
    if (el.type === "radio" || el.type === "checkbox") { if (el.checked) out[el.name].push(el.value); }
    else out[el.name].push(el.value);
  }
  return out;
})()`

func (tb *tab) formState() formState {
	tb.t.Helper()
	raw := eval[json.RawMessage](tb, formStateJS)
	var s formState
	if err := json.Unmarshal(raw, &s); err != nil || s == nil {
		tb.t.Fatalf("%s: no enquiry form on the page (%v)", tb.path(), err)
	}
	return s
}

// diff lists what differs between two form states.
func (s formState) diff(other formState) []string {
	var out []string
	seen := map[string]bool{}
	for k := range s {
		seen[k] = true
	}
	for k := range other {
		seen[k] = true
	}
	for k := range seen {
		a, b := strings.Join(s[k], ","), strings.Join(other[k], ",")
		if a != b {
			out = append(out, fmt.Sprintf("%s: %q before, %q after", k, a, b))
		}
	}
	return out
}

// checkReview: the last section shows every answer the steps gave (what was
// typed, the options chosen, ticked or picked) before the form is sent.
func (tb *tab) checkReview(steps []step) {
	tb.t.Helper()
	review := tb.review()
	for _, s := range steps {
		want := s.option
		if s.do == typeText {
			want = s.text
		}
		if want != "" && (s.do == typeText || s.do == choose || s.do == tick || s.do == pick) && !strings.Contains(review, norm(want)) {
			tb.t.Errorf("%s (%s): the review does not show %q (%s); it reads:\n%s", tb.path(), tb.vp.name, want, s, review)
		}
	}
}

// review is the text of the review of the answers, which must be visible.
func (tb *tab) review() string {
	tb.t.Helper()
	review := norm(eval[string](tb, `(() => {
  const r = document.querySelector("[data-review]");
  return r && r.checkVisibility() ? r.innerText : "";
})()`))
	if review == "" {
		tb.t.Fatalf("%s (%s): no review of the answers is visible", tb.path(), tb.vp.name)
	}
	return review
}
