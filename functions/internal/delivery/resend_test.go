package delivery_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bluetreeclinics/site/functions/internal/delivery"
	"github.com/bluetreeclinics/site/functions/internal/delivery/resendtest"
	"github.com/bluetreeclinics/site/functions/internal/enquiry"
	"github.com/bluetreeclinics/site/functions/internal/mail"
	"github.com/resend/resend-go/v2"
)

func message(key string) *mail.Message {
	return &mail.Message{
		IdempotencyKey: key,
		From:           "Blue Tree Clinics website <enquiries@example.com>",
		To:             []string{"reception@example.com"},
		ReplyTo:        "visitor@example.org",
		Subject:        "Appointment request: Fatima Al Zahra, 12 Dec 2026 (morning)",
		HTML:           "<p>Hello</p>",
		Text:           "Hello",
		Tags:           map[string]string{"kind": "appointment", "lang": "en"},
	}
}

// newSender is the Lambda path's sender: Resend wrapped in Retry.
func newSender(fake *resendtest.Server, log *slog.Logger) delivery.Sender {
	return delivery.Retry{Log: log, BaseDelay: 10 * time.Millisecond, Next: delivery.NewResend(delivery.ResendOptions{
		APIKey:  fake.APIKey,
		BaseURL: strings.TrimSuffix(fake.URL(), "/"), // the missing "/" is added
		Logger:  log,
	})}
}

func ctxWithin(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func TestResendSuccess(t *testing.T) {
	fake := resendtest.NewServer(t)
	if err := newSender(fake, nil).Send(ctxWithin(t, 5*time.Second), message("k1")); err != nil {
		t.Fatal(err)
	}
	emails := fake.Emails()
	if len(emails) != 1 || fake.Calls() != 1 {
		t.Fatalf("%d emails, %d calls", len(emails), fake.Calls())
	}
	e := emails[0]
	if e.IdempotencyKey != "k1" || e.Subject != message("").Subject || e.ReplyTo[0] != "visitor@example.org" ||
		e.To[0] != "reception@example.com" || e.Tags["kind"] != "appointment" || e.HTML != "<p>Hello</p>" || e.Text != "Hello" {
		t.Errorf("email as received: %+v", e)
	}
}

func TestResendRetries(t *testing.T) {
	for _, tc := range []struct {
		name      string
		fail      int
		n         int
		minWait   time.Duration
		wantCalls int
	}{
		{"429 honours retry-after", http.StatusTooManyRequests, 1, time.Second, 2},
		{"500", http.StatusInternalServerError, 2, 0, 3},
		{"503", http.StatusServiceUnavailable, 1, 0, 2},
		{"connection dropped", resendtest.CloseConnection, 1, 0, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := resendtest.NewServer(t)
			fake.Fail(tc.fail, tc.n)
			start := time.Now()
			if err := newSender(fake, nil).Send(ctxWithin(t, 10*time.Second), message("k-"+tc.name[:3])); err != nil {
				t.Fatal(err)
			}
			if took := time.Since(start); took < tc.minWait {
				t.Errorf("retried after %v, before retry-after %v", took, tc.minWait)
			}
			if len(fake.Emails()) != 1 {
				t.Errorf("%d emails, want exactly 1", len(fake.Emails()))
			}
			// Go's transport may replay a request with an Idempotency-Key
			// on a dropped connection by itself: allow one extra call there.
			if c := fake.Calls(); c != tc.wantCalls && !(tc.fail == resendtest.CloseConnection && c == tc.wantCalls+1) {
				t.Errorf("%d calls, want %d", c, tc.wantCalls)
			}
		})
	}
}

func TestResendPermanent(t *testing.T) {
	for _, tc := range []struct {
		name    string
		fail    int
		calls   int    // 2: reception's email sent again without reply-to
		is      error  // besides ErrPermanent
		logLine string // level and message
	}{
		{"422, refused even without reply-to", http.StatusUnprocessableEntity, 2, delivery.ErrRefused, "level=ERROR msg=\"resend refused reception's email for its content, even without the visitor's reply-to address\""},
		{"403", http.StatusForbidden, 1, nil, "level=ERROR msg=\"resend rejected the email: configuration error\""},
		{"daily quota", resendtest.DailyQuota, 1, delivery.ErrQuota, "level=WARN msg=\"resend refused the email: sending quota exceeded\""},
		{"monthly quota", resendtest.MonthlyQuota, 1, delivery.ErrQuota, "level=WARN msg=\"resend refused the email: sending quota exceeded\""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := resendtest.NewServer(t)
			fake.Fail(tc.fail, 5)
			var logs bytes.Buffer
			err := newSender(fake, slog.New(slog.NewTextHandler(&logs, nil))).Send(ctxWithin(t, 5*time.Second), message("k"))
			if !errors.Is(err, delivery.ErrPermanent) || (tc.is != nil && !errors.Is(err, tc.is)) {
				t.Fatalf("err = %v, want ErrPermanent and %v", err, tc.is)
			}
			if errors.Is(err, delivery.ErrRefused) && tc.is != delivery.ErrRefused {
				t.Errorf("reception's email reported refused: %v", err)
			}
			var se *delivery.SendError
			if !errors.As(err, &se) || se.Status == 0 || se.Name == "" {
				t.Errorf("SendError %+v", se)
			}
			if fake.Calls() != tc.calls {
				t.Errorf("%d calls, want %d", fake.Calls(), tc.calls)
			}
			if !strings.Contains(logs.String(), tc.logLine) {
				t.Errorf("not logged as %s:\n%s", tc.logLine, logs.String())
			}
		})
	}
}

// Resend refuses the visitor's address (a Cyrillic letter in the local
// part): reception still gets the enquiry, without the reply-to and with a
// line saying why; the acknowledgement to that address is refused for good.
func TestResendRefusedContent(t *testing.T) {
	fake := resendtest.NewServer(t)
	var logs bytes.Buffer
	s := newSender(fake, slog.New(slog.NewTextHandler(&logs, nil)))
	visitor := "аnna@example.org" // Cyrillic а
	m := message("enq_x")
	m.ReplyTo = visitor
	m.Text = "Email: " + visitor
	if err := s.Send(ctxWithin(t, 5*time.Second), m); err != nil {
		t.Fatalf("reception's email: %v", err)
	}
	emails := fake.Emails()
	if len(emails) != 1 || len(emails[0].ReplyTo) != 0 || emails[0].IdempotencyKey != "enq_x-noreply" ||
		!strings.Contains(emails[0].Text, "refused the visitor's email address") || !strings.Contains(emails[0].Text, visitor) ||
		!strings.Contains(emails[0].HTML, "refused the visitor's email address") {
		t.Fatalf("reception got %+v", emails)
	}
	if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "idempotency_key=enq_x") {
		t.Errorf("fallback not logged with the key:\n%s", logs.String())
	}
	// Sent again (a crash before the spool file went): still one email.
	if err := s.Send(ctxWithin(t, 5*time.Second), m); err != nil || len(fake.Emails()) != 1 {
		t.Errorf("again: %v, %d emails", err, len(fake.Emails()))
	}

	ack := message("enq_x-ack")
	ack.ReplyTo, ack.To = "", []string{visitor}
	err := s.Send(ctxWithin(t, 5*time.Second), ack)
	if !errors.Is(err, delivery.ErrRefused) || len(fake.Emails()) != 1 {
		t.Errorf("acknowledgement: %v, %d emails", err, len(fake.Emails()))
	}
	if strings.Contains(logs.String(), "nna@") {
		t.Error("the log holds the address")
	}
}

func TestResendWrongKey(t *testing.T) {
	fake := resendtest.NewServer(t)
	s := delivery.NewResend(delivery.ResendOptions{APIKey: "re_wrong", BaseURL: fake.URL()})
	err := s.Send(ctxWithin(t, 5*time.Second), message("k"))
	var se *delivery.SendError
	if !errors.Is(err, delivery.ErrPermanent) || !errors.As(err, &se) || se.Status != 403 || se.Name != "invalid_api_key" {
		t.Fatalf("err = %v", err)
	}
}

func TestResendDownGivesUpWithinDeadline(t *testing.T) {
	fake := resendtest.NewServer(t)
	fake.Down()
	start := time.Now()
	s := delivery.Retry{MaxAttempts: 100, BaseDelay: 50 * time.Millisecond,
		Next: delivery.NewResend(delivery.ResendOptions{APIKey: fake.APIKey, BaseURL: fake.URL()})}
	err := s.Send(ctxWithin(t, 700*time.Millisecond), message("k"))
	took := time.Since(start)
	if err == nil || errors.Is(err, delivery.ErrPermanent) {
		t.Fatalf("err = %v, want a temporary failure", err)
	}
	if took > time.Second { // the deadline, and room for a busy machine
		t.Errorf("gave up after %v, past the 700ms deadline", took)
	}
	if fake.Calls() < 2 {
		t.Errorf("%d calls: no retry", fake.Calls())
	}
	fake.Up()
	if err := s.Send(ctxWithin(t, 5*time.Second), message("k")); err != nil {
		t.Fatalf("after Up: %v", err)
	}
}

func TestResendHangUsesDeadline(t *testing.T) {
	fake := resendtest.NewServer(t)
	fake.Fail(resendtest.Hang, 10)
	start := time.Now()
	err := newSender(fake, nil).Send(ctxWithin(t, 300*time.Millisecond), message("k"))
	if err == nil || errors.Is(err, delivery.ErrPermanent) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("took %v", took)
	}
}

func TestResendRetryAfterPastDeadline(t *testing.T) {
	fake := resendtest.NewServer(t)
	fake.SetRetryAfter(30)
	fake.Fail(http.StatusTooManyRequests, 1)
	start := time.Now()
	err := newSender(fake, nil).Send(ctxWithin(t, 2*time.Second), message("k"))
	if err == nil || errors.Is(err, delivery.ErrPermanent) {
		t.Fatalf("err = %v", err)
	}
	if took := time.Since(start); took > 500*time.Millisecond {
		t.Errorf("waited %v although retry-after passes the deadline", took)
	}
}

func TestResendIdempotency(t *testing.T) {
	fake := resendtest.NewServer(t)
	s := newSender(fake, nil)
	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() {
			if err := s.Send(ctxWithin(t, 5*time.Second), message("same-id")); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := len(fake.Emails()); n != 1 || fake.Calls() != 5 {
		t.Errorf("%d emails from %d calls, want 1 from 5", n, fake.Calls())
	}
	// Same key, different content (the same enquiry submitted again a few
	// seconds later: its received time differs): Resend refuses with 409
	// invalid_idempotent_request, which means reception already has it. The
	// visitor must not see a failure, and there is never a 2nd email.
	m := message("same-id")
	m.Subject = "something else"
	if err := s.Send(ctxWithin(t, 5*time.Second), m); err != nil {
		t.Errorf("repeated submission under the same key: %v, want nil (already sent)", err)
	}
	if len(fake.Emails()) != 1 {
		t.Error("second email")
	}
}

// resend-go reads RESEND_BASE_URL once, when the program starts. With an
// empty BaseURL we keep its default, so the operator's variable works.
func TestResendBaseURLDefault(t *testing.T) {
	s := delivery.NewResend(delivery.ResendOptions{APIKey: "re_x"})
	if got, want := s.BaseURL(), resend.NewCustomClient(nil, "").BaseURL.String(); got != want {
		t.Errorf("BaseURL %q, want resend-go's default %q", got, want)
	}
	s = delivery.NewResend(delivery.ResendOptions{APIKey: "re_x", BaseURL: "http://proxy.internal:8080/resend"})
	if got := s.BaseURL(); got != "http://proxy.internal:8080/resend/" {
		t.Errorf("BaseURL %q", got)
	}
}

// The child process starts with RESEND_BASE_URL set (as an operator would)
// and sends with no BaseURL option: the fake must get the email.
func TestResendBaseURLEnv(t *testing.T) {
	if os.Getenv("MAIL_TEST_CHILD") == "1" {
		s := delivery.NewResend(delivery.ResendOptions{APIKey: resendtest.DefaultAPIKey})
		if err := s.Send(context.Background(), message("env-key")); err != nil {
			t.Fatal(err)
		}
		return
	}
	fake := resendtest.NewServer(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestResendBaseURLEnv$", "-test.count=1")
	cmd.Env = append(os.Environ(), "MAIL_TEST_CHILD=1", "RESEND_BASE_URL="+fake.URL())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if len(fake.Emails()) != 1 || fake.Emails()[0].IdempotencyKey != "env-key" {
		t.Errorf("RESEND_BASE_URL not honoured: %d emails", len(fake.Emails()))
	}
}

// Logs carry ids, statuses and timings, never who wrote or what.
func TestLogsHoldNoPersonalData(t *testing.T) {
	cmp, err := mail.NewComposer(mail.ComposerConfig{
		From: "Clinic <enquiries@example.com>", To: []string{"reception@example.com"},
		Ack: true, SiteURL: "https://www.example.com",
	})
	if err != nil {
		t.Fatal(err)
	}
	e := &enquiry.Enquiry{
		ID: "log-test-1", Kind: enquiry.KindAppointment, Lang: "en", Received: time.Now(),
		Name: "Zubaida Qasimi", Email: "zubaida.q@example.net", Phone: "+971509876543", Contact: "email",
		Date: "2026-12-01", TimeOfDay: "evening", Message: "Secret knee story",
	}
	msgs, err := cmp.Compose(e)
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))

	fake := resendtest.NewServer(t)
	fake.Fail(http.StatusTooManyRequests, 1)
	fake.SetRetryAfter(0)
	fake.Fail(http.StatusInternalServerError, 1)
	s := newSender(fake, log)
	for _, m := range msgs {
		if err := s.Send(ctxWithin(t, 5*time.Second), m); err != nil {
			t.Fatal(err)
		}
	}
	fake.Fail(http.StatusUnprocessableEntity, 1)
	_ = s.Send(ctxWithin(t, 5*time.Second), msgs[0])
	out, err := delivery.NewOutbox(t.TempDir(), log)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if err := out.Send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	if logs.Len() == 0 {
		t.Fatal("nothing logged")
	}
	for _, secret := range []string{"Zubaida", "Qasimi", "zubaida.q", "example.net", "509876543", "Secret knee", "reception@", "Appointment request:"} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("logs contain %q:\n%s", secret, logs.String())
		}
	}
}

// Attempt 0 (no attempt made yet) counts as the first.
func TestBackoff(t *testing.T) {
	for attempt := 0; attempt < 80; attempt++ {
		d := delivery.Backoff(time.Second, 5*time.Minute, attempt)
		want := min(time.Second<<min(max(attempt-1, 0), 30), 5*time.Minute)
		if d < want/2 || d > want {
			t.Errorf("attempt %d: %v, want in [%v, %v]", attempt, d, want/2, want)
		}
	}
}
