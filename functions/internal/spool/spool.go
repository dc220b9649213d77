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

// Options tune a Spool. Rate, MaxBytes and AlertAfter are the operator's
// (config.Spool has them, and their defaults) and must be set; the others
// take their defaults when zero.
type Options struct {
	// MinBackoff (default 2s) is the base of the exponential backoff after
	// a transient failure (5xx, timeout, connection error); MaxBackoff
	// (default 5m) caps it.
	MinBackoff, MaxBackoff time.Duration
	// ConfigBackoff (default 10m) is how long sending pauses after a
	// configuration error (bad API key, unverified domain): the operator has
	// to fix something. QuotaBackoff (default 15m): after the sending quota
	// is spent.
	ConfigBackoff, QuotaBackoff time.Duration
	// AttemptTimeout (default 30s) bounds one send.
	AttemptTimeout time.Duration
	// Interval (default 1s) is how often the worker looks for messages that
	// are due and checks the folder.
	Interval time.Duration
	// Rate is the most calls per second made to the mail service.
	Rate float64
	// MaxBytes is the most the spool may hold; past it Send refuses
	// (ErrFull) and the visitor is asked to try again.
	MaxBytes int64
	// AlertAfter is how long emails may be unsent before Health reports
	// false (an unwritable folder fails it at once).
	AlertAfter time.Duration
	// Alert, if set, is told when reception's email is set aside (the mail
	// service refused it for its content): it sends someone an alert.
	Alert func(mail.DeliveryProblem)
}

// concurrency is how many sends run at once.
const concurrency = 4

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
	entries   map[string]*entry // by file name without ".json"
	bytes     int64             // size of the files in entries
	writeErr  error             // the last write or probe failure, nil once one works
	failSince time.Time         // when writes started failing
	pausedTil time.Time         // all sending waits until then,
	pausedFor string            // for "rate_limited", "quota_exceeded" or "configuration_error"
	setAsideN int               // reception's emails set aside since start (setAside)
}

// entry is what the worker knows of one spooled file.
type entry struct {
	key      string    // idempotency key, for logs
	spooled  time.Time // when it was written
	size     int64
	attempts int       // attempts so far
	due      time.Time // next attempt
	busy     bool      // being sent
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
	// refusedSuffix marks reception's email the mail service refused for
	// its content: kept for a person to pass on by hand.
	refusedSuffix = ".refused"
)

// New opens (or creates, mode 0700) the spool folder dir and loads what is
// already in it, so a restarted server resumes the messages a previous run
// left. A folder others may read is made private, or refused. Call Run to
// start sending.
func New(dir string, next delivery.Sender, log *slog.Logger, opts Options) (*Spool, error) {
	if opts.Rate <= 0 || opts.MaxBytes <= 0 || opts.AlertAfter <= 0 {
		return nil, errors.New("spool: Rate, MaxBytes and AlertAfter must be set")
	}
	log = cmp.Or(log, slog.New(slog.DiscardHandler))
	opts.MinBackoff = cmp.Or(opts.MinBackoff, 2*time.Second)
	opts.MaxBackoff = cmp.Or(opts.MaxBackoff, 5*time.Minute)
	opts.ConfigBackoff = cmp.Or(opts.ConfigBackoff, 10*time.Minute)
	opts.QuotaBackoff = cmp.Or(opts.QuotaBackoff, 15*time.Minute)
	opts.AttemptTimeout = cmp.Or(opts.AttemptTimeout, 30*time.Second)
	opts.Interval = cmp.Or(opts.Interval, time.Second)
	s := &Spool{
		dir:     dir,
		next:    next,
		log:     log,
		o:       opts,
		limit:   rate.NewLimiter(rate.Limit(opts.Rate), 1),
		wake:    make(chan struct{}, 1),
		entries: map[string]*entry{},
	}
	if err := s.ensureDir(false); err != nil {
		return nil, err
	}
	s.recoverTemps()
	if err := s.scan(); err != nil {
		return nil, err
	}
	if n := len(s.entries); n > 0 {
		log.Warn("spool holds unsent emails from an earlier run; sending them in the background",
			"depth", n, "oldest_seconds", int(s.oldestAge().Seconds()))
	}
	return s, nil
}

// ensureDir creates the folder (0700) if it is missing, logging it when it
// went away under a running server, and makes it private if others may
// read it: spooled enquiries hold health details.
func (s *Spool) ensureDir(running bool) error {
	if _, err := os.Stat(s.dir); running && errors.Is(err, fs.ErrNotExist) {
		s.log.Error("spool folder disappeared; creating it again", "dir", s.dir)
	}
	if err := os.MkdirAll(s.dir, 0o700); err != nil { // fails on a file in its place
		return fmt.Errorf("spool: %w", err)
	}
	st, err := os.Stat(s.dir)
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	if st.Mode().Perm()&0o077 == 0 {
		return nil
	}
	if err := os.Chmod(s.dir, 0o700); err != nil {
		return fmt.Errorf("spool: %s is open to others and cannot be made private: %w", s.dir, err)
	}
	s.log.Warn("spool folder was open to others; made private (0700)", "dir", s.dir)
	return nil
}

// Send keeps m durably in the spool and wakes the worker; it never waits
// for the mail service. It returns an error when m could not be kept (the
// folder cannot be written, or the spool is full: ErrFull): then nothing is
// kept and the caller must tell the visitor (503, form kept). A message
// whose key is already spooled is kept once: the same key is the same
// enquiry.
func (s *Spool) Send(ctx context.Context, m *mail.Message) error {
	if !mail.ValidKey(m.IdempotencyKey) {
		return fmt.Errorf("spool: %w", mail.ErrBadKey)
	}
	s.mu.Lock()
	_, queued := s.entries[m.IdempotencyKey]
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
	err := s.write(m, start)
	if errors.Is(err, fs.ErrNotExist) && s.ensureDir(true) == nil {
		err = s.write(m, start) // the folder went away under us: made again, once
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

// noteWrite records whether the folder can be written, and logs when that
// changes.
func (s *Spool) noteWrite(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case err != nil && s.writeErr == nil:
		s.failSince = time.Now()
		s.log.Error("spool folder cannot be written: enquiries are refused until it can", "dir", s.dir, "error", err.Error())
	case err == nil && s.writeErr != nil:
		s.log.Info("spool folder can be written again", "dir", s.dir)
	}
	s.writeErr = err
}

// write stores m durably as <dir>/<key>.json and registers it.
func (s *Spool) write(m *mail.Message, now time.Time) error {
	b, err := json.Marshal(record{Version: 1, SpooledAt: now.UTC(), Message: m})
	if err != nil {
		return err
	}
	err = delivery.WriteDurably(s.dir, tempPrefix+"*", b, func(tmp string) error {
		return os.Rename(tmp, s.path(m.IdempotencyKey))
	})
	if err != nil {
		return err
	}
	s.mu.Lock()
	if _, seen := s.entries[m.IdempotencyKey]; !seen {
		s.entries[m.IdempotencyKey] = &entry{key: m.IdempotencyKey, spooled: now, size: int64(len(b)), due: now}
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

// oldestAge is how long the oldest waiting email has been in the spool (0
// when the spool is empty). The caller holds s.mu.
func (s *Spool) oldestAge() time.Duration {
	var age time.Duration
	for _, e := range s.entries {
		age = max(age, time.Since(e.spooled))
	}
	return age
}

// Health is the spool's part of GET /api/health, and whether all is well:
// false at once while the folder cannot be written or the spool is full
// (enquiries are being refused), while the configuration is rejected, and
// when an email has waited longer than AlertAfter.
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
	if s.setAsideN > 0 {
		h["set_aside"] = s.setAsideN // an alert went out for each
	}
	ok := oldest <= s.o.AlertAfter && s.bytes < s.o.MaxBytes
	if s.writeErr != nil {
		h["unwritable_seconds"] = int(time.Since(s.failSince).Seconds())
		ok = false // every enquiry gets 503 now: monitoring must know now
	}
	if wait := time.Until(s.pausedTil); wait > 0 {
		h["paused"] = s.pausedFor
		h["paused_seconds"] = int(wait.Seconds()) + 1
		ok = ok && s.pausedFor != "configuration_error"
	}
	return h, ok
}

// Run is the worker: it sends the spooled emails until ctx ends, oldest
// first, at most concurrency at once and Rate calls a second, deleting each
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
	sem := make(chan struct{}, concurrency)
	for {
		s.check()
		for _, e := range s.due() {
			if s.limit.Wait(ctx) != nil {
				break
			}
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			// A 429 may have come back while we waited: once a pause is set,
			// nothing more is sent (checked and marked under one lock).
			s.mu.Lock()
			paused := time.Now().Before(s.pausedTil)
			e.busy = !paused
			s.mu.Unlock()
			if paused {
				<-sem
				break
			}
			wg.Go(func() {
				s.deliver(ctx, e)
				s.mu.Lock()
				e.busy = false
				s.mu.Unlock()
				<-sem
			})
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
	err := s.ensureDir(true)
	if err == nil {
		var f *os.File
		if f, err = os.CreateTemp(s.dir, tempPrefix+"probe-*"); err == nil {
			f.Close()
			os.Remove(f.Name())
		}
	}
	s.noteWrite(err)
	if err := s.scan(); err != nil {
		s.log.Error("spool: reading the folder", "error", err.Error())
	}
}

// due lists the entries due now, oldest first.
func (s *Spool) due() []*entry {
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	var due []*entry
	for _, e := range s.entries {
		if !e.busy && !e.due.After(now) {
			due = append(due, e)
		}
	}
	slices.SortFunc(due, func(a, b *entry) int { return cmp.Or(a.due.Compare(b.due), strings.Compare(a.key, b.key)) })
	return due
}

// pauseFor stops all sending for d (never shortening a longer pause).
func (s *Spool) pauseFor(d time.Duration, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if until := time.Now().Add(d); until.After(s.pausedTil) {
		s.pausedTil, s.pausedFor = until, reason
	}
}

// deliver sends one spooled file; the caller has marked it busy.
func (s *Spool) deliver(ctx context.Context, e *entry) {
	if e.sent { // sent earlier; only the delete failed
		s.remove(e)
		return
	}
	b, err := os.ReadFile(s.path(e.key))
	if errors.Is(err, fs.ErrNotExist) {
		return // the next scan, which comes before any send, reports it lost
	}
	if err != nil {
		s.log.Error("spool: reading a spooled email", "idempotency_key", e.key, "error", err.Error())
		s.retryIn(e, 0)
		return
	}
	var rec record
	if err := json.Unmarshal(b, &rec); err != nil || rec.Message == nil {
		if s.moveAside(e, badSuffix) {
			s.log.Error("spool: unreadable file moved aside; it may hold an enquiry, check it by hand", "file", e.key+suffix+badSuffix)
		}
		return
	}

	start := time.Now()
	actx, cancel := context.WithTimeout(ctx, s.o.AttemptTimeout)
	err = s.next.Send(actx, rec.Message)
	cancel()
	e.attempts++
	se, _ := errors.AsType[*delivery.SendError](err)
	switch {
	case err == nil:
		s.mu.Lock()
		e.sent = true
		s.mu.Unlock()
		s.log.Info("spooled email sent", "idempotency_key", e.key, "attempts", e.attempts,
			"waited_seconds", int(time.Since(e.spooled).Seconds()), "duration", time.Since(start))
		s.remove(e)
	case ctx.Err() != nil:
		// Shutting down: not the message's fault. It stays for the next run.
		s.log.Info("spooled email left for the next run (shutting down)", "idempotency_key", e.key)
	case errors.Is(err, delivery.ErrRefused) && rec.Message.IsAcknowledgement():
		// Reception has the enquiry; the visitor's address is refused.
		s.log.Error("acknowledgement refused by the mail service for its content (the visitor's address); dropped",
			"idempotency_key", e.key, "error", err.Error())
		s.remove(e)
	case errors.Is(err, delivery.ErrRefused):
		// Reception's email, refused even without the visitor's address:
		// it can never be sent as it is. It must not hold the others back
		// (as a configuration error would): set aside for a person (the
		// alert says where), alert, go on.
		if s.moveAside(e, refusedSuffix) {
			s.mu.Lock()
			s.setAsideN++
			s.mu.Unlock()
			s.log.Error("reception's email refused by the mail service for its content: set aside, alerting; the other emails go on",
				"idempotency_key", e.key, "file", e.key+suffix+refusedSuffix)
			if s.o.Alert != nil {
				s.o.Alert(mail.DeliveryProblem{EnquiryID: e.key, What: "refused", At: time.Now()})
			}
		}
	case errors.Is(err, delivery.ErrQuota):
		s.pauseFor(s.o.QuotaBackoff, "quota_exceeded")
		s.log.Warn("mail service sending quota exceeded: sending paused; enquiries are kept in the spool",
			"idempotency_key", e.key, "depth", s.Depth(), "paused_for", s.o.QuotaBackoff)
		s.retryIn(e, 0)
	case errors.Is(err, delivery.ErrPermanent):
		s.pauseFor(s.o.ConfigBackoff, "configuration_error")
		s.log.Error("mail service rejected the configuration (API key, sender domain): sending paused; enquiries are kept in the spool",
			"idempotency_key", e.key, "depth", s.Depth(), "error", err.Error(), "paused_for", s.o.ConfigBackoff)
		s.retryIn(e, 0)
	case se != nil && se.RetryAfter > 0:
		// Retry-After holds for every call, not only this email's.
		s.pauseFor(se.RetryAfter, "rate_limited")
		s.log.Warn("mail service asked to wait: sending paused", "idempotency_key", e.key,
			"status", se.Status, "retry_after", se.RetryAfter)
		s.retryIn(e, 0)
	default:
		wait := s.retryIn(e, delivery.Backoff(s.o.MinBackoff, s.o.MaxBackoff, e.attempts))
		s.log.Warn("spooled email not sent yet", "idempotency_key", e.key, "attempts", e.attempts,
			"error", err.Error(), "next_attempt_in", wait.Round(time.Millisecond))
	}
}

// retryIn makes e due after d, and returns d. 0 is at once: after a pause,
// the pause, not e, holds it back.
func (s *Spool) retryIn(e *entry, d time.Duration) time.Duration {
	s.mu.Lock()
	e.due = time.Now().Add(d)
	s.mu.Unlock()
	return d
}

// remove deletes a sent email's file; if that fails, the entry stays marked
// sent and only the delete is retried.
func (s *Spool) remove(e *entry) {
	if err := os.Remove(s.path(e.key)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		s.log.Error("spool: a sent email's file could not be deleted", "idempotency_key", e.key, "error", err.Error())
		s.retryIn(e, s.o.MinBackoff)
		return
	}
	if err := delivery.SyncDir(s.dir); err != nil {
		s.log.Warn("spool: syncing the folder after a delete", "error", err.Error())
	}
	s.forget(e)
}

func (s *Spool) forget(e *entry) {
	s.mu.Lock()
	if s.entries[e.key] == e {
		s.bytes -= e.size
		delete(s.entries, e.key)
	}
	s.mu.Unlock()
}

// moveAside renames e's file to <key>.json<suffix>, where the worker no
// longer sees it and a person decides what to do with it (refusedSuffix,
// badSuffix). When that fails, e is tried again after a backoff.
func (s *Spool) moveAside(e *entry, suffix string) bool {
	if err := os.Rename(s.path(e.key), s.path(e.key)+suffix); err != nil {
		s.log.Error("spool: a file could not be moved aside", "idempotency_key", e.key, "error", err.Error())
		s.retryIn(e, delivery.Backoff(s.o.MinBackoff, s.o.MaxBackoff, e.attempts))
		return false
	}
	delivery.SyncDir(s.dir)
	s.forget(e)
	return true
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
		name, spooled := strings.CutSuffix(de.Name(), suffix)
		if !de.Type().IsRegular() || !spooled || strings.HasPrefix(name, ".") {
			continue
		}
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
		if present[name] || e.busy {
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
