// Package mail composes the emails an enquiry produces: Markdown templates
// rendered by goldmark, the visitor's answers put in by html/template.
// Package delivery sends them.
package mail

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
	Tags           map[string]string // name -> value, ASCII letters, digits, _ and - (see TagSafe)
}
