package mail

import (
	"regexp"
	"strings"
	"testing"

	"github.com/bluetreeclinics/site/functions/internal/enquiry"
)

// The text part is read as plain text: no Markdown marks left from the templates.
func TestTextHasNoMarkdownMarks(t *testing.T) {
	cmp := mustComposer(t, testConfig())
	marks := regexp.MustCompile(`(?m)^#|\*\*|__`)
	for _, e := range []func() *enquiry.Enquiry{appointment, suitability} {
		msgs, err := cmp.Compose(e())
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			if loc := marks.FindStringIndex(m.Text); loc != nil {
				t.Errorf("%s: Markdown mark %q left in the text part:\n%s", m.IdempotencyKey, m.Text[loc[0]:loc[1]], m.Text)
			}
			if strings.Contains(m.Text, ruleMark) {
				t.Errorf("%s: heading rule marker left in the text part", m.IdempotencyKey)
			}
		}
	}
}

// Subjects show on lock screens and in shared inboxes: no health detail.
func TestSubjectHoldsNoHealthDetail(t *testing.T) {
	cmp := mustComposer(t, testConfig())
	e := suitability()
	msgs, err := cmp.Compose(e)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.ToLower(msgs[0].Subject)
	for _, health := range []string{"knee", "osteoarthritis", "pain", "7/10", "thinner", "physiotherapy", "1 to 5"} {
		if strings.Contains(s, health) {
			t.Errorf("subject %q shows health detail %q", msgs[0].Subject, health)
		}
	}
	for _, want := range []string{"suitability check", "john smith", "phone"} {
		if !strings.Contains(s, want) {
			t.Errorf("subject %q lacks %q", msgs[0].Subject, want)
		}
	}
	// The body keeps the detail reception needs.
	for _, want := range []string{"Knee", "Osteoarthritis", "7 / 10"} {
		if !strings.Contains(msgs[0].Text, want) || !strings.Contains(msgs[0].HTML, want) {
			t.Errorf("body lacks %q", want)
		}
	}
}

// Phone numbers read as people write them; links keep the E.164 digits.
func TestPhoneWrittenForPeople(t *testing.T) {
	msgs, err := mustComposer(t, testConfig()).Compose(appointment())
	if err != nil {
		t.Fatal(err)
	}
	r, a := msgs[0], msgs[1]
	for _, want := range []string{"Call &#43;971 50 123 4567</a>", `href="tel:&#43;971501234567"`, `href="https://wa.me/971501234567"`} {
		if !strings.Contains(r.HTML, want) {
			t.Errorf("reception HTML lacks %q", want)
		}
	}
	for _, want := range []string{"- Phone number: +971 50 123 4567", "+971 50 123 4567 (tel:+971501234567)"} {
		if !strings.Contains(r.Text, want) {
			t.Errorf("reception text lacks %q", want)
		}
	}
	if !strings.Contains(a.HTML, `href="https://wa.me/971500000000" dir="ltr" style="color:#0b5c8a">&#43;971 50 000 0000</a>`) {
		t.Errorf("acknowledgement's WhatsApp is not written for people:\n%s", a.HTML)
	}
}
