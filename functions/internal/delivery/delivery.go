// Package delivery sends the emails package mail composes: through Resend
// (resend-go/v2) with retries, or into a local outbox of .eml files when no
// Resend key is configured.
package delivery

import (
	"context"
	"errors"

	"github.com/bluetreeclinics/site/functions/internal/mail"
)

// Sender delivers a message. Implementations: Resend (with retries), Outbox,
// and the self-hosted spool that wraps another Sender.
type Sender interface {
	Send(ctx context.Context, m *mail.Message) error
}

// ErrPermanent marks a failure that retrying cannot fix (Resend answered 4xx
// other than 429: a configuration problem). Test with errors.Is.
var ErrPermanent = errors.New("delivery: permanent failure")
