package resendtest

import (
	"bufio"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
)

// Parsed is an .eml file read back: what tests and tools need to check an
// email in the outbox.
type Parsed struct {
	File      string // path, when read by ReadOutbox
	From      string
	To        []string          // bare addresses
	ReplyTo   string            // bare address or ""
	Subject   string            // decoded
	EnquiryID string            // X-Enquiry-Id
	Tags      map[string]string // X-Tags
	Text      string            // decoded, LF line endings
	HTML      string            // decoded, LF line endings
}

// ParseEML reads a message written by the Outbox: a multipart/alternative
// email with text and HTML parts.
func ParseEML(r io.Reader) (*Parsed, error) {
	msg, err := mail.ReadMessage(bufio.NewReader(r))
	if err != nil {
		return nil, err
	}
	p := &Parsed{Tags: map[string]string{}}
	dec := new(mime.WordDecoder)
	if p.Subject, err = dec.DecodeHeader(msg.Header.Get("Subject")); err != nil {
		return nil, fmt.Errorf("subject: %w", err)
	}
	if a, err := mail.ParseAddress(msg.Header.Get("From")); err == nil {
		p.From = a.String()
	}
	if list, err := msg.Header.AddressList("To"); err == nil {
		for _, a := range list {
			p.To = append(p.To, a.Address)
		}
	}
	if a, err := mail.ParseAddress(msg.Header.Get("Reply-To")); err == nil { // none: ""
		p.ReplyTo = a.Address
	}
	p.EnquiryID = msg.Header.Get("X-Enquiry-Id")
	for _, kv := range strings.Split(msg.Header.Get("X-Tags"), ";") {
		if k, v, ok := strings.Cut(strings.TrimSpace(kv), "="); ok {
			p.Tags[k] = v
		}
	}
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		return nil, fmt.Errorf("content type: %w", err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := mr.NextPart() // decodes quoted-printable
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		body, err := io.ReadAll(part)
		if err != nil {
			return nil, err
		}
		text := strings.ReplaceAll(string(body), "\r\n", "\n")
		switch ct, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type")); ct {
		case "text/plain":
			p.Text = text
		case "text/html":
			p.HTML = text
		}
	}
	return p, nil
}

// ReadOutbox parses every .eml file in dir, sorted by file name (as Glob
// returns them).
func ReadOutbox(dir string) ([]*Parsed, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.eml"))
	if err != nil {
		return nil, err
	}
	var out []*Parsed
	for _, name := range names {
		if strings.HasPrefix(filepath.Base(name), ".") {
			continue
		}
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		p, err := ParseEML(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		p.File = name
		out = append(out, p)
	}
	return out, nil
}
