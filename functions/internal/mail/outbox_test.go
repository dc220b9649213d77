package mail

import (
	"bytes"
	"context"
	"errors"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestOutboxWritesEML(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "outbox")
	o, err := NewOutbox(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("dir mode %v, %v", fi.Mode(), err)
	}
	msgs, err := mustComposer(t, testConfig()).Compose(appointment())
	if err != nil {
		t.Fatal(err)
	}
	m := msgs[0]
	m.Subject = "Appointment request: فاطمة الزهراء, 12 Dec 2026 (morning) — " + strings.Repeat("ü", 120)
	if err := o.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, m.IdempotencyKey+".eml")
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v, want 0600", fi.Mode().Perm())
	}
	raw, _ := os.ReadFile(path)
	if bytes.Contains(bytes.ReplaceAll(raw, []byte("\r\n"), nil), []byte("\n")) {
		t.Error("bare LF: lines must end in CRLF")
	}
	for _, line := range bytes.Split(raw, []byte("\r\n")) {
		if len(line) > 998 {
			t.Errorf("line of %d octets", len(line))
		}
	}

	// net/mail reads it as any mail client would.
	nm, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if nm.Header.Get("MIME-Version") != "1.0" || nm.Header.Get("X-Enquiry-Id") != m.IdempotencyKey || nm.Header.Get("Message-ID") == "" {
		t.Errorf("headers: %v", nm.Header)
	}
	if _, err := nm.Header.Date(); err != nil {
		t.Error(err)
	}

	p, err := ParseEML(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if p.Subject != SanitizeSubject(m.Subject) {
		t.Errorf("subject round trip:\n got %q\nwant %q", p.Subject, SanitizeSubject(m.Subject))
	}
	if p.ReplyTo != m.ReplyTo || strings.Join(p.To, ",") != strings.Join(m.To, ",") || p.EnquiryID != m.IdempotencyKey {
		t.Errorf("parsed: to %v reply-to %q id %q", p.To, p.ReplyTo, p.EnquiryID)
	}
	if p.Tags["kind"] != "appointment" || p.Tags["lang"] != "ar" {
		t.Errorf("tags %v", p.Tags)
	}
	if p.Text != m.Text || p.HTML != m.HTML {
		t.Error("bodies do not round-trip")
	}
}

func TestOutboxIdempotent(t *testing.T) {
	dir := t.TempDir()
	o, _ := NewOutbox(dir, nil)
	o.now = func() time.Time { return received }
	msgs, _ := mustComposer(t, testConfig()).Compose(suitability())
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for _, m := range msgs {
				if err := o.Send(context.Background(), m); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	all, err := ReadOutbox(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 {
		t.Fatalf("%d files, want reception + ack", len(all))
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("left-over files: %v", entries)
	}
	// Sorted by file name: "<id>-ack.eml" comes before "<id>.eml".
	if all[0].EnquiryID != "suit-8e1d0a4c22-ack" || all[0].Tags["kind"] != "ack" || all[1].EnquiryID != "suit-8e1d0a4c22" {
		t.Errorf("files: %s, %s", all[0].File, all[1].File)
	}
}

func TestOutboxRejectsBadKey(t *testing.T) {
	o, _ := NewOutbox(t.TempDir(), nil)
	for _, key := range []string{"", "../escape", "a/b", "x.eml", strings.Repeat("k", 201)} {
		m := &Message{IdempotencyKey: key, From: "a@example.com", To: []string{"b@example.com"}, Subject: "s", Text: "t"}
		if err := o.Send(context.Background(), m); !errors.Is(err, ErrPermanent) {
			t.Errorf("key %q: %v", key, err)
		}
	}
}
