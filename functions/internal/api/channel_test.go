package api

import (
	"strings"
	"testing"
)

// The visitor's chosen channel is never lost: an address the form takes
// reaches reception as the reply-to and in the body; one it refuses is
// refused with a message (422, the form kept), never taken and then shown
// as "not given".
func TestEmailChannelNeverLost(t *testing.T) {
	for _, tc := range []struct {
		email, want string // want "" means refused
		message     string // part of the refusal
	}{
		{"aisha@example.com", "aisha@example.com", ""},
		{"Aisha.K+x@Example.AE", "Aisha.K+x@example.ae", ""},
		{"o'neil@example.co.uk", "o'neil@example.co.uk", ""},
		{"info@مثال.امارات", "info@xn--mgbh0fb.xn--mgbaam7a8h", ""},
		{`"a b"@example.com`, "", "without quotation marks"},
		{"\u0430nna@example.com", "", "only English letters"},
	} {
		sender := &fakeSender{}
		e := newEnv(t, sender, nil)
		w := e.do(t, formReq(with(validForm(), "email", tc.email)))
		if tc.want == "" {
			if w.Code != 422 || !strings.Contains(w.Body.String(), tc.message) || len(sender.sent()) != 0 {
				t.Errorf("%q: %d, %d emails; body holds %q: %v", tc.email, w.Code, len(sender.sent()), tc.message, strings.Contains(w.Body.String(), tc.message))
			}
			continue
		}
		msgs := sender.sent()
		if w.Code != 303 || len(msgs) != 2 {
			t.Fatalf("%q: %d, %d emails", tc.email, w.Code, len(msgs))
		}
		if msgs[0].ReplyTo != tc.want || !strings.Contains(msgs[0].Text, tc.want) || strings.Contains(msgs[0].Text, "(not given)") {
			t.Errorf("%q: reception's reply-to %q, text:\n%s", tc.email, msgs[0].ReplyTo, msgs[0].Text)
		}
		if len(msgs[1].To) != 1 || msgs[1].To[0] != tc.want {
			t.Errorf("%q: acknowledgement to %v", tc.email, msgs[1].To)
		}
	}
}
