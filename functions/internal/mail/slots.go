package mail

import htmltemplate "html/template"

// slot names one visitor-dependent value of an email. The templates are
// rendered once per variant at start with a token in each slot; what stays
// the same for every enquiry of that variant is kept as text, and each slot
// becomes one small html/template action (or a plain string in the text
// version).
type slot int

const (
	slotSubject slot = iota
	slotID
	slotReceived
	slotLangLabel
	slotContactLabel
	slotPhone
	slotEmail
	slotTelURL
	slotWhatsAppURL
	slotMailtoURL
	slotA0 // answers' values, HTML: A0…A11
)

// maxAnswers is the most answer rows any kind of enquiry has.
const maxAnswers = 12

const (
	slotT0 = slotA0 + maxAnswers // answers' values laid out for text: T0…T11
	nSlots = int(slotT0) + maxAnswers
)

// slotNames are the fields of fill, in slot order (keep the three in step).
var slotNames = [nSlots]string{"Subject", "ID", "Received", "LangLabel", "ContactLabel", "Phone", "Email", "TelURL", "WhatsAppURL", "MailtoURL", "A0", "A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8", "A9", "A10", "A11", "T0", "T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9", "T10", "T11"}

// fill is the flat data of one email: strings already formatted, read by
// the flattened html/template with one field action per slot. The URLs are
// built by the composer from digits or escaped parts only.
type fill struct {
	Subject, ID, Received, LangLabel, ContactLabel, Phone, Email string
	TelURL, WhatsAppURL, MailtoURL                               htmltemplate.URL
	A0, A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11             string
	T0, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11             string
}

// ptr returns the field of slot i.
func (f *fill) ptr(i slot) *string {
	switch i {
	case 0:
		return &f.Subject
	case 1:
		return &f.ID
	case 2:
		return &f.Received
	case 3:
		return &f.LangLabel
	case 4:
		return &f.ContactLabel
	case 5:
		return &f.Phone
	case 6:
		return &f.Email
	case 7:
		return (*string)(&f.TelURL)
	case 8:
		return (*string)(&f.WhatsAppURL)
	case 9:
		return (*string)(&f.MailtoURL)
	case 10:
		return &f.A0
	case 11:
		return &f.A1
	case 12:
		return &f.A2
	case 13:
		return &f.A3
	case 14:
		return &f.A4
	case 15:
		return &f.A5
	case 16:
		return &f.A6
	case 17:
		return &f.A7
	case 18:
		return &f.A8
	case 19:
		return &f.A9
	case 20:
		return &f.A10
	case 21:
		return &f.A11
	case 22:
		return &f.T0
	case 23:
		return &f.T1
	case 24:
		return &f.T2
	case 25:
		return &f.T3
	case 26:
		return &f.T4
	case 27:
		return &f.T5
	case 28:
		return &f.T6
	case 29:
		return &f.T7
	case 30:
		return &f.T8
	case 31:
		return &f.T9
	case 32:
		return &f.T10
	case 33:
		return &f.T11
	}
	panic("mail: no such slot")
}
