package spool

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
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
	ConfigBackoff: time.Hour, QuotaBackoff: time.Hour, Interval: 10 * time.Millisecond,
	AttemptTimeout: 2 * time.Second, Rate: 1000, MaxBytes: 100 << 20, AlertAfter: 15 * time.Minute,
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

// idle reports whether no send is in flight: every call the worker made
// has been answered.
func idle(s *Spool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.entries {
		if e.busy {
			return false
		}
	}
	return true
}

func send(t *testing.T, s *Spool, m *mail.Message) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := s.Send(ctx, m); err != nil {
		t.Fatalf("Send: %v", err)
	}
}

// drain runs the worker until the spool is empty, then checks that want
// emails arrived and no file is left.
func drain(t *testing.T, e *env, s *Spool, want int) {
	t.Helper()
	stop := run(t, s)
	waitFor(t, "the spool to drain", 5*time.Second, func() bool { return s.Depth() == 0 })
	// Stopped before listing, so no periodic writability probe is in flight.
	stop()
	if n := len(e.fake.Emails()); n != want {
		t.Errorf("%d emails, want %d", n, want)
	}
	if got := files(t, e.dir); len(got) != 0 {
		t.Errorf("files left: %v", got)
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
		// A running worker's writability probe lives for a moment; it is
		// not an email.
		if !strings.HasPrefix(de.Name(), tempPrefix+"probe-") {
			names = append(names, de.Name())
		}
	}
	return names
}

// Send keeps the message durably and calls nothing; the worker sends it
// and deletes the file.
func TestSendKeepsWorkerSends(t *testing.T) {
	e := newEnv(t)
	s := e.spool(t, fastOptions)
	m := message("enq_a")
	send(t, s, m)
	if s.Depth() != 1 || e.fake.Calls() != 0 {
		t.Fatalf("after Send: depth %d, %d calls to Resend", s.Depth(), e.fake.Calls())
	}
	if got := files(t, e.dir); len(got) != 1 || got[0] != "enq_a.json" {
		t.Fatalf("files %v", got)
	}
	st, err := os.Stat(filepath.Join(e.dir, "enq_a.json"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v %v", st.Mode(), err)
	}
	if st, _ := os.Stat(e.dir); st.Mode().Perm() != 0o700 {
		t.Errorf("dir mode %v", st.Mode())
	}
	var rec record
	b, _ := os.ReadFile(filepath.Join(e.dir, "enq_a.json"))
	if err := json.Unmarshal(b, &rec); err != nil || rec.Message == nil || rec.Message.Text != m.Text || rec.SpooledAt.IsZero() {
		t.Errorf("record %+v %v", rec, err)
	}
	if !strings.Contains(e.logs.String(), "email spooled") || !strings.Contains(e.logs.String(), "enq_a") {
		t.Errorf("no spool log line:\n%s", e.logs)
	}
	// The same key again is not a second file.
	send(t, s, message("enq_a"))
	if s.Depth() != 1 || len(files(t, e.dir)) != 1 {
		t.Errorf("resubmission: depth %d files %v", s.Depth(), files(t, e.dir))
	}

	drain(t, e, s, 1)
}

// A hanging Resend does not slow Send: it never calls Resend.
func TestSendNeverWaitsForResend(t *testing.T) {
	e := newEnv(t)
	e.fake.Fail(resendtest.Hang, 100)
	s := e.spool(t, fastOptions)
	run(t, s)
	send(t, s, message("enq_hang0"))
	waitFor(t, "the worker's call", 5*time.Second, func() bool { return e.fake.Calls() >= 1 })
	// Resend answers nothing until the attempt times out: a Send that
	// waited for it would take that long.
	start := time.Now()
	send(t, s, message("enq_hang1"))
	if took := time.Since(start); took > fastOptions.AttemptTimeout/2 {
		t.Errorf("Send took %v with Resend hanging", took)
	}
	if s.Depth() != 2 {
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
	waitFor(t, "retries while down", 5*time.Second, func() bool { return strings.Count(e.logs.String(), "not sent yet") >= 4 })
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
	drain(t, e, second, 1)
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
	if err := first.write(m, time.Now()); err != nil {
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
	e := newEnv(t)
	s := e.spool(t, fastOptions)
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- s.Send(context.Background(), message("enq_f"))
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("Send: %v", err)
		}
	}
	if got := files(t, e.dir); len(got) != 1 || s.Depth() != 1 {
		t.Fatalf("files %v depth %d", got, s.Depth())
	}
	stop := run(t, s)
	waitFor(t, "the spool to drain", 5*time.Second, func() bool { return s.Depth() == 0 })
	// Stopped before listing, so no periodic writability probe is in flight.
	stop()
	if n := len(e.fake.Emails()); n != 1 {
		t.Errorf("%d emails, want 1", n)
	}
}

// A configuration error (bad API key) keeps the email, is logged at ERROR,
// pauses sending and turns the health to failing.
func TestConfigurationErrorIsKept(t *testing.T) {
	e := newEnv(t)
	e.resend = delivery.NewResend(delivery.ResendOptions{APIKey: "re_wrong", BaseURL: e.fake.URL(), Logger: e.log})
	s := e.spool(t, fastOptions)
	send(t, s, message("enq_g"))
	send(t, s, message("enq_g2"))
	run(t, s)
	waitFor(t, "the pause, and the calls in flight answered", 5*time.Second, func() bool { h, _ := s.Health(); return h["paused"] != nil && idle(s) })
	calls := e.fake.Calls()
	time.Sleep(100 * time.Millisecond) // ten worker intervals
	if e.fake.Calls() != calls || s.Depth() != 2 {
		t.Errorf("calls %d→%d, depth %d: a configuration error must pause all sending", calls, e.fake.Calls(), s.Depth())
	}
	if !strings.Contains(e.logs.String(), "level=ERROR") || !strings.Contains(e.logs.String(), "configuration") {
		t.Errorf("no ERROR about the configuration:\n%s", e.logs)
	}
	h, ok := s.Health()
	if ok || h["paused"] != "configuration_error" || h["depth"] != 2 {
		t.Errorf("health %v ok=%v", h, ok)
	}
}

// A 429 with retry-after: 30 to every call: at most one call per email
// within those 30 s (here: the 2 s the test watches), all kept.
func TestRetryAfterPausesAllSending(t *testing.T) {
	e := newEnv(t)
	e.fake.SetRetryAfter(30)
	e.fake.Fail(http.StatusTooManyRequests, 1000)
	o := fastOptions
	o.Rate = 5
	s := e.spool(t, o)
	for i := range 5 {
		send(t, s, message(fmt.Sprintf("enq_rl%d", i)))
	}
	run(t, s)
	time.Sleep(2 * time.Second)
	if c := e.fake.Calls(); c < 1 || c > 5 {
		t.Errorf("%d calls for 5 emails within 2 s of retry-after: 30", c)
	}
	h, ok := s.Health()
	if !ok || h["paused"] != "rate_limited" || h["paused_seconds"].(int) < 25 || s.Depth() != 5 {
		t.Errorf("health %v ok=%v depth %d", h, ok, s.Depth())
	}
	t.Logf("5 emails, 429 with retry-after: 30 to every call: %d calls in 2 s", e.fake.Calls())
}

// The worker makes at most Rate calls a second.
func TestRateLimit(t *testing.T) {
	e := newEnv(t)
	o := fastOptions
	o.Rate = 5
	s := e.spool(t, o)
	for i := range 20 {
		send(t, s, message(fmt.Sprintf("enq_r%02d", i)))
	}
	start := time.Now()
	run(t, s)
	waitFor(t, "the spool to drain", 10*time.Second, func() bool { return s.Depth() == 0 })
	took := time.Since(start)
	if took < 3500*time.Millisecond {
		t.Errorf("20 emails at 5 per second took %v", took)
	}
	if n := len(e.fake.Emails()); n != 20 {
		t.Errorf("%d emails", n)
	}
}

// A spent daily quota pauses sending, keeps the emails, and says so in the
// log and the health (still 200 until AlertAfter).
func TestQuotaWaits(t *testing.T) {
	e := newEnv(t)
	e.fake.Fail(resendtest.DailyQuota, 10)
	s := e.spool(t, fastOptions)
	send(t, s, message("enq_q1"))
	send(t, s, message("enq_q2"))
	run(t, s)
	waitFor(t, "the pause, and the calls in flight answered", 5*time.Second, func() bool { h, _ := s.Health(); return h["paused"] != nil && idle(s) })
	calls := e.fake.Calls()
	time.Sleep(100 * time.Millisecond)
	if e.fake.Calls() != calls || s.Depth() != 2 {
		t.Errorf("calls %d→%d, depth %d", calls, e.fake.Calls(), s.Depth())
	}
	h, ok := s.Health()
	if !ok || h["paused"] != "quota_exceeded" {
		t.Errorf("health %v ok=%v", h, ok)
	}
	if !strings.Contains(e.logs.String(), "quota exceeded") {
		t.Errorf("quota not logged:\n%s", e.logs)
	}
}

// Emails waiting longer than AlertAfter turn the health to failing.
func TestHealthAlertsAfterThreshold(t *testing.T) {
	e := newEnv(t)
	e.fake.Down()
	o := fastOptions
	o.AlertAfter = time.Hour
	s := e.spool(t, o)
	send(t, s, message("enq_al"))
	if _, ok := s.Health(); !ok {
		t.Error("failing at once")
	}
	s.mu.Lock()
	s.entries["enq_al"].spooled = time.Now().Add(-time.Hour - time.Second) // waited past AlertAfter
	s.mu.Unlock()
	if h, ok := s.Health(); ok || h["writable"] != true {
		t.Errorf("health %v ok=%v after the threshold", h, ok)
	}
}

// Past MaxBytes, Send refuses (the visitor is told to try again).
func TestSpoolFull(t *testing.T) {
	e := newEnv(t)
	o := fastOptions
	o.MaxBytes = 100
	s := e.spool(t, o)
	send(t, s, message("enq_full1"))
	if err := s.Send(context.Background(), message("enq_full2")); !errors.Is(err, ErrFull) {
		t.Errorf("Send past the limit: %v", err)
	}
	if h, ok := s.Health(); ok {
		t.Errorf("health %v ok while full", h)
	}
}

// The folder deleted while running is made again (0700), and the enquiry
// kept; a spooled file that vanished is logged at ERROR by its key.
func TestFolderDeletedIsRecreated(t *testing.T) {
	e := newEnv(t)
	e.fake.Down()
	s := e.spool(t, fastOptions)
	send(t, s, message("enq_lost"))
	os.RemoveAll(e.dir)
	send(t, s, message("enq_after"))
	if st, err := os.Stat(e.dir); err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("folder: %v %v", st, err)
	}
	if got := files(t, e.dir); len(got) != 1 || got[0] != "enq_after.json" {
		t.Errorf("files %v", got)
	}
	run(t, s)
	waitFor(t, "the lost file to be noticed", 5*time.Second, func() bool {
		return strings.Contains(e.logs.String(), "disappeared before it was sent")
	})
	if !regexp.MustCompile(`level=ERROR msg="spool: a spooled email's file disappeared before it was sent" idempotency_key=enq_lost`).MatchString(e.logs.String()) {
		t.Errorf("lost file not logged at ERROR with its key:\n%s", e.logs)
	}
	if s.Depth() != 1 {
		t.Errorf("depth %d", s.Depth())
	}
}

// When the spool cannot be written (here a file stands where the folder
// was, so it cannot be made again), Send says so: the visitor must be
// told; the health fails at once too (not after AlertAfter), since every
// enquiry is refused meanwhile.
func TestSpoolWriteFailureIsAnError(t *testing.T) {
	e := newEnv(t)
	o := fastOptions
	o.AlertAfter = time.Hour
	s := e.spool(t, o)
	os.RemoveAll(e.dir)
	os.WriteFile(e.dir, nil, 0o600)
	err := s.Send(context.Background(), message("enq_h"))
	if err == nil {
		t.Fatal("Send succeeded without a spool")
	}
	if s.Depth() != 0 {
		t.Errorf("depth %d", s.Depth())
	}
	if h, ok := s.Health(); ok || h["writable"] != false {
		t.Errorf("health %v ok=%v right after a refused enquiry", h, ok)
	}
	run(t, s)
	if h, _ := s.Health(); h["writable"] != false {
		t.Errorf("health %v", h)
	}
	// Fixed by the operator: writable again.
	os.Remove(e.dir)
	waitFor(t, "the health to recover", 5*time.Second, func() bool { _, ok := s.Health(); return ok })
	send(t, s, message("enq_h"))
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

// A key that is not a safe file name is refused, never written.
func TestSendRefusesBadKey(t *testing.T) {
	e := newEnv(t)
	s := e.spool(t, fastOptions)
	for _, k := range []string{"", "../../etc/passwd", "a b", strings.Repeat("x", 300)} {
		if err := s.Send(context.Background(), message(k)); !errors.Is(err, mail.ErrBadKey) {
			t.Errorf("key %q: %v, want mail.ErrBadKey", k, err)
		}
	}
	if got := files(t, e.dir); len(got) != 0 {
		t.Errorf("files %v, want none", got)
	}
}

// Stopping the worker cancels a send in flight and leaves its file.
func TestRunStopsPromptly(t *testing.T) {
	e := newEnv(t)
	s := e.spool(t, fastOptions)
	send(t, s, message("enq_k"))
	e.fake.Fail(resendtest.Hang, 1000)
	stop := run(t, s)
	waitFor(t, "an attempt", 5*time.Second, func() bool { return e.fake.Calls() >= 1 })
	start := time.Now()
	stop()
	if took := time.Since(start); took > time.Second {
		t.Errorf("stop took %v", took)
	}
	if s.Depth() != 1 || len(files(t, e.dir)) != 1 {
		t.Errorf("depth %d files %v", s.Depth(), files(t, e.dir))
	}
}

// Resend refuses the visitor's address: reception's email arrives without
// the reply-to (and says why), the acknowledgement is dropped and logged
// with its key; nothing stays to be retried for ever.
func TestRefusedContentDoesNotStrand(t *testing.T) {
	e := newEnv(t)
	s := e.spool(t, fastOptions)
	visitor := "\u0430nna@example.com" // Cyrillic а: Resend answers 422
	m := message("enq_cy")
	m.ReplyTo = visitor
	ack := message("enq_cy-ack")
	ack.ReplyTo, ack.To = "", []string{visitor}
	send(t, s, m)
	send(t, s, ack)
	run(t, s)
	waitFor(t, "the spool to drain", 5*time.Second, func() bool { return s.Depth() == 0 })
	emails := e.fake.Emails()
	if len(emails) != 1 || len(emails[0].ReplyTo) != 0 || !strings.Contains(emails[0].Text, "refused the visitor's email address") {
		t.Fatalf("emails %+v", emails)
	}
	if !regexp.MustCompile(`level=ERROR msg="acknowledgement refused by the mail service[^"]*" idempotency_key=enq_cy-ack`).MatchString(e.logs.String()) {
		t.Errorf("dropped acknowledgement not logged with its key:\n%s", e.logs)
	}
	if _, ok := s.Health(); !ok {
		t.Error("health failing after a refused acknowledgement")
	}
}

// Reception's email refused for its content even without a reply-to (here
// its recipient is an address Resend will not take): it is set aside with
// an alert, and the emails behind it go out; sending is not paused.
func TestRefusedReceptionEmailSetAside(t *testing.T) {
	e := newEnv(t)
	var mu sync.Mutex
	var alerts []mail.DeliveryProblem
	o := fastOptions
	o.Alert = func(p mail.DeliveryProblem) { mu.Lock(); alerts = append(alerts, p); mu.Unlock() }
	s := e.spool(t, o)
	bad := message("enq_bad")
	bad.ReplyTo, bad.To = "", []string{"\u0430nna@example.com"} // Cyrillic а: Resend answers 422
	send(t, s, bad)
	send(t, s, message("enq_ok1"))
	send(t, s, message("enq_ok2"))
	stop := run(t, s)
	waitFor(t, "the spool to drain", 5*time.Second, func() bool { return s.Depth() == 0 })
	// Stopped before listing, so no periodic writability probe is in flight.
	stop()
	if n := len(e.fake.Emails()); n != 2 {
		t.Errorf("%d emails sent, want the 2 good ones", n)
	}
	if got := files(t, e.dir); len(got) != 1 || got[0] != "enq_bad.json.refused" {
		t.Errorf("files %v, want the refused email kept aside", got)
	}
	mu.Lock()
	if len(alerts) != 1 || alerts[0].EnquiryID != "enq_bad" || alerts[0].What != "refused" {
		t.Errorf("alerts %+v", alerts)
	}
	mu.Unlock()
	h, ok := s.Health()
	if !ok || h["set_aside"] != 1 || h["paused"] != nil {
		t.Errorf("health %v ok=%v", h, ok)
	}
	if !regexp.MustCompile(`level=ERROR msg="reception's email refused[^"]*" idempotency_key=enq_bad`).MatchString(e.logs.String()) {
		t.Errorf("not logged at ERROR with its key:\n%s", e.logs)
	}
}
