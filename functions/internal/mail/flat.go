package mail

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/bluetreeclinics/site/functions/internal/enquiry"
)

// How an email is composed quickly without changing a byte of it:
//
// The Markdown templates are rendered by goldmark once (parsePair) into an
// html/template and a text/template, as before. NewComposer then executes
// them once per variant (reception: kind × preferred contact × email given;
// acknowledgement: language × kind) with everything that does not depend on
// the visitor filled in for real (labels, headings, the frame, the buttons'
// styles) and a unique token in each slot that does (name, phone, answers,
// links, …). The HTML result is split at the tokens and parsed again as a
// flat html/template with one field action per slot: the static HTML around
// each action is the same as in the full template, so html/template puts
// each action in the same context and escapes the visitor's value exactly
// as the full template would (text, attribute or URL). The text result is
// split the same way into static chunks and slots and joined with plain
// string concatenation (the text version has no escaping).
//
// Per enquiry, Compose only formats the slot values into a flat struct and
// executes the flat template: a few field lookups and escapers instead of
// the partials, ranges, ifs and eqs of the full templates.

// answer is one labelled line of the reception email.
type answer struct {
	Label     string
	Value     string // as typed or chosen; html/template escapes it
	TextValue string // Value laid out for the text version: " value", or indented lines
	Highlight bool
}

// view is the data the full templates see. Fields a template does not use
// stay empty. Nothing here is trusted: html/template escapes it all.
type view struct {
	Lang, Dir, Brand, Subject string

	ID, Kind, KindLabel, LangLabel, Received string

	Name, Email, Phone, Contact, ContactLabel string
	TelURL, WhatsAppURL, MailtoURL            htmltemplate.URL
	Answers                                   []answer

	ClinicPhone, ClinicWhatsApp     string
	ClinicTelURL, ClinicWhatsAppURL htmltemplate.URL
	SiteURL                         htmltemplate.URL
	SiteHost                        string
}

// flat is one variant of one email, ready for the visitor's values.
type flat struct {
	html     *htmltemplate.Template
	htmlSize int // bytes of the variant rendered with tokens: a size hint
	text     []part
	textSize int
}

// part is static text followed by an optional slot (slot < 0: none).
type part struct {
	lit  string
	slot slot
}

// Variants.
var (
	kinds    = [...]string{enquiry.KindAppointment, enquiry.KindSuitability}
	contacts = [...]string{"phone", "whatsapp", "email", ""} // "" stands for any other value
	langs    = [...]string{enquiry.LangEnglish, enquiry.LangArabic}
)

func kindIndex(k string) int {
	if k == enquiry.KindSuitability {
		return 1
	}
	return 0
}

func contactIndex(c string) int {
	for i, v := range contacts[:3] {
		if c == v {
			return i
		}
	}
	return 3
}

func langIndex(l string) int {
	if l == enquiry.LangArabic {
		return 1
	}
	return 0
}

func token(i slot) string { return fmt.Sprintf("ZQSLOT%02dQZ", int(i)) }

var tokenRE = regexp.MustCompile(`ZQSLOT(\d\d)QZ`)

// probe is a fill with every slot's token in it.
func probe() *fill {
	f := &fill{}
	for i := range slot(nSlots) {
		*f.ptr(i) = token(i)
	}
	return f
}

// answerFields lists the reception email's answer rows for kind, in order.
// The row of the preferred contact is highlighted.
func answerFields(kind string) []string {
	fs := []string{enquiry.FieldName, enquiry.FieldPhone, enquiry.FieldEmail, enquiry.FieldContact}
	switch kind {
	case enquiry.KindAppointment:
		fs = append(fs, enquiry.FieldDate, enquiry.FieldTime, enquiry.FieldMessage)
	case enquiry.KindSuitability:
		fs = append(fs, enquiry.FieldArea, enquiry.FieldCondition, enquiry.FieldDuration, enquiry.FieldPain,
			enquiry.FieldTried, enquiry.FieldThinners, enquiry.FieldNote)
	}
	return append(fs, enquiry.FieldConsent)
}

// answerRows are answerFields per kind index, computed once.
var answerRows = [2][]string{answerFields(kinds[0]), answerFields(kinds[1])}

// receptionProbe is the reception view of one variant with tokens in the slots.
func (c *Composer) receptionProbe(kind, contact string, hasEmail bool) *view {
	en := enquiry.LangEnglish
	v := &view{
		Lang:         en,
		Dir:          "ltr",
		Brand:        "Blue Tree Clinics · website enquiry",
		Subject:      token(slotSubject),
		ID:           token(slotID),
		Kind:         kind,
		KindLabel:    enquiry.Label(enquiry.FieldKind, kind, en),
		LangLabel:    token(slotLangLabel),
		Received:     token(slotReceived),
		Phone:        token(slotPhone),
		Contact:      contact,
		ContactLabel: token(slotContactLabel),
		TelURL:       htmltemplate.URL(token(slotTelURL)),
		WhatsAppURL:  htmltemplate.URL(token(slotWhatsAppURL)),
		SiteURL:      htmltemplate.URL(c.siteURL),
		SiteHost:     c.siteHost,
	}
	if hasEmail {
		v.Email = token(slotEmail)
		v.MailtoURL = htmltemplate.URL(token(slotMailtoURL))
	}
	for i, field := range answerFields(kind) {
		v.Answers = append(v.Answers, answer{
			Label:     enquiry.FieldLabels[field].En,
			Value:     token(slotA0 + slot(i)),
			TextValue: token(slotT0 + slot(i)),
			Highlight: field == enquiry.FieldContact,
		})
	}
	return v
}

// ackProbe is the acknowledgement's view: it holds nothing the visitor
// typed, only choices, the enquiry id (a slot) and configuration.
func (c *Composer) ackProbe(lang, kind string) *view {
	v := &view{
		Lang:              lang,
		Dir:               "ltr",
		Brand:             "Blue Tree Clinics",
		ID:                token(slotID),
		Kind:              kind,
		KindLabel:         strings.ToLower(enquiry.Label(enquiry.FieldKind, kind, lang)),
		ClinicPhone:       c.cfg.ClinicPhone,
		ClinicWhatsApp:    c.cfg.ClinicWhatsApp,
		ClinicTelURL:      c.clinicTel,
		ClinicWhatsAppURL: c.clinicWA,
		SiteURL:           htmltemplate.URL(c.siteURL),
		SiteHost:          c.siteHost,
		Subject:           ackSubject(lang),
	}
	if lang == enquiry.LangArabic {
		v.Dir = "rtl"
		v.Brand = "عيادات بلو تري"
		v.KindLabel = enquiry.Label(enquiry.FieldKind, kind, lang)
	}
	return v
}

// flatten renders p once with v (tokens in the slots) and splits the
// results at the tokens.
func flatten(p pair, v *view) (*flat, error) {
	var hb, tb bytes.Buffer
	if err := p.html.Execute(&hb, v); err != nil {
		return nil, fmt.Errorf("mail: render html: %w", err)
	}
	if err := p.text.Execute(&tb, v); err != nil {
		return nil, fmt.Errorf("mail: render text: %w", err)
	}
	h := hb.String()

	var src strings.Builder
	for _, pt := range split(h) {
		if strings.Contains(pt.lit, "{{") || strings.Contains(pt.lit, "}}") {
			return nil, fmt.Errorf("mail: rendered template holds template delimiters: %q", pt.lit)
		}
		src.WriteString(pt.lit)
		if pt.slot >= 0 {
			src.WriteString("{{." + slotNames[pt.slot] + "}}")
		}
	}
	t, err := htmltemplate.New(p.html.Name()).Option("missingkey=error").Parse(src.String())
	if err != nil {
		return nil, fmt.Errorf("mail: flat template: %w", err)
	}
	// The flat template must give back what the full one gave.
	var check bytes.Buffer
	if err := t.Execute(&check, probe()); err != nil {
		return nil, fmt.Errorf("mail: flat template: %w", err)
	}
	if check.String() != h {
		return nil, fmt.Errorf("mail: flat template of %s differs from the full template", p.html.Name())
	}
	f := &flat{html: t, htmlSize: len(h), text: split(tb.String())}
	// Tidy the static text now as tidyText would, so that tidyText at
	// run time finds nothing to do (it still runs: a value could matter).
	// Collapsing runs of new lines inside a chunk gives the same result
	// as collapsing them in the joined text.
	for i := range f.text {
		f.text[i].lit = blankLines.ReplaceAllString(f.text[i].lit, "\n\n")
	}
	if first := &f.text[0]; strings.TrimSpace(first.lit) != "" {
		first.lit = strings.TrimLeftFunc(first.lit, unicode.IsSpace)
	}
	if last := &f.text[len(f.text)-1]; strings.TrimSpace(last.lit) != "" {
		last.lit = strings.TrimRightFunc(last.lit, unicode.IsSpace) + "\n"
	}
	for _, pt := range f.text {
		f.textSize += len(pt.lit)
	}
	return f, nil
}

// split cuts s at the slot tokens.
func split(s string) []part {
	var out []part
	for {
		loc := tokenRE.FindStringSubmatchIndex(s)
		if loc == nil {
			return append(out, part{lit: s, slot: -1})
		}
		n, _ := strconv.Atoi(s[loc[2]:loc[3]])
		out = append(out, part{lit: s[:loc[0]], slot: slot(n)})
		s = s[loc[1]:]
	}
}

var bufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// render writes the variant with f's values: HTML through the flat
// html/template (escaped in context), text by concatenation.
func (fl *flat) render(f *fill) (html, text string, err error) {
	b := bufs.Get().(*bytes.Buffer)
	b.Reset()
	b.Grow(fl.htmlSize + 1024)
	err = fl.html.Execute(b, f)
	html = b.String()
	if b.Cap() <= 64<<10 {
		bufs.Put(b)
	}
	if err != nil {
		return "", "", fmt.Errorf("mail: render html: %w", err)
	}

	n := fl.textSize
	for _, pt := range fl.text {
		if pt.slot >= 0 {
			n += len(*f.ptr(pt.slot))
		}
	}
	var t strings.Builder
	t.Grow(n + 1)
	for _, pt := range fl.text {
		t.WriteString(pt.lit)
		if pt.slot >= 0 {
			t.WriteString(*f.ptr(pt.slot))
		}
	}
	return html, tidyText(t.String()), nil
}

// receptionFill formats the reception email's slot values.
func (c *Composer) receptionFill(e *enquiry.Enquiry, replyTo string, f *fill) {
	en := enquiry.LangEnglish
	f.Subject = receptionSubject(e)
	f.ID = e.ID
	f.Received = formatReceived(e.Received)
	f.LangLabel = enquiry.Label(enquiry.FieldLang, e.Lang, en)
	f.ContactLabel = enquiry.Label(enquiry.FieldContact, e.Contact, en)
	f.Phone = e.Phone
	f.Email = replyTo
	if d := digits(e.Phone); d != "" {
		f.TelURL = htmltemplate.URL("tel:+" + d)
		f.WhatsAppURL = htmltemplate.URL("https://wa.me/" + d)
	}
	if replyTo != "" {
		f.MailtoURL = mailtoURL(replyTo, "Re: "+f.Subject)
	}
	for i, field := range answerRows[kindIndex(e.Kind)] {
		v := answerValue(e, field, replyTo, f.ContactLabel)
		*f.ptr(slotA0 + slot(i)) = v
		*f.ptr(slotT0 + slot(i)) = indent(v)
	}
}

// mailtoURL is a mailto: link to addr (a bare address, see safeAddress)
// with subject. Both are percent-encoded, and so is "&" in the subject
// (url.PathEscape keeps it), so a subject holding "&body=…" cannot add a
// field to the link.
func mailtoURL(addr, subject string) htmltemplate.URL {
	return htmltemplate.URL("mailto:" + url.PathEscape(addr) + "?subject=" + strings.ReplaceAll(url.PathEscape(subject), "&", "%26"))
}

// answerValue is the reception email's answer for field, as typed or chosen.
func answerValue(e *enquiry.Enquiry, field, replyTo, contactLabel string) string {
	en := enquiry.LangEnglish
	label := func(field, value string) string { return enquiry.Label(field, value, en) }
	switch field {
	case enquiry.FieldName:
		return e.Name
	case enquiry.FieldPhone:
		return e.Phone
	case enquiry.FieldEmail:
		if replyTo != "" {
			return replyTo
		}
		return "(not given)"
	case enquiry.FieldContact:
		return contactLabel
	case enquiry.FieldDate:
		return formatDate(e.Date)
	case enquiry.FieldTime:
		return label(enquiry.FieldTime, e.TimeOfDay)
	case enquiry.FieldMessage:
		return orNone(e.Message)
	case enquiry.FieldArea:
		return label(enquiry.FieldArea, e.Area)
	case enquiry.FieldCondition:
		return label(enquiry.FieldCondition, e.Condition)
	case enquiry.FieldDuration:
		return label(enquiry.FieldDuration, e.Duration)
	case enquiry.FieldPain:
		return strconv.Itoa(e.Pain) + " / 10"
	case enquiry.FieldTried:
		var b strings.Builder
		for i, t := range e.Tried {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(label(enquiry.FieldTried, t))
		}
		return orNone(b.String())
	case enquiry.FieldThinners:
		return label(enquiry.FieldThinners, e.Thinners)
	case enquiry.FieldNote:
		return orNone(e.Note)
	case enquiry.FieldConsent:
		return "Given"
	}
	return ""
}
