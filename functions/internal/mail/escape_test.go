package mail

import (
	"strings"
	"testing"

	"github.com/bluetreeclinics/site/functions/internal/enquiry"
)

// hostile are values typed into a form to break out of the email's markup.
var hostile = []string{
	`<script>alert(1)</script>`,
	`"><img src=x onerror=alert(1)>`,
	`' onmouseover='alert(1)`,
	`a & b &amp; &#60; &lt;`,
	`javascript:alert(1)`,
	`[x](javascript:alert(1)) **b** <b>b</b> {{.Email}}`,
	"line one\r\nline two\n\n\n\nline three\r",
	"\u202Egnp.exe \u0000\u0007 \u2028 tab\there",
	"  ",
	"",
	"Фатима فاطمة 😀 +971 (50) 123-4567",
}

// everyVariant returns enquiries covering every variant of both emails.
func everyVariant() []*enquiry.Enquiry {
	var out []*enquiry.Enquiry
	for _, base := range []func() *enquiry.Enquiry{appointment, suitability} {
		for _, contact := range []string{"phone", "whatsapp", "email", "", "fax<script>"} {
			for _, email := range []string{"a+b@example.com", "", "evil@example.com\r\nBcc: x@example.com"} {
				for _, lang := range []string{"en", "ar", "xx"} {
					e := base()
					e.Contact, e.Email, e.Lang = contact, email, lang
					out = append(out, e)
				}
			}
		}
	}
	return out
}

// withHostile puts h into every field the visitor types or could forge.
func withHostile(e *enquiry.Enquiry, h string) *enquiry.Enquiry {
	c := *e
	c.Name, c.Phone, c.Message, c.Note = h, h+" 050 1234567", h, h
	c.Date, c.TimeOfDay, c.Area, c.Condition, c.Duration, c.Thinners = h, h, h, h, h, h
	c.Tried = []string{h, "physiotherapy", h}
	c.Contact = h
	c.Pain = -3
	return &c
}

// Every variant composes, with hostile values in every field, and no
// value becomes markup.
func TestEveryVariantComposes(t *testing.T) {
	cmp := mustComposer(t, testConfig())
	for i, e := range everyVariant() {
		for _, h := range hostile {
			msgs, err := cmp.Compose(withHostile(e, h))
			if err != nil {
				t.Fatalf("case %d %q: %v", i, h, err)
			}
			for _, m := range msgs {
				if strings.Contains(m.HTML, "<script") || strings.Contains(m.HTML, "<img") {
					t.Fatalf("case %d %q: markup in the HTML", i, h)
				}
			}
		}
	}
}

// Every visitor value reaches the HTML escaped, and the links built from
// the visitor's phone and email cannot carry anything else.
func TestHTMLEscapesEveryField(t *testing.T) {
	cmp := mustComposer(t, testConfig())
	const evil = `<script>alert("x")</script> it's & javascript:alert(1)`
	for _, base := range []func() *enquiry.Enquiry{appointment, suitability} {
		e := base()
		e.Name, e.Message, e.Note = evil, evil, evil
		e.Date, e.TimeOfDay, e.Area, e.Condition, e.Duration, e.Thinners = evil, evil, evil, evil, evil, evil
		e.Tried = []string{evil}
		e.Phone = `javascript:alert(1)//"><script>+971 50 123 4567`
		e.Email = `"javascript:alert(1)"@example.com`
		msgs, err := cmp.Compose(e)
		if err != nil {
			t.Fatal(err)
		}
		h := msgs[0].HTML
		for _, bad := range []string{"<script", `"x"`, "it's", "& javascript", `href="javascript`, `href="https://wa.me/javascript`, `href="tel:javascript`} {
			if strings.Contains(h, bad) {
				t.Errorf("%s: HTML holds %q unescaped", e.Kind, bad)
			}
		}
		for _, want := range []string{
			"&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; it&#39;s &amp; javascript:alert(1)",
			`href="tel:&#43;1971501234567"`, `href="https://wa.me/1971501234567"`,
		} {
			if !strings.Contains(h, want) {
				t.Errorf("%s: HTML lacks %q", e.Kind, want)
			}
		}
		// An address that is not a bare address is not used at all.
		if strings.Contains(h, "mailto:") || msgs[0].ReplyTo != "" {
			t.Errorf("%s: quoted local part used as a reply address", e.Kind)
		}
		// Every attribute value the HTML holds is one of ours or built
		// from digits and escaped parts only.
		for _, href := range attrValues(h, "href") {
			switch {
			case strings.HasPrefix(href, "tel:&#43;"), strings.HasPrefix(href, "https://wa.me/"),
				strings.HasPrefix(href, "mailto:"), strings.HasPrefix(href, "https://www.example.com/"):
			default:
				t.Errorf("%s: unexpected link %q", e.Kind, href)
			}
			if strings.ContainsAny(href, `<>"' `) {
				t.Errorf("%s: link %q holds markup characters", e.Kind, href)
			}
		}
	}

	// mailto: the address and the subject are escaped parts of the URL.
	e := appointment()
	e.Name = `Ann "&<x>' ?subject=spam&body=javascript:x`
	e.Email = "a+b@example.com"
	msgs, err := cmp.Compose(e)
	if err != nil {
		t.Fatal(err)
	}
	var mailto string
	for _, href := range attrValues(msgs[0].HTML, "href") {
		if strings.HasPrefix(href, "mailto:") {
			mailto = href
		}
	}
	if want := "mailto:a&#43;b@example.com?subject=Re:%20Appointment%20request:%20Ann%20%22%26%3Cx%3E%27%20%3Fsubject=spam%26body=javascript:x%2C%2012%20Dec%202026%20%28morning%29"; mailto != want {
		t.Errorf("mailto link\n got %q\nwant %q", mailto, want)
	}
	if strings.Count(mailto, "?") != 1 || strings.Contains(mailto, "&body") {
		t.Errorf("the name added a parameter to the mailto link: %q", mailto)
	}
}

// attrValues returns the values of every attr="…" in h.
func attrValues(h, attr string) []string {
	var out []string
	for rest := h; ; {
		i := strings.Index(rest, " "+attr+`="`)
		if i < 0 {
			return out
		}
		rest = rest[i+len(attr)+3:]
		j := strings.IndexByte(rest, '"')
		out = append(out, rest[:j])
		rest = rest[j:]
	}
}
