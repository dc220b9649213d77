package site

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bluetreeclinics/site/data"
	"github.com/bluetreeclinics/site/functions/internal/enquiry"
	"golang.org/x/net/html"
)

// The opening hours have one source, data/clinic.yaml: search engines read
// them in JSON-LD exactly as the data says.
func TestJSONLDHoursMatchData(t *testing.T) {
	built(t)
	o := data.ClinicDetails().Opening
	// want: "https://schema.org/Monday 09:00-18:00" for every open day, and a
	// closed 00:00-00:00 entry for every holiday.
	var want []string
	for d := range time.Weekday(7) {
		if h := o.On(d); h.Open() {
			want = append(want, fmt.Sprintf("https://schema.org/%s %s-%s", d, h.Opens, h.Closes))
		}
	}
	for _, h := range o.Holidays {
		want = append(want, h.Date+" closed")
	}
	slices.Sort(want)
	for _, p := range pages(t) {
		if p.path != "/" && p.path != "/ar/" {
			continue
		}
		for _, s := range all(p.doc, func(n *html.Node) bool {
			typ, _ := attr(n, "type")
			return n.Data == "script" && typ == "application/ld+json"
		}) {
			var obj struct {
				Type  string `json:"@type"`
				Hours []struct {
					Type                    string   `json:"@type"`
					Days                    []string `json:"dayOfWeek"`
					Opens, Closes           string
					ValidFrom, ValidThrough string
				} `json:"openingHoursSpecification"`
			}
			if err := json.Unmarshal([]byte(text(s)), &obj); err != nil || obj.Type != "MedicalClinic" {
				continue
			}
			var got []string
			for _, h := range obj.Hours {
				if h.Type != "OpeningHoursSpecification" {
					t.Errorf("%s: %+v", p.path, h)
				}
				for _, d := range h.Days {
					got = append(got, d+" "+h.Opens+"-"+h.Closes)
				}
				if h.ValidFrom != "" && h.ValidFrom == h.ValidThrough && h.Opens == "00:00" && h.Closes == "00:00" {
					got = append(got, h.ValidFrom+" closed")
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("%s: JSON-LD opening hours\n got %q\nwant %q (data/clinic.yaml)", p.path, got, want)
			}
		}
	}
}

// serverTimes are the time-of-day choices the enquiry function accepts on
// some day of the week (data/form_options.yaml "time", data/clinic.yaml
// "opening"), in the forms' order.
func serverTimes(t *testing.T) []string {
	t.Helper()
	p := enquiry.NewParser([]byte("hours"), nil)
	var out []string
	for _, opt := range data.Choices()["time"] {
		for d := 7; d < 14; d++ {
			date := time.Now().AddDate(0, 0, d).Format("2006-01-02")
			if _, errs := p.Parse(appointment(date, opt.Value), "en"); errs == nil {
				out = append(out, opt.Value)
				break
			}
		}
	}
	return out
}

// appointment is a valid appointment request for date and time of day.
func appointment(date, tod string) url.Values {
	return url.Values{"kind": {"appointment"}, "date": {date}, "time": {tod}, "name": {"A Person"},
		"phone": {"050 123 4567"}, "contact": {"phone"}, "consent": {"yes"}}
}

// The appointment form offers the times of day the enquiry function accepts
// on some day, and gives its script every closed day and holiday with the
// words the function refuses it with: the page's rule (helpers/opening.html)
// and the function's (data.Opening) agree.
func TestAppointmentFormHours(t *testing.T) {
	built(t)
	o := data.ClinicDetails().Opening
	wantTimes := serverTimes(t)
	var wantClosed []string
	for d := range time.Weekday(7) {
		if !o.On(d).Open() {
			wantClosed = append(wantClosed, strconv.Itoa(int(d)))
		}
	}
	for _, h := range o.Holidays {
		wantClosed = append(wantClosed, h.Date)
	}
	slices.Sort(wantClosed)
	for _, p := range pages(t) {
		if !strings.HasSuffix(p.path, "/enquire/appointment/") {
			continue
		}
		var times, closed []string
		for _, in := range all(p.doc, tag("input")) {
			name, _ := attr(in, "name")
			if v, _ := attr(in, "value"); name == "time" {
				times = append(times, v)
			}
			if c, ok := attr(in, "data-closed"); ok && name == "date" {
				var m map[string]string
				if err := json.Unmarshal([]byte(c), &m); err != nil {
					t.Fatalf("%s: data-closed: %v", p.path, err)
				}
				for k, msg := range m {
					closed = append(closed, k)
					if want := serverRefusal(t, k, lang(p.path)); msg != want {
						t.Errorf("%s: closed day %s: the page says %q, the function %q", p.path, k, msg, want)
					}
				}
			}
		}
		slices.Sort(closed)
		if !slices.Equal(times, wantTimes) {
			t.Errorf("%s: times of day offered %q, want %q", p.path, times, wantTimes)
		}
		if !slices.Equal(closed, wantClosed) {
			t.Errorf("%s: closed days given to the script %q, want %q", p.path, closed, wantClosed)
		}
		hint := byID(p.doc, "f-date-hint")
		if hint == nil || !strings.Contains(text(hint), "09:00") && !strings.ContainsAny(text(hint), "0123456789") {
			t.Errorf("%s: the date's hint does not say when the clinic is open", p.path)
		}
	}
}

// serverRefusal is what the enquiry function says of an appointment on a
// closed day: key is a holiday's date, or a day of the week (0 is Sunday).
func serverRefusal(t *testing.T, key, lang string) string {
	t.Helper()
	day, err := time.Parse("2006-01-02", key)
	now := day.AddDate(0, 0, -1)
	if err != nil { // the first day of that weekday a week ahead
		n, _ := strconv.Atoi(key)
		now = time.Now()
		day = now.AddDate(0, 0, 7+(n-int(now.Weekday())+7)%7)
	}
	p := enquiry.NewParser([]byte("hours"), func() time.Time { return now })
	_, errs := p.Parse(appointment(day.Format("2006-01-02"), "any"), lang)
	return errs[enquiry.FieldDate]
}

// lang is the language of a built page's path.
func lang(path string) string {
	if strings.HasPrefix(path, "/ar/") {
		return "ar"
	}
	return "en"
}

// Every page shows the opening hours from the data once (issue 17: less
// repetition on a phone): in the footer, or on the contact page in its own
// card, whose footer then leaves them out. The English home and contact pages
// show each open day's times and each closed day's name.
func TestHoursOncePerPage(t *testing.T) {
	built(t)
	o := data.ClinicDetails().Opening
	var opens string // the first open day's opening time
	for d := range time.Weekday(7) {
		opens = cmp.Or(opens, o.On(d).Opens)
	}
	for _, p := range pages(t) {
		body := all(p.doc, tag("body"))
		if len(body) == 0 || len(all(p.doc, tag("footer"))) == 0 {
			t.Errorf("%s: no footer", p.path)
			continue
		}
		// A list of the hours: a <ul> with the first open day's opening time.
		lists := all(body[0], func(n *html.Node) bool {
			return n.Data == "ul" && strings.Contains(text(n), opens)
		})
		if len(lists) != 1 {
			t.Errorf("%s: the opening hours are listed %d times, want once", p.path, len(lists))
			continue
		}
		if p.path != "/" && p.path != "/contact/" {
			continue
		}
		got := text(lists[0])
		for d := range time.Weekday(7) {
			day, h := d.String(), o.On(d)
			if h.Open() && !strings.Contains(got, h.Opens+" to "+h.Closes) {
				t.Errorf("%s: the hours do not show %s's hours %s to %s:\n%s", p.path, day, h.Opens, h.Closes, got)
			}
			if !h.Open() && !strings.Contains(got, day+": closed") {
				t.Errorf("%s: the hours do not say %s is closed:\n%s", p.path, day, got)
			}
		}
	}
}

// The opening hours are checked in one place, when the site is built
// (helpers/opening.html): a mistyped day, time or date stops the build and
// says what to write. The function reads the file as that check leaves it.
func TestOpeningHoursChecked(t *testing.T) {
	built(t) // warms Hugo's image cache for the copies
	day, holiday := `(?m)^    - \{day: monday, .*$`, `(?m)^    - \{date: "2026-12-02", .*$`
	for _, tc := range []struct{ pattern, line, want string }{
		{day, `{day: funday, opens: "09:00", closes: "18:00"}`, `"funday" is not a day of the week`},
		{day, `{day: monday, opens: "9am", closes: "18:00"}`, `monday opens: "9am" is not a time on the 24-hour clock`},
		{day, `{day: monday, opens: "18:00", closes: "09:00"}`, "monday closes (09:00) before it opens (18:00)"},
		{day, `{day: tuesday, opens: "09:00", closes: "18:00"}`, "tuesday is listed twice"},
		{holiday, `{date: "2 Dec", en: "A holiday", ar: "عطلة"}`, `holiday "2 Dec": write its date as year-month-day`},
	} {
		dir := liveCopy(t, "[]", "https://www.bluetreeclinics.ae/", true)
		editFile(t, dir, "data/clinic.yaml", tc.pattern, "    - "+tc.line)
		err := Build(context.Background(), Options{Root: root, Source: dir, Dest: filepath.Join(dir, "public"), Timeout: 90 * time.Second})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("opening: %s: the build says %v, want %q", tc.line, err, tc.want)
		}
	}
}
