package site

import (
	"encoding/json"
	"fmt"
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
	week, err := o.Week()
	if err != nil {
		t.Fatal(err)
	}
	// want: "https://schema.org/Monday 09:00-18:00" for every open day, and a
	// closed 00:00-00:00 entry for every holiday.
	var want []string
	for i, s := range week {
		if s.Open() {
			want = append(want, fmt.Sprintf("https://schema.org/%s %s-%s", time.Weekday(i).String(), clock(s.From), clock(s.Until)))
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

// offeredTimes are the time-of-day choices the clinic is open at on some day
// (enquiry.OpenTimes: data/form_options.yaml "time", data/clinic.yaml "opening").
func offeredTimes(t *testing.T) []data.Option {
	t.Helper()
	var out []data.Option
	for _, opt := range data.Choices()["time"] {
		if slices.Contains(enquiry.OpenTimes(), opt.Value) {
			out = append(out, opt)
		}
	}
	return out
}

func clock(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

// The appointment form offers only times of day the clinic is open on some
// day, and gives its script every closed day and holiday.
func TestAppointmentFormHours(t *testing.T) {
	built(t)
	o := data.ClinicDetails().Opening
	week, _ := o.Week()
	var wantTimes []string
	for _, opt := range offeredTimes(t) {
		wantTimes = append(wantTimes, opt.Value)
	}
	var wantClosed []string
	for i, s := range week {
		if !s.Open() {
			wantClosed = append(wantClosed, strconv.Itoa(i))
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
					if !strings.Contains(msg, ".") {
						t.Errorf("%s: closed day %s has no message: %q", p.path, k, msg)
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

// Every page shows the opening hours from the data once (issue 17: less
// repetition on a phone): in the footer, or on the contact page in its own
// card, whose footer then leaves them out. The English home and contact pages
// show each open day's times and each closed day's name.
func TestHoursOncePerPage(t *testing.T) {
	built(t)
	week, err := data.ClinicDetails().Opening.Week()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pages(t) {
		body := all(p.doc, tag("body"))
		if len(body) == 0 || len(all(p.doc, tag("footer"))) == 0 {
			t.Errorf("%s: no footer", p.path)
			continue
		}
		// A list of the hours: a <ul> with the first open day's opening time.
		opens := clock(firstOpen(week[:]).From)
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
		for i, s := range week {
			day := time.Weekday(i).String()
			if s.Open() && !strings.Contains(got, clock(s.From)+" to "+clock(s.Until)) {
				t.Errorf("%s: the hours do not show %s's hours %s to %s:\n%s", p.path, day, clock(s.From), clock(s.Until), got)
			}
			if !s.Open() && !strings.Contains(got, day+": closed") {
				t.Errorf("%s: the hours do not say %s is closed:\n%s", p.path, day, got)
			}
		}
	}
}

// firstOpen is the first open day's span of the week.
func firstOpen(week []data.Span) data.Span {
	for _, s := range week {
		if s.Open() {
			return s
		}
	}
	return data.Span{}
}
