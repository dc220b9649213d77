package browsertest

import (
	"fmt"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/bluetreeclinics/site/data"
	"github.com/bluetreeclinics/site/functions/internal/enquiry"
	"github.com/chromedp/chromedp/kb"
)

// closedDay is the first day, a week or more ahead, that the clinic is closed
// on by its day of the week (data/clinic.yaml "opening"), and the message the
// server gives for it in lang.
func closedDay(t *testing.T, lang string) (time.Time, string) {
	t.Helper()
	o := data.ClinicDetails().Opening
	v := enquiry.NewParser([]byte("hours test"), nil)
	for d := time.Now().AddDate(0, 0, 7); d.Before(time.Now().AddDate(0, 0, 15)); d = d.AddDate(0, 0, 1) {
		if o.On(d.Weekday()).Open() {
			continue
		}
		_, errs := v.Parse(url.Values{
			"kind": {"appointment"}, "date": {d.Format("2006-01-02")}, "time": {"any"},
			"name": {"A Person"}, "phone": {"050 123 4567"}, "contact": {"phone"}, "consent": {"yes"},
		}, lang)
		if errs[enquiry.FieldDate] == "" {
			t.Fatalf("the server accepts %s, a day the clinic is closed", d.Format("Monday 2006-01-02"))
		}
		return d, errs[enquiry.FieldDate]
	}
	t.Skip("data/clinic.yaml: the clinic is open every day of the week")
	return time.Time{}, ""
}

// TestClosedDayRefused: an appointment for a day the clinic is closed is
// refused in the visitor's language, with the script (by Next, before
// anything is sent) and without it (by the server, the page kept filled),
// with the same words, in the same round as the time of day left unanswered;
// and the form offers no time of day the clinic is never open at.
func TestClosedDayRefused(t *testing.T) {
	need(t)
	vp := viewports[0]
	for _, l := range languages(t) {
		for _, js := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/script=%v", l.code, js), func(t *testing.T) {
				t.Parallel()
				T := func(key string) string { return l.T(t, key) }
				day, want := closedDay(t, l.code)
				tb := newTab(t, vp, js)
				tb.open(l.prefix+"/enquire/appointment/", 200)

				offered := eval[[]string](tb, `[...document.querySelectorAll("input[name=time]")].map((i) => i.value)`)
				if fmt.Sprint(offered) != fmt.Sprint(openTimes()) {
					t.Errorf("the form offers the times of day %q, want those the clinic is open at: %q", offered, openTimes())
				}

				tb.fill([]step{
					{do: typeText, label: T("field_date"), text: day.Format("01022006")},
					// no time of day: both mistakes come back at once
					{do: typeText, label: T("field_message"), text: "Kept after a closed day."},
				})
				if js {
					tb.tabTo("the Next button", func(f focused) bool { return f.Tag == "button" && norm(f.Text) == norm(T("form_next")) })
					tb.press(kb.Enter)
				} else {
					tb.fill([]step{
						{do: typeText, label: T("field_name"), text: "Aisha Closed " + l.code},
						{do: typeText, label: T("field_phone"), text: "050 123 4567"},
						{do: choose, label: T("field_contact"), option: l.opt(t, "contact", "phone")},
						{do: check, label: T("field_consent")},
					})
				}
				before := tb.formState()
				if !js {
					tb.do(step{do: submit, label: T("submit_appointment")})
					tb.waitPath("/api/enquiry", 15*time.Second)
				}
				tb.checkErrorSummary([]string{"date", "time"})
				if got := eval[string](tb, `document.getElementById("f-date-error").textContent.trim()`); norm(got) != norm(want) {
					t.Errorf("the date's error reads %q, want %q", got, want)
				}
				for _, d := range before.diff(tb.formState()) {
					t.Errorf("what was typed was lost: %s", d)
				}
				if n := tb.checkPosts(); js && n != 0 {
					t.Errorf("%d POSTs for a closed day, want 0 (the script refuses it)", n)
				}
				tb.checkConsole("closed day")
			})
		}
	}
}

// openTimes are the time-of-day choices the clinic is open at on some day
// (data/form_options.yaml "time", data/clinic.yaml "opening"): what the
// appointment form offers.
func openTimes() (out []string) {
	o := data.ClinicDetails().Opening
	for _, t := range data.Choices()["time"] {
		if slices.ContainsFunc([]time.Weekday{0, 1, 2, 3, 4, 5, 6}, func(d time.Weekday) bool { return o.On(d).OpenAt(t) }) {
			out = append(out, t.Value)
		}
	}
	return out
}
