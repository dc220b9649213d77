package enquiry

import (
	"math/rand/v2"
	"net/url"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Temporary differential check: the validator-based Parser against the
// branch's hand-written one (olddiff_test.go, commit 94170cf).
func TestDifferentialParse(t *testing.T) {
	n, seed := 30000, uint64(19)
	if os.Getenv("DIFF_N") != "" {
		n, _ = strconv.Atoi(os.Getenv("DIFF_N"))
		seed = uint64(n)
	}
	r := rand.New(rand.NewPCG(seed, 2026))
	pick := func(s ...string) string { return s[r.IntN(len(s))] }
	choices := func(field string, extra ...string) []string {
		var s []string
		for _, o := range Choices[field] {
			s = append(s, o.Value, o.Value, strings.ToUpper(o.Value))
		}
		return append(s, extra...)
	}
	long := func(field string, d int) string { return strings.Repeat("x", MaxLength[field]+d) }
	clocks := []time.Time{testNow, time.Date(2026, 3, 9, 20, 0, 0, 0, time.UTC), time.Date(2026, 3, 9, 19, 59, 59, 0, time.UTC),
		time.Date(2026, 11, 28, 6, 0, 0, 0, time.UTC), time.Date(2026, 12, 1, 21, 0, 0, 0, time.UTC), time.Date(2027, 2, 28, 10, 0, 0, 0, time.UTC)}
	accepted, refused, same, closedDay, closedTime := 0, 0, 0, 0, 0
	fieldMsgs := map[string]map[string]bool{}
	for i := range n {
		now := clocks[r.IntN(len(clocks))]
		today := dubaiDay(now)
		oldP, newP := newOldParser([]byte("s"), func() time.Time { return now }), NewParser([]byte("s"), func() time.Time { return now })
		day := func(d int) string { return today.AddDate(0, 0, d).Format("2006-01-02") }
		v, mutate := url.Values{}, true
		if r.IntN(3) > 0 { // a valid submission with up to three fields changed
			v, mutate = validAppointment(), r.IntN(4) > 0
			if r.IntN(2) == 0 {
				v = validSuitability()
			}
			v.Set(FieldDate, day(2+r.IntN(3)))
			delete(v, FieldLang)
		}
		changed := map[string]bool{}
		for range r.IntN(4) {
			changed[pick(FieldKind, FieldName, FieldEmail, FieldPhone, FieldContact, FieldConsent, FieldDate, FieldTime,
				FieldMessage, FieldArea, FieldCondition, FieldDuration, FieldPain, FieldTried, FieldThinners, FieldNote)] = true
		}
		set := func(field string, vals ...string) {
			if !mutate && !changed[field] {
				return
			}
			delete(v, field)
			switch r.IntN(12) {
			case 0: // missing
			case 1:
				v[field] = []string{pick(vals...), pick(vals...)}
			default:
				v[field] = []string{pick(vals...)}
			}
		}
		set(FieldKind, KindAppointment, KindAppointment, KindSuitability, KindSuitability, " Suitability ", "", "other")
		set(FieldName, "Aisha Khan", "Aisha Khan", "عمر حداد", "", "a", "ab", "é", "e\u0301", " a ", "a\x00b", long(FieldName, 0), long(FieldName, 1), "\u202e")
		set(FieldEmail, "", "", "aisha@example.com", "Aisha.Khan+x@Example.AE", "info@مثال.امارات", "\u0430nna@example.com", `"a b"@example.com`,
			`a\@b@example.com`, "a b@example.com", "a..b@example.com", "a@localhost", "a@example.123", "a@\u2488.com", "bad",
			strings.Repeat("a", 64)+"@"+strings.Repeat("b", MaxLength[FieldEmail]-69)+".com", strings.Repeat("a", 64)+"@"+strings.Repeat("b", MaxLength[FieldEmail]-68)+".com",
			strings.Repeat("é", MaxLength[FieldEmail]+1)+"@x.com", "é@x.com")
		set(FieldPhone, "050 123 4567", "+971 55 765 4321", "", "050 123", "٠٥٠١٢٣٤٥٦٧", "+1 212 555 0100", "+44 20 7946 0958", "abc", "00971501234567",
			"+971 (0)50 123 4567", "+999 1234567", strings.Repeat("5", 40))
		set(FieldContact, choices(FieldContact, "", "fax")...)
		set(FieldConsent, "yes", "yes", "YES", "", "no", "on")
		set(FieldDate, day(0), day(1), day(2), day(3), day(4), day(5), day(6), day(7), day(-1), day(365), day(366), day(367),
			"2026-12-02", "2026-12-03", "2026-12-06", "2027-03-01", "", "2026-02-30", "12/03/2026", "٢٠٢٦-٠٣-١٢", "2026-3-12", " "+day(2)+" ", "2026-13-01")
		set(FieldTime, choices(FieldTime, "", "noon")...)
		set(FieldMessage, "", "Right knee.\r\nThank you", long(FieldMessage, 0), long(FieldMessage, 1), strings.Repeat("\r\n", 50)+"x", "\u202e\x00")
		set(FieldArea, choices(FieldArea, "", "toe")...)
		set(FieldCondition, choices(FieldCondition, "", "flu")...)
		set(FieldDuration, choices(FieldDuration, "", "forever")...)
		set(FieldPain, "0", "6", "10", "11", "-1", "٥", " 6 ", "6.5", "", "007", "abc", "99")
		set(FieldThinners, choices(FieldThinners, "", "maybe")...)
		set(FieldNote, "", "Worse on stairs.", long(FieldNote, 0), long(FieldNote, 1))
		if k := r.IntN(6); k > 0 && (mutate || changed[FieldTried]) {
			delete(v, FieldTried)
			tried := choices(FieldTried, "", "magic", " PRP ")
			for range k - 1 {
				v[FieldTried] = append(v[FieldTried], pick(tried...))
			}
		}
		lang := pick(LangEnglish, LangArabic, "", "fr")
		e1, errs1 := oldP.Parse(v, lang)
		e2, errs2 := newP.Parse(v, lang)
		if !reflect.DeepEqual(e1, e2) || !reflect.DeepEqual(errs1, errs2) {
			t.Fatalf("#%d %q (%s, now %v):\nold %+v %q\nnew %+v %q", i, v, lang, now, e1, errs1, e2, errs2)
		}
		same++
		if errs1 == nil {
			accepted++
		} else {
			refused++
		}
		if strings.Contains(errs1[FieldDate], "closed") || strings.Contains(errs1[FieldDate], "مغلقة") {
			closedDay++
		}
		if strings.Contains(errs1[FieldTime], "open from") || strings.Contains(errs1[FieldTime], "تفتح") {
			closedTime++
		}
		for f, m := range errs1 {
			if fieldMsgs[f] == nil {
				fieldMsgs[f] = map[string]bool{}
			}
			fieldMsgs[f][m] = true
		}
	}
	distinct := 0
	for _, ms := range fieldMsgs {
		distinct += len(ms)
	}
	rules := map[string][]string{
		FieldKind: {"choice"}, FieldName: {"required", "min", "maxlen"},
		FieldEmail: {"required", "maxlen", "ascii", "quoted", "format"},
		FieldPhone: {"required", "invalid"}, FieldContact: {"choice"}, FieldConsent: {"required"},
		FieldDate: {"required", "format", "past", "far"}, FieldTime: {"choice"}, FieldMessage: {"maxlen"},
		FieldArea: {"choice"}, FieldCondition: {"choice"}, FieldDuration: {"choice"},
		FieldPain: {"required", "invalid"}, FieldTried: {"choice", "twice", "none"},
		FieldThinners: {"choice"}, FieldNote: {"maxlen"},
	}
	var missed []string
	nrules := 0
	for _, lang := range []string{LangEnglish, LangArabic} {
		for field, rs := range rules {
			for _, rule := range rs {
				nrules++
				c := check{lang: lang, errs: Errors{}}
				c.fail(field, rule, map[string]int{"min": 2, "maxlen": MaxLength[field]}[rule])
				if !fieldMsgs[field][c.errs[field]] {
					missed = append(missed, lang+" "+field+"."+rule)
				}
			}
		}
	}
	t.Logf("field rules (x2 languages) never seen: %d of %d %v", len(missed), nrules, missed)
	t.Logf("%d submissions, %d identical (%d accepted, %d refused; %d closed days, %d closed times); %d fields refused, %d distinct field messages",
		n, same, accepted, refused, closedDay, closedTime, len(fieldMsgs), distinct)
}

// FuzzDifferentialParse: any body, decoded, gets the same answer from both parsers.
func FuzzDifferentialParse(f *testing.F) {
	f.Add(validAppointment().Encode(), "", false)
	f.Add(validSuitability().Encode(), "ar", false)
	f.Add(with(validAppointment(), "date", "2026-03-15", "time", "x", "email", "a@b", "contact", "email").Encode(), "ar", false)
	f.Add(`{"kind":"suitability","name":"عمر","phone":"٠٥٥٧٦٥٤٣٢١","contact":"phone","consent":true,"area":"knee","condition":"unsure","duration":"1-5-years","pain":6,"tried":["prp","none","prp"],"thinners":"no"}`, "en", true)
	now := func() time.Time { return time.Date(2026, 3, 9, 20, 0, 0, 0, time.UTC) }
	oldP, newP := newOldParser([]byte("s"), now), NewParser([]byte("s"), now)
	f.Fuzz(func(t *testing.T, body, fallback string, isJSON bool) {
		v, err := Decode([]byte(body), isJSON)
		if err != nil {
			return
		}
		lang := Lang(v, fallback)
		e1, errs1 := oldP.Parse(v, lang)
		e2, errs2 := newP.Parse(v, lang)
		if !reflect.DeepEqual(e1, e2) || !reflect.DeepEqual(errs1, errs2) {
			t.Fatalf("%q (%s):\nold %+v %q\nnew %+v %q", v, lang, e1, errs1, e2, errs2)
		}
	})
}
