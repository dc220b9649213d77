package enquiry

import (
	"cmp"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/bluetreeclinics/site/data"
	"github.com/bluetreeclinics/site/themes/bluetree"
	"github.com/go-playground/validator/v10"
)

// form is a submission as the validator checks it: each field's rules are
// its tag validate (the first that fails gives the message), its form field
// name the tag form. A choice needs no "required": "" is no choice. Parse
// fills in the part of the enquiry's kind; the other stays nil, unchecked.
type form struct {
	Kind        string `form:"kind" validate:"choice=kind"`
	Name        string `form:"name" validate:"required,min=2,maxlen=name"`
	Email       string `form:"email" validate:"required_if=Contact email,omitempty,maxlen=email,email_ascii,email_unquoted,mailbox"`
	Phone       string `form:"phone" validate:"required,phone"`
	Contact     string `form:"contact" validate:"choice=contact"`
	Consent     string `form:"consent" validate:"eq=yes"`
	Appointment *appointment
	Suitability *suitability
	phoneOK     bool // normalisePhone's verdict, for the rule phone
}

type appointment struct {
	Date    string    `form:"date" validate:"required,isodate,notpast,withinyear"`
	Time    string    `form:"time" validate:"choice=time"`
	Message string    `form:"message" validate:"maxlen=message"`
	today   time.Time // midnight in Dubai of the day of receipt: one clock reading for every rule and Received
}

type suitability struct {
	Area      string   `form:"area" validate:"choice=area"`
	Condition string   `form:"condition" validate:"choice=condition"`
	Duration  string   `form:"duration" validate:"choice=duration"`
	Pain      string   `form:"pain" validate:"required,pain"`
	Tried     []string `form:"tried" validate:"tried_choice,unique,tried_none"`
	Thinners  string   `form:"thinners" validate:"choice=thinners"`
	Note      string   `form:"note" validate:"maxlen=note"`
}

// tagRules names the rule of a validator tag in the theme's texts
// (error_FIELD_RULE, error_RULE) where the two differ.
var tagRules = map[string]string{"eq": "required", "required_if": "required", "phone": "invalid", "pain": "invalid",
	"isodate": "format", "notpast": "past", "withinyear": "far", "tried_choice": "choice", "unique": "twice",
	"tried_none": "none", "email_ascii": "ascii", "email_unquoted": "quoted", "mailbox": "format"}

// validation checks forms; built once, it is safe for concurrent use.
var validation = func() *validator.Validate {
	v := validator.New()
	v.RegisterTagNameFunc(func(f reflect.StructField) string { return f.Tag.Get("form") })
	str := func(ok func(string) bool) validator.Func {
		return func(fl validator.FieldLevel) bool { return ok(fl.Field().String()) }
	}
	for tag, fn := range map[string]validator.Func{
		// choice=FIELD: one of Choices[FIELD]; maxlen=FIELD: at most MaxLength[FIELD] characters.
		"choice": func(fl validator.FieldLevel) bool { return IsChoice(fl.Param(), fl.Field().String()) },
		"maxlen": func(fl validator.FieldLevel) bool {
			return utf8.RuneCountInString(fl.Field().String()) <= MaxLength[fl.Param()]
		},
		"phone":   func(fl validator.FieldLevel) bool { return parent[form](fl).phoneOK },
		"isodate": str(func(s string) bool { _, ok := parseDate(s); return ok }),
		"notpast": func(fl validator.FieldLevel) bool {
			d, ok := parseDate(fl.Field().String())
			return ok && !d.Before(parent[appointment](fl).today)
		},
		"withinyear": func(fl validator.FieldLevel) bool {
			d, ok := parseDate(fl.Field().String())
			return ok && !d.After(parent[appointment](fl).today.AddDate(1, 0, 0))
		},
		"pain": str(func(s string) bool { _, ok := parsePain(s); return ok }),
		"tried_choice": func(fl validator.FieldLevel) bool {
			return !slices.ContainsFunc(parent[suitability](fl).Tried, func(t string) bool { return !IsChoice(FieldTried, t) })
		},
		"tried_none": func(fl validator.FieldLevel) bool {
			t := parent[suitability](fl).Tried
			return len(t) <= 1 || !slices.Contains(t, "none")
		},
		"email_ascii": str(emailASCII), "email_unquoted": str(emailUnquoted), "mailbox": str(isMailbox),
	} {
		if err := v.RegisterValidation(tag, fn); err != nil {
			panic(err)
		}
	}
	return v
}()

// parent returns the form, or the part of one, holding the field a rule checks.
func parent[T any](fl validator.FieldLevel) *T { return fl.Parent().Addr().Interface().(*T) }

// Parser turns a submission into an Enquiry: it normalises the fields,
// checks them and gives the enquiry its id. It is safe for concurrent use.
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
	data.ClinicDetails()                  // read the opening hours now, not on the first request
	bluetree.Has(LangArabic, "error_min") // and the theme's texts
	return &Parser{secret: slices.Clone(secret), now: now}
}

// Parse normalises and checks a submission in the visitor's language lang
// (see Lang; anything but "ar" means English). A valid one gives an Enquiry
// with ID and Received set; an invalid one gives every problem, keyed by
// form field name, in lang. Unknown fields and fields of the other kind are
// ignored. The rules are the contract in docs/enquiry-contract.md; the
// choices and length limits come from data/form_options.yaml and
// data/form_lengths.yaml, the opening hours from data/clinic.yaml.
func (p *Parser) Parse(v url.Values, lang string) (*Enquiry, Errors) {
	if lang != LangArabic {
		lang = LangEnglish
	}
	received := p.now().In(DubaiLocation())
	phone, phoneOK := normalisePhone(SingleLine(v.Get(FieldPhone)))
	f := form{
		Kind: normaliseChoice(v.Get(FieldKind)), Name: SingleLine(v.Get(FieldName)), Email: normaliseEmail(SingleLine(v.Get(FieldEmail))),
		Phone: phone, Contact: normaliseChoice(v.Get(FieldContact)), Consent: normaliseChoice(v.Get(FieldConsent)), phoneOK: phoneOK,
	}
	switch f.Kind {
	case KindAppointment:
		f.Appointment = &appointment{Date: asciiDigits(SingleLine(v.Get(FieldDate))), Time: normaliseChoice(v.Get(FieldTime)),
			Message: multiLine(v.Get(FieldMessage)), today: dubaiDay(received)}
	case KindSuitability:
		s := &suitability{Area: normaliseChoice(v.Get(FieldArea)), Condition: normaliseChoice(v.Get(FieldCondition)),
			Duration: normaliseChoice(v.Get(FieldDuration)), Pain: asciiDigits(SingleLine(v.Get(FieldPain))),
			Thinners: normaliseChoice(v.Get(FieldThinners)), Note: multiLine(v.Get(FieldNote))}
		for _, t := range v[FieldTried] {
			if t = normaliseChoice(t); t != "" {
				s.Tried = append(s.Tried, t)
			}
		}
		f.Suitability = s
	}
	c := check{lang: lang, errs: Errors{}, opening: data.ClinicDetails().Opening}
	problems, _ := validation.Struct(&f).(validator.ValidationErrors)
	for _, fe := range problems { // the validator stops at a field's first failed rule
		limit, _ := strconv.Atoi(fe.Param()) // min=N
		if fe.Tag() == "maxlen" {
			limit = MaxLength[fe.Param()]
		}
		c.fail(fe.Field(), cmp.Or(tagRules[fe.Tag()], fe.Tag()), limit)
	}
	if a := f.Appointment; a != nil && c.errs[FieldDate] == "" {
		day, _ := parseDate(a.Date)
		c.open(day, a.Time)
	}
	if len(c.errs) > 0 {
		return nil, c.errs
	}
	e := &Enquiry{Kind: f.Kind, Lang: lang, Received: received, Name: f.Name, Email: f.Email, Phone: f.Phone, Contact: f.Contact}
	if a := f.Appointment; a != nil {
		e.Date, e.TimeOfDay, e.Message = a.Date, a.Time, a.Message
	}
	if s := f.Suitability; s != nil {
		e.Area, e.Condition, e.Duration, e.Thinners, e.Note = s.Area, s.Condition, s.Duration, s.Thinners, s.Note
		e.Pain, _ = parsePain(s.Pain)
		e.Tried = sortedTried(s.Tried)
	}
	e.ID = p.id(e)
	return e, nil
}

// check gathers the problems of one submission in the visitor's language.
type check struct {
	lang    string
	errs    Errors
	opening data.Opening
}

// fail records the message of the rule field breaks: the theme's text
// error_FIELD_RULE, else error_RULE about the field's label (field_FIELD);
// limit is a length rule's number of characters ({{ .Limit }}).
func (c check) fail(field, rule string, limit int) {
	args := map[string]any{"Limit": bluetree.T(c.lang, "n_characters", map[string]any{"Count": limit})}
	if id := "error_" + field + "_" + rule; bluetree.Has(c.lang, id) {
		c.errs[field] = bluetree.T(c.lang, id, args)
		return
	}
	args["Field"] = bluetree.T(c.lang, "field_"+field, nil)
	c.errs[field] = bluetree.T(c.lang, "error_"+rule, args)
}

// open refuses an appointment's date, or its time of day, when the clinic is
// closed then (data/clinic.yaml "opening"), in the site's words (i18n
// form_closed_*). The date is valid; the time of day is checked only when
// it has no problem yet, so a closed day is reported together with a
// missing or wrong time (one round, not two).
func (c check) open(day time.Time, tod string) {
	hol, closed := c.opening.ClosedOn(day)
	hours := c.opening.On(day.Weekday())
	t, _ := option(FieldTime, tod)
	switch {
	case hol != nil:
		c.errs[FieldDate] = bluetree.T(c.lang, "form_closed_holiday", map[string]any{
			"Date": bluetree.Day(c.lang, day) + " " + strconv.Itoa(day.Year()), "Name": hol.In(c.lang)})
	case closed:
		c.errs[FieldDate] = bluetree.T(c.lang, "form_closed_day", map[string]any{"Day": bluetree.Weekday(c.lang, day.Weekday())})
	case c.errs[FieldTime] == "" && !hours.OpenAt(t):
		c.errs[FieldTime] = bluetree.T(c.lang, "form_closed_time", map[string]any{
			"Day": bluetree.Weekday(c.lang, day.Weekday()), "Opens": hours.Opens, "Closes": hours.Closes})
	}
}

var (
	isoDate = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
	painRe  = regexp.MustCompile(`^[0-9]{1,2}$`)
)

// parseDate reads YYYY-MM-DD as midnight in Dubai.
func parseDate(s string) (time.Time, bool) {
	if !isoDate.MatchString(s) {
		return time.Time{}, false
	}
	d, err := time.ParseInLocation("2006-01-02", s, DubaiLocation())
	return d, err == nil
}

// parsePain reads a whole number from 0 to 10.
func parsePain(s string) (int, bool) {
	n, err := strconv.Atoi(s)
	return n, painRe.MatchString(s) && err == nil && n <= 10
}

// triedOrder is the order the form lists the treatments in.
var triedOrder = func() map[string]int {
	m := map[string]int{}
	for i, o := range Choices[FieldTried] {
		m[o.Value] = i
	}
	return m
}()

// sortedTried puts treatments in the order the form lists them, so the same
// ticks give the same Enquiry and the same id whatever order they came in.
func sortedTried(t []string) []string {
	slices.SortStableFunc(t, func(a, b string) int { return triedOrder[a] - triedOrder[b] })
	return t
}
