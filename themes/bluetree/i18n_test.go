package bluetree

import (
	"testing"
	"time"
)

func TestT(t *testing.T) {
	if got := T("ar", "day_thursday", nil); got != "الخميس" {
		t.Errorf("day_thursday in Arabic: %q", got)
	}
	if got := T("en", "form_closed_day", map[string]any{"Day": "Sunday"}); got != "The clinic is closed on Sundays. Please choose another day." {
		t.Errorf("form_closed_day: %q", got)
	}
	defer func() {
		if recover() == nil {
			t.Error("a missing text did not panic")
		}
	}()
	T("en", "no_such_text", nil)
}

// A count takes the plural form CLDR gives it in the language.
func TestPlural(t *testing.T) {
	for n, want := range map[int]string{0: "0 حرف", 1: "حرف واحد", 2: "حرفين", 3: "3 أحرف", 10: "10 أحرف", 11: "11 حرفاً",
		100: "100 حرف", 103: "103 أحرف", 254: "254 حرفاً", 500: "500 حرف", 1000: "1000 حرف"} {
		if got := T("ar", "n_characters", map[string]any{"Count": n}); got != want {
			t.Errorf("%d characters in Arabic: %q, want %q", n, got, want)
		}
	}
	for n, want := range map[int]string{1: "1 character", 2: "2 characters", 100: "100 characters"} {
		if got := T("en", "n_characters", map[string]any{"Count": n}); got != want {
			t.Errorf("%d characters: %q, want %q", n, got, want)
		}
	}
}

func TestDay(t *testing.T) {
	d := time.Date(2026, 11, 26, 14, 0, 0, 0, time.UTC)
	if got := Day("en", d); got != "Thursday 26 November" {
		t.Errorf("en: %q", got)
	}
	if got := Day("ar", d); got != "الخميس 26 نوفمبر" {
		t.Errorf("ar: %q", got)
	}
}
