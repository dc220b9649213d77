package data

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"testing"
	"time"
)

func TestSecurityHeaders(t *testing.T) {
	h := SecurityHeaders()
	if len(h) < 5 {
		t.Fatalf("csp.yaml: headers %q", h)
	}
	for _, kv := range h {
		if !regexp.MustCompile(`^[A-Z][A-Za-z-]+$`).MatchString(kv[0]) || kv[1] == "" {
			t.Errorf("csp.yaml: header %q is not \"Name: value\"", kv)
		}
	}
}

// The clinic's name in clinic.yaml is the site's title in hugo.toml.
func TestNameIsSiteTitle(t *testing.T) {
	toml, err := os.ReadFile("../hugo.toml")
	if err != nil {
		t.Fatal(err)
	}
	name := ClinicDetails().Name
	for lang, want := range map[string]string{"en": name.En, "ar": name.Ar} {
		m := regexp.MustCompile(`(?ms)^\[languages\.` + lang + `\]$.*?^\s*title = "([^"]*)"`).FindSubmatch(toml)
		if m == nil || string(m[1]) != want || want == "" {
			t.Errorf("hugo.toml [languages.%s] title %q, clinic.yaml name %q: they must be the same", lang, m, want)
		}
	}
}

// The contract doc states each length limit of form_lengths.yaml in its
// field's row, as "N characters".
func TestContractDocStatesLengths(t *testing.T) {
	doc, err := os.ReadFile("../docs/enquiry-contract.md")
	if err != nil {
		t.Fatal(err)
	}
	lengths := MaxLengths()
	if len(lengths) == 0 {
		t.Fatal("form_lengths.yaml: no limits")
	}
	for field, n := range lengths {
		row := regexp.MustCompile("(?m)^\\| `" + field + "` \\|.*$").Find(doc)
		if row == nil {
			t.Errorf("docs/enquiry-contract.md: no row for %s", field)
			continue
		}
		if !regexp.MustCompile(fmt.Sprintf(`[^0-9]%d characters`, n)).Match(row) {
			t.Errorf("docs/enquiry-contract.md: the %s row does not say %d characters (form_lengths.yaml): %s", field, n, row)
		}
	}
}

func TestFilesParse(t *testing.T) {
	c := ClinicDetails()
	if c.Phone == "" || c.WhatsApp == "" || c.Address.En == "" || c.Address.Ar == "" {
		t.Errorf("clinic.yaml: missing details: %+v", c)
	}
	choices := Choices()
	for _, field := range []string{"kind", "lang", "contact", "time", "area", "condition", "duration", "tried", "thinners"} {
		opts := choices[field]
		if len(opts) == 0 {
			t.Errorf("form_options.yaml: no choices for %q", field)
		}
		seen := map[string]bool{}
		for _, o := range opts {
			if o.Value == "" || o.En == "" || o.Ar == "" {
				t.Errorf("form_options.yaml: %s: incomplete choice %+v", field, o)
			}
			if seen[o.Value] {
				t.Errorf("form_options.yaml: %s: %q twice", field, o.Value)
			}
			seen[o.Value] = true
		}
	}
}

func TestOpeningHours(t *testing.T) {
	o := ClinicDetails().Opening
	if !slices.ContainsFunc([]time.Weekday{0, 1, 2, 3, 4, 5, 6}, func(d time.Weekday) bool { return o.On(d).Open() }) {
		t.Error("clinic.yaml: opening: the clinic is never open")
	}
	// Monday to Saturday 09:00–18:00, Sunday closed, 2 December a holiday.
	o = Opening{Holidays: []Holiday{{Date: "2026-12-02"}}, Days: []OpeningDay{{Day: "sunday", Closed: true}}}
	for _, d := range []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday"} {
		o.Days = append(o.Days, OpeningDay{Day: d, Opens: "09:00", Closes: "18:00"})
	}
	var open []string
	for _, tod := range Choices()["time"] {
		if o.On(time.Saturday).OpenAt(tod) {
			open = append(open, tod.Value)
		}
	}
	if fmt.Sprint(open) != "[morning afternoon any]" {
		t.Errorf("open 09:00 to 18:00: times of day %q", open)
	}
	for from, want := range map[string]string{
		"2026-11-28": "2026-11-28", // Saturday
		"2026-11-29": "2026-11-30", // Sunday is closed
		"2026-12-01": "2026-12-01",
		"2026-12-02": "2026-12-03", // the holiday
	} {
		day, _ := time.Parse("2006-01-02", from)
		if got := o.OpenDay(day).Format("2006-01-02"); got != want {
			t.Errorf("OpenDay(%s) = %s, want %s", from, got, want)
		}
	}
	if hol, closed := o.ClosedOn(time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)); !closed || hol == nil {
		t.Error("the holiday is not closed")
	}
}

func TestSampleFacts(t *testing.T) {
	names := map[string]bool{}
	for _, f := range GoLiveFacts() {
		if f.Name == "" || f.What == "" || f.Where == "" || names[f.Name] {
			t.Errorf("golive.yaml: incomplete or repeated fact %+v", f)
		}
		names[f.Name] = true
	}
	withTeam := func() Clinic {
		return Clinic{Fields: map[string]any{"team": []any{map[string]any{"licence": "1234"}}}}
	}
	c := withTeam()
	c.Sample = []string{"phone", "typo"}
	got := c.SampleFacts()
	if len(got) != 2 || got[0].Name != "phone" || got[1].Name != "typo" {
		t.Errorf("SampleFacts: %+v", got)
	}
	// The clinician list is required: empty (as shipped) or absent, it is
	// named whatever the sample list says; one clinician is enough.
	for _, c := range []Clinic{{}, {Fields: map[string]any{"team": []any{}}}} {
		if got := c.SampleFacts(); len(got) != 1 || got[0].Name != "team" {
			t.Errorf("no clinician, yet %+v", got)
		}
	}
	if got := withTeam().SampleFacts(); len(got) != 0 {
		t.Errorf("no sample list and a clinician, yet %+v", got)
	}
	if got := ClinicDetails().SampleFacts(); !slices.ContainsFunc(got, func(f Fact) bool { return f.Name == "team" }) {
		t.Errorf("clinic.yaml ships with team: [], yet the facts missing are %+v", got)
	}
	// A field still holding its shipped sample counts, whatever the list says.
	shipped := withTeam()
	shipped.Fields["phone"] = "+971 4 000 0000"
	shipped.Fields["address"] = map[string]any{"en": "Building name, Street, Area, Dubai, United Arab Emirates"}
	if got := shipped.SampleFacts(); len(got) != 2 || got[0].Name != "phone" || got[1].Name != "address" {
		t.Errorf("sample values left in, but not in the list: %+v", got)
	}
}
