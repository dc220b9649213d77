package mail

import (
	"bytes"
	"cmp"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"net/mail"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	texttemplate "text/template"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/bluetreeclinics/site/data"
	"github.com/bluetreeclinics/site/functions/internal/enquiry"
	"github.com/bluetreeclinics/site/themes/bluetree"
	"github.com/yuin/goldmark"
	gmhtml "github.com/yuin/goldmark/renderer/html"
)

// The wording of every email lives in these Markdown files (one per email)
// plus the small partials that differ between the HTML and the text version.
//
//go:embed templates
var templateFS embed.FS

// ComposerConfig is what the composer needs from configuration.
type ComposerConfig struct {
	From    string   // e.g. "Blue Tree Clinics website <enquiries@example.com>"
	To      []string // reception, several allowed (≤ 50)
	Ack     bool     // also send an acknowledgement to the visitor (when they gave an email)
	SiteURL string   // absolute links in emails, e.g. "https://www.example.com"
}

// MaxRecipients is Resend's limit of recipients per email.
const MaxRecipients = 50

// maxSubjectRunes caps a subject so no field can blow it up.
const maxSubjectRunes = 150

// Composer turns an Enquiry into the emails it produces. Templates are parsed
// once by NewComposer; Compose is safe for concurrent use.
type Composer struct {
	cfg      ComposerConfig
	siteURL  string
	siteHost string
	clinic   clinicLinks  // shown in the acknowledgement
	name     data.Text    // the clinic's (data/clinic.yaml)
	opening  data.Opening // when reception calls back

	reception pair
	ack       map[string]pair // by language
}

// pair is one email's two renderings of the same Markdown source.
type pair struct {
	html *htmltemplate.Template
	text *texttemplate.Template
}

// NewComposer parses the templates. The configuration is checked where it
// is read (config.Load: the addresses with CheckAddress, at most
// MaxRecipients of them, an absolute site URL).
func NewComposer(c ComposerConfig) (*Composer, error) {
	u, err := url.Parse(c.SiteURL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("mail: site URL %q is not an absolute URL", c.SiteURL)
	}
	comp := &Composer{
		cfg:      c,
		siteURL:  strings.TrimRight(u.String(), "/") + "/",
		siteHost: u.Host,
	}
	clinic := data.ClinicDetails()
	comp.name, comp.opening = clinic.Name, clinic.Opening
	if comp.clinic, err = newClinicLinks(clinic.Phone, clinic.WhatsApp); err != nil {
		return nil, fmt.Errorf("mail: data/clinic.yaml: %w", err)
	}
	if comp.reception, err = parsePair("reception.md"); err != nil {
		return nil, err
	}
	comp.ack = map[string]pair{}
	for _, lang := range []string{enquiry.LangEnglish, enquiry.LangArabic} {
		if comp.ack[lang], err = parsePair("ack." + lang + ".md"); err != nil {
			return nil, err
		}
	}
	return comp, nil
}

// Compose returns the reception email first, then the acknowledgement if
// enabled and the visitor gave an email address.
func (c *Composer) Compose(e *enquiry.Enquiry) ([]*Message, error) {
	if e == nil {
		return nil, errors.New("mail: nil enquiry")
	}
	if !enquiry.IsChoice(enquiry.FieldKind, e.Kind) {
		return nil, fmt.Errorf("mail: unknown enquiry kind %q", e.Kind)
	}
	if !ValidKey(e.ID) {
		return nil, fmt.Errorf("mail: enquiry id: %w", ErrBadKey)
	}
	lang := e.Lang
	if lang != enquiry.LangArabic {
		lang = enquiry.LangEnglish
	}
	replyTo := safeAddress(e.Email)

	m := &Message{IdempotencyKey: e.ID, To: append([]string(nil), c.cfg.To...), ReplyTo: replyTo,
		Tags: map[string]string{"kind": TagSafe(e.Kind), "lang": TagSafe(lang), TagEnquiry: e.ID, TagEmail: EmailReception}}
	if err := c.reception.render(m, c.receptionView(e, replyTo), c.cfg.From); err != nil {
		return nil, err
	}
	if !c.cfg.Ack || replyTo == "" {
		return []*Message{m}, nil
	}
	am := &Message{IdempotencyKey: e.ID + ackSuffix, To: []string{replyTo},
		Tags: map[string]string{"kind": "ack", "lang": lang, TagEnquiry: e.ID, TagEmail: EmailAck}}
	if err := c.ack[lang].render(am, c.ackView(e, lang), c.cfg.From); err != nil {
		return nil, err
	}
	return []*Message{m, am}, nil
}

// answer is one labelled line of the reception email.
type answer struct {
	Label     string
	Value     string // as typed or chosen; html/template escapes it
	TextValue string // Value laid out for the text version: " value", or indented lines
	Highlight bool
}

// view is the data the templates see. Fields a template does not use
// stay empty. Nothing here is trusted: html/template escapes it all.
type view struct {
	Lang, Dir, Brand, Subject string

	ID, Kind, KindLabel, LangLabel, Received string

	Name, Email, Phone, Contact, ContactLabel string
	TelURL, WhatsAppURL, MailtoURL            htmltemplate.URL
	Answers                                   []answer

	CallBackTime, CallBackDay       string // acknowledgement: "18:00", "Thursday 26 November"
	ClinicPhone, ClinicWhatsApp     string
	ClinicTelURL, ClinicWhatsAppURL htmltemplate.URL
	SiteURL                         htmltemplate.URL
	SiteHost                        string

	// LRI and PDI isolate a number in the Arabic text part (U+2066, U+2069),
	// so "+971 4 000 0000" does not show its groups in reverse order.
	LRI, PDI string
}

// receptionView is the reception email's data: the answers as typed or
// chosen, each labelled in English, and the links to answer the visitor.
func (c *Composer) receptionView(e *enquiry.Enquiry, replyTo string) *view {
	en := enquiry.LangEnglish
	v := &view{
		Lang:         en,
		Dir:          "ltr",
		Brand:        c.name.En + " · website enquiry",
		ID:           e.ID,
		Kind:         e.Kind,
		KindLabel:    enquiry.Label(enquiry.FieldKind, e.Kind, en),
		LangLabel:    enquiry.Label(enquiry.FieldLang, e.Lang, en),
		Received:     formatReceived(e.Received),
		Name:         enquiry.SingleLine(e.Name),
		Email:        replyTo,
		Phone:        formatPhone(e.Phone),
		Contact:      e.Contact,
		ContactLabel: enquiry.Label(enquiry.FieldContact, e.Contact, en),
		SiteURL:      htmltemplate.URL(c.siteURL),
		SiteHost:     c.siteHost,
	}
	if d := digits(e.Phone); d != "" {
		v.TelURL = htmltemplate.URL("tel:+" + d)
		v.WhatsAppURL = htmltemplate.URL("https://wa.me/" + d)
	}
	v.Subject = receptionSubject(e)
	if replyTo != "" {
		v.MailtoURL = mailtoURL(replyTo, "Re: "+v.Subject)
	}

	add := func(label, value string) {
		v.Answers = append(v.Answers, answer{Label: label, Value: value, TextValue: indent(value)})
	}
	label := func(field, value string) string { return enquiry.Label(field, value, en) }

	add("Full name", e.Name)
	add("Phone number", formatPhone(e.Phone))
	add("Email address", cmp.Or(replyTo, "(not given)"))
	add("How should we contact you", label(enquiry.FieldContact, e.Contact))
	v.Answers[len(v.Answers)-1].Highlight = true
	switch e.Kind {
	case enquiry.KindAppointment:
		add("Preferred date", formatDate(e.Date, "Mon 2 Jan 2006"))
		add("Preferred time of day", label(enquiry.FieldTime, e.TimeOfDay))
		add("Message", cmp.Or(e.Message, "(none)"))
	case enquiry.KindSuitability:
		add("Affected area", label(enquiry.FieldArea, e.Area))
		add("Condition", label(enquiry.FieldCondition, e.Condition))
		add("How long", label(enquiry.FieldDuration, e.Duration))
		add("Pain (0 to 10)", strconv.Itoa(e.Pain)+" / 10")
		tried := make([]string, 0, len(e.Tried))
		for _, t := range e.Tried {
			tried = append(tried, label(enquiry.FieldTried, t))
		}
		add("Treatments already tried", cmp.Or(strings.Join(tried, ", "), "(none)"))
		add("Taking blood thinners", label(enquiry.FieldThinners, e.Thinners))
		add("Note", cmp.Or(e.Note, "(none)"))
	}
	add("Consent", "Given")
	return v
}

// ackView holds nothing the visitor typed: only choices, the id and config.
func (c *Composer) ackView(e *enquiry.Enquiry, lang string) *view {
	v := &view{
		Lang:              lang,
		Dir:               "ltr",
		Brand:             c.name.In(lang),
		ID:                e.ID,
		Kind:              e.Kind,
		KindLabel:         enquiry.Label(enquiry.FieldKind, e.Kind, lang),
		ClinicPhone:       c.clinic.phone,
		ClinicWhatsApp:    c.clinic.whatsApp,
		ClinicTelURL:      c.clinic.tel,
		ClinicWhatsAppURL: c.clinic.wa,
		SiteURL:           htmltemplate.URL(c.siteURL),
		SiteHost:          c.siteHost,
		Subject:           c.ackSubject(lang),
	}
	v.CallBackTime, v.CallBackDay = c.callBackBy(e.Received, lang)
	if lang == enquiry.LangArabic {
		v.Dir, v.LRI, v.PDI = "rtl", "\u2066", "\u2069"
	} else {
		v.KindLabel = strings.ToLower(v.KindLabel) // "your appointment request"
	}
	return v
}

// render fills in m from v (its subject, the HTML and the text, which loses
// the blank lines left by conditional blocks), sent from from.
func (p pair) render(m *Message, v *view, from string) error {
	var hb, tb bytes.Buffer
	if err := p.html.Execute(&hb, v); err != nil {
		return fmt.Errorf("mail: render html: %w", err)
	}
	if err := p.text.Execute(&tb, v); err != nil {
		return fmt.Errorf("mail: render text: %w", err)
	}
	m.From, m.Subject, m.HTML, m.Text = from, v.Subject, hb.String(), tidyText(underline(tb.String()))
	return nil
}

// mailtoURL is a mailto: link to addr (a bare address, see safeAddress)
// with subject. Both are percent-encoded, and so is "&" in the subject
// (url.PathEscape keeps it), so a subject holding "&body=…" cannot add a
// field to the link.
func mailtoURL(addr, subject string) htmltemplate.URL {
	return htmltemplate.URL("mailto:" + url.PathEscape(addr) + "?subject=" + strings.ReplaceAll(url.PathEscape(subject), "&", "%26"))
}

// receptionSubject names the kind, the visitor and what reception acts on:
// the date asked for, or how to contact them, e.g. "Appointment request:
// Fatima Al Zahra, 12 Dec 2026 (morning)". It never carries health detail
// (area, condition, pain): subjects show on lock screens and in shared
// inboxes; those stay in the body.
func receptionSubject(e *enquiry.Enquiry) string {
	en := enquiry.LangEnglish
	name := truncate(enquiry.SingleLine(e.Name), 60)
	if name == "" {
		name = "(no name)"
	}
	var fact string
	switch e.Kind {
	case enquiry.KindAppointment:
		fact = formatDate(e.Date, "2 Jan 2006") + " (" + strings.ToLower(enquiry.Label(enquiry.FieldTime, e.TimeOfDay, en)) + ")"
	case enquiry.KindSuitability:
		fact = replyBy[e.Contact]
	}
	return SanitizeSubject(enquiry.Label(enquiry.FieldKind, e.Kind, en) + ": " + name + ", " + fact)
}

// replyBy is how a suitability subject says the way the visitor wants an answer.
var replyBy = map[string]string{"phone": "reply by phone", "whatsapp": "reply by WhatsApp", "email": "reply by email"}

// SanitizeSubject makes s safe for a Subject header: one line with no
// control or bidi characters (enquiry.SingleLine), no MIME encoded word
// (NeutraliseEncodedWords), at most 150 runes.
func SanitizeSubject(s string) string {
	return truncate(NeutraliseEncodedWords(enquiry.SingleLine(s)), maxSubjectRunes)
}

// truncate cuts s to at most n runes, marking the cut with "…".
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// CheckAddress accepts one address, optionally with a display name
// ("Clinic <a@b.ae>"), and nothing that could add a header or a recipient.
// Configuration (From, To) is checked with it.
func CheckAddress(s string) error {
	a, err := mail.ParseAddress(s)
	if err != nil || strings.ContainsAny(s, "\r\n") || strings.HasPrefix(a.Address, "@") || strings.HasSuffix(a.Address, "@") {
		return fmt.Errorf("%q is not an email address", s)
	}
	return nil
}

// safeAddress returns addr when it is a bare address that cannot add a
// header or a second recipient; else "".
func safeAddress(addr string) string {
	addr = strings.TrimSpace(addr)
	if addr == "" || len(addr) > enquiry.MaxLength[enquiry.FieldEmail] || strings.ContainsAny(addr, "\r\n<>,;\"() \t\\") || strings.Count(addr, "@") != 1 {
		return ""
	}
	for _, r := range addr {
		if unicode.IsControl(r) {
			return ""
		}
	}
	a, err := mail.ParseAddress(addr)
	if err != nil || a.Address != addr {
		return ""
	}
	return addr
}

var keyPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,200}$`)

// ValidKey reports whether s can be a Message's IdempotencyKey as is: 1 to
// 200 ASCII letters, digits, _ or -, safe as a file name, a Resend tag and
// an Idempotency-Key. Enquiry ids ("enq_…", "enq_…-ack") are.
func ValidKey(s string) bool { return keyPattern.MatchString(s) }

// ErrBadKey is what a sender answers a Message whose key is not ValidKey.
var ErrBadKey = errors.New("idempotency key must be 1 to 200 ASCII letters, digits, _ or -")

// TagSafe keeps only what Resend allows in a tag (ASCII letters, digits, _ and -).
func TagSafe(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			b[i] = '_'
		}
	}
	if len(b) == 0 {
		return "none"
	}
	if len(b) > 256 {
		b = b[:256]
	}
	return string(b)
}

// clinicLinks are the clinic's phone and WhatsApp numbers as shown, and
// their one-tap links.
type clinicLinks struct {
	phone, whatsApp string
	tel, wa         htmltemplate.URL
}

// newClinicLinks checks that each number given has 6 to 15 digits (E.164)
// and builds the links. An empty number is left out of the email.
func newClinicLinks(phone, whatsApp string) (clinicLinks, error) {
	var l clinicLinks
	for _, n := range []string{phone, whatsApp} {
		if d := len(digits(n)); n != "" && (d < 6 || d > 15) {
			return l, fmt.Errorf("%q is not a phone number (6 to 15 digits)", n)
		}
	}
	if phone != "" {
		l.phone, l.tel = formatPhone(digits(phone)), htmltemplate.URL("tel:+"+digits(phone))
	}
	if whatsApp != "" {
		l.whatsApp, l.wa = formatPhone(digits(whatsApp)), htmltemplate.URL("https://wa.me/"+digits(whatsApp))
	}
	return l, nil
}

func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r < '0' || r > '9' {
			return -1 // dropped
		}
		return r
	}, s)
}

// indent lays out a multi-line answer for the text version: continuation
// lines indented so they read as part of the answer.
func indent(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return " " + s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return "\n    " + strings.ReplaceAll(s, "\n", "\n    ")
}

// formatReceived gives e.g. "Wed 25 Nov 2026, 14:05 (Dubai time)".
func formatReceived(t time.Time) string {
	if t.IsZero() {
		return "(unknown)"
	}
	return t.In(enquiry.DubaiLocation()).Format("Mon 2 Jan 2006, 15:04") + " (Dubai time)"
}

// formatDate writes a date ("2026-12-12") with layout: "Sat 12 Dec 2026".
func formatDate(s, layout string) string {
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		return truncate(enquiry.SingleLine(s), 20)
	}
	return d.Format(layout)
}

var blankLines = regexp.MustCompile(`\n{3,}`)

// tidyText removes the blank lines left by conditional template blocks.
func tidyText(s string) string {
	return strings.TrimSpace(blankLines.ReplaceAllString(s, "\n\n")) + "\n"
}

// callBackBy says when reception will have answered an enquiry received
// at t: the closing time of the next working day after the day of t, in
// Dubai (the promise is "by the end of the next working day").
func (c *Composer) callBackBy(t time.Time, lang string) (clock, day string) {
	if t.IsZero() {
		t = time.Now()
	}
	t = t.In(enquiry.DubaiLocation())
	next := c.opening.OpenDay(time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, t.Location()))
	return c.opening.On(next.Weekday()).Closes, bluetree.Day(lang, next)
}

// ackSubject is the acknowledgement's subject in lang.
func (c *Composer) ackSubject(lang string) string {
	if lang == enquiry.LangArabic {
		return "استلمنا طلبك – " + c.name.Ar
	}
	return "We have received your enquiry – " + c.name.En
}

// Template actions are swapped for plain-word tokens while goldmark renders
// the Markdown, so goldmark neither escapes nor interprets them; they come
// back afterwards and html/template escapes the data in its context.
var action = regexp.MustCompile(`\{\{.*?\}\}`)

func parsePair(name string) (pair, error) {
	src, err := templateFS.ReadFile("templates/" + name)
	if err != nil {
		return pair{}, err
	}
	fragment, err := markdownToHTML(src)
	if err != nil {
		return pair{}, fmt.Errorf("mail: %s: %w", name, err)
	}
	layout, err := templateFS.ReadFile("templates/layout.html")
	if err != nil {
		return pair{}, err
	}
	page := strings.Replace(string(layout), "<!--CONTENT-->", fragment, 1)
	partialsHTML, _ := templateFS.ReadFile("templates/partials.html")
	partialsText, _ := templateFS.ReadFile("templates/partials.txt")

	h, err := htmltemplate.New(name).Option("missingkey=error").Parse(page)
	if err == nil {
		_, err = h.Parse(string(partialsHTML))
	}
	if err != nil {
		return pair{}, fmt.Errorf("mail: %s (html): %w", name, err)
	}
	t, err := texttemplate.New(name).Option("missingkey=error").Parse(markdownToText(src))
	if err == nil {
		_, err = t.Parse(string(partialsText))
	}
	if err != nil {
		return pair{}, fmt.Errorf("mail: %s (text): %w", name, err)
	}
	return pair{html: h, text: t}, nil
}

var md = goldmark.New(goldmark.WithRendererOptions(gmhtml.WithUnsafe()))

// Inline styles for the elements goldmark produces: many mail clients drop
// <style> blocks.
var styles = strings.NewReplacer(
	"<h1>", `<h1 style="font-size:22px;line-height:1.3;margin:16px 0 8px;color:#0b5c8a">`,
	"<h2>", `<h2 style="font-size:17px;line-height:1.3;margin:24px 0 8px;color:#0b5c8a">`,
	"<p>", `<p style="margin:0 0 12px">`,
	"<ul>", `<ul style="margin:0 0 12px;padding-inline-start:20px">`,
	"<ol>", `<ol style="margin:0 0 12px;padding-inline-start:20px">`,
	"<li>", `<li style="margin:0 0 4px">`,
)

func markdownToHTML(src []byte) (string, error) {
	var actions []string
	masked := action.ReplaceAllFunc(src, func(a []byte) []byte {
		actions = append(actions, string(a))
		return fmt.Appendf(nil, "GOTMPLACTION%04dX", len(actions)-1)
	})
	var out bytes.Buffer
	if err := md.Convert(masked, &out); err != nil {
		return "", err
	}
	html := out.String()
	// A paragraph holding only actions (an {{if}}, {{end}} or a block
	// partial) must not wrap what the actions produce.
	html = tokenParagraph.ReplaceAllString(html, "$1")
	html = styles.Replace(html)
	for i := len(actions) - 1; i >= 0; i-- {
		tok := fmt.Sprintf("GOTMPLACTION%04dX", i)
		if !strings.Contains(html, tok) {
			return "", fmt.Errorf("template action %s was lost in Markdown rendering", actions[i])
		}
		html = strings.ReplaceAll(html, tok, actions[i])
	}
	return html, nil
}

var tokenParagraph = regexp.MustCompile(`<p>((?:\s*GOTMPLACTION\d{4}X)+\s*)</p>`)
