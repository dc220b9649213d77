package bluetree

import "testing"

func TestT(t *testing.T) {
	if got := T("ar", "day_thursday", nil); got != "الخميس" {
		t.Errorf("day_thursday in Arabic: %q", got)
	}
	if got := T("en", "form_closed_day", map[string]string{"Day": "Sunday"}); got != "The clinic is closed on Sundays. Please choose another day." {
		t.Errorf("form_closed_day: %q", got)
	}
	defer func() {
		if recover() == nil {
			t.Error("a missing text did not panic")
		}
	}()
	T("en", "no_such_text", nil)
}
