package formpage

import (
	"bytes"
	_ "embed"
	"html/template"

	"github.com/bluetreeclinics/site/data"
	"github.com/bluetreeclinics/site/functions/internal/enquiry"
)

//go:embed fallback.html
var fallbackHTML string

var fallbackTmpl = template.Must(template.New("fallback").Parse(fallbackHTML))

// fieldOrder is the contract's field order, for the fallback page, which has
// no form to take the order from.
var fieldOrder = []string{
	enquiry.FieldName, enquiry.FieldPhone, enquiry.FieldEmail, enquiry.FieldContact,
	enquiry.FieldDate, enquiry.FieldTime, enquiry.FieldMessage,
	enquiry.FieldArea, enquiry.FieldCondition, enquiry.FieldDuration, enquiry.FieldPain,
	enquiry.FieldTried, enquiry.FieldThinners, enquiry.FieldNote,
	enquiry.FieldConsent, enquiry.FieldKind, enquiry.FieldLang,
}

var clinicName = data.ClinicDetails().Name

// summaryHeading heads the list of problems when the form page has none.
var summaryHeading = data.Text{En: "There is a problem", Ar: "هناك مشكلة"}

var fallbackWords = map[string]struct{ Title, Back, BackHint, Home string }{
	"en": {
		Title:    "Error: your enquiry was not sent",
		Back:     "Back to the form",
		BackHint: "Your browser's Back button returns to the form with what you typed.",
		Home:     clinicName.En + " home page",
	},
	"ar": {
		Title:    "خطأ: لم يتم إرسال استفسارك",
		Back:     "العودة إلى النموذج",
		BackHint: "يعيدك زر الرجوع في المتصفح إلى النموذج مع ما كتبته.",
		Home:     "الصفحة الرئيسية ل" + clinicName.Ar,
	},
}

// Fallback is a small page in lang listing errs with a way back to the form
// of kind (or to the home page when kind is not known). The handler uses it
// when the site's form page cannot be had, and for errors that are not about
// the form's fields (400, 413, 415, 403).
func Fallback(lang, kind string, errs enquiry.Errors) []byte {
	if lang != "ar" {
		lang = "en"
	}
	w := fallbackWords[lang]
	data := struct {
		Lang, Dir, Title, Heading, Back, BackHref, BackHint string
		Problems                                            []Problem
	}{
		Lang: lang, Dir: "ltr", Title: w.Title, Heading: summaryHeading.In(lang),
		Back: w.Back, BackHint: w.BackHint, Problems: Ordered(errs, fieldOrder),
	}
	if lang == "ar" {
		data.Dir = "rtl"
	}
	if data.Heading == "" {
		data.Heading = w.Title
	}
	if checkPage(lang, kind) == nil {
		data.BackHref = PagePath(lang, kind)
	} else {
		data.Back, data.BackHref = w.Home, HomePath(lang)
	}
	var b bytes.Buffer
	if err := fallbackTmpl.Execute(&b, data); err != nil {
		// Cannot happen with the embedded template and string data.
		return []byte("<!doctype html><title>Error</title><p>Error</p>")
	}
	return b.Bytes()
}
