package enquiry

import (
	"fmt"
	"maps"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/go-playground/locales/ar"
	"github.com/go-playground/locales/en"
	ut "github.com/go-playground/universal-translator"
	"github.com/go-playground/validator/v10"
	artrans "github.com/go-playground/validator/v10/translations/ar"
	entrans "github.com/go-playground/validator/v10/translations/en"
)

// The forms the validator checks: one for the fields every enquiry has, one
// per kind. The "form" tag is the form field name (the contract); the
// validator shows the field's label instead (see newLangValidator).
type commonForm struct {
	Kind       string `form:"kind" validate:"required,choice=kind"`
	Name       string `form:"name" validate:"required,min=2,maxlen=name"`
	Email      string `form:"email" validate:"required_if=Contact email,omitempty,maxlen=email,email_ascii,email_unquoted,mailbox"` // email.go
	Phone      string `form:"phone" validate:"required,maxlen=phone,phone"`
	Contact    string `form:"contact" validate:"required,choice=contact"`
	Consent    string `form:"consent" validate:"required,eq=yes"`
	PhoneValid bool   `form:"-" validate:"-"` // set by normalisePhone; read by the "phone" rule
}

type appointmentForm struct {
	Date    string    `form:"date" validate:"required,isodate,notpast,withinyear"`
	Time    string    `form:"time" validate:"required,choice=time"`
	Message string    `form:"message" validate:"maxlen=message"`
	Today   time.Time `form:"-" validate:"-"` // midnight in Dubai of the day of receipt
}

type suitabilityForm struct {
	Area      string   `form:"area" validate:"required,choice=area"`
	Condition string   `form:"condition" validate:"required,choice=condition"`
	Duration  string   `form:"duration" validate:"required,choice=duration"`
	Pain      string   `form:"pain" validate:"required,pain"`
	Tried     []string `form:"tried" validate:"tried_choice,unique,tried_none"`
	Thinners  string   `form:"thinners" validate:"required,choice=thinners"`
	Note      string   `form:"note" validate:"maxlen=note"`
}

// structFields maps a Go field name of the forms above to its form field name.
var structFields = func() map[string]string {
	m := map[string]string{}
	for _, t := range []reflect.Type{
		reflect.TypeFor[commonForm](), reflect.TypeFor[appointmentForm](), reflect.TypeFor[suitabilityForm](),
	} {
		for f := range t.Fields() {
			if name := f.Tag.Get("form"); name != "-" && name != "" {
				m[f.Name] = name
			}
		}
	}
	return m
}()

// langValidator is a validator whose messages speak one language.
type langValidator struct {
	lang  string
	v     *validator.Validate
	trans ut.Translator
}

// validators are built once and only read afterwards (validator.Validate is
// safe for concurrent use); they hold no clock, so every Parser shares them.
var validators = sync.OnceValue(func() map[string]*langValidator {
	m := map[string]*langValidator{}
	for _, lang := range []string{LangEnglish, LangArabic} {
		lv, err := newLangValidator(lang)
		if err != nil {
			panic(fmt.Sprintf("enquiry: building the %s validator: %v", lang, err))
		}
		m[lang] = lv
	}
	return m
})

var (
	isoDate = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
	painRe  = regexp.MustCompile(`^[0-9]{1,2}$`)
)

func newLangValidator(lang string) (*langValidator, error) {
	v := validator.New(validator.WithRequiredStructEnabled())
	// Errors name fields as the visitor reads them; structFields maps back.
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name := f.Tag.Get("form")
		if l, ok := FieldLabels[name]; ok {
			return text(l).in(lang)
		}
		return name
	})

	rules := map[string]validator.Func{
		// maxlen=FIELD: at most MaxLength[FIELD] characters.
		"maxlen": func(fl validator.FieldLevel) bool {
			return utf8.RuneCountInString(fl.Field().String()) <= MaxLength[fl.Param()]
		},
		// choice=FIELD: one of Choices[FIELD].
		"choice": func(fl validator.FieldLevel) bool {
			return IsChoice(fl.Param(), fl.Field().String())
		},
		// phone: normalisePhone found a valid number.
		"phone": func(fl validator.FieldLevel) bool {
			return parentField(fl, "PhoneValid").Bool()
		},
		"isodate": func(fl validator.FieldLevel) bool {
			_, ok := parseDate(fl.Field().String())
			return ok
		},
		// notpast and withinyear compare with the Today of the form, so one
		// Parse uses one clock reading for every rule and for Received.
		"notpast": func(fl validator.FieldLevel) bool {
			d, ok := parseDate(fl.Field().String())
			today := parentField(fl, "Today").Interface().(time.Time)
			return ok && !d.Before(today)
		},
		"withinyear": func(fl validator.FieldLevel) bool {
			d, ok := parseDate(fl.Field().String())
			today := parentField(fl, "Today").Interface().(time.Time)
			return ok && !d.After(today.AddDate(1, 0, 0))
		},
		"pain": func(fl validator.FieldLevel) bool {
			_, ok := parsePain(fl.Field().String())
			return ok
		},
		"tried_choice": func(fl validator.FieldLevel) bool {
			for _, s := range fl.Field().Interface().([]string) {
				if !IsChoice(FieldTried, s) {
					return false
				}
			}
			return true
		},
		"tried_none": func(fl validator.FieldLevel) bool {
			t := fl.Field().Interface().([]string)
			return len(t) <= 1 || !slices.Contains(t, "none")
		},
	}
	maps.Copy(rules, emailRules)
	for tag, fn := range rules {
		if err := v.RegisterValidation(tag, fn); err != nil {
			return nil, err
		}
	}

	uni := ut.New(en.New(), en.New(), ar.New())
	trans, _ := uni.GetTranslator(lang)
	var err error
	if lang == LangArabic {
		err = artrans.RegisterDefaultTranslations(v, trans)
	} else {
		err = entrans.RegisterDefaultTranslations(v, trans)
	}
	if err != nil {
		return nil, err
	}

	// Our wording for the validator's length rules (the packages' reads
	// badly, and the Arabic one lacks the plural forms of 2 and 3–10), and a
	// fallback for our own rules, used only if fieldMessages misses one.
	generic := map[string]text{
		"min":      {"{0} must be at least {1}", "يجب ألا يقل طول {0} عن {1}"},
		"maxlen":   {"{0} must be {1} or fewer", "يجب ألا يزيد طول {0} على {1}"},
		"required": {"Enter {0}", "يُرجى تعبئة حقل {0}"},
		"choice":   {"Choose one of the options for {0}", "اختر أحد الخيارات في حقل {0}"},
	}
	for _, tag := range []string{"phone", "isodate", "notpast", "withinyear", "pain", "tried_choice", "unique", "tried_none", "eq", "email_ascii", "email_unquoted", "mailbox", "required_if"} {
		generic[tag] = text{"Check {0}", "يُرجى مراجعة حقل {0}"}
	}
	for tag, t := range generic {
		msg := t.in(lang)
		err := v.RegisterTranslation(tag, trans,
			func(ut ut.Translator) error { return ut.Add(tag, msg, true) },
			func(ut ut.Translator, fe validator.FieldError) string {
				s, err := ut.T(fe.Tag(), fe.Field(), characters(lang, limit(fe.Tag(), fe.Param())))
				if err != nil {
					return fe.Field()
				}
				return s
			})
		if err != nil {
			return nil, err
		}
	}
	return &langValidator{lang: lang, v: v, trans: trans}, nil
}

// limit is a length rule's number: maxlen's parameter names the field.
func limit(tag, param string) string {
	if tag == "maxlen" {
		return strconv.Itoa(MaxLength[param])
	}
	return param
}

// characters writes a length limit ("100") as "100 characters" in lang.
func characters(lang, param string) string {
	n, err := strconv.Atoi(param)
	if err != nil {
		return param
	}
	if lang == LangArabic {
		return arCharacters(n)
	}
	if n == 1 {
		return "1 character"
	}
	return strconv.FormatInt(int64(n), 10) + " characters"
}

// parentField returns a field of the struct holding the field being checked.
func parentField(fl validator.FieldLevel, name string) reflect.Value {
	p := fl.Parent()
	for p.Kind() == reflect.Pointer {
		p = p.Elem()
	}
	return p.FieldByName(name)
}

// parseDate reads YYYY-MM-DD as midnight in Dubai.
func parseDate(s string) (time.Time, bool) {
	if !isoDate.MatchString(s) {
		return time.Time{}, false
	}
	d, err := time.ParseInLocation("2006-01-02", s, DubaiLocation())
	return d, err == nil
}

func parsePain(s string) (int, bool) {
	if !painRe.MatchString(s) {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= 0 && n <= 10
}

// collect adds the problems of one validation to errs, one per form field
// (the validator reports at most one failed rule per field).
func (lv *langValidator) collect(errs Errors, err error) {
	verrs, ok := err.(validator.ValidationErrors)
	if !ok {
		if err != nil { // cannot happen with the forms above
			panic(fmt.Sprintf("enquiry: validator: %v", err))
		}
		return
	}
	for _, fe := range verrs {
		field := structFields[fe.StructField()]
		if field == "" {
			continue
		}
		if _, seen := errs[field]; seen {
			continue
		}
		if t, ok := fieldMessages[field+"."+fe.Tag()]; ok {
			errs[field] = strings.ReplaceAll(t.in(lv.lang), "{1}", characters(lv.lang, limit(fe.Tag(), fe.Param())))
		} else {
			errs[field] = fe.Translate(lv.trans)
		}
	}
}

// Parser turns a submission into an Enquiry: it normalises and validates
// the fields and gives the enquiry its id. It is safe for concurrent use.
type Parser struct {
	secret []byte
	now    func() time.Time
}

// NewParser returns a Parser. secret keys the HMAC of the enquiry id (see
// Enquiry.ID); now is the clock (tests inject one; nil means time.Now).
func NewParser(secret []byte, now func() time.Time) *Parser {
	if now == nil {
		now = time.Now
	}
	validators()                     // build the validators now, not on the first request
	openingHours()                   // and read the opening hours
	dayName(time.Sunday, LangArabic) // and the theme's texts
	return &Parser{secret: slices.Clone(secret), now: now}
}

// Parse normalises and validates a submission in the visitor's language
// lang (see Lang; anything but "ar" means English). A valid one gives an
// Enquiry with ID and Received set; an invalid one gives every problem,
// keyed by form field name, in lang. Unknown fields and fields of the other
// kind are ignored.
func (p *Parser) Parse(v url.Values, lang string) (*Enquiry, Errors) {
	if lang != LangArabic {
		lang = LangEnglish
	}
	lv := validators()[lang]
	received := p.now().In(DubaiLocation())

	phone, phoneOK := normalisePhone(SingleLine(v.Get(FieldPhone)))
	c := commonForm{
		Kind:       normaliseChoice(v.Get(FieldKind)),
		Name:       SingleLine(v.Get(FieldName)),
		Email:      normaliseEmail(SingleLine(v.Get(FieldEmail))),
		Phone:      phone,
		PhoneValid: phoneOK,
		Contact:    normaliseChoice(v.Get(FieldContact)),
		Consent:    normaliseChoice(v.Get(FieldConsent)),
	}
	errs := Errors{}
	lv.collect(errs, lv.v.Struct(&c))

	e := &Enquiry{
		Kind: c.Kind, Lang: lang, Received: received,
		Name: c.Name, Email: c.Email, Phone: c.Phone, Contact: c.Contact,
	}
	switch c.Kind {
	case KindAppointment:
		a := appointmentForm{
			Date:    asciiDigits(SingleLine(v.Get(FieldDate))),
			Time:    normaliseChoice(v.Get(FieldTime)),
			Message: multiLine(v.Get(FieldMessage)),
			Today:   dubaiDay(received),
		}
		lv.collect(errs, lv.v.Struct(&a))
		if errs[FieldDate] == "" {
			checkOpen(openingHours(), errs, a.Date, a.Time, lang)
		}
		e.Date, e.TimeOfDay, e.Message = a.Date, a.Time, a.Message
	case KindSuitability:
		s := suitabilityForm{
			Area:      normaliseChoice(v.Get(FieldArea)),
			Condition: normaliseChoice(v.Get(FieldCondition)),
			Duration:  normaliseChoice(v.Get(FieldDuration)),
			Pain:      asciiDigits(SingleLine(v.Get(FieldPain))),
			Thinners:  normaliseChoice(v.Get(FieldThinners)),
			Note:      multiLine(v.Get(FieldNote)),
		}
		for _, t := range v[FieldTried] {
			if t = normaliseChoice(t); t != "" {
				s.Tried = append(s.Tried, t)
			}
		}
		lv.collect(errs, lv.v.Struct(&s))
		e.Area, e.Condition, e.Duration, e.Thinners, e.Note = s.Area, s.Condition, s.Duration, s.Thinners, s.Note
		e.Pain, _ = parsePain(s.Pain)
		e.Tried = sortedTried(s.Tried)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	e.ID = p.id(e)
	return e, nil
}

// sortedTried puts treatments in the order the form lists them, so the same
// ticks give the same Enquiry and the same id whatever order they came in.
var triedOrder = func() map[string]int {
	m := map[string]int{}
	for i, o := range Choices[FieldTried] {
		m[o.Value] = i
	}
	return m
}()

func sortedTried(t []string) []string {
	if len(t) == 0 {
		return nil
	}
	t = slices.Clone(t)
	slices.SortFunc(t, func(a, b string) int { return triedOrder[a] - triedOrder[b] })
	return t
}
