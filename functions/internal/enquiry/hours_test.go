package enquiry

import (
	"testing"
	"time"

	"github.com/bluetreeclinics/site/data"
)

// sampleOpening: Monday to Saturday 09:00–18:00, Sunday closed, 2 December a holiday.
func sampleOpening() data.Opening {
	o := data.Opening{Holidays: []data.Holiday{{Date: "2026-12-02", Text: data.Text{En: "UAE National Day", Ar: "اليوم الوطني"}}}}
	for _, d := range []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday"} {
		o.Days = append(o.Days, data.OpeningDay{Day: d, Opens: "09:00", Closes: "18:00"})
	}
	return data.Opening{Days: append(o.Days, data.OpeningDay{Day: "sunday", Closed: true}), Holidays: o.Holidays}
}

// closedMessage is what the parser says of a closed day in lang.
func closedMessage(o data.Opening, day time.Time, lang string) string {
	c := check{lang: lang, errs: Errors{}, opening: o}
	c.open(day, "any")
	return c.errs[FieldDate]
}

func TestHoursRefuseClosedDayAndTime(t *testing.T) {
	h := sampleOpening()
	for _, tc := range []struct {
		date, tod, field string
		want             msgs // zero: open
	}{
		{"2026-12-06", "morning", FieldDate, msgs{
			"The clinic is closed on Sundays. Please choose another day.",
			"العيادة مغلقة يوم الأحد. يُرجى اختيار يوم آخر."}},
		{"2026-12-02", "any", FieldDate, msgs{
			"The clinic is closed on Wednesday 2 December 2026 (UAE National Day). Please choose another day.",
			"العيادة مغلقة يوم الأربعاء 2 ديسمبر 2026 (اليوم الوطني). يُرجى اختيار يوم آخر."}},
		{"2026-12-05", "evening", FieldTime, msgs{
			"On Saturdays the clinic is open from 09:00 to 18:00. Please choose another time of day.",
			"يوم السبت تفتح العيادة من 09:00 إلى 18:00. يُرجى اختيار وقت آخر من اليوم."}},
		{"2026-12-05", "afternoon", "", msgs{}},
		{"2026-12-05", "morning", "", msgs{}},
		{"2026-12-07", "any", "", msgs{}},
	} {
		for _, lang := range []string{LangEnglish, LangArabic} {
			c := check{lang: lang, errs: Errors{}, opening: h}
			day, _ := parseDate(tc.date)
			c.open(day, tc.tod)
			errs := c.errs
			want := tc.want.en
			if lang == LangArabic {
				want = tc.want.ar
			}
			if want == "" {
				if len(errs) > 0 {
					t.Errorf("%s %s (%s): refused: %v", tc.date, tc.tod, lang, errs)
				}
				continue
			}
			if len(errs) != 1 || errs[tc.field] != want {
				t.Errorf("%s %s (%s): got %v, want %s: %q", tc.date, tc.tod, lang, errs, tc.field, want)
			}
		}
	}
}

// The shipped hours drive Validate: a closed day of clinic.yaml is refused
// with the date kept for the form to refill, in both languages.
func TestValidateRefusesClosedDay(t *testing.T) {
	h := data.ClinicDetails().Opening
	var closed, open time.Time
	for d := dubaiDay(testNow).AddDate(0, 0, 1); closed.IsZero() || open.IsZero(); d = d.AddDate(0, 0, 1) {
		if _, shut := h.ClosedOn(d); !shut && open.IsZero() {
			open = d
		} else if shut && closed.IsZero() {
			closed = d
		}
		if d.After(testNow.AddDate(0, 0, 14)) {
			t.Skip("data/clinic.yaml: no closed day in the next two weeks")
		}
	}
	for _, lang := range []string{"en", "ar"} {
		e, errs := validate(testParser(testNow), with(validAppointment(), "lang", lang, "date", closed.Format("2006-01-02")))
		want := closedMessage(h, closed, lang)
		if e != nil || errs[FieldDate] != want {
			t.Errorf("%s: closed day %s: got %v, want %q", lang, closed.Format("Mon 2006-01-02"), errs, want)
		}
		if _, errs := validate(testParser(testNow), with(validAppointment(), "lang", lang, "date", open.Format("2006-01-02"), "time", "any")); len(errs) > 0 {
			t.Errorf("%s: open day %s refused: %v", lang, open.Format("Mon 2006-01-02"), errs)
		}
	}
}

// All the visitor's mistakes come back in one round: a closed day is
// reported even when the time of day is missing or not one of the choices,
// and alongside the other fields' problems.
func TestClosedDayWithTimeMissingOrWrong(t *testing.T) {
	h := data.ClinicDetails().Opening
	var closed time.Time
	for d := dubaiDay(testNow).AddDate(0, 0, 1); closed.IsZero(); d = d.AddDate(0, 0, 1) {
		if _, shut := h.ClosedOn(d); shut {
			closed = d
		}
		if d.After(testNow.AddDate(0, 0, 14)) {
			t.Skip("data/clinic.yaml: no closed day in the next two weeks")
		}
	}
	for _, lang := range []string{LangEnglish, LangArabic} {
		for _, tod := range []string{"", "noon"} {
			form := with(validAppointment(), "lang", lang, "date", closed.Format("2006-01-02"), "time", tod, "name", "")
			e, errs := validate(testParser(testNow), form)
			want := closedMessage(h, closed, lang)
			if e != nil || errs[FieldDate] != want || errs[FieldTime] == "" || errs[FieldName] == "" {
				t.Errorf("%s, time %q, no name: got %v, want the closed day %q, the time and the name", lang, tod, errs, want)
			}
		}
	}
}
