// Package mail composes the emails an enquiry produces: Markdown templates
// rendered by goldmark, the visitor's answers put in by html/template, with
// phones, days and the call-back time written for people; and the alerts
// about an email that did not arrive (alerts.go). Package delivery sends them.
package mail

import (
	"regexp"
	"strings"
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
	Tags           map[string]string // name -> value, ASCII letters, digits, _ and - (see TagSafe)
}

// ackSuffix ends the acknowledgement's idempotency key: <enquiry id>-ack.
const ackSuffix = "-ack"

// IsAcknowledgement reports whether m is the visitor's acknowledgement
// (Compose's second email): it may be dropped when the mail service refuses
// it; reception's email may not.
func (m *Message) IsAcknowledgement() bool { return strings.HasSuffix(m.IdempotencyKey, ackSuffix) }

// refusedNotice heads reception's email when the mail service refused the
// visitor's address as its reply-to.
const refusedNotice = "Note: the mail service refused the visitor's email address as a reply-to address, so replying to this email will not reach them. Use the address or phone number below."

// WithoutReplyTo is reception's email m without the reply-to address the
// mail service refused, headed by a line saying so, so reception still
// gets the enquiry. The address stays in the body as the visitor typed it.
// The key changes (…-noreply): the mail service may remember the refused
// body under the original key.
func WithoutReplyTo(m *Message) *Message {
	c := *m
	c.IdempotencyKey = m.IdempotencyKey + "-noreply"
	c.ReplyTo = ""
	c.Text = refusedNotice + "\n\n" + m.Text
	notice := `<p style="margin:0;padding:12px 24px;background:#fff4d6;color:#5c4200">` + refusedNotice + `</p>`
	at := 0 // after <body …>, or at the start
	if b := bodyTag.FindStringIndex(m.HTML); b != nil {
		at = b[1]
	}
	c.HTML = m.HTML[:at] + notice + m.HTML[at:]
	return &c
}

var bodyTag = regexp.MustCompile(`<body[^>]*>`)

// NeutraliseEncodedWords breaks every "=?" so that text bound for a header
// holds no MIME encoded word (RFC 2047, "=?utf-8?b?…?="): a mail reader
// would decode one into other text, a right-to-left override or "Bcc:"
// included. "= ?" reads the same to a person and decodes to nothing.
func NeutraliseEncodedWords(s string) string { return strings.ReplaceAll(s, "=?", "= ?") }
