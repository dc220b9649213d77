package formpage

import (
	"bytes"
	_ "embed"
	"html/template"

	"github.com/bluetreeclinics/site/data"
	"github.com/bluetreeclinics/site/functions/internal/enquiry"
	"github.com/bluetreeclinics/site/themes/bluetree"
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

// The fallback page's words. errorPrefix also starts the title of a form
// page returned with errors.
var (
	errorPrefix = data.Text{En: "Error: ", Ar: "خطأ: "}
	notSent     = data.Text{En: "your enquiry was not sent", Ar: "لم يتم إرسال استفسارك"}
	backToForm  = data.Text{En: "Back to the form", Ar: "العودة إلى النموذج"}
	backHint    = data.Text{En: "Your browser's Back button returns to the form with what you typed.", Ar: "يعيدك زر الرجوع في المتصفح إلى النموذج مع ما كتبته."}
	homePage    = data.Text{En: clinicName.En + " home page", Ar: "الصفحة الرئيسية ل" + clinicName.Ar}
)

// summaryHeading heads the list of problems: the forms' own heading.
func summaryHeading(lang string) string { return bluetree.T(lang, "form_error_title", nil) }

// Fallback is a small page in lang listing errs with a way back to the form
// of kind (or to the home page when kind is not known). The handler uses it
// when the site's form page cannot be had, and for errors that are not about
// the form's fields (400, 413, 415, 403).
func Fallback(lang, kind string, errs enquiry.Errors) []byte {
	if lang != "ar" {
		lang = "en"
	}
	data := struct {
		Lang, Dir, Title, Heading, Back, BackHref, BackHint string
		Problems                                            []Problem
	}{
		Lang: lang, Dir: "ltr", Title: errorPrefix.In(lang) + notSent.In(lang), Heading: summaryHeading(lang),
		Back: backToForm.In(lang), BackHref: PagePath(lang, kind), BackHint: backHint.In(lang), Problems: Ordered(errs, fieldOrder),
	}
	if lang == "ar" {
		data.Dir = "rtl"
	}
	if checkPage(lang, kind) != nil {
		data.Back, data.BackHref = homePage.In(lang), HomePath(lang)
	}
	var b bytes.Buffer
	fallbackTmpl.Execute(&b, data) // the embedded template, string data and a bytes.Buffer: it cannot fail
	return b.Bytes()
}
