package enquiry

import "testing"

func TestSingleLine(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "Aisha Khan", "Aisha Khan"},
		{"trim and collapse", "  Aisha \t  Khan  ", "Aisha Khan"},
		{"newline injection", "Bob\r\nBcc: victim@example.com", "Bob Bcc: victim@example.com"},
		{"lone CR and LF", "a\rb\nc", "a b c"},
		{"unicode line separators", "a\u2028b\u2029c\u0085d", "a b c d"},
		{"C0 and C1 controls", "a\x00b\x07c\x1bd\u009be", "abcde"},
		{"DEL", "a\x7fb", "ab"},
		{"RTL override stripped", "\u202Egnp.exe", "gnp.exe"},
		{"bidi isolates and marks stripped", "a\u2066b\u2069c\u200Fd\u200Ee", "abcde"},
		{"zero width stripped", "Ai\u200Bsha\uFEFF", "Aisha"},
		{"no-break and ideographic spaces", "Aisha\u00A0\u3000Khan", "Aisha Khan"},
		{"NFC", "Rene\u0301e", "Renée"},
		{"invalid UTF-8 dropped", "Ai\xffsha\xc3", "Aisha"},
		{"Arabic kept", "  عائشة   خان ", "عائشة خان"},
		{"only controls", "\x00\u202E\r\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SingleLine(tt.in); got != tt.want {
				t.Errorf("SingleLine(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestMultiLine(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "Knee pain\nsince May", "Knee pain\nsince May"},
		{"CRLF and CR", "a\r\nb\rc", "a\nb\nc"},
		{"spaces collapsed within lines", "  a   b  \n\t c ", "a b\nc"},
		{"blank lines limited", "a\n\n\n\n\n\nb", "a\n\n\nb"},
		{"blank lines of spaces count", "a\n \n\t\n  \n \nb", "a\n\n\nb"},
		{"outer blank lines dropped", "\n\n a \n\n", "a"},
		{"controls stripped", "a\x00\x1b[31m\u202Eb", "a[31mb"},
		{"NFC", "Rene\u0301e", "Renée"},
		{"paragraph separator is a newline", "a\u2029b", "a\nb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := multiLine(tt.in); got != tt.want {
				t.Errorf("multiLine(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestNormalisePhone(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"050 123 4567", "+971501234567", true},
		{"0501234567", "+971501234567", true},
		{"+971 50 123 4567", "+971501234567", true},
		{"+971-50-123-4567", "+971501234567", true},
		{"(050) 123-4567", "+971501234567", true},
		{"00971501234567", "+971501234567", true},
		{"971501234567", "+971501234567", true},
		{"٠٥٠ ١٢٣ ٤٥٦٧", "+971501234567", true},         // Arabic-Indic
		{"۰۵۰۱۲۳۴۵۶۷", "+971501234567", true},           // Extended Arabic-Indic (Persian)
		{"+٩٧١ ٥٠ ١٢٣ ٤٥٦٧", "+971501234567", true},     // Arabic-Indic with country code
		{"04 321 1234", "+97143211234", true},           // Dubai landline
		{"+44 20 7946 0958", "+442079460958", true},     // foreign, kept
		{"+1 415 555 2671", "+14155552671", true},       // foreign, kept
		{"12345", "12345", false},                       // too short
		{"050 123", "050 123", false},                   // incomplete
		{"+999 123 456 789", "+999 123 456 789", false}, // no such country
		{"call me", "call me", false},                   // not a number
		{"", "", false},                                 // empty
		{"0501234567890123456789012345678901234567890", "0501234567890123456789012345678901234567890", false},
		{"+971 (0)50 123 4567", "+971501234567", true}, // trunk 0 written after the country code
		{"501234567", "+971501234567", true},           // mobile without its trunk 0
		{"055.123.4567", "+971551234567", true},
		{"02 612 3456", "+97126123456", true},       // Abu Dhabi landline
		{"04 321 123", "04 321 123", false},         // landline one digit short
		{"050 123 45678", "050 123 45678", false},   // mobile one digit long
		{"014 321 1234", "014 321 1234", false},     // no such area code
		{"+966 50 123 4567", "+966501234567", true}, // Saudi mobile
		{"+91 98765 43210", "+919876543210", true},  // India
		{"+1 415 555 267", "+1 415 555 267", false}, // North America needs ten digits
		{"050 123 4567 ext 12", "050 123 4567 ext 12", false},
		{"050+1234567", "050+1234567", false},
		{"+0 501 234 567", "+0 501 234 567", false},
		{"+1234567890123456", "+1234567890123456", false}, // longer than E.164 allows
	}
	for _, tt := range tests {
		got, ok := normalisePhone(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("normalisePhone(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestNormaliseEmail(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Aisha.Khan@Example.COM", "Aisha.Khan@example.com"},
		{"a@b@EXAMPLE.com", "a@b@example.com"},
		{"no-at-sign", "no-at-sign"},
	}
	for _, tt := range tests {
		if got := normaliseEmail(tt.in); got != tt.want {
			t.Errorf("normaliseEmail(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
