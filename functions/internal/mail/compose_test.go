package mail

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bluetreeclinics/site/data"
	"github.com/bluetreeclinics/site/functions/internal/enquiry"
)

var update = flag.Bool("update", false, "rewrite the golden emails under testdata/golden")

func testConfig() ComposerConfig {
	return ComposerConfig{
		From:    "Blue Tree Clinics website <enquiries@example.com>",
		To:      []string{"reception@example.com", "frontdesk@example.com"},
		Ack:     true,
		SiteURL: "https://www.example.com",
	}
}

// received is a fixed clock: 10:05 UTC is 14:05 in Dubai.
var received = time.Date(2026, 11, 25, 10, 5, 0, 0, time.UTC)

func appointment() *enquiry.Enquiry {
	return &enquiry.Enquiry{
		ID:        "apt-3f9a2c1b7d",
		Kind:      enquiry.KindAppointment,
		Lang:      enquiry.LangArabic,
		Received:  received,
		Name:      "Fatima Al Zahra",
		Email:     "fatima@example.org",
		Phone:     "+971501234567",
		Contact:   "whatsapp",
		Date:      "2026-12-12",
		TimeOfDay: "morning",
		Message:   "My knee hurts on stairs.\nCan I come on a Saturday?",
	}
}

func suitability() *enquiry.Enquiry {
	return &enquiry.Enquiry{
		ID:        "suit-8e1d0a4c22",
		Kind:      enquiry.KindSuitability,
		Lang:      enquiry.LangEnglish,
		Received:  received,
		Name:      "John Smith",
		Email:     "john.smith@example.com",
		Phone:     "+971551112233",
		Contact:   "phone",
		Area:      "knee",
		Condition: "osteoarthritis",
		Duration:  "1-5-years",
		Pain:      7,
		Tried:     []string{"physiotherapy", "painkillers", "steroid-injection"},
		Thinners:  "no",
		Note:      "Left knee, worse in the morning.",
	}
}

func mustComposer(t testing.TB, c ComposerConfig) *Composer {
	t.Helper()
	cmp, err := NewComposer(c)
	if err != nil {
		t.Fatal(err)
	}
	return cmp
}

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (run go test -update after checking the change):\n--- got ---\n%s", name, got)
	}
}

func TestGolden(t *testing.T) {
	cmp := mustComposer(t, testConfig())
	for _, tc := range []struct {
		name string
		e    *enquiry.Enquiry
		ack  string
	}{
		{"reception-appointment", appointment(), "ack-ar"},
		{"reception-suitability", suitability(), "ack-en"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msgs, err := cmp.Compose(tc.e)
			if err != nil {
				t.Fatal(err)
			}
			if len(msgs) != 2 {
				t.Fatalf("got %d messages, want reception + ack", len(msgs))
			}
			r, a := msgs[0], msgs[1]
			checkGolden(t, tc.name+".html", r.HTML)
			checkGolden(t, tc.name+".txt", "Subject: "+r.Subject+"\n\n"+r.Text)
			checkGolden(t, tc.ack+".html", a.HTML)
			checkGolden(t, tc.ack+".txt", "Subject: "+a.Subject+"\n\n"+a.Text)
		})
	}
}

func TestReceptionHeaders(t *testing.T) {
	cmp := mustComposer(t, testConfig())
	msgs, err := cmp.Compose(appointment())
	if err != nil {
		t.Fatal(err)
	}
	r := msgs[0]
	if want := "Appointment request: Fatima Al Zahra, 12 Dec 2026 (morning)"; r.Subject != want {
		t.Errorf("subject %q, want %q", r.Subject, want)
	}
	if r.From != testConfig().From || strings.Join(r.To, ",") != "reception@example.com,frontdesk@example.com" {
		t.Errorf("from/to: %q %q", r.From, r.To)
	}
	if r.ReplyTo != "fatima@example.org" || r.IdempotencyKey != "apt-3f9a2c1b7d" {
		t.Errorf("reply-to %q key %q", r.ReplyTo, r.IdempotencyKey)
	}
	if r.Tags["kind"] != "appointment" || r.Tags["lang"] != "ar" || r.Tags[TagEnquiry] != r.IdempotencyKey || r.Tags[TagEmail] != EmailReception {
		t.Errorf("tags %v", r.Tags)
	}
	for _, want := range []string{
		`href="tel:&#43;971501234567"`, `href="https://wa.me/971501234567"`, `href="mailto:fatima@example.org?subject=`,
		"Wed 25 Nov 2026, 14:05 (Dubai time)", "apt-3f9a2c1b7d", "Arabic", "Sat 12 Dec 2026", "Morning",
	} {
		if !strings.Contains(r.HTML, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	for _, want := range []string{"tel:+971501234567", "https://wa.me/971501234567", "Wed 25 Nov 2026, 14:05 (Dubai time)",
		"- Message:\n    My knee hurts on stairs.\n    Can I come on a Saturday?"} {
		if !strings.Contains(r.Text, want) {
			t.Errorf("text lacks %q", want)
		}
	}

	s, _ := cmp.Compose(suitability())
	if want := "Suitability check: John Smith, reply by phone"; s[0].Subject != want {
		t.Errorf("subject %q, want %q", s[0].Subject, want)
	}

	a := msgs[1]
	if a.IdempotencyKey != "apt-3f9a2c1b7d-ack" || a.Tags["kind"] != "ack" || a.Tags[TagEmail] != EmailAck || a.Tags[TagEnquiry] != "apt-3f9a2c1b7d" || a.To[0] != "fatima@example.org" || a.ReplyTo != "" {
		t.Errorf("ack: key %q tags %v to %v reply-to %q", a.IdempotencyKey, a.Tags, a.To, a.ReplyTo)
	}
	if !strings.Contains(a.HTML, `dir="rtl"`) || !strings.Contains(a.HTML, `lang="ar"`) {
		t.Error("Arabic ack is not right-to-left")
	}
}

// The acknowledgement goes to an address the visitor typed, so it must hold
// nothing else they typed: the form cannot be used to send spam.
func TestAckHoldsNothingTyped(t *testing.T) {
	cmp := mustComposer(t, testConfig())
	for _, e := range []*enquiry.Enquiry{appointment(), suitability()} {
		e.Name = "Buy cheap pills at spam.example"
		e.Message = "visit http://spam.example now"
		e.Note = e.Message
		msgs, err := cmp.Compose(e)
		if err != nil {
			t.Fatal(err)
		}
		a := msgs[1]
		for _, typed := range []string{"spam.example", "pills", e.Phone, e.Email, "Saturday"} {
			if strings.Contains(a.HTML, typed) || strings.Contains(a.Text, typed) || strings.Contains(a.Subject, typed) {
				t.Errorf("ack contains visitor text %q", typed)
			}
		}
	}
}

func TestAckOptional(t *testing.T) {
	c := testConfig()
	c.Ack = false
	msgs, err := mustComposer(t, c).Compose(appointment())
	if err != nil || len(msgs) != 1 {
		t.Fatalf("ack off: %d messages, %v", len(msgs), err)
	}
	e := appointment()
	e.Email = ""
	e.Contact = "phone"
	msgs, err = mustComposer(t, testConfig()).Compose(e)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("no email: %d messages, %v", len(msgs), err)
	}
	if msgs[0].ReplyTo != "" || strings.Contains(msgs[0].HTML, "mailto:") {
		t.Error("no email given, yet a reply address or mailto link")
	}
}

func TestHostileInput(t *testing.T) {
	cmp := mustComposer(t, testConfig())
	e := appointment()
	e.Name = "[click](http://evil.example) <b>bold</b> **strong** <script>alert(1)</script>\r\nBcc: victim@example.com"
	e.Message = "<a href=\"http://evil.example\">win</a>\n[x](http://evil.example)\n{{.Email}} ![img](http://evil.example/i.png)"
	e.Email = "evil@example.com\r\nBcc: victim@example.com"
	msgs, err := cmp.Compose(e)
	if err != nil {
		t.Fatal(err)
	}
	r := msgs[0]
	for _, bad := range []string{"<b>bold", "<strong>strong", "<script", `href="http://evil`, "<a href=\"http://evil", "<img"} {
		if strings.Contains(r.HTML, bad) {
			t.Errorf("HTML contains live markup %q", bad)
		}
	}
	for _, want := range []string{"[click](http://evil.example)", "&lt;b&gt;bold&lt;/b&gt;", "**strong**", "{{.Email}}"} {
		if !strings.Contains(r.HTML, want) {
			t.Errorf("HTML should show %q as text", want)
		}
	}
	if strings.ContainsAny(r.Subject, "\r\n") {
		t.Errorf("subject has a line break: %q", r.Subject)
	}
	if r.ReplyTo != "" || len(msgs) != 1 {
		t.Errorf("an address with a line break was used: reply-to %q, %d messages", r.ReplyTo, len(msgs))
	}
	for _, to := range append(r.To, r.From) {
		if strings.ContainsAny(to, "\r\n") {
			t.Error("header with a line break")
		}
	}

	e.Name = strings.Repeat("A", 10000)
	msgs, err = cmp.Compose(e)
	if err != nil {
		t.Fatal(err)
	}
	if n := utf8.RuneCountInString(msgs[0].Subject); n > maxSubjectRunes {
		t.Errorf("subject has %d runes", n)
	}
	if !strings.HasSuffix(msgs[0].Subject, "(morning)") {
		t.Errorf("long name pushed out the key fact: %q", msgs[0].Subject)
	}

	e.Name = "Ali\u202Egnp.exe\u0000\u0007\u2028Bcc: x"
	msgs, _ = cmp.Compose(e)
	if strings.ContainsAny(msgs[0].Subject, "\u202E\u0000\u0007\u2028\r\n") {
		t.Errorf("control characters kept in subject: %q", msgs[0].Subject)
	}
}

func TestSafeAddress(t *testing.T) {
	for in, want := range map[string]string{
		"a@example.com":                   "a@example.com",
		"a+b@example.com":                 "a+b@example.com",
		"a@example.com\r\nBcc: b@x.com":   "",
		"A <a@example.com>":               "",
		"a@example.com, b@example.com":    "",
		"a@example.com;b@example.com":     "",
		"":                                "",
		"no-at-sign":                      "",
		strings.Repeat("a", 251) + "@x.y": "",
	} {
		if got := safeAddress(in); got != want {
			t.Errorf("safeAddress(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNewComposerRejectsBadConfig(t *testing.T) {
	c := testConfig()
	c.SiteURL = "example.com"
	if _, err := NewComposer(c); err == nil {
		t.Error("a site URL without a host accepted")
	}
}

func TestClinicLinks(t *testing.T) {
	for _, bad := range [][2]string{{"call us", ""}, {"", "+1 2"}, {"+971 4 000 0000 000 000 0", ""}} {
		if _, err := newClinicLinks(bad[0], bad[1]); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	l, err := newClinicLinks("+971 4 000 0000", "971500000000")
	if err != nil || l.tel != "tel:+97140000000" || l.wa != "https://wa.me/971500000000" || l.whatsApp != "+971 50 000 0000" || l.phone != "+971 4 000 0000" {
		t.Errorf("%+v, %v", l, err)
	}
}

func TestTemplatesKeepActions(t *testing.T) {
	// Every action must survive Markdown rendering (markdownToHTML checks),
	// and no escaped action may be left behind in the HTML.
	for _, name := range []string{"reception.md", "ack.en.md", "ack.ar.md"} {
		p, err := parsePair(name)
		if err != nil {
			t.Fatal(err)
		}
		_ = p
	}
	msgs, _ := mustComposer(t, testConfig()).Compose(suitability())
	for _, m := range msgs {
		if strings.Contains(m.HTML, "GOTMPLACTION") || strings.Contains(m.HTML, "{{") || strings.Contains(m.Text, "{{") {
			t.Errorf("%s: template residue", m.IdempotencyKey)
		}
		if strings.Contains(m.HTML, "<p>\n") || strings.Contains(m.HTML, "<p style=\"margin:0 0 12px\"><table") {
			t.Errorf("%s: block wrapped in a paragraph", m.IdempotencyKey)
		}
	}
}

func BenchmarkCompose(b *testing.B) {
	cmp := mustComposer(b, testConfig())
	for _, tc := range []struct {
		name string
		e    *enquiry.Enquiry
	}{{"appointment", appointment()}, {"suitability", suitability()}} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := cmp.Compose(tc.e); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// The acknowledgement promises a call back by the closing time of the next
// working day, from the opening hours.
func TestCallBackBy(t *testing.T) {
	cmp := mustComposer(t, testConfig())
	// Monday to Saturday 09:00–18:00, Sunday closed, 2 December a holiday.
	cmp.opening = data.Opening{Holidays: []data.Holiday{{Date: "2026-12-02"}}, Days: []data.OpeningDay{{Day: "sunday", Closed: true}}}
	for _, d := range []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday"} {
		cmp.opening.Days = append(cmp.opening.Days, data.OpeningDay{Day: d, Opens: "09:00", Closes: "18:00"})
	}
	for received, want := range map[time.Time]string{
		time.Date(2026, 11, 25, 10, 5, 0, 0, time.UTC): "18:00 Thursday 26 November", // Wednesday afternoon in Dubai
		time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC): "18:00 Monday 30 November",   // Saturday: Sunday is closed
		time.Date(2026, 11, 30, 21, 0, 0, 0, time.UTC): "18:00 Thursday 3 December",  // 01:00 Tuesday in Dubai; 2 Dec a holiday
	} {
		if clock, day := cmp.callBackBy(received, "en"); clock+" "+day != want {
			t.Errorf("received %v: call back by %s %s, want %s", received, clock, day, want)
		}
	}
	if _, day := cmp.callBackBy(time.Date(2026, 11, 25, 10, 5, 0, 0, time.UTC), "ar"); day != "الخميس 26 نوفمبر" {
		t.Errorf("ar: %q", day)
	}
}
