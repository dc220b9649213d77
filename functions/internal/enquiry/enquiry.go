// Package enquiry turns what a visitor sent into a normalised, valid
// Enquiry: Decode reads a submission's body (a form post or the page
// script's JSON) into form values; a Parser normalises and checks them and
// gives the Enquiry its id, or gives the problems, keyed by form field, in
// the visitor's language (the theme's i18n files, error_*). Requests,
// replies and emails are the api and mail packages' business.
//
// The field names and rules are the contract in docs/enquiry-contract.md.
package enquiry

import (
	"net/url"
	"time"
)

// The two kinds of enquiry, chosen by the field "kind".
const (
	KindAppointment = "appointment"
	KindSuitability = "suitability"
)

// Languages the site and the enquiry path speak.
const (
	LangEnglish = "en"
	LangArabic  = "ar"
)

// Form field names: the contract shared with the site's forms.
const (
	FieldKind     = "kind"
	FieldLang     = "lang"
	FieldName     = "name"
	FieldEmail    = "email"
	FieldPhone    = "phone"
	FieldContact  = "contact"
	FieldConsent  = "consent"
	FieldHoneypot = "website"

	FieldDate    = "date"
	FieldTime    = "time"
	FieldMessage = "message"

	FieldArea      = "area"
	FieldCondition = "condition"
	FieldDuration  = "duration"
	FieldPain      = "pain"
	FieldTried     = "tried"
	FieldThinners  = "thinners"
	FieldNote      = "note"
)

// Enquiry is one normalised, valid enquiry. Fields that do not belong to its
// Kind are empty.
type Enquiry struct {
	ID       string    // stable for the same answers on the same Dubai day (see ID)
	Kind     string    // KindAppointment or KindSuitability
	Lang     string    // LangEnglish or LangArabic
	Received time.Time // when the handler received it

	Name    string
	Email   string // lower-cased domain; may be empty unless Contact is "email"
	Phone   string // E.164, e.g. +971501234567
	Contact string // "phone", "whatsapp" or "email"

	// Appointment
	Date      string // YYYY-MM-DD
	TimeOfDay string // "morning", "afternoon", "evening", "any"
	Message   string

	// Suitability
	Area      string
	Condition string
	Duration  string
	Pain      int
	Tried     []string
	Thinners  string // "yes", "no", "unsure"
	Note      string
}

// Errors are the problems with a submission: form field name to a message in
// the visitor's language. The key "" holds a problem with the form as a whole.
type Errors map[string]string

// IsHoneypot reports whether the honeypot field "website", hidden from people,
// was filled in: the sender is a bot.
func IsHoneypot(v url.Values) bool {
	for _, s := range v[FieldHoneypot] {
		if SingleLine(s) != "" {
			return true
		}
	}
	return false
}

// Lang is the visitor's language: the "lang" field when it is "en" or "ar",
// else fallback (the handler's reading of Accept-Language) when that is "ar",
// else English.
func Lang(v url.Values, fallback string) string {
	switch l := normaliseChoice(v.Get(FieldLang)); l {
	case LangEnglish, LangArabic:
		return l
	}
	if fallback == LangArabic {
		return LangArabic
	}
	return LangEnglish
}
