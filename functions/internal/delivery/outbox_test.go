package delivery_test

import (
	"bytes"
	"context"
	"errors"
	netmail "net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bluetreeclinics/site/functions/internal/delivery"
	"github.com/bluetreeclinics/site/functions/internal/delivery/resendtest"
	"github.com/bluetreeclinics/site/functions/internal/enquiry"
	"github.com/bluetreeclinics/site/functions/internal/mail"
)

// composed is the reception email and the acknowledgement of one enquiry.
func composed(t *testing.T, kind, lang string) []*mail.Message {
	t.Helper()
	cmp, err := mail.NewComposer(mail.ComposerConfig{
		From: "Blue Tree Clinics website <enquiries@example.com>", To: []string{"reception@example.com"},
		Ack: true, SiteURL: "https://www.example.com",
	})
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := cmp.Compose(&enquiry.Enquiry{
		ID: "enq_" + kind, Kind: kind, Lang: lang, Received: time.Now(),
		Name: "Fatima Al Zahra", Email: "fatima@example.org", Phone: "+971501234567", Contact: "whatsapp",
		Date: "2026-12-12", TimeOfDay: "morning", Message: "My knee hurts.\nSaturday?",
		Area: "knee", Condition: "osteoarthritis", Duration: "1-5-years", Pain: 7, Thinners: "no",
	})
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

func TestOutboxWritesEML(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "outbox")
	o, err := delivery.NewOutbox(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("dir mode %v, %v", fi.Mode(), err)
	}
	msgs := composed(t, enquiry.KindAppointment, enquiry.LangArabic)
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
	nm, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if nm.Header.Get("MIME-Version") != "1.0" || nm.Header.Get("X-Enquiry-Id") != m.IdempotencyKey || nm.Header.Get("Message-ID") == "" {
		t.Errorf("headers: %v", nm.Header)
	}
	if _, err := nm.Header.Date(); err != nil {
		t.Error(err)
	}

	p, err := resendtest.ParseEML(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if p.Subject != mail.SanitizeSubject(m.Subject) {
		t.Errorf("subject round trip:\n got %q\nwant %q", p.Subject, mail.SanitizeSubject(m.Subject))
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
	o, _ := delivery.NewOutbox(dir, nil)
	msgs := composed(t, enquiry.KindSuitability, enquiry.LangEnglish)
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
	all, err := resendtest.ReadOutbox(dir)
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
	if all[0].EnquiryID != "enq_suitability-ack" || all[0].Tags["kind"] != "ack" || all[1].EnquiryID != "enq_suitability" {
		t.Errorf("files: %s, %s", all[0].File, all[1].File)
	}
}

func TestOutboxRejectsBadKey(t *testing.T) {
	o, _ := delivery.NewOutbox(t.TempDir(), nil)
	for _, key := range []string{"", "../escape", "a/b", "x.eml", strings.Repeat("k", 201)} {
		m := &mail.Message{IdempotencyKey: key, From: "a@example.com", To: []string{"b@example.com"}, Subject: "s", Text: "t"}
		if err := o.Send(context.Background(), m); !errors.Is(err, delivery.ErrPermanent) {
			t.Errorf("key %q: %v", key, err)
		}
	}
}
