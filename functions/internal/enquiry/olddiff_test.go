// The branch's parser before the validator came back (commit 94170cf), for the
// differential test; temporary.

package enquiry

import (
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bluetreeclinics/site/data"
	"github.com/bluetreeclinics/site/themes/bluetree"
)

// oldMinName is the shortest full name, in characters.
const oldMinName = 2

// oldParser turns a submission into an Enquiry: it normalises the fields,
// checks them and gives the enquiry its id. It is safe for concurrent use.
type oldParser struct {
	secret []byte
	now    func() time.Time
}

// newOldParser returns a oldParser. secret keys the HMAC of the enquiry id (see
// Enquiry.ID); now is the clock (tests inject one; nil means time.Now).
func newOldParser(secret []byte, now func() time.Time) *oldParser {
	if now == nil {
		now = time.Now
	}
	data.ClinicDetails()                  // read the opening hours now, not on the first request
	bluetree.Has(LangArabic, "error_min") // and the theme's texts
	return &oldParser{secret: slices.Clone(secret), now: now}
}

// Parse normalises and checks a submission in the visitor's language lang
// (see Lang; anything but "ar" means English). A valid one gives an Enquiry
// with ID and Received set; an invalid one gives every problem, keyed by
// form field name, in lang. Unknown fields and fields of the other kind are
// ignored. The rules are the contract in docs/enquiry-contract.md; the
// choices and length limits come from data/form_options.yaml and
// data/form_lengths.yaml, the opening hours from data/clinic.yaml.
func (p *oldParser) Parse(v url.Values, lang string) (*Enquiry, Errors) {
	if lang != LangArabic {
		lang = LangEnglish
	}
	received := p.now().In(DubaiLocation())
	phone, phoneOK := normalisePhone(SingleLine(v.Get(FieldPhone)))
	e := &Enquiry{
		Kind: normaliseChoice(v.Get(FieldKind)), Lang: lang, Received: received,
		Name: SingleLine(v.Get(FieldName)), Email: normaliseEmail(SingleLine(v.Get(FieldEmail))),
		Phone: phone, Contact: normaliseChoice(v.Get(FieldContact)),
	}
	c := oldCheck{lang: lang, errs: Errors{}, opening: data.ClinicDetails().Opening}
	c.choice(FieldKind, e.Kind)
	c.rule(FieldName, "required", e.Name != "")
	c.length(FieldName, "min", oldMinName, utf8.RuneCountInString(e.Name) >= oldMinName)
	c.maxLength(FieldName, e.Name)
	if e.Email == "" {
		c.rule(FieldEmail, "required", e.Contact != "email")
	} else {
		c.maxLength(FieldEmail, e.Email)
		rule := oldEmailRule(e.Email)
		c.rule(FieldEmail, rule, rule == "")
	}
	c.rule(FieldPhone, "required", phone != "")
	c.rule(FieldPhone, "invalid", phoneOK)
	c.choice(FieldContact, e.Contact)
	c.rule(FieldConsent, "required", normaliseChoice(v.Get(FieldConsent)) == "yes")

	switch e.Kind {
	case KindAppointment:
		e.Date, e.TimeOfDay, e.Message = asciiDigits(SingleLine(v.Get(FieldDate))), normaliseChoice(v.Get(FieldTime)), multiLine(v.Get(FieldMessage))
		day, isDate := oldParseDate(e.Date)
		today := dubaiDay(received) // one clock reading for every rule and for Received
		c.rule(FieldDate, "required", e.Date != "")
		c.rule(FieldDate, "format", isDate)
		c.rule(FieldDate, "past", !day.Before(today))
		c.rule(FieldDate, "far", !day.After(today.AddDate(1, 0, 0)))
		c.choice(FieldTime, e.TimeOfDay)
		c.maxLength(FieldMessage, e.Message)
		if c.errs[FieldDate] == "" {
			c.open(day, e.TimeOfDay)
		}
	case KindSuitability:
		e.Area, e.Condition, e.Duration = normaliseChoice(v.Get(FieldArea)), normaliseChoice(v.Get(FieldCondition)), normaliseChoice(v.Get(FieldDuration))
		e.Thinners, e.Note = normaliseChoice(v.Get(FieldThinners)), multiLine(v.Get(FieldNote))
		pain := asciiDigits(SingleLine(v.Get(FieldPain)))
		var painOK bool
		e.Pain, painOK = oldParsePain(pain)
		for _, t := range v[FieldTried] {
			if t = normaliseChoice(t); t != "" {
				e.Tried = append(e.Tried, t)
			}
		}
		c.choice(FieldArea, e.Area)
		c.choice(FieldCondition, e.Condition)
		c.choice(FieldDuration, e.Duration)
		c.rule(FieldPain, "required", pain != "")
		c.rule(FieldPain, "invalid", painOK)
		c.rule(FieldTried, "choice", !slices.ContainsFunc(e.Tried, func(t string) bool { return !IsChoice(FieldTried, t) }))
		e.Tried = oldSortedTried(e.Tried)
		c.rule(FieldTried, "twice", len(slices.Compact(slices.Clone(e.Tried))) == len(e.Tried))
		c.rule(FieldTried, "none", len(e.Tried) <= 1 || !slices.Contains(e.Tried, "none"))
		c.choice(FieldThinners, e.Thinners)
		c.maxLength(FieldNote, e.Note)
	}
	if len(c.errs) > 0 {
		return nil, c.errs
	}
	e.ID = (&Parser{secret: p.secret}).id(e)
	return e, nil
}

// oldCheck gathers the problems of one submission in the visitor's language:
// the first rule a field breaks gives its message, the theme's text
// error_FIELD_RULE, else error_RULE about the field's label (field_FIELD).
type oldCheck struct {
	lang    string
	errs    Errors
	opening data.Opening
}

// rule records the message of rule for field unless ok, or the field
// already has a problem.
func (c oldCheck) rule(field, rule string, ok bool) { c.length(field, rule, 0, ok) }

// length is rule for a rule on the length of an answer: its message says
// the limit, in characters ({{ .Limit }}).
func (c oldCheck) length(field, rule string, limit int, ok bool) {
	if _, seen := c.errs[field]; ok || seen {
		return
	}
	args := map[string]any{"Limit": bluetree.T(c.lang, "n_characters", map[string]any{"Count": limit})}
	if id := "error_" + field + "_" + rule; bluetree.Has(c.lang, id) {
		c.errs[field] = bluetree.T(c.lang, id, args)
		return
	}
	args["Field"] = bluetree.T(c.lang, "field_"+field, nil)
	c.errs[field] = bluetree.T(c.lang, "error_"+rule, args)
}

// choice: one of Choices[field].
func (c oldCheck) choice(field, value string) { c.rule(field, "choice", IsChoice(field, value)) }

// maxLength: at most MaxLength[field] characters.
func (c oldCheck) maxLength(field, s string) {
	c.length(field, "maxlen", MaxLength[field], utf8.RuneCountInString(s) <= MaxLength[field])
}

// open refuses an appointment's date, or its time of day, when the clinic is
// closed then (data/clinic.yaml "opening"), in the site's words (i18n
// form_closed_*). The date is valid; the time of day is checked only when
// it has no problem yet, so a closed day is reported together with a
// missing or wrong time (one round, not two).
func (c oldCheck) open(day time.Time, tod string) {
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
	oldIsoDate = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
	oldPainRe  = regexp.MustCompile(`^[0-9]{1,2}$`)
)

// oldParseDate reads YYYY-MM-DD as midnight in Dubai.
func oldParseDate(s string) (time.Time, bool) {
	if !oldIsoDate.MatchString(s) {
		return time.Time{}, false
	}
	d, err := time.ParseInLocation("2006-01-02", s, DubaiLocation())
	return d, err == nil
}

// oldParsePain reads a whole number from 0 to 10.
func oldParsePain(s string) (int, bool) {
	n, err := strconv.Atoi(s)
	return n, oldPainRe.MatchString(s) && err == nil && n <= 10
}

// oldTriedOrder is the order the form lists the treatments in.
var oldTriedOrder = func() map[string]int {
	m := map[string]int{}
	for i, o := range Choices[FieldTried] {
		m[o.Value] = i
	}
	return m
}()

// oldSortedTried puts treatments in the order the form lists them, so the same
// ticks give the same Enquiry and the same id whatever order they came in.
func oldSortedTried(t []string) []string {
	slices.SortStableFunc(t, func(a, b string) int { return oldTriedOrder[a] - oldTriedOrder[b] })
	return t
}

// oldEmailRule returns the first rule an address breaks, or "" for none:
// "ascii", a letter outside ASCII before the @ (a Cyrillic "а" that looks
// Latin, an accented name); "quoted", a quoted local part ("a b"@example.com);
// "format", not isMailbox.
func oldEmailRule(s string) string {
	local, _ := splitEmail(s)
	switch {
	case strings.ContainsFunc(local, func(r rune) bool { return r > 0x7e }):
		return "ascii"
	case strings.ContainsAny(local, `"\`):
		return "quoted"
	case !isMailbox(s):
		return "format"
	}
	return ""
}
