// Package mail composes the emails an enquiry produces and sends them:
// through Resend (resend-go/v2) with retries, or into a local outbox of .eml
// files when no Resend key is configured.
package mail

import (
	"context"
	"errors"
)

// Message is one email, ready to send.
type Message struct {
	// IdempotencyKey is the enquiry id (plus a suffix for the acknowledgement),
	// sent as Resend's Idempotency-Key and used as the outbox file name, so the
	// same enquiry sent twice produces one email.
	IdempotencyKey string
	From           string
	To             []string
	ReplyTo        string
	Subject        string
	HTML           string
	Text           string
	Tags           map[string]string // name -> value, ASCII letters, digits, _ and -
}

// Sender delivers a message. Implementations: Resend (with retries), Outbox,
// and the self-hosted spool that wraps another Sender.
type Sender interface {
	Send(ctx context.Context, m *Message) error
}

// ErrPermanent marks a failure that retrying cannot fix (Resend answered 4xx
// other than 429: a configuration problem). Test with errors.Is.
var ErrPermanent = errors.New("mail: permanent failure")
