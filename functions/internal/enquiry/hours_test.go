package enquiry

import (
	"strings"
	"testing"
	"time"

	"github.com/bluetreeclinics/site/data"
)

// sampleHours: Monday to Saturday 09:00–18:00, Sunday closed, 2 December a holiday.
func sampleHours(t *testing.T) hours {
	t.Helper()
	o := data.Opening{Holidays: []data.Holiday{{Date: "2026-12-02", Text: data.Text{En: "UAE National Day", Ar: "اليوم الوطني"}}}}
	for _, d := range []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday"} {
		o.Days = append(o.Days, data.OpeningDay{Day: d, Opens: "09:00", Closes: "18:00"})
	}
	o.Days = append(o.Days, data.OpeningDay{Day: "sunday", Closed: true})
	w, err := o.Week()
	if err != nil {
		t.Fatal(err)
	}
	times, err := data.TimeSpans()
	if err != nil {
		t.Fatal(err)
	}
	return hours{week: w, opening: o, times: times}
}

func TestHoursRefuseClosedDayAndTime(t *testing.T) {
	h := sampleHours(t)
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
			errs := Errors{}
			h.checkOpen(errs, tc.date, tc.tod, lang)
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
	h := openingHours()
	var closed, open time.Time
	for d := dubaiDay(testNow).AddDate(0, 0, 1); closed.IsZero() || open.IsZero(); d = d.AddDate(0, 0, 1) {
		if _, ok := h.closedOn(d); ok && open.IsZero() {
			open = d
		} else if !ok && closed.IsZero() {
			closed = d
		}
		if d.After(testNow.AddDate(0, 0, 14)) {
			t.Skip("data/clinic.yaml: no closed day in the next two weeks")
		}
	}
	for _, lang := range []string{"en", "ar"} {
		e, errs := validate(testValidator(testNow), with(validAppointment(), "lang", lang, "date", closed.Format("2006-01-02")))
		want, _ := h.closedOn(closed)
		if e != nil || errs[FieldDate] != want.in(lang) {
			t.Errorf("%s: closed day %s: got %v, want %q", lang, closed.Format("Mon 2006-01-02"), errs, want.in(lang))
		}
		if _, errs := validate(testValidator(testNow), with(validAppointment(), "lang", lang, "date", open.Format("2006-01-02"), "time", "any")); len(errs) > 0 {
			t.Errorf("%s: open day %s refused: %v", lang, open.Format("Mon 2006-01-02"), errs)
		}
	}
}

// All the visitor's mistakes come back in one round: a closed day is
// reported even when the time of day is missing or not one of the choices,
// and alongside the other fields' problems.
func TestClosedDayWithTimeMissingOrWrong(t *testing.T) {
	h := openingHours()
	var closed time.Time
	for d := dubaiDay(testNow).AddDate(0, 0, 1); closed.IsZero(); d = d.AddDate(0, 0, 1) {
		if _, open := h.closedOn(d); !open {
			closed = d
		}
		if d.After(testNow.AddDate(0, 0, 14)) {
			t.Skip("data/clinic.yaml: no closed day in the next two weeks")
		}
	}
	for _, lang := range []string{LangEnglish, LangArabic} {
		for _, tod := range []string{"", "noon"} {
			form := with(validAppointment(), "lang", lang, "date", closed.Format("2006-01-02"), "time", tod, "name", "")
			e, errs := validate(testValidator(testNow), form)
			want, _ := h.closedOn(closed)
			if e != nil || errs[FieldDate] != want.in(lang) || errs[FieldTime] == "" || errs[FieldName] == "" {
				t.Errorf("%s, time %q, no name: got %v, want the closed day %q, the time and the name", lang, tod, errs, want.in(lang))
			}
		}
	}
}

func TestCallBackBy(t *testing.T) {
	h := sampleHours(t)
	saved := openingHours
	openingHours = func() hours { return h }
	defer func() { openingHours = saved }()
	for received, want := range map[time.Time]string{
		time.Date(2026, 11, 25, 10, 5, 0, 0, time.UTC): "Thu 26 Nov 18:00", // Wednesday afternoon in Dubai
		time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC): "Mon 30 Nov 18:00", // Saturday: Sunday is closed
		time.Date(2026, 11, 30, 21, 0, 0, 0, time.UTC): "Thu 3 Dec 18:00",  // 01:00 Tuesday in Dubai; 2 Dec a holiday
	} {
		if got := CallBackBy(received).In(DubaiLocation()).Format("Mon 2 Jan 15:04"); got != want {
			t.Errorf("received %v: call back by %s, want %s", received, got, want)
		}
	}
	if got := FormatDay(time.Date(2026, 11, 26, 14, 0, 0, 0, DubaiLocation()), LangArabic); got != "الخميس 26 نوفمبر" {
		t.Errorf("FormatDay ar: %q", got)
	}
}

func TestOpenTimes(t *testing.T) {
	h := sampleHours(t)
	saved := openingHours
	openingHours = func() hours { return h }
	defer func() { openingHours = saved }()
	if got := strings.Join(OpenTimes(), " "); got != "morning afternoon any" {
		t.Errorf("open 09:00 to 18:00: times offered %q", got)
	}
}
