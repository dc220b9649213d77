// Package delivery sends the emails package mail composes: through Resend
// (resend-go/v2, one attempt; Retry wraps it where no spool retries), or
// into a local outbox of .eml files when no Resend key is configured. It
// also holds the rules the spool shares: Backoff and WriteDurably.
package delivery

import (
	"context"
	"errors"
	"fmt"

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
