package enquiry

import (
	"maps"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// testNow is 10:00 on 10 March 2026 in Dubai.
var testNow = time.Date(2026, 3, 10, 6, 0, 0, 0, time.UTC)

func testParser(now time.Time) *Parser {
	return NewParser([]byte("test secret"), func() time.Time { return now })
}

// validate validates v in the language its "lang" field names.
func validate(p *Parser, v url.Values) (*Enquiry, Errors) { return p.Parse(v, Lang(v, "")) }

func validAppointment() url.Values {
	return url.Values{
		"kind":    {"appointment"},
		"lang":    {"en"},
		"name":    {"Aisha Khan"},
		"email":   {"aisha@example.com"},
		"phone":   {"050 123 4567"},
		"contact": {"whatsapp"},
		"consent": {"yes"},
		"website": {""},
		"date":    {"2026-03-12"},
		"time":    {"morning"},
		"message": {"Right knee, since the summer.\r\nThank you"},
	}
}

func validSuitability() url.Values {
	return url.Values{
		"kind":      {"suitability"},
		"lang":      {"en"},
		"name":      {"Omar Haddad"},
		"phone":     {"+971 55 765 4321"},
		"contact":   {"phone"},
		"consent":   {"yes"},
		"area":      {"knee"},
		"condition": {"osteoarthritis"},
		"duration":  {"1-5-years"},
		"pain":      {"6"},
		"tried":     {"prp", "physiotherapy"},
		"thinners":  {"no"},
		"note":      {"Worse on stairs."},
	}
}

// with returns a copy of v with the given fields set (nil deletes).
func with(v url.Values, kv ...any) url.Values {
	v = maps.Clone(v)
	for i := 0; i < len(kv); i += 2 {
		k := kv[i].(string)
		switch x := kv[i+1].(type) {
		case nil:
			delete(v, k)
		case string:
			v[k] = []string{x}
		case []string:
			v[k] = x
		}
	}
	return v
}

var idRe = regexp.MustCompile(`^enq_[a-z2-7]{26}$`)

func TestParseValidAppointment(t *testing.T) {
	e, errs := validate(testParser(testNow), validAppointment())
	if errs != nil {
		t.Fatalf("errors: %v", errs)
	}
	want := &Enquiry{
		ID: e.ID, Kind: "appointment", Lang: "en", Received: testNow.In(DubaiLocation()),
		Name: "Aisha Khan", Email: "aisha@example.com", Phone: "+971501234567", Contact: "whatsapp",
		Date: "2026-03-12", TimeOfDay: "morning", Message: "Right knee, since the summer.\nThank you",
	}
	if !reflect.DeepEqual(e, want) {
		t.Errorf("got  %+v\nwant %+v", e, want)
	}
	if !idRe.MatchString(e.ID) {
		t.Errorf("id %q does not match %v", e.ID, idRe)
	}
	if !e.Received.Equal(testNow) || e.Received.Location() != DubaiLocation() {
		t.Errorf("Received = %v", e.Received)
	}
}

func TestParseValidSuitability(t *testing.T) {
	e, errs := validate(testParser(testNow), with(validSuitability(), "date", "1999-01-01", "message", "ignored"))
	if errs != nil {
		t.Fatalf("errors: %v", errs)
	}
	want := &Enquiry{
		ID: e.ID, Kind: "suitability", Lang: "en", Received: testNow.In(DubaiLocation()),
		Name: "Omar Haddad", Phone: "+971557654321", Contact: "phone",
		Area: "knee", Condition: "osteoarthritis", Duration: "1-5-years", Pain: 6,
		Tried: []string{"physiotherapy", "prp"}, Thinners: "no", Note: "Worse on stairs.",
	}
	if !reflect.DeepEqual(e, want) {
		t.Errorf("got  %+v\nwant %+v", e, want)
	}
}

func TestParseNormalises(t *testing.T) {
	v := with(validSuitability(),
		"kind", " Suitability ",
		"name", "  Omar\u202E \t Haddad\r\nBcc: x@example.com ",
		"email", " Omar@Example.COM ",
		"contact", "EMAIL",
		"consent", "Yes",
		"phone", "٠٥٥ ٧٦٥ ٤٣٢١",
		"pain", "٧",
		"tried", []string{"", "Surgery", " prp "},
		"note", "line 1\r\n\r\n\r\n\r\n\r\nline 2\u0000",
		"unknown", "kept out",
	)
	e, errs := validate(testParser(testNow), v)
	if errs != nil {
		t.Fatalf("errors: %v", errs)
	}
	if e.Kind != "suitability" || e.Name != "Omar Haddad Bcc: x@example.com" || e.Email != "Omar@example.com" ||
		e.Contact != "email" || e.Phone != "+971557654321" || e.Pain != 7 ||
		!slices.Equal(e.Tried, []string{"prp", "surgery"}) || e.Note != "line 1\n\n\nline 2" {
		t.Errorf("got %+v", e)
	}
}

// msgs is an expected message in both languages.
type msgs struct{ en, ar string }

func TestParseRules(t *testing.T) {
	appt, suit := validAppointment(), validSuitability()
	tests := []struct {
		name string
		v    url.Values
		now  time.Time // zero: testNow
		want map[string]msgs
	}{
		{"kind missing", with(appt, "kind", nil), time.Time{}, map[string]msgs{
			"kind": {"Choose the kind of enquiry: an appointment request or a suitability check", "اختر نوع الاستفسار: طلب موعد أو استفسار عن مدى الملاءمة"}}},
		{"kind unknown: kind fields not checked", with(appt, "kind", "complaint", "date", "bad"), time.Time{}, map[string]msgs{
			"kind": {"Choose the kind of enquiry: an appointment request or a suitability check", "اختر نوع الاستفسار: طلب موعد أو استفسار عن مدى الملاءمة"}}},
		{"name missing", with(appt, "name", nil), time.Time{}, map[string]msgs{
			"name": {"Enter your full name", "أدخل اسمك الكامل"}}},
		{"name only controls", with(appt, "name", "\u202E\x00 \r\n"), time.Time{}, map[string]msgs{
			"name": {"Enter your full name", "أدخل اسمك الكامل"}}},
		{"name too short", with(appt, "name", "A"), time.Time{}, map[string]msgs{
			"name": {"Full name must be at least 2 characters", "يجب ألا يقل طول الاسم الكامل عن حرفين"}}},
		{"name too long", with(appt, "name", strings.Repeat("ع", 101)), time.Time{}, map[string]msgs{
			"name": {"Full name must be 100 characters or fewer", "يجب ألا يزيد طول الاسم الكامل على 100 حرف"}}},
		{"email required for contact by email", with(appt, "contact", "email", "email", " "), time.Time{}, map[string]msgs{
			"email": {"Enter your email address, as you chose to be contacted by email", "أدخل بريدك الإلكتروني، فقد اخترت التواصل عبر البريد الإلكتروني"}}},
		{"email invalid", with(appt, "email", "aisha at example"), time.Time{}, map[string]msgs{
			"email": {"Enter an email address in the correct format, like name@example.com", "أدخل عنوان بريد إلكتروني بصيغة صحيحة، مثل name@example.com"}}},
		{"email with header injection", with(appt, "email", "a@example.com\r\nBcc: b@example.com"), time.Time{}, map[string]msgs{
			"email": {"Enter an email address in the correct format, like name@example.com", "أدخل عنوان بريد إلكتروني بصيغة صحيحة، مثل name@example.com"}}},
		{"email too long", with(appt, "email", strings.Repeat("a", 250)+"@example.com"), time.Time{}, map[string]msgs{
			"email": {"Email address must be 254 characters or fewer", "يجب ألا يزيد طول البريد الإلكتروني على 254 حرفاً"}}},
		{"phone missing", with(appt, "phone", nil), time.Time{}, map[string]msgs{
			"phone": {"Enter your phone number, for example 050 123 4567", "أدخل رقم هاتفك، مثل \u2066050 123 4567\u2069"}}},
		{"phone invalid", with(appt, "phone", "050 123"), time.Time{}, map[string]msgs{
			"phone": {"Enter a valid phone number, for example 050 123 4567 or +971 50 123 4567", "أدخل رقم هاتف صحيحاً، مثل \u2066050 123 4567\u2069 أو \u2066+971 50 123 4567\u2069"}}},
		{"phone oversized", with(appt, "phone", strings.Repeat("5", 5000)), time.Time{}, map[string]msgs{
			"phone": {"Enter a valid phone number, for example 050 123 4567 or +971 50 123 4567", "أدخل رقم هاتف صحيحاً، مثل \u2066050 123 4567\u2069 أو \u2066+971 50 123 4567\u2069"}}},
		{"contact missing", with(appt, "contact", nil), time.Time{}, map[string]msgs{
			"contact": {"Choose how we should contact you: phone call, WhatsApp or email", "اختر طريقة التواصل المفضّلة: اتصال هاتفي أو واتساب أو البريد الإلكتروني"}}},
		{"contact unknown", with(appt, "contact", "pigeon"), time.Time{}, map[string]msgs{
			"contact": {"Choose how we should contact you: phone call, WhatsApp or email", "اختر طريقة التواصل المفضّلة: اتصال هاتفي أو واتساب أو البريد الإلكتروني"}}},
		{"consent missing", with(appt, "consent", nil), time.Time{}, map[string]msgs{
			"consent": {"Tick the box to agree that we may use your answers to reply", "ضع علامة في المربع للموافقة على استخدام إجاباتك للرد عليك"}}},
		{"consent not yes", with(appt, "consent", "no"), time.Time{}, map[string]msgs{
			"consent": {"Tick the box to agree that we may use your answers to reply", "ضع علامة في المربع للموافقة على استخدام إجاباتك للرد عليك"}}},

		{"date missing", with(appt, "date", nil), time.Time{}, map[string]msgs{
			"date": {"Enter your preferred date", "أدخل التاريخ المفضّل لديك"}}},
		{"date badly formed", with(appt, "date", "12/03/2026"), time.Time{}, map[string]msgs{
			"date": {"Enter the preferred date as a real date, in the form year-month-day", "أدخل التاريخ المفضّل تاريخاً صحيحاً بصيغة السنة-الشهر-اليوم"}}},
		{"date not a real day", with(appt, "date", "2026-02-30"), time.Time{}, map[string]msgs{
			"date": {"Enter the preferred date as a real date, in the form year-month-day", "أدخل التاريخ المفضّل تاريخاً صحيحاً بصيغة السنة-الشهر-اليوم"}}},
		{"date in the past", with(appt, "date", "2026-03-09"), time.Time{}, map[string]msgs{
			"date": {"Choose a date from today onwards", "اختر تاريخاً من اليوم فصاعداً"}}},
		{"date more than a year ahead", with(appt, "date", "2027-03-11"), time.Time{}, map[string]msgs{
			"date": {"Choose a date within the next 12 months", "اختر تاريخاً خلال الأشهر الاثني عشر القادمة"}}},
		// 20:00 UTC on 9 March is midnight in Dubai: 9 March is now yesterday.
		{"date yesterday just after Dubai midnight", with(appt, "date", "2026-03-09"), time.Date(2026, 3, 9, 20, 0, 0, 0, time.UTC), map[string]msgs{
			"date": {"Choose a date from today onwards", "اختر تاريخاً من اليوم فصاعداً"}}},
		{"date today just before Dubai midnight", with(appt, "date", "2026-03-09"), time.Date(2026, 3, 9, 19, 59, 59, 0, time.UTC), nil},
		{"date today just after Dubai midnight", with(appt, "date", "2026-03-10"), time.Date(2026, 3, 9, 20, 0, 0, 0, time.UTC), nil},
		{"date exactly a year ahead", with(appt, "date", "2027-03-10"), time.Time{}, nil},
		{"date in Arabic-Indic digits", with(appt, "date", "٢٠٢٦-٠٣-١٢"), time.Time{}, nil},
		{"time missing", with(appt, "time", nil), time.Time{}, map[string]msgs{
			"time": {"Choose a preferred time of day", "اختر الوقت المفضّل من اليوم"}}},
		{"time unknown", with(appt, "time", "midnight"), time.Time{}, map[string]msgs{
			"time": {"Choose a preferred time of day", "اختر الوقت المفضّل من اليوم"}}},
		{"message too long", with(appt, "message", strings.Repeat("a", 1001)), time.Time{}, map[string]msgs{
			"message": {"Message must be 1000 characters or fewer", "يجب ألا يزيد طول الرسالة على 1000 حرف"}}},
		{"message of 1000 characters", with(appt, "message", strings.Repeat("ب", 1000)), time.Time{}, nil},
		{"message optional", with(appt, "message", nil), time.Time{}, nil},

		{"suitability fields missing", with(suit, "area", nil, "condition", nil, "duration", nil, "pain", nil, "thinners", nil, "tried", nil, "note", nil), time.Time{}, map[string]msgs{
			"area":      {"Choose the affected area", "اختر المنطقة المصابة"},
			"condition": {"Choose the condition, or “Not sure”", "اختر الحالة، أو «لست متأكداً»"},
			"duration":  {"Choose how long you have had the problem", "اختر منذ متى تعاني من المشكلة"},
			"pain":      {"Enter how bad your pain is, as a whole number from 0 to 10", "أدخل شدة ألمك، رقماً صحيحاً من 0 إلى 10"},
			"thinners":  {"Choose whether you take blood thinners: yes, no or not sure", "اختر ما إذا كنت تتناول مميّعات الدم: نعم أو لا أو لست متأكداً"},
		}},
		{"suitability choices unknown", with(suit, "area", "head", "condition", "flu", "duration", "forever", "thinners", "maybe"), time.Time{}, map[string]msgs{
			"area":      {"Choose the affected area", "اختر المنطقة المصابة"},
			"condition": {"Choose the condition, or “Not sure”", "اختر الحالة، أو «لست متأكداً»"},
			"duration":  {"Choose how long you have had the problem", "اختر منذ متى تعاني من المشكلة"},
			"thinners":  {"Choose whether you take blood thinners: yes, no or not sure", "اختر ما إذا كنت تتناول مميّعات الدم: نعم أو لا أو لست متأكداً"},
		}},
		{"pain 11", with(suit, "pain", "11"), time.Time{}, map[string]msgs{"pain": msgPain}},
		{"pain negative", with(suit, "pain", "-1"), time.Time{}, map[string]msgs{"pain": msgPain}},
		{"pain decimal", with(suit, "pain", "6.5"), time.Time{}, map[string]msgs{"pain": msgPain}},
		{"pain word", with(suit, "pain", "six"), time.Time{}, map[string]msgs{"pain": msgPain}},
		{"pain 0", with(suit, "pain", "0"), time.Time{}, nil},
		{"pain 10 in Arabic-Indic digits", with(suit, "pain", "١٠"), time.Time{}, nil},
		{"tried unknown", with(suit, "tried", []string{"prp", "magic"}), time.Time{}, map[string]msgs{
			"tried": {"Choose treatments from the list", "اختر العلاجات من القائمة"}}},
		{"tried duplicate", with(suit, "tried", []string{"prp", "PRP"}), time.Time{}, map[string]msgs{
			"tried": {"Choose each treatment only once", "اختر كل علاج مرة واحدة فقط"}}},
		{"tried none with others", with(suit, "tried", []string{"none", "surgery"}), time.Time{}, map[string]msgs{
			"tried": {"Choose “Nothing yet” on its own, or untick it", "اختر «لم أجرّب شيئاً بعد» وحده، أو ألغِ تحديده"}}},
		{"tried none alone", with(suit, "tried", []string{"none"}), time.Time{}, nil},
		{"tried empty", with(suit, "tried", nil), time.Time{}, nil},
		{"note too long", with(suit, "note", strings.Repeat("n", 501)), time.Time{}, map[string]msgs{
			"note": {"Note must be 500 characters or fewer", "يجب ألا يزيد طول الملاحظة على 500 حرف"}}},
		{"appointment fields ignored for suitability", with(suit, "date", "yesterday", "time", "never", "message", strings.Repeat("m", 5000)), time.Time{}, nil},
		{"suitability fields ignored for appointment", with(appt, "pain", "99", "tried", []string{"x"}), time.Time{}, nil},
		{"everything missing", url.Values{}, time.Time{}, map[string]msgs{
			"kind":    {"Choose the kind of enquiry: an appointment request or a suitability check", "اختر نوع الاستفسار: طلب موعد أو استفسار عن مدى الملاءمة"},
			"name":    {"Enter your full name", "أدخل اسمك الكامل"},
			"phone":   {"Enter your phone number, for example 050 123 4567", "أدخل رقم هاتفك، مثل \u2066050 123 4567\u2069"},
			"contact": {"Choose how we should contact you: phone call, WhatsApp or email", "اختر طريقة التواصل المفضّلة: اتصال هاتفي أو واتساب أو البريد الإلكتروني"},
			"consent": {"Tick the box to agree that we may use your answers to reply", "ضع علامة في المربع للموافقة على استخدام إجاباتك للرد عليك"},
		}},
	}
	for _, tt := range tests {
		for _, lang := range []string{LangEnglish, LangArabic} {
			t.Run(tt.name+"/"+lang, func(t *testing.T) {
				now := tt.now
				if now.IsZero() {
					now = testNow
				}
				e, errs := validate(testParser(now), with(tt.v, "lang", lang))
				if tt.want == nil {
					if errs != nil {
						t.Fatalf("unexpected errors: %v", errs)
					}
					if e == nil || !idRe.MatchString(e.ID) {
						t.Fatalf("got %+v", e)
					}
					return
				}
				if e != nil {
					t.Fatalf("got an enquiry, want errors: %+v", e)
				}
				want := Errors{}
				for f, m := range tt.want {
					want[f] = m.en
					if lang == LangArabic {
						want[f] = m.ar
					}
				}
				if !maps.Equal(errs, want) {
					t.Errorf("errors:\n got %q\nwant %q", errs, want)
				}
			})
		}
	}
}

var msgPain = msgs{
	"Pain must be a whole number from 0 (no pain) to 10 (the worst pain)",
	"يجب أن تكون شدة الألم رقماً صحيحاً من 0 (لا ألم) إلى 10 (أشدّ ألم)",
}

// Every rule the parser applies has its message in both languages (the
// theme's i18n files, error_FIELD_RULE or error_RULE about field_FIELD): a
// sentence a visitor can read, with its fields filled in.
func TestMessagesComplete(t *testing.T) {
	rules := map[string][]string{
		FieldKind: {"choice"}, FieldName: {"required", "min", "maxlen"},
		FieldEmail: {"required", "maxlen", "ascii", "quoted", "format"},
		FieldPhone: {"required", "invalid"}, FieldContact: {"choice"}, FieldConsent: {"required"},
		FieldDate: {"required", "format", "past", "far"}, FieldTime: {"choice"}, FieldMessage: {"maxlen"},
		FieldArea: {"choice"}, FieldCondition: {"choice"}, FieldDuration: {"choice"},
		FieldPain: {"required", "invalid"}, FieldTried: {"choice", "twice", "none"},
		FieldThinners: {"choice"}, FieldNote: {"maxlen"},
	}
	for _, lang := range []string{LangEnglish, LangArabic} {
		for field, rs := range rules {
			for _, r := range rs {
				c := check{lang: lang, errs: Errors{}}
				c.fail(field, r, 7)
				if m := c.errs[field]; len(m) < 10 || strings.ContainsAny(m, "{}") {
					t.Errorf("%s %s.%s: %q", lang, field, r, m)
				}
			}
		}
	}
}

// Messages never quote what the visitor typed: every field gets a value with a
// marker, every combination of rules fails, and no message holds the marker.
func TestMessagesNeverEchoInput(t *testing.T) {
	const mark = "QZXJ"
	values := []string{
		mark, mark + "@", "a@" + mark, "+" + mark, "2026-" + mark, mark + "\r\nBcc: " + mark,
		strings.Repeat(mark, 300), "<script>" + mark + "</script>", "{0}" + mark + "{1}",
	}
	fields := []string{FieldKind, FieldName, FieldEmail, FieldPhone, FieldContact, FieldConsent,
		FieldDate, FieldTime, FieldMessage, FieldArea, FieldCondition, FieldDuration, FieldPain,
		FieldTried, FieldThinners, FieldNote}
	p := testParser(testNow)
	for _, base := range []url.Values{validAppointment(), validSuitability()} {
		for _, lang := range []string{LangEnglish, LangArabic} {
			for _, val := range values {
				// one field at a time, and all at once
				all := with(base, "lang", lang)
				for _, f := range fields {
					all[f] = []string{val}
					_, errs := validate(p, with(base, "lang", lang, f, val))
					checkNoEcho(t, errs, mark)
				}
				_, errs := validate(p, all)
				checkNoEcho(t, errs, mark)
			}
		}
	}
}

func checkNoEcho(t *testing.T, errs Errors, mark string) {
	t.Helper()
	for f, m := range errs {
		if strings.Contains(strings.ToUpper(m), mark) || strings.Contains(m, "Key:") || strings.Contains(m, "{") {
			t.Errorf("message for %s quotes the input or is not translated: %q", f, m)
		}
	}
}

func TestLang(t *testing.T) {
	for _, tt := range []struct{ field, fallback, want string }{
		{"ar", "", "ar"},
		{"en", "ar", "en"},
		{" AR ", "", "ar"},
		{"fr", "ar", "ar"},
		{"", "ar", "ar"},
		{"", "fr", "en"},
		{"", "", "en"},
	} {
		v := url.Values{}
		if tt.field != "" {
			v.Set("lang", tt.field)
		}
		if got := Lang(v, tt.fallback); got != tt.want {
			t.Errorf("Lang(%q, %q) = %q, want %q", tt.field, tt.fallback, got, tt.want)
		}
	}
	_, errs := testParser(testNow).Parse(with(validAppointment(), "lang", nil, "name", nil), "ar")
	if errs["name"] != "أدخل اسمك الكامل" {
		t.Errorf("got %q", errs)
	}
}

func TestIsHoneypot(t *testing.T) {
	for v, want := range map[string]bool{"": false, " \u200b\t": false, "http://spam.example": true, "x": true} {
		if got := IsHoneypot(url.Values{"website": {v}}); got != want {
			t.Errorf("IsHoneypot(%q) = %v", v, got)
		}
	}
	if IsHoneypot(url.Values{}) {
		t.Error("absent honeypot reported")
	}
	if !IsHoneypot(url.Values{"website": {"", "filled"}}) {
		t.Error("second value missed")
	}
}

func TestID(t *testing.T) {
	p := testParser(testNow)
	id := func(p *Parser, v url.Values) string {
		t.Helper()
		e, errs := validate(p, v)
		if errs != nil {
			t.Fatalf("errors: %v", errs)
		}
		if !idRe.MatchString(e.ID) || len(e.ID) > 256 {
			t.Fatalf("bad id %q", e.ID)
		}
		return e.ID
	}
	base := id(p, validSuitability())
	later := testParser(time.Date(2026, 3, 10, 19, 59, 59, 0, time.UTC)) // 23:59:59 in Dubai
	nextDay := testParser(time.Date(2026, 3, 10, 20, 0, 0, 0, time.UTC)) // midnight in Dubai

	same := map[string]url.Values{
		"same answers again":       validSuitability(),
		"other spacing and case":   with(validSuitability(), "name", " Omar   Haddad ", "area", "KNEE"),
		"tried in another order":   with(validSuitability(), "tried", []string{"physiotherapy", "prp"}),
		"phone typed another way":  with(validSuitability(), "phone", "055 765 4321"),
		"unknown field added":      with(validSuitability(), "utm_source", "ad"),
		"other kind's field added": with(validSuitability(), "date", "2026-04-01"),
	}
	for name, v := range same {
		if got := id(p, v); got != base {
			t.Errorf("%s: id %q, want %q", name, got, base)
		}
	}
	if id(later, validSuitability()) != base {
		t.Error("same Dubai day, later: id changed")
	}
	differ := map[string]string{
		"next Dubai day":  id(nextDay, validSuitability()),
		"other secret":    id(NewParser([]byte("other"), func() time.Time { return testNow }), validSuitability()),
		"other pain":      id(p, with(validSuitability(), "pain", "7")),
		"other note":      id(p, with(validSuitability(), "note", "Worse on stairs!")),
		"other language":  id(p, with(validSuitability(), "lang", "ar")),
		"other tried":     id(p, with(validSuitability(), "tried", []string{"prp"})),
		"appointment":     id(p, validAppointment()),
		"other email":     id(p, with(validSuitability(), "email", "o@example.com")),
		"fields run into": id(p, with(validSuitability(), "name", "Omar Hadda", "note", "dWorse on stairs.")),
	}
	for name, got := range differ {
		if got == base {
			t.Errorf("%s: same id", name)
		}
	}
}

func TestDubaiLocation(t *testing.T) {
	loc := DubaiLocation()
	if _, off := time.Date(2026, 7, 1, 0, 0, 0, 0, loc).Zone(); off != 4*3600 {
		t.Errorf("offset %d", off)
	}
	if DubaiLocation() != loc {
		t.Error("not loaded once")
	}
}

func TestParserConcurrent(t *testing.T) {
	p := testParser(testNow)
	want, _ := validate(p, validAppointment())
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for range 50 {
				v := validAppointment()
				if i%2 == 1 {
					v = with(v, "lang", "ar", "phone", "bad")
				}
				e, errs := validate(p, v)
				if i%2 == 0 && (errs != nil || e.ID != want.ID) {
					t.Errorf("got %v %v", e, errs)
				}
				if i%2 == 1 && !strings.HasPrefix(errs["phone"], "أدخل") {
					t.Errorf("got %v", errs)
				}
			}
		})
	}
	wg.Wait()
}
