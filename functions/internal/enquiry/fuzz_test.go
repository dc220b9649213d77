package enquiry

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

var (
	e164Re      = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)
	knownFields = map[string]bool{FieldKind: true, FieldName: true, FieldEmail: true, FieldPhone: true,
		FieldContact: true, FieldConsent: true, FieldDate: true, FieldTime: true, FieldMessage: true,
		FieldArea: true, FieldCondition: true, FieldDuration: true, FieldPain: true, FieldTried: true,
		FieldThinners: true, FieldNote: true}
)

// FuzzParse feeds a body, decoded as JSON or as a form post, to Parse. Its seed
// corpus is in testdata/fuzz/FuzzParse, so plain `go test` runs it too.
func FuzzParse(f *testing.F) {
	f.Add(validAppointment().Encode(), "", false)
	f.Add(validSuitability().Encode(), "ar", false)
	f.Add(`{"kind":"suitability","name":"عمر","phone":"٠٥٥٧٦٥٤٣٢١","contact":"phone","consent":true,"area":"knee","condition":"unsure","duration":"1-5-years","pain":6,"tried":["prp"],"thinners":"no"}`, "en", true)

	// The clock is Dubai midnight, the edge of "today".
	p := testParser(time.Date(2026, 3, 9, 20, 0, 0, 0, time.UTC))
	f.Fuzz(func(t *testing.T, body, fallback string, isJSON bool) {
		v, err := Decode([]byte(body), isJSON)
		if err != nil {
			return // the handler answers 400
		}
		IsHoneypot(v)
		lang := Lang(v, fallback)
		if lang != LangEnglish && lang != LangArabic {
			t.Fatalf("Lang = %q", lang)
		}
		e, errs := p.Parse(v, lang)
		if (e == nil) == (errs == nil) {
			t.Fatalf("want exactly one of enquiry and errors: %v, %v", e, errs)
		}
		if errs != nil {
			if len(errs) == 0 {
				t.Fatal("empty Errors")
			}
			for k, m := range errs {
				if !knownFields[k] {
					t.Errorf("error key %q is not a form field", k)
				}
				if m == "" || strings.Contains(m, "Key:") || !utf8.ValidString(m) {
					t.Errorf("message for %q: %q", k, m)
				}
			}
			return
		}
		checkEnquiry(t, e)
	})
}

// checkEnquiry asserts what every valid Enquiry promises.
func checkEnquiry(t *testing.T, e *Enquiry) {
	t.Helper()
	if !idRe.MatchString(e.ID) {
		t.Errorf("ID %q", e.ID)
	}
	if !e164Re.MatchString(e.Phone) {
		t.Errorf("Phone %q is not E.164", e.Phone)
	}
	if e.Lang != LangEnglish && e.Lang != LangArabic {
		t.Errorf("Lang %q", e.Lang)
	}
	if n := utf8.RuneCountInString(e.Name); n < 2 || n > MaxLength[FieldName] {
		t.Errorf("Name length %d", n)
	}
	if utf8.RuneCountInString(e.Email) > MaxLength[FieldEmail] || (e.Contact == "email" && e.Email == "") {
		t.Errorf("Email %q", e.Email)
	}
	single := map[string]string{"kind": e.Kind, "name": e.Name, "email": e.Email, "phone": e.Phone,
		"contact": e.Contact, "date": e.Date, "time": e.TimeOfDay, "area": e.Area, "condition": e.Condition,
		"duration": e.Duration, "thinners": e.Thinners}
	for f, s := range single {
		if !cleanText(s, false) {
			t.Errorf("%s %q holds a control character or loose spaces", f, s)
		}
	}
	for f, s := range map[string]string{"message": e.Message, "note": e.Note} {
		if !cleanText(s, true) {
			t.Errorf("%s %q holds a control character", f, s)
		}
	}
	if utf8.RuneCountInString(e.Message) > MaxLength[FieldMessage] || utf8.RuneCountInString(e.Note) > MaxLength[FieldNote] {
		t.Error("message or note too long")
	}
	for f, s := range map[string]string{FieldContact: e.Contact, FieldKind: e.Kind} {
		if !IsChoice(f, s) {
			t.Errorf("%s %q", f, s)
		}
	}
	switch e.Kind {
	case KindAppointment:
		d, ok := parseDate(e.Date)
		today := dubaiDay(e.Received)
		if !ok || d.Before(today) || d.After(today.AddDate(1, 0, 0)) || !IsChoice(FieldTime, e.TimeOfDay) {
			t.Errorf("appointment %q %q", e.Date, e.TimeOfDay)
		}
		if e.Area != "" || e.Tried != nil || e.Note != "" {
			t.Error("suitability answers in an appointment")
		}
	case KindSuitability:
		if e.Pain < 0 || e.Pain > 10 || !IsChoice(FieldArea, e.Area) || !IsChoice(FieldCondition, e.Condition) ||
			!IsChoice(FieldDuration, e.Duration) || !IsChoice(FieldThinners, e.Thinners) {
			t.Errorf("suitability %+v", e)
		}
		seen := map[string]bool{}
		for _, x := range e.Tried {
			if !IsChoice(FieldTried, x) || seen[x] {
				t.Errorf("tried %q", e.Tried)
			}
			seen[x] = true
		}
		if seen["none"] && len(e.Tried) > 1 {
			t.Errorf("tried %q", e.Tried)
		}
		if !slices.Equal(e.Tried, sortedTried(e.Tried)) {
			t.Errorf("tried not in order: %q", e.Tried)
		}
		if e.Date != "" || e.Message != "" {
			t.Error("appointment answers in a suitability check")
		}
	default:
		t.Errorf("Kind %q", e.Kind)
	}
}

// cleanText reports whether s is valid UTF-8 in NFC with no control or format
// character (but "\n" when multiLine), and, when single-line, no leading,
// trailing or doubled spaces.
func cleanText(s string, multiLine bool) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r == '\n' && multiLine {
			continue
		}
		if unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029' {
			return false
		}
	}
	if !multiLine && (strings.TrimSpace(s) != s || strings.Contains(s, "  ")) {
		return false
	}
	return true
}
