// Package spool keeps every email of a self-hosted server on disk until the
// mail service has taken it, so an enquiry acknowledged to the visitor is
// never lost, and the visitor never waits for the mail service.
//
// A Spool is a delivery.Sender. Send only writes the message durably to the
// spool folder (a 0600 temporary file, fsynced, renamed to <key>.json, the
// folder fsynced) and returns: accepted means durably kept, as for a mail
// server. Run is the one background worker that sends the files through the
// wrapped sender (Resend, one call per attempt), retries with backoff, and
// deletes each file once sent. It is a good citizen of the mail service: at
// most Rate calls per second, all sending paused for as long as a
// Retry-After asks, and for QuotaBackoff when the sending quota is spent.
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
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/bluetreeclinics/site/functions/internal/delivery"
	"github.com/bluetreeclinics/site/functions/internal/mail"
)

// Options tune a Spool; zero values take the defaults.
type Options struct {
	// MinBackoff is the base of the exponential backoff after a transient
	// failure (5xx, timeout, connection error). Default 2s.
	MinBackoff time.Duration
	// MaxBackoff caps that backoff. Default 5m.
	MaxBackoff time.Duration
	// ConfigBackoff is how long sending pauses after a configuration error
	// (bad API key, unverified domain): the operator has to fix something.
	// Default 10m.
	ConfigBackoff time.Duration
	// QuotaBackoff is how long sending pauses when the sending quota is
	// spent. Default 15m.
	QuotaBackoff time.Duration
	// AttemptTimeout bounds one send. Default 30s.
	AttemptTimeout time.Duration
	// Interval is how often the worker looks for messages that are due and
	// checks the folder. Default 1s.
	Interval time.Duration
	// Concurrency is how many sends run at once. Default 4.
	Concurrency int
	// Rate is the most calls per second made to the mail service (Resend
	// allows 5 per team by default). Default 5.
	Rate float64
	// MaxBytes is the most the spool may hold; past it Send refuses
	// (ErrFull) and the visitor is asked to try again. Default 100 MiB.
	MaxBytes int64
	// AlertAfter is how long emails may be unsent, or the folder unwritable,
	// before Healthy reports false. Default 15m.
	AlertAfter time.Duration
}

func (o *Options) defaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.MinBackoff, 2*time.Second)
	def(&o.MaxBackoff, 5*time.Minute)
	def(&o.ConfigBackoff, 10*time.Minute)
	def(&o.QuotaBackoff, 15*time.Minute)
	def(&o.AttemptTimeout, 30*time.Second)
	def(&o.Interval, time.Second)
	def(&o.AlertAfter, 15*time.Minute)
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	if o.Rate <= 0 {
		o.Rate = 5
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = 100 << 20
	}
}

// ErrFull is returned by Send when the spool holds MaxBytes already.
var ErrFull = errors.New("spool: full")

// Spool is a delivery.Sender that keeps every message on disk until sent.
// Safe for concurrent use.
type Spool struct {
	dir   string
	next  delivery.Sender
	log   *slog.Logger
	o     Options
	limit *rate.Limiter
	wake  chan struct{} // a new message: look now, not at the next tick

	mu        sync.Mutex
	entries   map[string]*entry   // by file name without ".json"
	busy      map[string]struct{} // names being sent
	bytes     int64               // size of the files in entries
	writeErr  error               // the last write or probe failure, nil once one works
	failSince time.Time           // when writes started failing
	pause     pause               // all sending waits until pause.until
}

// pause is a stop of all sending the mail service asked for or the
// configuration forces.
type pause struct {
	until  time.Time
	reason string // "rate_limited", "quota_exceeded", "configuration_error"
}

// entry is what the worker knows of one spooled file.
type entry struct {
	key      string    // idempotency key, for logs
	spooled  time.Time // when it was written
	size     int64
	attempts int       // attempts so far
	due      time.Time // next attempt
	sent     bool      // sent, but the file could not be deleted
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
// left. A folder others may read is made private, or refused. Call Run to
// start sending.
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
	s := &Spool{
		dir:     dir,
		next:    next,
		log:     log,
		o:       opts,
		limit:   rate.NewLimiter(rate.Limit(opts.Rate), 1),
		wake:    make(chan struct{}, 1),
		entries: map[string]*entry{},
		busy:    map[string]struct{}{},
	}
	if err := s.ensureDir(); err != nil {
		return nil, err
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

// ensureDir creates the folder (0700) if it is missing and makes it private
// if others may read it: spooled enquiries hold health details.
func (s *Spool) ensureDir() error {
	st, err := os.Stat(s.dir)
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(s.dir, 0o700); err != nil {
			return fmt.Errorf("spool: %w", err)
		}
		st, err = os.Stat(s.dir)
	}
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	if !st.IsDir() {
		return fmt.Errorf("spool: %s is not a folder", s.dir)
	}
	if st.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(s.dir, 0o700); err != nil {
			return fmt.Errorf("spool: %s is open to others and cannot be made private: %w", s.dir, err)
		}
		s.log.Warn("spool folder was open to others; made private (0700)", "dir", s.dir)
	}
	return nil
}

// Dir is the spool folder.
func (s *Spool) Dir() string { return s.dir }

// Send keeps m durably in the spool and wakes the worker; it never waits
// for the mail service. It returns an error when m could not be kept (the
// folder cannot be written, or the spool is full: ErrFull): then nothing is
// kept and the caller must tell the visitor (503, form kept). A message
// whose key is already spooled is kept once: the same key is the same
// enquiry.
func (s *Spool) Send(ctx context.Context, m *mail.Message) error {
	if m == nil {
		return errors.New("spool: nil message")
	}
	if !mail.ValidKey(m.IdempotencyKey) {
		return fmt.Errorf("spool: %w", mail.ErrBadKey)
	}
	name := m.IdempotencyKey
	s.mu.Lock()
	_, queued := s.entries[name]
	full := s.bytes >= s.o.MaxBytes
	s.mu.Unlock()
	if queued {
		s.log.InfoContext(ctx, "email already in the spool", "idempotency_key", m.IdempotencyKey)
		return nil
	}
	if full {
		s.log.ErrorContext(ctx, "spool full: enquiry refused", "idempotency_key", m.IdempotencyKey, "max_bytes", s.o.MaxBytes)
		return ErrFull
	}
	start := time.Now()
	err := s.write(name, m, start)
	if errors.Is(err, fs.ErrNotExist) {
		// The folder went away under us: make it again, once.
		if derr := s.ensureDir(); derr == nil {
			s.log.Warn("spool folder was missing; created it again", "dir", s.dir)
			err = s.write(name, m, start)
		}
	}
	s.noteWrite(err)
	if err != nil {
		s.log.ErrorContext(ctx, "email could not be spooled", "idempotency_key", m.IdempotencyKey, "error", err.Error())
		return fmt.Errorf("spool: %w", err)
	}
	s.log.InfoContext(ctx, "email spooled", "idempotency_key", m.IdempotencyKey,
		"depth", s.Depth(), "write", time.Since(start))
	select {
	case s.wake <- struct{}{}:
	default:
	}
	return nil
}

// noteWrite records whether the folder can be written.
func (s *Spool) noteWrite(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err == nil {
		s.writeErr, s.failSince = nil, time.Time{}
		return
	}
	if s.writeErr == nil {
		s.failSince = time.Now()
	}
	s.writeErr = err
}

// write stores m durably as <dir>/<name>.json and registers it.
func (s *Spool) write(name string, m *mail.Message, now time.Time) error {
	b, err := json.Marshal(record{Version: 1, SpooledAt: now.UTC(), Message: m})
	if err != nil {
		return err
	}
	err = delivery.WriteDurably(s.dir, tempPrefix+"*", b, func(tmp string) error {
		return os.Rename(tmp, s.path(name))
	})
	if err != nil {
		return err
	}
	s.mu.Lock()
	if _, seen := s.entries[name]; !seen {
		s.entries[name] = &entry{key: m.IdempotencyKey, spooled: now, size: int64(len(b)), due: now}
		s.bytes += int64(len(b))
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
	return s.oldestAge()
}

func (s *Spool) oldestAge() time.Duration {
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

// Health is the spool's part of GET /api/health, and whether all is well:
// false while the configuration is rejected, or when for longer than
// AlertAfter the folder could not be written or an email has waited.
func (s *Spool) Health() (map[string]any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	oldest := s.oldestAge()
	h := map[string]any{
		"depth":          len(s.entries),
		"oldest_seconds": int(oldest.Seconds()),
		"bytes":          s.bytes,
		"max_bytes":      s.o.MaxBytes,
		"writable":       s.writeErr == nil,
	}
	ok := oldest <= s.o.AlertAfter && s.bytes < s.o.MaxBytes
	if s.writeErr != nil {
		h["unwritable_seconds"] = int(time.Since(s.failSince).Seconds())
		ok = ok && time.Since(s.failSince) <= s.o.AlertAfter
	}
	if wait := time.Until(s.pause.until); wait > 0 {
		h["paused"] = s.pause.reason
		h["paused_seconds"] = int(wait.Seconds()) + 1
		ok = ok && s.pause.reason != "configuration_error"
	}
	return h, ok
}

// Run is the worker: it sends the spooled emails until ctx ends, oldest
// first, at most Concurrency at once and Rate calls a second, deleting each
// file once sent and rescheduling the others. It also keeps the folder in
// being (recreated if deleted) and notices when it cannot be written.
// Sends in progress are cancelled when ctx ends; their files stay and are
// sent again by the next run, which the idempotency key makes safe. Run
// returns when every send it started has returned.
func (s *Spool) Run(ctx context.Context) {
	t := time.NewTicker(s.o.Interval)
	defer t.Stop()
	var wg sync.WaitGroup
	defer wg.Wait()
	sem := make(chan struct{}, s.o.Concurrency)
	for {
		s.check()
		for _, name := range s.due() {
			if ctx.Err() != nil || s.paused() {
				break
			}
			if err := s.limit.Wait(ctx); err != nil {
				break
			}
			if s.paused() { // a 429 came back while we waited
				break
			}
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
			}
			if ctx.Err() != nil {
				break
			}
			if !s.take(name) {
				<-sem
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				defer s.release(name)
				s.deliver(ctx, name)
			}()
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.wake:
		}
	}
}

// check keeps the folder in being and private, probes that it can be
// written, and brings the entries in line with it.
func (s *Spool) check() {
	if _, err := os.Stat(s.dir); errors.Is(err, fs.ErrNotExist) {
		s.log.Error("spool folder disappeared; creating it again", "dir", s.dir)
	}
	err := s.ensureDir()
	if err == nil {
		var f *os.File
		if f, err = os.CreateTemp(s.dir, tempPrefix+"probe-*"); err == nil {
			f.Close()
			os.Remove(f.Name())
		}
	}
	s.mu.Lock()
	was := s.writeErr
	s.mu.Unlock()
	s.noteWrite(err)
	if err != nil && was == nil {
		s.log.Error("spool folder cannot be written: enquiries are refused until it can", "dir", s.dir, "error", err.Error())
	} else if err == nil && was != nil {
		s.log.Info("spool folder can be written again", "dir", s.dir)
	}
	if err := s.scan(); err != nil {
		s.log.Error("spool: reading the folder", "error", err.Error())
	}
}

// due lists the names due now, oldest first.
func (s *Spool) due() []string {
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	var due []string
	for name, e := range s.entries {
		if _, held := s.busy[name]; !held && !e.due.After(now) {
			due = append(due, name)
		}
	}
	slices.SortFunc(due, func(a, b string) int {
		return cmp.Or(s.entries[a].due.Compare(s.entries[b].due), strings.Compare(a, b))
	})
	return due
}

func (s *Spool) paused() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return time.Now().Before(s.pause.until)
}

// pauseFor stops all sending for d (never shortening a longer pause).
func (s *Spool) pauseFor(d time.Duration, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if until := time.Now().Add(d); until.After(s.pause.until) {
		s.pause = pause{until: until, reason: reason}
	}
}

func (s *Spool) take(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, held := s.busy[name]; held {
		return false
	}
	s.busy[name] = struct{}{}
	return true
}

func (s *Spool) release(name string) {
	s.mu.Lock()
	delete(s.busy, name)
	s.mu.Unlock()
}

// deliver sends one spooled file; the caller has taken it.
func (s *Spool) deliver(ctx context.Context, name string) {
	s.mu.Lock()
	e, ok := s.entries[name]
	s.mu.Unlock()
	if !ok {
		return
	}
	if e.sent { // sent earlier; only the delete failed
		s.remove(name, e)
		return
	}
	b, err := os.ReadFile(s.path(name))
	if errors.Is(err, fs.ErrNotExist) {
		s.log.Error("spool: a spooled email's file disappeared before it was sent", "idempotency_key", e.key)
		s.forget(name)
		return
	}
	if err != nil {
		s.log.Error("spool: reading a spooled email", "idempotency_key", e.key, "error", err.Error())
		s.retryLater(e)
		return
	}
	var rec record
	if err := json.Unmarshal(b, &rec); err != nil || rec.Message == nil {
		s.quarantine(name, e)
		return
	}

	start := time.Now()
	actx, cancel := context.WithTimeout(ctx, s.o.AttemptTimeout)
	err = s.next.Send(actx, rec.Message)
	cancel()
	s.mu.Lock()
	e.attempts++
	s.mu.Unlock()
	var se *delivery.SendError
	errors.As(err, &se)
	switch {
	case err == nil:
		s.mu.Lock()
		e.sent = true
		s.mu.Unlock()
		s.log.Info("spooled email sent", "idempotency_key", e.key, "attempts", e.attempts,
			"waited_seconds", int(time.Since(e.spooled).Seconds()), "duration", time.Since(start))
		s.remove(name, e)
	case ctx.Err() != nil:
		// Shutting down: not the message's fault. It stays for the next run.
		s.log.Info("spooled email left for the next run (shutting down)", "idempotency_key", e.key)
	case errors.Is(err, delivery.ErrRefused):
		// Only the acknowledgement ends here (reception's email is sent
		// without the refused address instead): reception has the enquiry.
		s.log.Error("acknowledgement refused by the mail service for its content (the visitor's address); dropped",
			"idempotency_key", e.key, "error", err.Error())
		s.remove(name, e)
	case errors.Is(err, delivery.ErrQuota):
		s.pauseFor(s.o.QuotaBackoff, "quota_exceeded")
		s.log.Warn("mail service sending quota exceeded: sending paused; enquiries are kept in the spool",
			"idempotency_key", e.key, "depth", s.Depth(), "paused_for", s.o.QuotaBackoff)
		s.retryLater(e)
	case errors.Is(err, delivery.ErrPermanent):
		s.pauseFor(s.o.ConfigBackoff, "configuration_error")
		s.log.Error("mail service rejected the configuration (API key, sender domain): sending paused; enquiries are kept in the spool",
			"idempotency_key", e.key, "depth", s.Depth(), "error", err.Error(), "paused_for", s.o.ConfigBackoff)
		s.retryLater(e)
	case se != nil && se.RetryAfter > 0:
		// Retry-After holds for every call, not only this email's.
		s.pauseFor(se.RetryAfter, "rate_limited")
		s.log.Warn("mail service asked to wait: sending paused", "idempotency_key", e.key,
			"status", se.Status, "retry_after", se.RetryAfter)
		s.retryLater(e)
	default:
		wait := s.backoffEntry(e)
		s.log.Warn("spooled email not sent yet", "idempotency_key", e.key, "attempts", e.attempts,
			"error", err.Error(), "next_attempt_in", wait.Round(time.Millisecond))
	}
}

// retryLater makes e due at once: the pause, not e, holds it back.
func (s *Spool) retryLater(e *entry) {
	s.mu.Lock()
	e.due = time.Now()
	s.mu.Unlock()
}

// backoffEntry sets e's next attempt after a transient failure.
func (s *Spool) backoffEntry(e *entry) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	wait := delivery.Backoff(s.o.MinBackoff, s.o.MaxBackoff, e.attempts)
	e.due = time.Now().Add(wait)
	return wait
}

// remove deletes a sent email's file; if that fails, the entry stays marked
// sent and only the delete is retried.
func (s *Spool) remove(name string, e *entry) {
	if err := os.Remove(s.path(name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		s.log.Error("spool: a sent email's file could not be deleted", "idempotency_key", e.key, "error", err.Error())
		s.mu.Lock()
		e.due = time.Now().Add(s.o.MinBackoff)
		s.mu.Unlock()
		return
	}
	if err := delivery.SyncDir(s.dir); err != nil {
		s.log.Warn("spool: syncing the folder after a delete", "error", err.Error())
	}
	s.forget(name)
}

func (s *Spool) forget(name string) {
	s.mu.Lock()
	if e, ok := s.entries[name]; ok {
		s.bytes -= e.size
		delete(s.entries, name)
	}
	s.mu.Unlock()
}

// quarantine moves an unreadable file aside (<name>.json.bad) so it stops
// blocking the worker; the operator decides what to do with it.
func (s *Spool) quarantine(name string, e *entry) {
	bad := s.path(name) + badSuffix
	if err := os.Rename(s.path(name), bad); err != nil {
		s.log.Error("spool: an unreadable file could not be moved aside", "file", filepath.Base(s.path(name)), "error", err.Error())
		s.backoffEntry(e)
		return
	}
	s.log.Error("spool: unreadable file moved aside; it may hold an enquiry, check it by hand", "file", filepath.Base(bad))
	s.forget(name)
}

// scan brings the entries in line with the folder: files added (by an
// earlier run) are due now; an entry whose file went away before it was
// sent is an enquiry lost outside the server, logged at ERROR.
func (s *Spool) scan() error {
	des, err := os.ReadDir(s.dir)
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
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
		e := &entry{key: name, spooled: now, due: now}
		if info, err := de.Info(); err == nil {
			e.spooled, e.size = info.ModTime(), info.Size()
		}
		s.entries[name] = e
		s.bytes += e.size
	}
	for name, e := range s.entries {
		if _, held := s.busy[name]; present[name] || held {
			continue
		}
		if !e.sent {
			s.log.Error("spool: a spooled email's file disappeared before it was sent", "idempotency_key", e.key)
		}
		s.bytes -= e.size
		delete(s.entries, name)
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
		if err == nil && json.Unmarshal(b, &rec) == nil && rec.Message != nil && mail.ValidKey(rec.Message.IdempotencyKey) {
			final := s.path(rec.Message.IdempotencyKey)
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
	delivery.SyncDir(s.dir)
}

func (s *Spool) path(name string) string { return filepath.Join(s.dir, name+suffix) }
