package api

import (
	"strings"
	"testing"
	"time"

	"github.com/bluetreeclinics/site/functions/internal/delivery"
	"github.com/bluetreeclinics/site/functions/internal/delivery/resendtest"
)

// The handler with the real Resend sender against the fake Resend.
func TestWithFakeResend(t *testing.T) {
	tests := []struct {
		name   string
		setup  func(*resendtest.Server)
		status int
		emails int
	}{
		{"sent", func(*resendtest.Server) {}, 303, 1},
		{"5xx then sent", func(s *resendtest.Server) { s.Fail(500, 1) }, 303, 1},
		{"429 then sent", func(s *resendtest.Server) { s.Fail(429, 1) }, 303, 1},
		{"rejected key: 503", func(s *resendtest.Server) { s.Fail(401, 1) }, 503, 0},
		{"down: 503", func(s *resendtest.Server) { s.Down() }, 503, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := resendtest.NewServer(t)
			tt.setup(fake)
			sender := delivery.Retry{BaseDelay: 10 * time.Millisecond, MaxAttempts: 3, Next: delivery.NewResend(delivery.ResendOptions{
				APIKey: fake.APIKey, BaseURL: fake.URL(),
			})}
			e := newEnv(t, sender, func(d *Deps) { d.SendTimeout = 3 * time.Second })
			v := with(validForm(), "email", "")
			v = with(v, "contact", "phone")
			w := e.do(t, formReq(v))
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d\n%s", w.Code, tt.status, e.log)
			}
			if n := len(fake.Emails()); n != tt.emails {
				t.Errorf("%d emails at Resend, want %d", n, tt.emails)
			}
			if tt.status == 503 && !strings.Contains(w.Body.String(), reasonUnavailable.text.In("en")) {
				t.Errorf("503 page lacks the message")
			}
			// The same submission again: still one email.
			if tt.status == 303 {
				e.do(t, formReq(v))
				if n := len(fake.Emails()); n != 1 {
					t.Errorf("after a double submission: %d emails", n)
				}
			}
		})
	}
}
