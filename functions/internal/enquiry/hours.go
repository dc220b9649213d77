package enquiry

import (
	"fmt"
	"strconv"
	"time"

	"github.com/bluetreeclinics/site/data"
	"github.com/bluetreeclinics/site/themes/bluetree"
)

// The clinic's opening hours (data/clinic.yaml, "opening") decide which days
// and times of day an appointment may ask for, and when reception calls back.

// openingHours is data.ClinicHours; tests put sample hours in its place.
var openingHours = data.ClinicHours

// closedOn returns why the clinic is closed on day (midnight in Dubai), in
// the site's words (i18n form_closed_*), or ok when it is open.
func closedOn(h data.Hours, day time.Time, lang string) (string, bool) {
	hol, closed := h.ClosedOn(day)
	switch {
	case hol != nil:
		return bluetree.T(lang, "form_closed_holiday", map[string]string{
			"Date": FormatDay(day, lang) + " " + strconv.Itoa(day.Year()), "Name": hol.In(lang)}), false
	case closed:
		return bluetree.T(lang, "form_closed_day", map[string]string{"Day": dayName(day.Weekday(), lang)}), false
	}
	return "", true
}

// closedAt returns why the clinic is not open at time of day tod on day (an
// open day), or ok when it is open then.
func closedAt(h data.Hours, day time.Time, tod, lang string) (string, bool) {
	part, ok := h.Times[tod]
	open := h.Week[day.Weekday()]
	if !ok || part.Overlaps(open) {
		return "", true
	}
	from, until := clockTime(open.From), clockTime(open.Until)
	if lang == LangArabic {
		return "يوم " + dayName(day.Weekday(), lang) + " تفتح العيادة من " + from + " إلى " + until + ". يُرجى اختيار وقت آخر من اليوم.", false
	}
	return "On " + dayName(day.Weekday(), lang) + "s the clinic is open from " + from + " to " + until + ". Please choose another time of day.", false
}

// checkOpen adds to errs a problem with the appointment's date or time of
// day when the clinic is closed then. The date is already valid; the time of
// day is checked only when errs has no problem with it yet, so a closed day
// is reported together with a missing or wrong time (one round, not two).
func checkOpen(h data.Hours, errs Errors, date, tod, lang string) {
	day, ok := parseDate(date)
	if !ok {
		return
	}
	if msg, open := closedOn(h, day, lang); !open {
		errs[FieldDate] = msg
		return
	}
	if errs[FieldTime] != "" {
		return
	}
	if msg, open := closedAt(h, day, tod, lang); !open {
		errs[FieldTime] = msg
	}
}

// CallBackBy returns when reception will have answered an enquiry received
// at t: the closing time of the next working day after the day of t, in Dubai
// (the promise is "by the end of the next working day").
func CallBackBy(t time.Time) time.Time {
	day := OpenDay(dubaiDay(t).AddDate(0, 0, 1))
	return day.Add(time.Duration(openingHours().Week[day.Weekday()].Until) * time.Minute)
}

// OpenDay returns midnight, in Dubai, of the first day from t's day onwards
// that the clinic is open (not a closed day of the week, not a holiday).
func OpenDay(t time.Time) time.Time {
	h := openingHours()
	day := dubaiDay(t)
	for range 370 { // a year of holidays cannot hide every working day
		if _, closed := h.ClosedOn(day); !closed {
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
		return dayName(t.Weekday(), lang) + " " + strconv.Itoa(t.Day()) + " " + monthsAr[t.Month()-1]
	}
	return t.Format("Monday 2 January")
}

// dayName is the site's name of a day of the week (i18n day_*).
func dayName(d time.Weekday, lang string) string {
	return bluetree.T(lang, "day_"+data.Weekdays[d], nil)
}

// clockTime writes minutes after midnight as "18:00".
func clockTime(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

var monthsAr = [12]string{"يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"}
