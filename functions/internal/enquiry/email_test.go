package enquiry

import (
	"maps"
	"testing"
)

// Only addresses mail systems and Resend deliver are taken, each refusal
// with a message saying what to change, in the visitor's language; an
// internationalised domain is converted to ASCII.
func TestEmailAddresses(t *testing.T) {
	var (
		format = msgs{"Enter an email address in the correct format, like name@example.com",
			"أدخل عنوان بريد إلكتروني بصيغة صحيحة، مثل name@example.com"}
		ascii = msgs{"Enter an email address with only English letters, digits and . _ - + before the @, like name@example.com",
			"أدخل عنوان بريد إلكتروني لا يحتوي قبل الرمز @ إلا على أحرف إنجليزية وأرقام و . _ - +، مثل name@example.com"}
		unquoted = msgs{"Enter an email address without quotation marks or spaces, like name@example.com",
			"أدخل عنوان بريد إلكتروني دون علامات اقتباس أو مسافات، مثل name@example.com"}
	)
	for _, tc := range []struct {
		in, want string // want: the normalised address, "" when refused
		msg      msgs
	}{
		{"aisha@example.com", "aisha@example.com", msgs{}},
		{"Aisha.Khan+clinic@Example.AE", "Aisha.Khan+clinic@example.ae", msgs{}},
		{"o'neil@example.co.uk", "o'neil@example.co.uk", msgs{}},
		{"info@مثال.امارات", "info@xn--mgbh0fb.xn--mgbaam7a8h", msgs{}},
		{"anna@BÜCHER.de", "anna@xn--bcher-kva.de", msgs{}},
		{"\u0430nna@example.com", "", ascii}, // Cyrillic а
		{"jos\u00e9@example.com", "", ascii},
		{"فاطمة@example.com", "", ascii},
		{`"a b"@example.com`, "", unquoted},
		{`"ab"@example.com`, "", unquoted},
		{`a\@b@example.com`, "", unquoted},
		{"a b@example.com", "", format},
		{"a..b@example.com", "", format},
		{".a@example.com", "", format},
		{"a@localhost", "", format},
		{"a@example.123", "", format},
		{"a@-example.com", "", format},
		{"a@exa_mple.com", "", format},
		{"a@[127.0.0.1]", "", format},
		{"a@example.com Bcc: b@example.com", "", format},
		{"a@\u2488.com", "", format}, // cannot be converted
	} {
		for _, lang := range []string{LangEnglish, LangArabic} {
			v := with(validAppointment(), "email", tc.in, "contact", "email", "lang", lang)
			e, errs := validate(testParser(testNow), v)
			if tc.want != "" {
				if errs != nil || e.Email != tc.want {
					t.Errorf("%q (%s): got %+v %v, want %q", tc.in, lang, e, errs, tc.want)
				}
				continue
			}
			if want := (Errors{"email": tc.msg.in(lang)}); !maps.Equal(errs, want) {
				t.Errorf("%q (%s): errors %q, want %q", tc.in, lang, errs, want)
			}
		}
	}
}

func (m msgs) in(lang string) string {
	if lang == LangArabic {
		return m.ar
	}
	return m.en
}
