package data

import (
	"strings"
	"time"
)

// Opening is when the clinic is open, in Dubai time (clinic.yaml "opening").
// The site's build checks what a person may have mistyped there
// (themes/bluetree/layouts/_partials/helpers/opening.html: days of the week,
// 24-hour "HH:MM" times, closing after opening, holiday dates), and the
// function reads the file as that check leaves it: times compare as strings.
type Opening struct {
	Days     []OpeningDay `yaml:"days"`
	Holidays []Holiday    `yaml:"holidays"`
}

// OpeningDay is one day of the week: "monday" … "sunday", open from Opens to
// Closes ("09:00", "18:00"), or Closed.
type OpeningDay struct {
	Day    string `yaml:"day"`
	Opens  string `yaml:"opens"`
	Closes string `yaml:"closes"`
	Closed bool   `yaml:"closed"`
}

// Holiday is a date ("2026-12-02") the clinic is closed, with its name.
type Holiday struct {
	Date string `yaml:"date"`
	Text `yaml:",inline"`
}

// On returns the hours of a day of the week: the zero OpeningDay (not Open)
// when the clinic is closed that day or clinic.yaml does not list it.
func (o Opening) On(d time.Weekday) OpeningDay {
	for _, od := range o.Days {
		if od.Day == strings.ToLower(d.String()) && !od.Closed {
			return od
		}
	}
	return OpeningDay{}
}

// Open reports whether the clinic opens at all that day.
func (d OpeningDay) Open() bool { return d.Opens != "" }

// OpenAt reports whether the clinic is open that day during a time-of-day
// choice (form_options.yaml "time", from and until); one without them
// ("any") fits any open day. helpers/opening.html offers the times of day
// by the same rule.
func (d OpeningDay) OpenAt(t Option) bool {
	return d.Open() && (t.From == "" || t.From < d.Closes && d.Opens < t.Until)
}

// ClosedOn reports whether the clinic is closed on the calendar day of day,
// and the holiday that closes it, if one does.
func (o Opening) ClosedOn(day time.Time) (*Holiday, bool) {
	date := day.Format("2006-01-02")
	for _, h := range o.Holidays {
		if h.Date == date {
			return &h, true
		}
	}
	return nil, !o.On(day.Weekday()).Open()
}

// OpenDay returns t moved on by whole days to the first day, from t's
// onwards, that the clinic is open (not a closed day of the week, not a
// holiday); t itself when no day of the next year is.
func (o Opening) OpenDay(t time.Time) time.Time {
	for d := range 370 {
		if _, closed := o.ClosedOn(t.AddDate(0, 0, d)); !closed {
			return t.AddDate(0, 0, d)
		}
	}
	return t
}
