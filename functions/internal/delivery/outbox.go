package delivery

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	netmail "net/mail"
	"net/textproto"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/bluetreeclinics/site/functions/internal/mail"
)

// Outbox is a Sender that writes each message as an RFC 5322 .eml file (it
// opens in any mail client) named <IdempotencyKey>.eml. Sending the same
// key twice leaves the first file alone, as Resend's idempotency would.
// Safe for concurrent use.
type Outbox struct {
	dir string
	log *slog.Logger
}

// NewOutbox creates dir (0700: emails hold health data) and returns an Outbox.
func NewOutbox(dir string, log *slog.Logger) (*Outbox, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("delivery: outbox: %w", err)
	}
	return &Outbox{dir: dir, log: cmp.Or(log, slog.New(slog.DiscardHandler))}, nil
}

// Send writes m to <dir>/<IdempotencyKey>.eml: a 0600 temporary file,
// fsynced, then linked into place so a file is never seen half written and
// an existing one is never replaced.
func (o *Outbox) Send(ctx context.Context, m *mail.Message) error {
	if !mail.ValidKey(m.IdempotencyKey) {
		return fmt.Errorf("%w: outbox: %w", ErrPermanent, mail.ErrBadKey)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	final := filepath.Join(o.dir, m.IdempotencyKey+".eml")
	logged := "email already in the outbox"
	if _, err := os.Lstat(final); err != nil {
		raw, err := EML(m, time.Now())
		if err != nil {
			return err
		}
		logged = "email written to the outbox"
		err = WriteDurably(o.dir, ".tmp-*.eml", raw, func(tmp string) error {
			if err := os.Link(tmp, final); errors.Is(err, fs.ErrExist) {
				logged = "email already in the outbox"
			} else if err != nil {
				// File systems without hard links: rename (which would replace a
				// file written in between; acceptable for a local outbox).
				return os.Rename(tmp, final)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("delivery: outbox: %w", err)
		}
	}
	o.log.InfoContext(ctx, logged, "idempotency_key", m.IdempotencyKey, "path", final)
	return nil
}

// EML renders m as an RFC 5322 message with CRLF line endings: a
// multipart/alternative of quoted-printable UTF-8 text and HTML parts.
func EML(m *mail.Message, date time.Time) ([]byte, error) {
	from, err := formatAddress(m.From)
	if err != nil {
		return nil, fmt.Errorf("%w: From: %v", ErrPermanent, err)
	}
	if len(m.To) == 0 {
		return nil, fmt.Errorf("%w: no recipient", ErrPermanent)
	}
	to := make([]string, 0, len(m.To))
	for _, a := range m.To {
		s, err := formatAddress(a)
		if err != nil {
			return nil, fmt.Errorf("%w: To: %v", ErrPermanent, err)
		}
		to = append(to, s)
	}
	a, _ := netmail.ParseAddress(m.From) // formatAddress has checked it
	domain := a.Address[strings.LastIndexByte(a.Address, '@')+1:]
	sum := sha256.Sum256([]byte(m.IdempotencyKey))
	boundary := "bluetree-" + hex.EncodeToString(sum[:12])

	var b bytes.Buffer
	h := func(name, value string) { b.WriteString(name + ": " + value + "\r\n") }
	h("Date", date.Format(time.RFC1123Z))
	h("From", from)
	h("To", strings.Join(to, ",\r\n "))
	if m.ReplyTo != "" {
		if s, err := formatAddress(m.ReplyTo); err == nil {
			h("Reply-To", s)
		}
	}
	h("Subject", encodeHeader(mail.SanitizeSubject(m.Subject)))
	h("Message-ID", "<"+m.IdempotencyKey+"@"+domain+">")
	h("MIME-Version", "1.0")
	h("X-Enquiry-Id", m.IdempotencyKey)
	if len(m.Tags) > 0 {
		var tags []string
		for _, k := range slices.Sorted(maps.Keys(m.Tags)) {
			tags = append(tags, mail.TagSafe(k)+"="+mail.TagSafe(m.Tags[k]))
		}
		h("X-Tags", strings.Join(tags, "; "))
	}
	h("Content-Type", `multipart/alternative; boundary="`+boundary+`"`)
	b.WriteString("\r\n")

	// The parts are written to b, a bytes.Buffer, which never fails a write,
	// and the boundary is valid (letters, digits and "-"): no error to check.
	mw := multipart.NewWriter(&b)
	mw.SetBoundary(boundary)
	for _, part := range []struct{ ctype, body string }{
		{"text/plain; charset=utf-8", m.Text},
		{"text/html; charset=utf-8", m.HTML},
	} {
		pw, _ := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {part.ctype},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		qp := quotedprintable.NewWriter(pw)
		io.WriteString(qp, part.body)
		qp.Close()
	}
	mw.Close()
	return b.Bytes(), nil
}

// formatAddress validates a single address and formats it for a header,
// encoding a non-ASCII display name (RFC 2047).
func formatAddress(s string) (string, error) {
	if err := mail.CheckAddress(s); err != nil {
		return "", err
	}
	a, _ := netmail.ParseAddress(s)
	return a.String(), nil
}

// encodeHeader Q-encodes non-ASCII text and folds long results between
// encoded words so no header line passes 998 octets.
func encodeHeader(s string) string {
	e := mime.QEncoding.Encode("utf-8", s)
	if e == s {
		return s
	}
	return strings.ReplaceAll(e, "?= =?", "?=\r\n =?")
}
