package mail

import "testing"

func TestFormatPhone(t *testing.T) {
	for in, want := range map[string]string{
		"+971501234567": "+971 50 123 4567",
		"971501234567":  "+971 50 123 4567",
		"+97140000000":  "+971 4 000 0000",
		"+97126661234":  "+971 2 666 1234",
		"+442079460958": "+44 207 946 0958",
		"+12125551234":  "+1 212 555 1234",
		"+33612345678":  "+33 61 234 5678",
		"+4930123456":   "+49 3012 3456",
		"+96512345678":  "+965 1234 5678",
		"":              "",
		"not a number":  "not a number",
		"+9715":         "+9715",
	} {
		if got := formatPhone(in); got != want {
			t.Errorf("formatPhone(%q) = %q, want %q", in, got, want)
		}
	}
}
