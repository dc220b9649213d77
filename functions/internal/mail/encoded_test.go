package mail

import (
	"strings"
	"testing"
	"time"

	"github.com/bluetreeclinics/site/functions/internal/enquiry"
)

// A name holding MIME encoded words reaches the subject as plain text that
// no mail reader decodes (here it would decode to a right-to-left override
// and "Bcc: x@evil.example").
func TestSubjectHasNoEncodedWords(t *testing.T) {
	c, err := NewComposer(ComposerConfig{From: "a@bluetree.example", To: []string{"r@bluetree.example"}, SiteURL: "https://www.bluetree.example"})
	if err != nil {
		t.Fatal(err)
	}
	name := "Ali =?utf-8?b?4oCuQmNjOiB4QGV2aWwuZXhhbXBsZQ==?= =?UTF-8?Q?=E2=80=AE?="
	msgs, err := c.Compose(&enquiry.Enquiry{
		ID: "enq_abc", Kind: enquiry.KindAppointment, Lang: "en", Name: name, Phone: "+971501234567",
		Contact: "phone", Date: "2026-12-12", TimeOfDay: "morning", Received: time.Now(),
	})
	if err != nil {
		t.Fatal(err)
	}
	if s := msgs[0].Subject; strings.Contains(s, "=?") || !strings.Contains(s, "Ali = ?utf-8?b?") {
		t.Errorf("subject %q", s)
	}
	if got := SanitizeSubject("x=?=?y"); got != "x= ?= ?y" {
		t.Errorf("SanitizeSubject: %q", got)
	}
}
