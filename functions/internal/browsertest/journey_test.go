package browsertest

import (
	"context"
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bluetreeclinics/site/data"
	"github.com/bluetreeclinics/site/functions/internal/delivery/resendtest"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// visitor is one person's answers, unique per test so their email can be
// told apart in the shared outbox (the enquiry id is a hash of the answers:
// equal answers would be one email).
type visitor struct {
	name string
}

func newVisitor(kind string, l language, vp viewport, js bool, extra string) visitor {
	mode := "with script"
	if !js {
		mode = "without script"
	}
	return visitor{name: strings.TrimSpace(fmt.Sprintf("Aisha Test %s %s %s %s %s", kind, l.code, vp.name, mode, extra))}
}

// suitabilityAnswers are the steps of a valid suitability check, and what
// reception's email (always in English) must then say.
func suitabilityAnswers(t *testing.T, l, en language, v visitor) (steps []step, wantInEmail []string) {
	phone := "050 123 4567"
	if l.code == "ar" {
		phone = "٠٥٠ ١٢٣ ٤٥٦٧" // Arabic-Indic digits are understood
	}
	T := func(key string) string { return l.T(t, key) }
	// The sections in order; with the script, Next between them.
	steps = []step{
		{do: pick, label: T("field_area"), option: l.opt(t, "area", "knee")},
		{do: pick, label: T("field_condition"), option: l.opt(t, "condition", "osteoarthritis")},
		{do: choose, label: T("field_duration"), option: l.opt(t, "duration", "1-5-years")},
		{do: choose, label: T("field_pain"), option: "7"}, // arrow keys along the scale
		{do: next, label: T("form_next"), text: T("form_step_history")},
		{do: tick, label: T("field_tried"), option: l.opt(t, "tried", "physiotherapy")},
		{do: tick, label: T("field_tried"), option: l.opt(t, "tried", "prp")},
		{do: choose, label: T("field_thinners"), option: l.opt(t, "thinners", "no")},
		{do: typeText, label: T("field_note"), text: "Left knee, worse on stairs."},
		{do: next, label: T("form_next"), text: T("form_step_contact")},
		{do: typeText, label: T("field_name"), text: v.name},
		{do: typeText, label: T("field_phone"), text: phone},
		{do: choose, label: T("field_contact"), option: l.opt(t, "contact", "whatsapp")},
		{do: typeText, label: T("field_email"), text: "aisha.test@example.com"},
		{do: next, label: T("form_next"), text: T("form_step_check")},
		{do: check, label: T("field_consent")},
	}
	wantInEmail = []string{
		v.name, "+971501234567", "aisha.test@example.com",
		en.opt(t, "contact", "whatsapp"), en.opt(t, "area", "knee"), en.opt(t, "condition", "osteoarthritis"),
		en.opt(t, "duration", "1-5-years"), en.opt(t, "tried", "physiotherapy"), en.opt(t, "tried", "prp"),
		"Left knee, worse on stairs.",
	}
	return steps, wantInEmail
}

// appointmentAnswers: a valid appointment request for a day a month ahead.
func appointmentAnswers(t *testing.T, l, en language, v visitor) (steps []step, wantInEmail []string, date time.Time) {
	T := func(key string) string { return l.T(t, key) }
	date = data.ClinicDetails().Opening.OpenDay(time.Now().AddDate(0, 1, 0)) // a day the clinic is open (data/clinic.yaml)
	steps = []step{
		// Date inputs take the browser's format (en-US: month, day, year),
		// typed into the segments in order.
		{do: typeText, label: T("field_date"), text: date.Format("01022006")},
		{do: choose, label: T("field_time"), option: l.opt(t, "time", "afternoon")},
		{do: typeText, label: T("field_message"), text: "Could I come after work?"},
		{do: next, label: T("form_next"), text: T("form_step_contact")},
		{do: typeText, label: T("field_name"), text: v.name},
		{do: typeText, label: T("field_phone"), text: "+971 55 111 2233"},
		{do: choose, label: T("field_contact"), option: l.opt(t, "contact", "phone")},
		{do: next, label: T("form_next"), text: T("form_step_check")},
		{do: check, label: T("field_consent")},
	}
	wantInEmail = []string{
		v.name, "+971551112233", en.opt(t, "contact", "phone"), en.opt(t, "time", "afternoon"),
		date.Format("2 Jan 2006"), "Could I come after work?",
	}
	return steps, wantInEmail, date
}

// goToForm walks from the home page to the therapy page and on to the
// form, by clicking links as a visitor would.
func goToForm(tb *tab, l language, kind string) {
	tb.t.Helper()
	tb.open(l.home(), 200)
	tb.checkConsole("home")
	// The therapy page: from the main navigation, or any link to it.
	tb.clickVisible(`header nav a[href$="/orthokine-therapy/"]`, `a[href$="/orthokine-therapy/"]`)
	if p := tb.path(); !strings.HasSuffix(p, "/orthokine-therapy/") {
		tb.t.Fatalf("after the therapy link: on %s", p)
	}
	tb.checkConsole("therapy page")
	tb.clickVisible(fmt.Sprintf(`main a[href$="/enquire/%s/"]`, kind), fmt.Sprintf(`a[href$="/enquire/%s/"]`, kind))
	if p := tb.path(); p != l.prefix+"/enquire/"+kind+"/" {
		tb.t.Fatalf("after the %s link: on %s", kind, p)
	}
}

// clickVisible clicks the first visible element matching the first
// selector that has one, and waits for the page it loads.
func (tb *tab) clickVisible(selectors ...string) {
	tb.t.Helper()
	for _, sel := range selectors {
		ok := eval[bool](tb, fmt.Sprintf(`(() => {
  document.querySelectorAll("[data-bt-click]").forEach((e) => e.removeAttribute("data-bt-click"));
  // checkVisibility: not hidden, and not inside a closed <details>.
  const el = [...document.querySelectorAll(%q)].find((e) => e.checkVisibility({visibilityProperty: true, opacityProperty: true}));
  if (!el) return false;
  el.setAttribute("data-bt-click", "");
  return true;
})()`, sel))
		if !ok {
			continue
		}
		ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
		resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS("[data-bt-click]"), chromedp.NodeVisible))
		cancel()
		if err != nil {
			tb.t.Fatalf("%s (%s): clicking %s: %v", tb.path(), tb.vp.name, sel, err)
		}
		if resp.Status != 200 {
			tb.t.Fatalf("%s (%s): clicking %s: status %d", tb.path(), tb.vp.name, sel, resp.Status)
		}
		return
	}
	tb.t.Fatalf("%s (%s): no visible link matches %q", tb.path(), tb.vp.name, selectors)
}

// emailFor waits for the outbox email of visitor name and returns it, and
// how many emails carry that name.
func emailFor(t *testing.T, name string) (*resendtest.Parsed, int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		all, err := resendtest.ReadOutbox(env.outboxDir)
		if err != nil && !strings.Contains(err.Error(), "no such file") {
			t.Fatalf("reading the outbox: %v", err)
		}
		var found []*resendtest.Parsed
		for _, m := range all {
			if strings.Contains(m.Text, name) {
				found = append(found, m)
			}
		}
		if len(found) > 0 {
			return found[0], len(found)
		}
		if time.Now().After(deadline) {
			t.Fatalf("no email for %q in the outbox after 10 s (%d emails there)\nserver log:\n%s", name, len(all), serverLogTail())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func checkEmail(t *testing.T, m *resendtest.Parsed, want []string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(m.Text, w) {
			t.Errorf("the email (%s) does not carry %q; its text:\n%s", m.File, w, m.Text)
		}
		if !strings.Contains(html.UnescapeString(m.HTML), w) {
			t.Errorf("the email's HTML part (%s) does not carry %q", m.File, w)
		}
	}
}

// send presses the form's submit button, waits for the thank-you page and
// returns the one email the enquiry made, checked against want.
func (tb *tab) send(l language, kind string, v visitor, want []string) *resendtest.Parsed {
	t := tb.t
	t.Helper()
	tb.do(step{do: submit, label: l.T(t, "submit_"+kind)})
	tb.waitPath(l.prefix+"/enquire/"+kind+"/thanks/", 15*time.Second)
	tb.checkConsole(kind + " form and thank-you page")
	if n := tb.checkPosts(); n != 1 {
		t.Errorf("%d POSTs to /api/enquiry, want 1", n)
	}
	m, n := emailFor(t, v.name)
	if n != 1 {
		t.Errorf("%d emails for one enquiry, want 1", n)
	}
	checkEmail(t, m, want)
	return m
}

// TestJourneySuitability: home → therapy page → suitability check, filled
// in by label text with the keyboard only (the pain by arrow keys along the
// scale), submitted with Enter, lands on the thank-you page; the email in
// the outbox carries the answers. With the script the questions come one
// section at a time (Next, then a review of every answer before sending);
// without it, every section is on the page at once.
func TestJourneySuitability(t *testing.T) {
	need(t)
	langs := languages(t)
	en := langs[0]
	for _, l := range langs {
		for _, vp := range viewports {
			for _, js := range []bool{true, false} {
				mode := "script"
				if !js {
					mode = "noscript"
				}
				t.Run(l.code+"/"+vp.name+"/"+mode, func(t *testing.T) {
					t.Parallel()
					tb := newTab(t, vp, js)
					v := newVisitor("suitability", l, vp, js, "")
					steps, want := suitabilityAnswers(t, l, en, v)
					goToForm(tb, l, "suitability")
					if st := tb.steps(); js && len(st.Visible) != 1 || !js && len(st.Visible) != 4 {
						t.Errorf("at the start %d sections are visible (%q), want %d", len(st.Visible), st.Visible, map[bool]int{true: 1, false: 4}[js])
					}
					tb.fill(steps)
					if js {
						tb.checkReview(steps)
						tb.checkAxe("review step")
						tb.screenshot(l.code + "-suitability-review")
					}
					m := tb.send(l, "suitability", v, want)
					if !regexp.MustCompile(`(?m)^- Pain[^\n]*\b7\b`).MatchString(m.Text) {
						t.Errorf("the email does not give the pain as 7:\n%s", m.Text)
					}
					if m.ReplyTo != "aisha.test@example.com" {
						t.Errorf("Reply-To %q, want the visitor's address", m.ReplyTo)
					}
					if !strings.Contains(m.Subject, v.name) {
						t.Errorf("subject %q does not name the visitor", m.Subject)
					}
				})
			}
		}
	}
}

// TestJourneyAppointmentNoScript: the same journey for the appointment
// form in a browser with JavaScript off: the form posts natively and the
// server answers 303 to the thank-you page.
func TestJourneyAppointmentNoScript(t *testing.T) {
	need(t)
	langs := languages(t)
	en := langs[0]
	for _, l := range langs {
		for _, vp := range viewports {
			t.Run(l.code+"/"+vp.name, func(t *testing.T) {
				t.Parallel()
				tb := newTab(t, vp, false)
				v := newVisitor("appointment", l, vp, false, "")
				steps, want, date := appointmentAnswers(t, l, en, v)
				goToForm(tb, l, "appointment")
				tb.fill(steps)
				if got := eval[string](tb, `document.getElementById("f-date").value`); got != date.Format("2006-01-02") {
					t.Fatalf("the date typed as %s reads %q, want %s", date.Format("01022006"), got, date.Format("2006-01-02"))
				}
				tb.send(l, "appointment", v, want)
			})
		}
	}
}

// invalidCase is a form filled in with mistakes only the server finds
// (every required question has an answer, so the script's section checks
// let it through), and the fields that must then be reported.
type invalidCase struct {
	kind      string
	steps     func(t *testing.T, l language) []step
	wantField []string // at least these fields are in the error summary
	wantStep  string   // i18n key of the section the script then opens: the first error's
}

var invalidCases = []invalidCase{
	{
		kind: "suitability",
		steps: func(t *testing.T, l language) []step {
			T := func(key string) string { return l.T(t, key) }
			return []step{
				{do: pick, label: T("field_area"), option: l.opt(t, "area", "hip")},
				{do: pick, label: T("field_condition"), option: l.opt(t, "condition", "unsure")},
				{do: choose, label: T("field_duration"), option: l.opt(t, "duration", "under-3-months")},
				{do: choose, label: T("field_pain"), option: "4"},
				{do: next, label: T("form_next"), text: T("form_step_history")},
				{do: tick, label: T("field_tried"), option: l.opt(t, "tried", "painkillers")},
				{do: tick, label: T("field_tried"), option: l.opt(t, "tried", "surgery")},
				{do: choose, label: T("field_thinners"), option: l.opt(t, "thinners", "unsure")},
				{do: typeText, label: T("field_note"), text: "Everything typed must survive."},
				{do: next, label: T("form_next"), text: T("form_step_contact")},
				{do: typeText, label: T("field_name"), text: "Aisha Invalid " + l.code},
				{do: typeText, label: T("field_phone"), text: "12"},                           // not a phone number
				{do: choose, label: T("field_contact"), option: l.opt(t, "contact", "email")}, // needs an email
				{do: typeText, label: T("field_email"), text: "not-an-address"},
				{do: next, label: T("form_next"), text: T("form_step_check")},
				// consent not given
			}
		},
		wantField: []string{"phone", "email", "consent"},
		wantStep:  "form_step_contact",
	},
	{
		kind: "appointment",
		steps: func(t *testing.T, l language) []step {
			T := func(key string) string { return l.T(t, key) }
			return []step{
				{do: typeText, label: T("field_date"), text: "01012020"}, // in the past
				{do: choose, label: T("field_time"), option: l.opt(t, "time", "morning")},
				{do: typeText, label: T("field_message"), text: "Kept after the error."},
				{do: next, label: T("form_next"), text: T("form_step_contact")},
				{do: typeText, label: T("field_name"), text: "A"}, // too short
				{do: typeText, label: T("field_phone"), text: "050 123 4567"},
				{do: choose, label: T("field_contact"), option: l.opt(t, "contact", "whatsapp")},
				{do: next, label: T("form_next"), text: T("form_step_check")},
				{do: check, label: T("field_consent")},
			}
		},
		wantField: []string{"name", "date"},
		wantStep:  "form_step_visit",
	},
}

// TestInvalidInput: a form with mistakes, with and without JavaScript. The
// error summary appears and takes the focus, each error links to its
// field, and everything typed is still there. With the script, the section
// of the first error is the one shown.
func TestInvalidInput(t *testing.T) {
	need(t)
	for _, l := range languages(t) {
		for _, c := range invalidCases {
			for _, js := range []bool{true, false} {
				for _, vp := range viewports {
					mode := "script"
					if !js {
						mode = "noscript"
					}
					t.Run(fmt.Sprintf("%s/%s/%s/%s", l.code, c.kind, mode, vp.name), func(t *testing.T) {
						t.Parallel()
						tb := newTab(t, vp, js)
						tb.open(l.prefix+"/enquire/"+c.kind+"/", 200)
						tb.fill(c.steps(t, l))
						if js && c.kind == "appointment" {
							// The date reads as a date (1 January 2020), not as typed or sent.
							if r := tb.review(); !strings.Contains(r, "2020") || strings.Contains(r, "2020-01-01") || strings.Contains(r, "01012020") {
								t.Errorf("the review does not show the date as a date: %s", r)
							}
						}
						before := tb.formState()
						tb.do(step{do: submit, label: l.T(t, "submit_"+c.kind)})
						if !js {
							tb.waitPath("/api/enquiry", 15*time.Second)
						}
						tb.checkErrorSummary(c.wantField)
						after := tb.formState()
						for _, d := range before.diff(after) {
							t.Errorf("what was typed was lost: %s", d)
						}
						st := tb.steps()
						if js && (len(st.Visible) != 1 || !strings.HasSuffix(st.Visible[0], l.T(t, c.wantStep))) {
							t.Errorf("the visible sections are %q, want the first error's, %q", st.Visible, l.T(t, c.wantStep))
						}
						if !js && len(st.Visible) < 2 {
							t.Errorf("without the script the page with errors shows sections %q, want all", st.Visible)
						}
						tb.checkAxe("page with errors")
						tb.checkConsole("form with errors")
						tb.checkPosts()
						if c.kind == "suitability" && vp.mobile {
							tb.screenshot(l.code + "-suitability-errors-" + mode)
						}
					})
				}
			}
		}
	}
}

// TestSectionChecks: with the script, Next checks the section's required
// questions: nothing answered gives the error summary (focused), whose
// links open the right field; Back keeps every answer; Change in the
// review opens its section. Keyboard only.
func TestSectionChecks(t *testing.T) {
	need(t)
	for _, l := range languages(t) {
		for _, vp := range viewports {
			t.Run(l.code+"/"+vp.name, func(t *testing.T) {
				t.Parallel()
				T := func(key string) string { return l.T(t, key) }
				tb := newTab(t, vp, true)
				tb.open(l.prefix+"/enquire/suitability/", 200)
				tb.tabTo("the Next button", func(f focused) bool { return f.Tag == "button" && norm(f.Text) == norm(T("form_next")) })
				tb.press(kb.Enter)
				tb.checkErrorSummary([]string{"area", "condition", "duration", "pain"})
				if st := tb.steps(); len(st.Visible) != 1 || !strings.HasSuffix(st.Visible[0], T("form_step_injury")) {
					t.Fatalf("after Next with nothing answered the visible sections are %q, want the first only", st.Visible)
				}
				tb.checkAxe("section with missing answers")
				if vp.mobile {
					tb.screenshot(l.code + "-suitability-missing")
				}
				// The summary's link to the pain question puts the focus on the scale.
				tb.followSummaryLink("pain")
				tb.fill([]step{
					{do: choose, label: T("field_pain"), option: "3"},
					{do: pick, label: T("field_area"), option: l.opt(t, "area", "shoulder")},
					{do: pick, label: T("field_condition"), option: l.opt(t, "condition", "sports-injury")},
					{do: choose, label: T("field_duration"), option: l.opt(t, "duration", "3-12-months")},
					{do: next, label: T("form_next"), text: T("form_step_history")},
				})
				if s := eval[bool](tb, `document.getElementById("error-summary").hidden`); !s {
					t.Error("the error summary is still shown once the section is answered")
				}
				before := tb.formState()
				tb.do(step{do: submit, label: T("form_back")})
				tb.checkOnStep(T("form_step_injury"))
				for _, d := range before.diff(tb.formState()) {
					t.Errorf("Back lost an answer: %s", d)
				}
				tb.fill([]step{
					{do: next, label: T("form_next"), text: T("form_step_history")},
					{do: choose, label: T("field_thinners"), option: l.opt(t, "thinners", "yes")},
					{do: next, label: T("form_next"), text: T("form_step_contact")},
					{do: typeText, label: T("field_name"), text: "Aisha Sections " + l.code + " " + vp.name},
					{do: typeText, label: T("field_phone"), text: "050 765 4321"},
					{do: choose, label: T("field_contact"), option: l.opt(t, "contact", "phone")},
					{do: next, label: T("form_next"), text: T("form_step_check")},
				})
				// Change (the first one: the first section) opens that section.
				tb.do(step{do: submit, label: T("form_change")})
				tb.checkOnStep(T("form_step_injury"))
				tb.checkConsole("section checks")
				if n := tb.checkPosts(); n != 0 {
					t.Errorf("%d POSTs before the form was sent, want 0", n)
				}
			})
		}
	}
}

// followSummaryLink: Tab to the error summary's link to field, Enter; the
// focus must then be on the field (#f-FIELD).
func (tb *tab) followSummaryLink(field string) {
	tb.t.Helper()
	tb.tabTo("the error summary's link to "+field, func(f focused) bool {
		return f.Tag == "a" && eval[string](tb, `document.activeElement.getAttribute("href") || ""`) == "#f-"+field
	})
	tb.press(kb.Enter)
	if f := tb.focused(); f.ID != "f-"+field {
		tb.t.Fatalf("the error summary's link to %s put the focus on %s, want #f-%s", field, f, field)
	}
}

// TestServerErrorPageWithScript: the server's page with errors (the form
// posted natively, as when the script could not run in time) with the
// script on: it opens the section of the first error, keeps everything
// typed, and the summary's link to an error in another section opens that
// section.
func TestServerErrorPageWithScript(t *testing.T) {
	need(t)
	l := languages(t)[0]
	vp := viewports[0]
	tb := newTab(t, vp, true)
	c := invalidCases[0]
	tb.open(l.prefix+"/enquire/"+c.kind+"/", 200)
	tb.fill(c.steps(t, l))
	before := tb.formState()
	// form.submit() posts without a submit event: the script does not see it.
	eval[bool](tb, `(HTMLFormElement.prototype.submit.call(document.querySelector("form[data-enquiry-form]")), true)`)
	tb.waitPath("/api/enquiry", 15*time.Second)
	tb.checkErrorSummary(c.wantField)
	for _, d := range before.diff(tb.formState()) {
		t.Errorf("what was typed was lost: %s", d)
	}
	if st := tb.steps(); len(st.Visible) != 1 || !strings.HasSuffix(st.Visible[0], l.T(t, c.wantStep)) {
		t.Errorf("the server's page with errors shows sections %q, want the first error's only, %q", st.Visible, l.T(t, c.wantStep))
	}
	// Consent is in the last section, hidden now: its link opens it.
	tb.followSummaryLink("consent")
	if st := tb.steps(); len(st.Visible) != 1 || !strings.HasSuffix(st.Visible[0], l.T(t, "form_step_check")) {
		t.Errorf("after the consent link the visible sections are %q, want the last", st.Visible)
	}
	tb.checkConsole("server's page with errors, script on")
}

type summaryLink struct {
	Href        string `json:"href"`
	Text        string `json:"text"`
	Target      string `json:"target"`      // tag of the element the link points to, "" if none
	InForm      bool   `json:"inForm"`      // the target is a control of the enquiry form
	Invalid     string `json:"invalid"`     // its aria-invalid
	DescribedBy string `json:"describedBy"` // its aria-describedby
	SlotText    string `json:"slotText"`    // text of f-FIELD-error
	SlotHidden  bool   `json:"slotHidden"`
}

type summaryState struct {
	Present bool          `json:"present"`
	Hidden  bool          `json:"hidden"`
	Visible bool          `json:"visible"`
	Focused bool          `json:"focused"`
	Active  string        `json:"active"`
	Links   []summaryLink `json:"links"`
	Items   int           `json:"items"`
}

const summaryJS = `(() => {
  const s = document.getElementById("error-summary");
  if (!s) return {present: false};
  const a = document.activeElement;
  const links = [...s.querySelectorAll("a")].map((a) => {
    const href = a.getAttribute("href") || "";
    const id = href.startsWith("#") ? decodeURIComponent(href.slice(1)) : "";
    const el = id ? document.getElementById(id) : null;
    const form = document.querySelector("form[data-enquiry-form]");
    const field = id.replace(/^f-/, "");
    const errSlot = document.getElementById("f-" + field + "-error");
    return {
      href, text: a.textContent.trim(),
      target: el ? el.tagName.toLowerCase() : "",
      inForm: !!(el && form && form.contains(el) && ["INPUT", "SELECT", "TEXTAREA"].includes(el.tagName)),
      invalid: el ? el.getAttribute("aria-invalid") || "" : "",
      describedBy: el ? el.getAttribute("aria-describedby") || "" : "",
      slotText: errSlot ? errSlot.textContent.trim() : "",
      slotHidden: errSlot ? errSlot.hidden : true,
    };
  });
  return {
    present: true, hidden: s.hidden, visible: s.getClientRects().length > 0,
    focused: a === s, active: a ? (a.id ? "#" + a.id : a.tagName.toLowerCase()) : "",
    links, items: s.querySelectorAll("li").length,
  };
})()`

// checkErrorSummary waits for the error summary and checks it against the
// contract (docs/enquiry-contract.md, "Markup slots").
func (tb *tab) checkErrorSummary(wantFields []string) {
	tb.t.Helper()
	var s summaryState
	deadline := time.Now().Add(10 * time.Second)
	for {
		s = eval[summaryState](tb, summaryJS)
		if s.Present && !s.Hidden && s.Visible && s.Focused {
			break
		}
		if time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	where := fmt.Sprintf("%s (%s, script %v)", tb.path(), tb.vp.name, tb.js)
	switch {
	case !s.Present:
		tb.t.Fatalf("%s: no #error-summary on the page\nserver log:\n%s", where, serverLogTail())
	case s.Hidden || !s.Visible:
		tb.t.Fatalf("%s: the error summary stays hidden", where)
	}
	if !s.Focused {
		tb.t.Errorf("%s: the focus is on %s, not on the error summary", where, s.Active)
	}
	if len(s.Links) == 0 {
		tb.t.Fatalf("%s: the error summary has no links to fields (%d items)", where, s.Items)
	}
	got := map[string]bool{}
	for _, l := range s.Links {
		field, ok := strings.CutPrefix(l.Href, "#f-")
		if !ok {
			tb.t.Errorf("%s: error link %q points to %q, want #f-FIELD", where, l.Text, l.Href)
			continue
		}
		got[field] = true
		if l.Target == "" {
			tb.t.Errorf("%s: error link %q points to %s, which is not on the page", where, l.Text, l.Href)
			continue
		}
		if !l.InForm {
			tb.t.Errorf("%s: error link %q points to %s, a <%s> that is not a form control", where, l.Text, l.Href, l.Target)
		}
		if l.Invalid != "true" {
			tb.t.Errorf("%s: %s has aria-invalid=%q, want \"true\"", where, l.Href, l.Invalid)
		}
		if !strings.Contains(" "+l.DescribedBy+" ", " f-"+field+"-error ") {
			tb.t.Errorf("%s: %s aria-describedby=%q does not name f-%s-error", where, l.Href, l.DescribedBy, field)
		}
		if l.SlotHidden || l.SlotText == "" {
			tb.t.Errorf("%s: the error slot f-%s-error is hidden or empty", where, field)
		}
	}
	for _, f := range wantFields {
		if !got[f] {
			tb.t.Errorf("%s: the error summary does not report %q (it links to %v)", where, f, keys(got))
		}
	}
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestDoubleClickSendsOneEmail: a double click on submit, with the page's
// script (which must ignore the second click) and without it (two native
// submissions of the same answers: the enquiry id makes them one email).
func TestDoubleClickSendsOneEmail(t *testing.T) {
	need(t)
	langs := languages(t)
	en := langs[0]
	vp := viewports[1]
	for _, js := range []bool{true, false} {
		mode := "script"
		if !js {
			mode = "noscript"
		}
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			tb := newTab(t, vp, js)
			v := newVisitor("suitability", en, vp, js, "double click")
			steps, _ := suitabilityAnswers(t, en, en, v)
			tb.open("/enquire/suitability/", 200)
			tb.fill(steps)
			if err := chromedp.Do(tb.ctx, chromedp.DoubleClick(chromedp.CSS("[data-submit]"), chromedp.NodeVisible)); err != nil {
				t.Fatalf("double click: %v", err)
			}
			tb.waitPath("/enquire/suitability/thanks/", 15*time.Second)
			time.Sleep(time.Second) // a second request, if any, has had time to land
			posts := tb.checkPosts()
			t.Logf("the double click sent %d POSTs", posts)
			if js && posts != 1 {
				t.Errorf("with the script on, a double click sent %d POSTs, want 1 (the script ignores the second click)", posts)
			}
			if _, n := emailFor(t, v.name); n != 1 {
				t.Errorf("a double click sent %d emails, want 1", n)
			}
			if js {
				return
			}
			// Without the script the browser may send the form once or
			// twice; send it once more for sure, as a visitor who goes back
			// and submits the same answers again: still one email.
			tb.open("/enquire/suitability/", 200)
			tb.fill(steps)
			tb.do(step{do: submit, label: en.T(t, "submit_suitability")})
			tb.waitPath("/enquire/suitability/thanks/", 15*time.Second)
			time.Sleep(500 * time.Millisecond)
			if n := tb.checkPosts(); n < 2 {
				t.Errorf("%d POSTs after sending the form again, want at least 2", n)
			}
			if _, n := emailFor(t, v.name); n != 1 {
				t.Errorf("the same answers sent twice gave %d emails, want 1", n)
			}
		})
	}
}
