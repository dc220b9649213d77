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

// option returns the choice of field whose value is value.
func option(field, value string) (Option, bool) {
	for _, o := range Choices[field] {
		if o.Value == value {
			return o, true
		}
	}
	return Option{}, false
}

// Label returns the label of a choice value in lang ("en" or "ar"), or the
// value itself when it is not one of the listed choices.
func Label(field, value, lang string) string {
	if o, ok := option(field, value); ok {
		return o.In(lang)
	}
	return value
}

// IsChoice reports whether value is one of field's Choices.
func IsChoice(field, value string) bool {
	_, ok := option(field, value)
	return ok
}
