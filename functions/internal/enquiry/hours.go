package enquiry

import (
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/bluetreeclinics/site/data"
)

// The clinic's opening hours (data/clinic.yaml, "opening") decide which days
// and times of day an appointment may ask for, and when reception calls back.

// hours is the opening hours ready to use.
type hours struct {
	week    [7]data.Span // by time.Weekday
	opening data.Opening
	times   map[string]data.Span // time-of-day choice -> part of the day
}

// openingHours reads the hours once. The site's build checks the same file
// first, and data's tests check the shipped one, so a bad file stops here
// only if both were skipped.
var openingHours = sync.OnceValue(func() hours {
	o := data.ClinicDetails().Opening
	w, err := o.Week()
	if err == nil {
		err = o.CheckHolidays()
	}
	times, terr := data.TimeSpans()
	if err == nil {
		err = terr
	}
	if err != nil {
		panic(fmt.Sprintf("enquiry: data/clinic.yaml: %v", err))
	}
	return hours{week: w, opening: o, times: times}
})

// closedOn returns why the clinic is closed on day (midnight in Dubai), as a
// message in both languages, or ok when it is open.
func (h hours) closedOn(day time.Time) (text, bool) {
	if hol, ok := h.opening.HolidayOn(day.Format("2006-01-02")); ok {
		en, ar := dateEn(day), dateAr(day)
		if hol.En != "" {
			en += " (" + hol.En + ")"
		}
		if hol.Ar != "" {
			ar += " (" + hol.Ar + ")"
		}
		return text{
			"The clinic is closed on " + en + ". Please choose another day.",
			"العيادة مغلقة يوم " + ar + ". يُرجى اختيار يوم آخر.",
		}, false
	}
	if !h.week[day.Weekday()].Open() {
		wd := day.Weekday()
		return text{
			"The clinic is closed on " + wd.String() + "s. Please choose another day.",
			"العيادة مغلقة يوم " + weekdaysAr[wd] + ". يُرجى اختيار يوم آخر.",
		}, false
	}
	return text{}, true
}

// closedAt returns why the clinic is not open at time of day tod on day (an
// open day), or ok when it is open then.
func (h hours) closedAt(day time.Time, tod string) (text, bool) {
	part, ok := h.times[tod]
	open := h.week[day.Weekday()]
	if !ok || part.Overlaps(open) {
		return text{}, true
	}
	wd := day.Weekday()
	from, until := clockTime(open.From), clockTime(open.Until)
	return text{
		"On " + wd.String() + "s the clinic is open from " + from + " to " + until + ". Please choose another time of day.",
		"يوم " + weekdaysAr[wd] + " تفتح العيادة من " + from + " إلى " + until + ". يُرجى اختيار وقت آخر من اليوم.",
	}, false
}

// checkOpen adds to errs a problem with the appointment's date or time of
// day when the clinic is closed then. The date is already valid; the time of
// day is checked only when errs has no problem with it yet, so a closed day
// is reported together with a missing or wrong time (one round, not two).
func (h hours) checkOpen(errs Errors, date, tod, lang string) {
	day, ok := parseDate(date)
	if !ok {
		return
	}
	if msg, open := h.closedOn(day); !open {
		errs[FieldDate] = msg.in(lang)
		return
	}
	if errs[FieldTime] != "" {
		return
	}
	if msg, open := h.closedAt(day, tod); !open {
		errs[FieldTime] = msg.in(lang)
	}
}

// CallBackBy returns when reception will have answered an enquiry received
// at t: the closing time of the next working day after the day of t, in Dubai
// (the promise is "by the end of the next working day").
func CallBackBy(t time.Time) time.Time {
	day := OpenDay(dubaiDay(t).AddDate(0, 0, 1))
	return day.Add(time.Duration(openingHours().week[day.Weekday()].Until) * time.Minute)
}

// OpenDay returns midnight, in Dubai, of the first day from t's day onwards
// that the clinic is open (not a closed day of the week, not a holiday).
func OpenDay(t time.Time) time.Time {
	h := openingHours()
	day := dubaiDay(t)
	for range 370 { // a year of holidays cannot hide every working day
		if _, open := h.closedOn(day); open {
			return day
		}
		day = day.AddDate(0, 0, 1)
	}
	return dubaiDay(t)
}

// FormatDay writes a day for a visitor: "Thursday 26 November" or
// "الخميس 26 نوفمبر".
func FormatDay(t time.Time, lang string) string {
	t = t.In(DubaiLocation())
	if lang == LangArabic {
		return weekdaysAr[t.Weekday()] + " " + strconv.Itoa(t.Day()) + " " + monthsAr[t.Month()-1]
	}
	return t.Format("Monday 2 January")
}

func dateEn(d time.Time) string { return d.Format("Monday 2 January 2006") }

func dateAr(d time.Time) string {
	return weekdaysAr[d.Weekday()] + " " + strconv.Itoa(d.Day()) + " " + monthsAr[d.Month()-1] + " " + strconv.Itoa(d.Year())
}

// clockTime writes minutes after midnight as "18:00".
func clockTime(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

var (
	weekdaysAr = [7]string{"الأحد", "الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت"}
	monthsAr   = [12]string{"يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"}
)

// OpenTimes returns the time-of-day choices the clinic is open at on some day,
// in the forms' order: what the appointment form offers (the others stay valid
// values of the contract, refused only on days the clinic is closed then).
func OpenTimes() []string {
	h := openingHours()
	var out []string
	for _, o := range Choices[FieldTime] {
		part, has := h.times[o.Value]
		open := !has
		for _, s := range h.week {
			open = open || part.Overlaps(s)
		}
		if open {
			out = append(out, o.Value)
		}
	}
	return out
}
