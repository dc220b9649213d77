// Package spool keeps the emails the mail service could not take on disk
// and sends them later, so a self-hosted server never loses an enquiry
// while Resend is down, slow, rate limiting or misconfigured.
//
// A Spool is a delivery.Sender wrapping another one (Resend). Send tries the
// wrapped sender within the caller's time budget; when that fails, the
// message is written durably to the spool folder (a 0600 temporary file,
// fsynced, renamed to <key>.json, the folder fsynced) and Send reports
// success: the visitor's enquiry is safe. Run is the background worker that
// retries spooled messages with backoff and deletes each file once sent.
//
// Every message carries its idempotency key (the enquiry id), which the mail
// service uses to drop duplicates, so sending a file again after a crash
// (sent, but the file not yet deleted) gives reception one email.
//
// Spool files hold personal data (names, phone numbers, health details):
// the folder is 0700, the files 0600, and a file is deleted as soon as its
// email is sent. Logs carry keys, counts and timings, never content.
//
// One process per folder: two servers must not share a spool folder.
package spool

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/bluetreeclinics/site/functions/internal/delivery"
	"github.com/bluetreeclinics/site/functions/internal/mail"
)

// Options tune a Spool; zero values take the defaults.
type Options struct {
	// Reserve is the time kept free before the caller's deadline for
	// writing the spool file after the direct send gives up. Default 500ms.
	Reserve time.Duration
	// MinBackoff is the wait before the first background attempt and the
	// base of the exponential backoff. Default 2s.
	MinBackoff time.Duration
	// MaxBackoff caps the backoff after transient failures. Default 5m.
	MaxBackoff time.Duration
	// PermanentBackoff is the wait after a permanent failure (the mail
	// service rejected the message: bad API key, unverified domain, quota):
	// the operator has to fix something, so retries are rare. Default 30m.
	PermanentBackoff time.Duration
	// AttemptTimeout bounds one background send, the wrapped sender's own
	// retries included. Default 30s.
	AttemptTimeout time.Duration
	// Interval is how often the worker looks for messages that are due.
	// Default 1s.
	Interval time.Duration
	// Concurrency is how many background sends run at once. Default 4.
	Concurrency int
}

func (o *Options) defaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.Reserve, 500*time.Millisecond)
	def(&o.MinBackoff, 2*time.Second)
	def(&o.MaxBackoff, 5*time.Minute)
	def(&o.PermanentBackoff, 30*time.Minute)
	def(&o.AttemptTimeout, 30*time.Second)
	def(&o.Interval, time.Second)
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
}

// Spool is a delivery.Sender that keeps what the wrapped sender could not send.
// Safe for concurrent use.
type Spool struct {
	dir  string
	next delivery.Sender
	log  *slog.Logger
	o    Options

	mu      sync.Mutex
	entries map[string]*entry        // by file name without ".json"
	busy    map[string]chan struct{} // names being sent; closed when done
}

// entry is what the worker knows of one spooled file.
type entry struct {
	key       string    // idempotency key, for logs
	spooled   time.Time // when it was written
	attempts  int       // background attempts so far
	due       time.Time // next background attempt
	permanent bool      // the last attempt was rejected
	sent      bool      // sent, but the file could not be deleted
}

// record is the file format: the message and when it was spooled.
type record struct {
	Version   int           `json:"version"`
	SpooledAt time.Time     `json:"spooled_at"`
	Message   *mail.Message `json:"message"`
}

const (
	suffix     = ".json"
	tempPrefix = ".tmp-"
	badSuffix  = ".bad"
)

// New opens (or creates, mode 0700) the spool folder dir and loads what is
// already in it, so a restarted server resumes the messages a previous run
// left. Call Run to start sending them.
func New(dir string, next delivery.Sender, log *slog.Logger, opts Options) (*Spool, error) {
	if dir == "" {
		return nil, errors.New("spool: no folder")
	}
	if next == nil {
		return nil, errors.New("spool: no sender")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	opts.defaults()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	if st, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	} else if !st.IsDir() {
		return nil, fmt.Errorf("spool: %s is not a folder", dir)
	} else if st.Mode().Perm()&0o077 != 0 {
		// Spooled enquiries hold health details: only the server may read them.
		if err := os.Chmod(dir, 0o700); err != nil {
			return nil, fmt.Errorf("spool: %s is readable by others and cannot be made private: %w", dir, err)
		}
		log.Warn("spool folder was readable by others; made private (0700)", "dir", dir)
	}
	s := &Spool{
		dir:     dir,
		next:    next,
		log:     log,
		o:       opts,
		entries: map[string]*entry{},
		busy:    map[string]chan struct{}{},
	}
	s.recoverTemps()
	if err := s.scan(); err != nil {
		return nil, err
	}
	if n, oldest := s.Depth(), s.OldestAge(); n > 0 {
		log.Warn("spool holds unsent emails from an earlier run; sending them in the background",
			"depth", n, "oldest_seconds", int(oldest.Seconds()))
	}
	return s, nil
}

// Dir is the spool folder.
func (s *Spool) Dir() string { return s.dir }

// Send sends m through the wrapped sender within ctx, keeping Reserve of
// ctx's deadline for the spool. If the send fails, m is written to the
// spool and Send returns nil: the worker sends it later. Send returns an
// error only when the spool file cannot be written: then nothing is kept
// and the caller must tell the visitor (503, form kept).
//
// A permanent failure (delivery.ErrPermanent: the API key, the sender domain,
// a quota) is spooled too, and logged at ERROR: the enquiry waits on disk
// while the operator fixes the configuration, instead of being lost.
//
// A message whose key is already spooled is not sent or spooled again:
// the same key is the same enquiry.
func (s *Spool) Send(ctx context.Context, m *mail.Message) error {
	if m == nil {
		return errors.New("spool: nil message")
	}
	name := fileName(m.IdempotencyKey)
	if s.queued(name) {
		s.log.InfoContext(ctx, "email already in the spool", "idempotency_key", m.IdempotencyKey)
		return nil
	}
	if err := s.lock(ctx, name); err != nil {
		// Someone else holds this key for longer than our budget. Keep the
		// message anyway; the same key cannot become two emails.
		return s.spool(ctx, name, m, err)
	}
	defer s.unlock(name)
	if s.queued(name) {
		s.log.InfoContext(ctx, "email already in the spool", "idempotency_key", m.IdempotencyKey)
		return nil
	}

	sctx, cancel := ctx, context.CancelFunc(func() {})
	if dl, ok := ctx.Deadline(); ok {
		sctx, cancel = context.WithDeadline(ctx, dl.Add(-s.o.Reserve))
	}
	err := s.next.Send(sctx, m)
	cancel()
	if err == nil {
		return nil
	}
	return s.spool(ctx, name, m, err)
}

// spool writes m after the direct send failed with sendErr.
func (s *Spool) spool(ctx context.Context, name string, m *mail.Message, sendErr error) error {
	start := time.Now()
	if err := s.write(name, m, start); err != nil {
		s.log.ErrorContext(ctx, "email could not be sent nor spooled", "idempotency_key", m.IdempotencyKey,
			"send_error", sendErr.Error(), "error", err.Error())
		return fmt.Errorf("spool: %w (and the send failed: %v)", err, sendErr)
	}
	depth := s.Depth()
	if errors.Is(sendErr, delivery.ErrPermanent) {
		s.log.ErrorContext(ctx, "email rejected by the mail service; kept in the spool until the configuration is fixed",
			"idempotency_key", m.IdempotencyKey, "error", sendErr.Error(), "depth", depth)
	} else {
		s.log.WarnContext(ctx, "email not sent yet; spooled for retry", "idempotency_key", m.IdempotencyKey,
			"error", sendErr.Error(), "depth", depth, "write", time.Since(start))
	}
	return nil
}

// write stores m durably as <dir>/<name>.json and registers it.
func (s *Spool) write(name string, m *mail.Message, now time.Time) error {
	b, err := json.Marshal(record{Version: 1, SpooledAt: now.UTC(), Message: m})
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(s.dir, tempPrefix+"*")
	if err != nil {
		return err
	}
	tmpName := tmp.Name()
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmpName)
		}
	}()
	if err := tmp.Chmod(0o600); err != nil {
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmpName, s.path(name)); err != nil {
		return err
	}
	ok = true
	if err := syncDir(s.dir); err != nil {
		return err
	}
	s.mu.Lock()
	if _, seen := s.entries[name]; !seen {
		s.entries[name] = &entry{key: m.IdempotencyKey, spooled: now, due: now.Add(s.o.MinBackoff)}
	}
	s.mu.Unlock()
	return nil
}

// Depth is the number of emails waiting in the spool.
func (s *Spool) Depth() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.entries)
}

// OldestAge is how long the oldest waiting email has been in the spool
// (0 when the spool is empty).
func (s *Spool) OldestAge() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	var oldest time.Time
	for _, e := range s.entries {
		if oldest.IsZero() || e.spooled.Before(oldest) {
			oldest = e.spooled
		}
	}
	if oldest.IsZero() {
		return 0
	}
	return time.Since(oldest)
}

// Rejected is the number of waiting emails whose last attempt was rejected
// as permanent (a configuration problem for the operator to fix).
func (s *Spool) Rejected() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, e := range s.entries {
		if e.permanent {
			n++
		}
	}
	return n
}

// Health is the spool's part of GET /api/health.
func (s *Spool) Health() map[string]any {
	return map[string]any{
		"depth":          s.Depth(),
		"oldest_seconds": int(s.OldestAge().Seconds()),
		"rejected":       s.Rejected(),
	}
}

// Run sends the spooled emails in the background until ctx ends: each due
// file is sent (at most Concurrency at once, never the same file twice at
// once), deleted once sent, or rescheduled with exponential backoff and
// jitter. Sends in progress are cancelled when ctx ends; their files stay
// and are sent again by the next run, which the idempotency key makes safe.
// Run returns when every send it started has returned.
func (s *Spool) Run(ctx context.Context) {
	t := time.NewTicker(s.o.Interval)
	defer t.Stop()
	for {
		s.pass(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// pass sends what is due now, oldest first. After a transient failure the
// pass stops: the mail service is likely down, and the other messages wait
// for their own next attempt instead of all hitting it at once.
func (s *Spool) pass(ctx context.Context) {
	if err := s.scan(); err != nil {
		s.log.Error("spool: reading the folder", "error", err.Error())
	}
	now := time.Now()
	s.mu.Lock()
	var due []string
	for name, e := range s.entries {
		if !e.due.After(now) {
			due = append(due, name)
		}
	}
	slices.SortFunc(due, func(a, b string) int {
		return cmp.Or(s.entries[a].due.Compare(s.entries[b].due), strings.Compare(a, b))
	})
	s.mu.Unlock()

	var wg sync.WaitGroup
	sem := make(chan struct{}, s.o.Concurrency)
	stop := make(chan struct{})
	var stopOnce sync.Once
loop:
	for _, name := range due {
		select {
		case <-ctx.Done():
			break loop
		case <-stop:
			break loop
		case sem <- struct{}{}:
		}
		select {
		case <-stop: // a send that ended while we waited for a slot
			<-sem
			break loop
		default:
		}
		if !s.tryLock(name) {
			<-sem
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			defer s.unlock(name)
			if !s.deliver(ctx, name) {
				stopOnce.Do(func() { close(stop) })
			}
		}()
	}
	wg.Wait()
}

// deliver sends one spooled file; the caller holds its lock. It reports
// false after a transient failure (the mail service is likely unavailable).
func (s *Spool) deliver(ctx context.Context, name string) bool {
	s.mu.Lock()
	e, ok := s.entries[name]
	s.mu.Unlock()
	if !ok {
		return true
	}
	path := s.path(name)
	if e.sent { // sent earlier; only the delete failed
		return s.remove(name, e)
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		s.forget(name)
		return true
	}
	if err != nil {
		s.log.Error("spool: reading a spooled email", "idempotency_key", e.key, "error", err.Error())
		s.reschedule(e, false)
		return true
	}
	var rec record
	if err := json.Unmarshal(b, &rec); err != nil || rec.Message == nil {
		s.quarantine(name, e)
		return true
	}

	start := time.Now()
	actx, cancel := context.WithTimeout(ctx, s.o.AttemptTimeout)
	err = s.next.Send(actx, rec.Message)
	cancel()
	if err == nil {
		s.mu.Lock()
		e.sent = true
		e.attempts++
		s.mu.Unlock()
		s.log.Info("spooled email sent", "idempotency_key", e.key, "attempts", e.attempts,
			"waited_seconds", int(time.Since(e.spooled).Seconds()), "duration", time.Since(start))
		return s.remove(name, e)
	}
	if ctx.Err() != nil {
		// Shutting down: not the message's fault. It stays for the next run.
		s.log.Info("spooled email left for the next run (shutting down)", "idempotency_key", e.key)
		return true
	}
	permanent := errors.Is(err, delivery.ErrPermanent)
	wait := s.reschedule(e, permanent)
	if permanent {
		s.log.Error("spooled email rejected by the mail service; will retry after the configuration is fixed",
			"idempotency_key", e.key, "attempts", e.attempts, "error", err.Error(), "next_attempt_in", wait.Round(time.Second))
		return true
	}
	s.log.Warn("spooled email still not sent", "idempotency_key", e.key, "attempts", e.attempts,
		"error", err.Error(), "next_attempt_in", wait.Round(time.Millisecond))
	return false
}

// reschedule counts a failed attempt and sets the next one.
func (s *Spool) reschedule(e *entry, permanent bool) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	e.attempts++
	e.permanent = permanent
	wait := s.o.PermanentBackoff
	if !permanent {
		wait = backoff(s.o.MinBackoff, s.o.MaxBackoff, e.attempts)
	}
	e.due = time.Now().Add(wait)
	return wait
}

// backoff is min·2^(attempt-1), capped at max, with jitter: between half
// and all of it, so many spooled emails do not retry in lockstep.
func backoff(min, max time.Duration, attempt int) time.Duration {
	d := max
	if attempt-1 < 32 {
		if b := min << (attempt - 1); b > 0 && b < max {
			d = b
		}
	}
	return d/2 + rand.N(d/2+1)
}

// remove deletes a sent email's file; if that fails, the entry stays marked
// sent and only the delete is retried.
func (s *Spool) remove(name string, e *entry) bool {
	if err := os.Remove(s.path(name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		s.log.Error("spool: a sent email's file could not be deleted", "idempotency_key", e.key, "error", err.Error())
		s.mu.Lock()
		e.due = time.Now().Add(s.o.MinBackoff)
		s.mu.Unlock()
		return true
	}
	if err := syncDir(s.dir); err != nil {
		s.log.Warn("spool: syncing the folder after a delete", "error", err.Error())
	}
	s.forget(name)
	return true
}

func (s *Spool) forget(name string) {
	s.mu.Lock()
	delete(s.entries, name)
	s.mu.Unlock()
}

// quarantine moves an unreadable file aside (<name>.json.bad) so it stops
// blocking the worker; the operator decides what to do with it.
func (s *Spool) quarantine(name string, e *entry) {
	bad := s.path(name) + badSuffix
	if err := os.Rename(s.path(name), bad); err != nil {
		s.log.Error("spool: an unreadable file could not be moved aside", "file", filepath.Base(s.path(name)), "error", err.Error())
		s.reschedule(e, true)
		return
	}
	s.log.Error("spool: unreadable file moved aside; it may hold an enquiry, check it by hand", "file", filepath.Base(bad))
	s.forget(name)
}

// scan brings the entries in line with the folder: files added (by an
// earlier run) are due now; entries whose file went away are dropped.
func (s *Spool) scan() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	des, err := os.ReadDir(s.dir)
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	present := make(map[string]bool, len(des))
	now := time.Now()
	for _, de := range des {
		n := de.Name()
		if !de.Type().IsRegular() || !strings.HasSuffix(n, suffix) || strings.HasPrefix(n, ".") {
			continue
		}
		name := strings.TrimSuffix(n, suffix)
		present[name] = true
		if _, ok := s.entries[name]; ok {
			continue
		}
		spooled := now
		if info, err := de.Info(); err == nil {
			spooled = info.ModTime()
		}
		s.entries[name] = &entry{key: name, spooled: spooled, due: now}
	}
	for name := range s.entries {
		if _, held := s.busy[name]; !present[name] && !held {
			delete(s.entries, name)
		}
	}
	return nil
}

// recoverTemps handles temporary files a crashed run left: complete ones
// are moved into place (they may be enquiries whose visitor got no answer),
// broken ones are removed. Only at start, before any Send.
func (s *Spool) recoverTemps() {
	des, err := os.ReadDir(s.dir)
	if err != nil {
		return
	}
	for _, de := range des {
		if !strings.HasPrefix(de.Name(), tempPrefix) || !de.Type().IsRegular() {
			continue
		}
		p := filepath.Join(s.dir, de.Name())
		b, err := os.ReadFile(p)
		var rec record
		if err == nil && json.Unmarshal(b, &rec) == nil && rec.Message != nil {
			final := s.path(fileName(rec.Message.IdempotencyKey))
			if _, err := os.Lstat(final); errors.Is(err, fs.ErrNotExist) {
				if os.Rename(p, final) == nil {
					s.log.Warn("spool: recovered an email a previous run had not finished spooling",
						"idempotency_key", rec.Message.IdempotencyKey)
					continue
				}
			}
		}
		os.Remove(p)
	}
	syncDir(s.dir)
}

func (s *Spool) path(name string) string { return filepath.Join(s.dir, name+suffix) }

// queued reports whether name is in the spool.
func (s *Spool) queued(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.entries[name]
	return ok
}

// lock takes name for sending, waiting for another holder while ctx lasts.
func (s *Spool) lock(ctx context.Context, name string) error {
	for {
		s.mu.Lock()
		ch, held := s.busy[name]
		if !held {
			s.busy[name] = make(chan struct{})
			s.mu.Unlock()
			return nil
		}
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (s *Spool) tryLock(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, held := s.busy[name]; held {
		return false
	}
	s.busy[name] = make(chan struct{})
	return true
}

func (s *Spool) unlock(name string) {
	s.mu.Lock()
	ch := s.busy[name]
	delete(s.busy, name)
	s.mu.Unlock()
	if ch != nil {
		close(ch)
	}
}

// fileName is the spool file name (without ".json") for an idempotency
// key: the key itself (enquiry ids are "enq_…", "enq_…-ack"), a hash of it
// when it holds anything a file name should not, or a random name when
// there is no key.
func fileName(key string) string {
	if key == "" {
		// No key, no duplicate check: never let two such messages share a file.
		var b [16]byte
		for i := range b {
			b[i] = byte(rand.N(256))
		}
		return "nokey_" + hex.EncodeToString(b[:])
	}
	if mail.ValidKey(key) {
		return key
	}
	sum := sha256.Sum256([]byte(key))
	return "h_" + hex.EncodeToString(sum[:20])
}

// syncDir makes a rename or delete in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
