package enquiry

import "github.com/bluetreeclinics/site/data"

// Option is one allowed value of a choice field, with its English and
// Arabic labels.
type Option = data.Option

// Choices lists, for every choice field, its allowed values in the order the
// forms show them: data/form_options.yaml, the file the site's forms are
// built from (the contract test checks they agree). The email shows the
// English label.
var Choices = data.Choices()

// MaxLength is the longest answer, in characters after normalising, of each
// typed-in field: data/form_lengths.yaml, which the forms' maxlength also
// reads. The rule maxlen=FIELD checks it.
var MaxLength = data.MaxLengths()

// FieldLabels names each field the way a visitor reads it, used in error
// messages and in the reception email (English).
var FieldLabels = map[string]struct{ En, Ar string }{
	FieldName:      {"Full name", "الاسم الكامل"},
	FieldEmail:     {"Email address", "البريد الإلكتروني"},
	FieldPhone:     {"Phone number", "رقم الهاتف"},
	FieldContact:   {"How should we contact you", "طريقة التواصل المفضلة"},
	FieldConsent:   {"Consent", "الموافقة"},
	FieldDate:      {"Preferred date", "التاريخ المفضل"},
	FieldTime:      {"Preferred time of day", "الوقت المفضل من اليوم"},
	FieldMessage:   {"Message", "الرسالة"},
	FieldArea:      {"Affected area", "المنطقة المصابة"},
	FieldCondition: {"Condition", "الحالة"},
	FieldDuration:  {"How long", "منذ متى"},
	FieldPain:      {"Pain (0 to 10)", "شدة الألم (من 0 إلى 10)"},
	FieldTried:     {"Treatments already tried", "العلاجات التي جرّبتها"},
	FieldThinners:  {"Taking blood thinners", "تناول مميّعات الدم"},
	FieldNote:      {"Note", "ملاحظة"},
}

// Label returns the label of a choice value in lang ("en" or "ar"), or the
// value itself when it is not one of the listed choices.
func Label(field, value, lang string) string {
	for _, o := range Choices[field] {
		if o.Value == value {
			return o.In(lang)
		}
	}
	return value
}

// IsChoice reports whether value is one of field's Choices.
func IsChoice(field, value string) bool {
	for _, o := range Choices[field] {
		if o.Value == value {
			return true
		}
	}
	return false
}
