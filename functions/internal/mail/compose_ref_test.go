package mail

// The reference composer: the full templates executed with the full view,
// as Compose did before the templates were flattened (flat.go). The tests
// check that the flattened variants give the same bytes for every variant
// and for hostile values.

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	"strconv"
	"strings"
	"testing"

	"github.com/bluetreeclinics/site/functions/internal/enquiry"
)

func (c *Composer) receptionView(e *enquiry.Enquiry, replyTo string) *view {
	en := enquiry.LangEnglish
	v := &view{
		Lang:         en,
		Dir:          "ltr",
		Brand:        "Blue Tree Clinics · website enquiry",
		ID:           e.ID,
		Kind:         e.Kind,
		KindLabel:    enquiry.Label(enquiry.FieldKind, e.Kind, en),
		LangLabel:    enquiry.Label(enquiry.FieldLang, e.Lang, en),
		Received:     formatReceived(e.Received),
		Name:         clean(e.Name),
		Email:        replyTo,
		Phone:        e.Phone,
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

	add := func(field, value string, highlight bool) {
		v.Answers = append(v.Answers, answer{
			Label:     enquiry.FieldLabels[field].En,
			Value:     value,
			TextValue: indent(value),
			Highlight: highlight,
		})
	}
	label := func(field, value string) string { return enquiry.Label(field, value, en) }

	add(enquiry.FieldName, e.Name, false)
	add(enquiry.FieldPhone, e.Phone, false)
	if replyTo != "" {
		add(enquiry.FieldEmail, replyTo, false)
	} else {
		add(enquiry.FieldEmail, "(not given)", false)
	}
	add(enquiry.FieldContact, label(enquiry.FieldContact, e.Contact), true)
	switch e.Kind {
	case enquiry.KindAppointment:
		add(enquiry.FieldDate, formatDate(e.Date), false)
		add(enquiry.FieldTime, label(enquiry.FieldTime, e.TimeOfDay), false)
		add(enquiry.FieldMessage, orNone(e.Message), false)
	case enquiry.KindSuitability:
		add(enquiry.FieldArea, label(enquiry.FieldArea, e.Area), false)
		add(enquiry.FieldCondition, label(enquiry.FieldCondition, e.Condition), false)
		add(enquiry.FieldDuration, label(enquiry.FieldDuration, e.Duration), false)
		add(enquiry.FieldPain, strconv.Itoa(e.Pain)+" / 10", false)
		tried := make([]string, 0, len(e.Tried))
		for _, t := range e.Tried {
			tried = append(tried, label(enquiry.FieldTried, t))
		}
		add(enquiry.FieldTried, orNone(strings.Join(tried, ", ")), false)
		add(enquiry.FieldThinners, label(enquiry.FieldThinners, e.Thinners), false)
		add(enquiry.FieldNote, orNone(e.Note), false)
	}
	add(enquiry.FieldConsent, "Given", false)
	return v
}

// ackView holds nothing the visitor typed: only choices, the id and config.
func (c *Composer) ackView(e *enquiry.Enquiry, lang string) *view {
	v := &view{
		Lang:              lang,
		Dir:               "ltr",
		Brand:             "Blue Tree Clinics",
		ID:                e.ID,
		Kind:              e.Kind,
		KindLabel:         strings.ToLower(enquiry.Label(enquiry.FieldKind, e.Kind, lang)),
		ClinicPhone:       c.cfg.ClinicPhone,
		ClinicWhatsApp:    c.cfg.ClinicWhatsApp,
		ClinicTelURL:      c.clinicTel,
		ClinicWhatsAppURL: c.clinicWA,
		SiteURL:           htmltemplate.URL(c.siteURL),
		SiteHost:          c.siteHost,
		Subject:           "We have received your enquiry – Blue Tree Clinics",
	}
	if lang == enquiry.LangArabic {
		v.Dir = "rtl"
		v.Brand = "عيادات بلو تري"
		v.KindLabel = enquiry.Label(enquiry.FieldKind, e.Kind, lang)
		v.Subject = "استلمنا طلبك – عيادات بلو تري"
	}
	return v
}

func (p pair) render(v *view) (html, text string, err error) {
	var hb, tb bytes.Buffer
	if err := p.html.Execute(&hb, v); err != nil {
		return "", "", fmt.Errorf("mail: render html: %w", err)
	}
	if err := p.text.Execute(&tb, v); err != nil {
		return "", "", fmt.Errorf("mail: render text: %w", err)
	}
	return hb.String(), tidyText(tb.String()), nil
}

// referenceCompose composes e's emails the old way.
func referenceCompose(c *Composer, e *enquiry.Enquiry) ([]*Message, error) {
	lang := e.Lang
	if lang != enquiry.LangArabic {
		lang = enquiry.LangEnglish
	}
	replyTo := safeAddress(e.Email)
	rec, err := parsePair("reception.md", enquiry.LangEnglish)
	if err != nil {
		return nil, err
	}
	v := c.receptionView(e, replyTo)
	m := &Message{Subject: v.Subject}
	if m.HTML, m.Text, err = rec.render(v); err != nil {
		return nil, err
	}
	out := []*Message{m}
	if c.cfg.Ack && replyTo != "" {
		p, err := parsePair("ack."+lang+".md", lang)
		if err != nil {
			return nil, err
		}
		a := c.ackView(e, lang)
		am := &Message{Subject: a.Subject}
		if am.HTML, am.Text, err = p.render(a); err != nil {
			return nil, err
		}
		out = append(out, am)
	}
	return out, nil
}

func BenchmarkNewComposer(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		mustComposer(b, testConfig())
	}
}
