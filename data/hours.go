package data

import (
	"fmt"
	"regexp"
	"slices"
	"sync"
	"time"
)

// Span is a stretch of a day in minutes after midnight, [From, Until). The
// zero Span is a day the clinic is closed.
type Span struct{ From, Until int }

// Open reports whether the span holds any time at all.
func (s Span) Open() bool { return s.Until > s.From }

// Overlaps reports whether s and o share any minute.
func (s Span) Overlaps(o Span) bool {
	return s.Open() && o.Open() && s.From < o.Until && o.From < s.Until
}

// Weekdays are the day names clinic.yaml uses, by time.Weekday.
var Weekdays = [7]string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}

var clock = regexp.MustCompile(`^([01][0-9]|2[0-3]):([0-5][0-9])$|^24:00$`)

// Minutes reads a 24-hour time, "09:00" to "24:00", as minutes after midnight.
func Minutes(s string) (int, error) {
	m := clock.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("%q is not a time on the 24-hour clock, such as 09:00 or 18:30", s)
	}
	if s == "24:00" {
		return 24 * 60, nil
	}
	var h, min int
	fmt.Sscanf(m[1]+" "+m[2], "%d %d", &h, &min)
	return h*60 + min, nil
}

// parseSpan reads the times a stretch of a day starts and ends ("09:00",
// "18:00"); it must end after it starts.
func parseSpan(from, until string) (Span, error) {
	f, err := Minutes(from)
	if err != nil {
		return Span{}, fmt.Errorf("opens: %w", err)
	}
	u, err := Minutes(until)
	if err != nil {
		return Span{}, fmt.Errorf("closes: %w", err)
	}
	if u <= f {
		return Span{}, fmt.Errorf("closes (%s) before it opens (%s)", until, from)
	}
	return Span{f, u}, nil
}

// Week returns the opening hours of each day of the week, by time.Weekday; a
// day not listed is closed. It checks what a person may have mistyped.
func (o Opening) Week() ([7]Span, error) {
	var w [7]Span
	seen := map[string]bool{}
	for _, d := range o.Days {
		i := slices.Index(Weekdays[:], d.Day)
		if i < 0 {
			return w, fmt.Errorf("opening: %q is not a day of the week (write monday … sunday)", d.Day)
		}
		if seen[d.Day] {
			return w, fmt.Errorf("opening: %s is listed twice", d.Day)
		}
		seen[d.Day] = true
		if d.Closed {
			continue
		}
		s, err := parseSpan(d.Opens, d.Closes)
		if err != nil {
			return w, fmt.Errorf("opening: %s: %w", d.Day, err)
		}
		w[i] = s
	}
	return w, nil
}

// HolidayOn returns the holiday on date ("2006-01-02"), if there is one.
func (o Opening) HolidayOn(date string) (Holiday, bool) {
	for _, h := range o.Holidays {
		if h.Date == date {
			return h, true
		}
	}
	return Holiday{}, false
}

// CheckHolidays reports a holiday whose date is not a real year-month-day.
func (o Opening) CheckHolidays() error {
	for _, h := range o.Holidays {
		if _, err := time.Parse("2006-01-02", h.Date); err != nil {
			return fmt.Errorf("opening: holiday %q: write its date as year-month-day, e.g. 2026-12-02", h.Date)
		}
	}
	return nil
}

// TimeSpans returns, for each time-of-day choice of the forms (form_options.yaml
// "time"), the part of the day it means; "any" has none and fits any open day.
func TimeSpans() (map[string]Span, error) {
	m := map[string]Span{}
	for _, o := range Choices()["time"] {
		if o.From == "" && o.Until == "" {
			continue
		}
		s, err := parseSpan(o.From, o.Until)
		if err != nil {
			return nil, fmt.Errorf("form_options.yaml: time %s: %w", o.Value, err)
		}
		m[o.Value] = s
	}
	return m, nil
}

// Hours is the opening hours ready to use.
type Hours struct {
	Week    [7]Span         // by time.Weekday
	Times   map[string]Span // time-of-day choice -> part of the day (TimeSpans)
	Opening Opening
}

// Hours checks o (Week, CheckHolidays, TimeSpans) and readies it for use.
func (o Opening) Hours() (Hours, error) {
	w, err := o.Week()
	if err != nil {
		return Hours{}, err
	}
	if err := o.CheckHolidays(); err != nil {
		return Hours{}, err
	}
	times, err := TimeSpans()
	if err != nil {
		return Hours{}, err
	}
	return Hours{Week: w, Times: times, Opening: o}, nil
}

// ClinicHours is clinic.yaml's opening hours, read once. The site's build
// checks the same file first, and this package's tests check the shipped
// one, so a bad file panics here only if both were skipped.
var ClinicHours = sync.OnceValue(func() Hours {
	h, err := ClinicDetails().Opening.Hours()
	if err != nil {
		panic(fmt.Sprintf("data/clinic.yaml: %v", err))
	}
	return h
})

// ClosedOn reports whether the clinic is closed on day (midnight in Dubai),
// and the holiday that closes it, if one does.
func (h Hours) ClosedOn(day time.Time) (hol *Holiday, closed bool) {
	if hd, ok := h.Opening.HolidayOn(day.Format("2006-01-02")); ok {
		return &hd, true
	}
	return nil, !h.Week[day.Weekday()].Open()
}

// OpenTimes returns the time-of-day choices the clinic is open at on some
// day, in the forms' order: what the appointment form offers (the others stay
// valid values of the contract, refused only on days the clinic is closed then).
func (h Hours) OpenTimes() []string {
	var out []string
	for _, o := range Choices()["time"] {
		part, has := h.Times[o.Value]
		open := !has
		for _, s := range h.Week {
			open = open || part.Overlaps(s)
		}
		if open {
			out = append(out, o.Value)
		}
	}
	return out
}
