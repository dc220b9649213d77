package enquiry

import (
	"net/url"
	"strings"
	"testing"
)

// go test -run='^$' -bench=. -benchmem ./functions/internal/enquiry/
func BenchmarkParse(b *testing.B) {
	p := testParser(testNow)
	cases := []struct {
		name string
		v    url.Values
	}{
		{"appointment", validAppointment()},
		{"suitability", validSuitability()},
		{"invalid", with(validSuitability(), "lang", "ar", "phone", "050 123", "pain", "11", "tried", []string{"none", "prp"}, "email", "bad")},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				validate(p, c.v)
			}
		})
	}
}

func BenchmarkDecodeJSON(b *testing.B) {
	body := `{"kind":"suitability","lang":"en","name":"Omar Haddad","email":"omar@example.com","phone":"+971 55 765 4321",
		"contact":"phone","consent":true,"website":"","area":"knee","condition":"osteoarthritis","duration":"1-5-years",
		"pain":6,"tried":["prp","physiotherapy"],"thinners":"no","note":"Worse on stairs."}`
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := decodeJSON(strings.NewReader(body)); err != nil {
			b.Fatal(err)
		}
	}
}

// worstCaseInputs are bodies at the handler's 32 KiB cap, built to be slow.
func worstCaseInputs() map[string]url.Values {
	const size = 32 << 10
	return map[string]url.Values{
		"long name":       with(validAppointment(), "name", strings.Repeat("a ", size/2)),
		"combining marks": with(validAppointment(), "name", "a"+strings.Repeat("\u0301", size/2)),
		"long phone":      with(validAppointment(), "phone", strings.Repeat("٠", size/2)),
		"long email":      with(validAppointment(), "email", strings.Repeat("a.", size/4)+"@x.com"),
		"newlines":        with(validAppointment(), "message", strings.Repeat("\r\n", size/2)),
		"controls":        with(validAppointment(), "message", strings.Repeat("\u202e\x00", size/4)),
		"many tried":      with(validSuitability(), "tried", strings.Split(strings.Repeat("prp,", size/4), ",")),
		"long date":       with(validAppointment(), "date", strings.Repeat("2026-03-12", size/10)),
	}
}

// The worst cases are refused with a message for the field, or (line breaks and
// control characters in the message) accepted with all of it stripped. How long
// they take is a benchmark, not a test (this machine is shared):
// go test -run='^$' -bench=ParseWorstCase ./functions/internal/enquiry/
func TestParseWorstCaseInputs(t *testing.T) {
	p := testParser(testNow)
	for name, v := range worstCaseInputs() {
		e, problems := validate(p, v)
		if len(problems) == 0 && strings.TrimSpace(e.Message) != "" {
			t.Errorf("%s: accepted with a %d-byte message, want a problem or nothing kept", name, len(e.Message))
		}
	}
}

func BenchmarkParseWorstCase(b *testing.B) {
	p := testParser(testNow)
	for name, v := range worstCaseInputs() {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				validate(p, v)
			}
		})
	}
}
