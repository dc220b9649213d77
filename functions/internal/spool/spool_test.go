package spool

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bluetreeclinics/site/functions/internal/delivery"
	"github.com/bluetreeclinics/site/functions/internal/delivery/resendtest"
	"github.com/bluetreeclinics/site/functions/internal/mail"
	"github.com/bluetreeclinics/site/functions/internal/testlog"
)

// Personal data in the test message: none of it may reach a log.
const (
	secretName  = "Mariam Saeed"
	secretPhone = "+971501112233"
)

func message(key string) *mail.Message {
	return &mail.Message{
		IdempotencyKey: key,
		From:           "Blue Tree Clinics <enquiries@bluetree.example>",
		To:             []string{"reception@bluetree.example"},
		ReplyTo:        "mariam@example.com",
		Subject:        "Appointment: " + secretName,
		HTML:           "<p>" + secretName + " " + secretPhone + "</p>",
		Text:           secretName + " " + secretPhone,
		Tags:           map[string]string{"kind": "appointment"},
	}
}

type env struct {
	fake   *resendtest.Server
	resend *delivery.Resend
	dir    string
	logs   *testlog.Buffer
	log    *slog.Logger
}

func newEnv(t *testing.T) *env {
	t.Helper()
	fake := resendtest.NewServer(t)
	logs := &testlog.Buffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e := &env{
		fake: fake,
		resend: delivery.NewResend(delivery.ResendOptions{
			APIKey: fake.APIKey, BaseURL: fake.URL(), Logger: log,
			MaxAttempts: 2, BaseDelay: 5 * time.Millisecond,
		}),
		dir:  filepath.Join(t.TempDir(), "spool"),
		logs: logs,
		log:  log,
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("logs:\n%s", logs)
		}
		for _, s := range []string{secretName, secretPhone, "mariam@example.com"} {
			if strings.Contains(logs.String(), s) {
				t.Errorf("the log holds personal data %q", s)
			}
		}
	})
	return e
}

// fastOptions make the worker retry within milliseconds.
var fastOptions = Options{
	MinBackoff: 20 * time.Millisecond, MaxBackoff: 100 * time.Millisecond,
	PermanentBackoff: time.Hour, Interval: 10 * time.Millisecond, AttemptTimeout: 2 * time.Second,
}

func (e *env) spool(t *testing.T, opts Options) *Spool {
	t.Helper()
	s, err := New(e.dir, e.resend, e.log, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// run starts the worker and stops it at the end of the test.
func run(t *testing.T, s *Spool) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); s.Run(ctx) }()
	stop = func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("Run did not return after cancel")
		}
	}
	t.Cleanup(stop)
	return stop
}

func waitFor(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func send(t *testing.T, s *Spool, m *mail.Message) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := s.Send(ctx, m); err != nil {
		t.Fatalf("Send: %v", err)
	}
}

func files(t *testing.T, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, de := range des {
		names = append(names, de.Name())
	}
	return names
}

func TestSendPassesThrough(t *testing.T) {
	e := newEnv(t)
	s := e.spool(t, fastOptions)
	send(t, s, message("enq_a"))
	if n := len(e.fake.Emails()); n != 1 {
		t.Errorf("%d emails", n)
	}
	if s.Depth() != 0 || len(files(t, e.dir)) != 0 {
		t.Errorf("depth %d, files %v", s.Depth(), files(t, e.dir))
	}
	if st, err := os.Stat(e.dir); err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("dir: %v %v", st.Mode(), err)
	}
}

func TestFailureSpoolsDurably(t *testing.T) {
	e := newEnv(t)
	e.fake.Down()
	s := e.spool(t, fastOptions)
	m := message("enq_b")
	send(t, s, m)
	if s.Depth() != 1 {
		t.Fatalf("depth %d", s.Depth())
	}
	if got := files(t, e.dir); len(got) != 1 || got[0] != "enq_b.json" {
		t.Fatalf("files %v", got)
	}
	st, err := os.Stat(filepath.Join(e.dir, "enq_b.json"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v %v", st.Mode(), err)
	}
	if st, _ := os.Stat(e.dir); st.Mode().Perm() != 0o700 {
		t.Errorf("dir mode %v", st.Mode())
	}
	var rec record
	b, _ := os.ReadFile(filepath.Join(e.dir, "enq_b.json"))
	if err := json.Unmarshal(b, &rec); err != nil || rec.Message == nil || rec.Message.Text != m.Text || rec.SpooledAt.IsZero() {
		t.Errorf("record %+v %v", rec, err)
	}
	if !strings.Contains(e.logs.String(), "spooled for retry") || !strings.Contains(e.logs.String(), "enq_b") {
		t.Errorf("no spool log line:\n%s", e.logs)
	}
	if s.OldestAge() <= 0 || s.OldestAge() > time.Minute {
		t.Errorf("oldest age %v", s.OldestAge())
	}

	// The same key again is not a second file, and not sent.
	calls := e.fake.Calls()
	send(t, s, message("enq_b"))
	if s.Depth() != 1 || len(files(t, e.dir)) != 1 || e.fake.Calls() != calls {
		t.Errorf("resubmission: depth %d files %v calls %d→%d", s.Depth(), files(t, e.dir), calls, e.fake.Calls())
	}
}

// The direct send keeps Reserve of the caller's budget for the spool: a
// Resend that hangs still leaves time to spool before the deadline.
func TestSpoolsWithinTheCallersBudget(t *testing.T) {
	e := newEnv(t)
	e.fake.Fail(resendtest.Hang, 100)
	s := e.spool(t, Options{Reserve: 200 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 600*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := s.Send(ctx, message("enq_hang")); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 550*time.Millisecond {
		t.Errorf("Send took %v of a 600ms budget with a 200ms reserve", took)
	}
	if s.Depth() != 1 {
		t.Errorf("depth %d", s.Depth())
	}
}

func TestWorkerRetriesAndDeletesOnceSent(t *testing.T) {
	e := newEnv(t)
	e.fake.Down()
	s := e.spool(t, fastOptions)
	send(t, s, message("enq_c"))
	send(t, s, message("enq_c-ack"))
	run(t, s)
	waitFor(t, "retries while down", 5*time.Second, func() bool { return strings.Count(e.logs.String(), "still not sent") >= 2 })
	if s.Depth() != 2 {
		t.Fatalf("depth %d while down", s.Depth())
	}
	e.fake.Up()
	waitFor(t, "the spool to drain", 5*time.Second, func() bool { return s.Depth() == 0 })
	if got := files(t, e.dir); len(got) != 0 {
		t.Errorf("files left: %v", got)
	}
	keys := map[string]int{}
	for _, m := range e.fake.Emails() {
		keys[m.IdempotencyKey]++
	}
	if len(keys) != 2 || keys["enq_c"] != 1 || keys["enq_c-ack"] != 1 {
		t.Errorf("emails by key: %v", keys)
	}
	if !strings.Contains(e.logs.String(), "spooled email sent") {
		t.Error("no sent log line")
	}
}

func TestRestartResumes(t *testing.T) {
	e := newEnv(t)
	e.fake.Down()
	first := e.spool(t, fastOptions)
	send(t, first, message("enq_d"))
	// The process ends here (no Run, no cleanup). A new one starts on the
	// same folder with Resend back.
	e.fake.Up()
	second := e.spool(t, fastOptions)
	if second.Depth() != 1 {
		t.Fatalf("restarted spool depth %d", second.Depth())
	}
	if !strings.Contains(e.logs.String(), "from an earlier run") {
		t.Error("restart not logged")
	}
	run(t, second)
	waitFor(t, "the resumed email", 5*time.Second, func() bool { return second.Depth() == 0 })
	if n := len(e.fake.Emails()); n != 1 {
		t.Errorf("%d emails", n)
	}
	if got := files(t, e.dir); len(got) != 0 {
		t.Errorf("files left: %v", got)
	}
}

// A crash after Resend accepted the email but before the file was deleted:
// the next run sends it again, Resend deduplicates by key, reception gets
// one email.
func TestResendAfterCrashIsDeduplicated(t *testing.T) {
	e := newEnv(t)
	m := message("enq_e")
	if err := e.resend.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	first := e.spool(t, fastOptions)
	if err := first.write(fileName(m.IdempotencyKey), m, time.Now()); err != nil {
		t.Fatal(err)
	}
	second := e.spool(t, fastOptions)
	run(t, second)
	waitFor(t, "the spool to drain", 5*time.Second, func() bool { return second.Depth() == 0 })
	if n := len(e.fake.Emails()); n != 1 {
		t.Errorf("%d emails, want 1", n)
	}
	if c := e.fake.Calls(); c != 2 {
		t.Errorf("%d calls, want 2 (the send and the deduplicated resend)", c)
	}
}

func TestConcurrentSendsOfOneKey(t *testing.T) {
	for _, down := range []bool{true, false} {
		name := map[bool]string{true: "resend down", false: "resend up"}[down]
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			if down {
				e.fake.Down()
			}
			s := e.spool(t, fastOptions)
			var wg sync.WaitGroup
			errs := make(chan error, 20)
			for range 20 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
					defer cancel()
					errs <- s.Send(ctx, message("enq_f"))
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Errorf("Send: %v", err)
				}
			}
			if down {
				if got := files(t, e.dir); len(got) != 1 || s.Depth() != 1 {
					t.Fatalf("files %v depth %d", got, s.Depth())
				}
				e.fake.Up()
				run(t, s)
				waitFor(t, "the spool to drain", 5*time.Second, func() bool { return s.Depth() == 0 })
			}
			if n := len(e.fake.Emails()); n != 1 {
				t.Errorf("%d emails, want 1", n)
			}
		})
	}
}

// A rejected email (bad API key) is kept, logged at ERROR, and retried only
// after the long permanent backoff.
func TestPermanentFailureIsKept(t *testing.T) {
	e := newEnv(t)
	e.resend = delivery.NewResend(delivery.ResendOptions{APIKey: "re_wrong", BaseURL: e.fake.URL(), Logger: e.log})
	s := e.spool(t, fastOptions)
	send(t, s, message("enq_g"))
	if s.Depth() != 1 || !strings.Contains(e.logs.String(), "level=ERROR") {
		t.Fatalf("depth %d; logs:\n%s", s.Depth(), e.logs)
	}
	s.mu.Lock()
	s.entries["enq_g"].due = time.Now() // due now, as after a restart
	s.mu.Unlock()
	run(t, s)
	waitFor(t, "the rejected retry", 5*time.Second, func() bool { return s.Rejected() == 1 })
	calls := e.fake.Calls()
	time.Sleep(100 * time.Millisecond) // ten worker intervals
	if e.fake.Calls() != calls || s.Depth() != 1 {
		t.Errorf("calls %d→%d, depth %d: permanent failures must back off long", calls, e.fake.Calls(), s.Depth())
	}
	if h := s.Health(); h["depth"] != 1 || h["rejected"] != 1 {
		t.Errorf("health %v", h)
	}
}

// When the spool cannot be written, Send says so: the visitor must be told.
func TestSpoolWriteFailureIsAnError(t *testing.T) {
	e := newEnv(t)
	e.fake.Down()
	s := e.spool(t, fastOptions)
	os.RemoveAll(e.dir)
	err := s.Send(context.Background(), message("enq_h"))
	if err == nil {
		t.Fatal("Send succeeded without a spool")
	}
	if s.Depth() != 0 {
		t.Errorf("depth %d", s.Depth())
	}
}

func TestStartTidiesTheFolder(t *testing.T) {
	e := newEnv(t)
	os.MkdirAll(e.dir, 0o755)
	// A complete temporary file from a crash mid-spool, a broken one, and
	// an unreadable spool file.
	b, _ := json.Marshal(record{Version: 1, SpooledAt: time.Now(), Message: message("enq_i")})
	os.WriteFile(filepath.Join(e.dir, tempPrefix+"1"), b, 0o600)
	os.WriteFile(filepath.Join(e.dir, tempPrefix+"2"), b[:10], 0o600)
	os.WriteFile(filepath.Join(e.dir, "enq_j.json"), []byte("{not json"), 0o600)
	s := e.spool(t, fastOptions)
	if st, _ := os.Stat(e.dir); st.Mode().Perm() != 0o700 {
		t.Errorf("dir mode %v not tightened", st.Mode())
	}
	if s.Depth() != 2 {
		t.Errorf("depth %d, want 2", s.Depth())
	}
	run(t, s)
	waitFor(t, "the spool to drain", 5*time.Second, func() bool { return s.Depth() == 0 })
	got := files(t, e.dir)
	if len(got) != 1 || got[0] != "enq_j.json.bad" {
		t.Errorf("files %v, want the unreadable one moved aside", got)
	}
	if n := len(e.fake.Emails()); n != 1 || e.fake.Emails()[0].IdempotencyKey != "enq_i" {
		t.Errorf("emails %v", n)
	}
}

// Keys that are not safe file names are hashed.
func TestFileName(t *testing.T) {
	if got := fileName("enq_abc-ack"); got != "enq_abc-ack" {
		t.Error(got)
	}
	if a, b := fileName(""), fileName(""); a == b || !mail.ValidKey(a) {
		t.Errorf("keyless names %q %q must differ", a, b)
	}
	for _, k := range []string{"../../etc/passwd", "a b", strings.Repeat("x", 300)} {
		if got := fileName(k); !mail.ValidKey(got) || !strings.HasPrefix(got, "h_") {
			t.Errorf("%q → %q", k, got)
		}
	}
}

// Stopping the worker cancels a send in flight and leaves its file.
func TestRunStopsPromptly(t *testing.T) {
	e := newEnv(t)
	e.fake.Down()
	s := e.spool(t, fastOptions)
	send(t, s, message("enq_k"))
	e.fake.Up()
	e.fake.Fail(resendtest.Hang, 1000)
	stop := run(t, s)
	waitFor(t, "an attempt", 5*time.Second, func() bool { return e.fake.Calls() >= 3 })
	start := time.Now()
	stop()
	if took := time.Since(start); took > time.Second {
		t.Errorf("stop took %v", took)
	}
	if s.Depth() != 1 || len(files(t, e.dir)) != 1 {
		t.Errorf("depth %d files %v", s.Depth(), files(t, e.dir))
	}
}

func TestBackoff(t *testing.T) {
	for attempt := 1; attempt < 80; attempt++ {
		d := backoff(time.Second, 5*time.Minute, attempt)
		want := min(time.Second<<min(attempt-1, 30), 5*time.Minute)
		if d < want/2 || d > want {
			t.Errorf("attempt %d: %v, want in [%v, %v]", attempt, d, want/2, want)
		}
	}
}
