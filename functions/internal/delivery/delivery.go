// Package delivery sends the emails package mail composes: through Resend
// (resend-go/v2, one attempt; Retry wraps it where no spool retries), or
// into a local outbox of .eml files when no Resend key is configured. It
// also holds the rules the spool shares: Backoff and WriteDurably.
package delivery

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/bluetreeclinics/site/functions/internal/mail"
)

// Sender delivers a message. Implementations: Resend, Retry, Outbox,
// and the self-hosted spool that wraps another Sender.
type Sender interface {
	Send(ctx context.Context, m *mail.Message) error
}

// Failures worth telling apart; test with errors.Is. ErrRefused and ErrQuota
// are also ErrPermanent: retrying within one request cannot help.
var (
	// ErrPermanent marks a failure that retrying soon cannot fix: Resend
	// answered 4xx other than 429 (a configuration problem: API key, sender
	// domain), or one of the two below.
	ErrPermanent = errors.New("delivery: permanent failure")
	// ErrRefused marks an email Resend refused for its content (an address
	// it will not take), not for the configuration: sending it again can
	// never succeed. Reception's email is first sent again without the
	// visitor's reply-to (see Resend.Send), and ends this way only when
	// even that is refused.
	ErrRefused = fmt.Errorf("%w: refused for its content", ErrPermanent)
	// ErrQuota marks Resend's daily or monthly sending quota being spent.
	ErrQuota = fmt.Errorf("%w: sending quota exceeded", ErrPermanent)
)

// WriteDurably writes b to a new 0600 temporary file in dir (named after
// pattern, as os.CreateTemp), fsyncs it, lets place move it into place by
// its name (a rename or a link, so no one sees a file half written), and
// fsyncs dir so the move survives a crash. The temporary name never stays.
// Both the outbox and the spool keep personal data this way.
func WriteDurably(dir, pattern string, b []byte, place func(tmp string) error) error {
	tmp, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a rename nothing is there; after a link, only this name goes
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := place(tmp.Name()); err != nil {
		return err
	}
	return SyncDir(dir)
}

// SyncDir makes a rename, link or delete in dir durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
