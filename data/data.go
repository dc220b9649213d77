// Package data holds the facts the site and the enquiry function share: the
// clinic's details (clinic.yaml), the enquiry forms' choices with their
// labels (form_options.yaml) and longest answers (form_lengths.yaml), and the
// security policy and headers (csp.yaml). Hugo reads the YAML files for the pages;
// this package embeds the same files for the function, so the two never
// disagree.
// (hugo.toml mounts data/ without this Go file.)
package data

import (
	_ "embed"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// Text is a detail written in English and Arabic.
type Text struct {
	En string `yaml:"en"`
	Ar string `yaml:"ar"`
}

// In returns the text in lang ("en" or "ar"); English for any other value.
func (t Text) In(lang string) string {
	if lang == "ar" {
		return t.Ar
	}
	return t.En
}

// Option is one allowed value of a choice field, with what a person reads.
// From and Until are set for the times of day: the part of the day each means.
type Option struct {
	Value string `yaml:"value"`
	Text  `yaml:",inline"`
	From  string `yaml:"from"`
	Until string `yaml:"until"`
}

// Clinic is data/clinic.yaml: the clinic's contact details and opening hours.
type Clinic struct {
	Name     Text    `yaml:"name"`
	Phone    string  `yaml:"phone"`
	WhatsApp string  `yaml:"whatsapp"`
	Email    string  `yaml:"email"`
	MapURL   string  `yaml:"mapURL"`
	Address  Text    `yaml:"address"`
	Opening  Opening `yaml:"opening"`
	// Sample names the details that still hold sample values (see golive.yaml).
	Sample []string `yaml:"sample"`
	// Fields is the whole file, for looking up a golive.yaml field by path.
	Fields map[string]any `yaml:"-"`
}

// Fact is one detail the live site must not be published without (golive.yaml).
type Fact struct {
	Name  string `yaml:"name"`
	What  string `yaml:"what"`
	Where string `yaml:"where"`
	// Field ("address.en") still holding SampleValue marks the fact as a sample.
	Field       string `yaml:"field"`
	SampleValue string `yaml:"sampleValue"`
	// Required: the fact is missing while Field is empty (no value, an empty
	// list), whatever the sample list says: the clinician list starts empty
	// rather than holding invented people.
	Required bool `yaml:"required"`
}

var (
	//go:embed clinic.yaml
	clinicYAML []byte
	//go:embed form_options.yaml
	formOptionsYAML []byte
	//go:embed form_lengths.yaml
	formLengthsYAML []byte
	//go:embed golive.yaml
	goLiveYAML []byte
	//go:embed csp.yaml
	cspYAML []byte
)

// PagePolicy returns the directives of the public pages' Content-Security-
// Policy (csp.yaml), before the hashes of a page's inline script and style.
func PagePolicy() []string {
	var p struct{ Policy []string }
	mustParse("csp.yaml", cspYAML, &p)
	return p.Policy
}

// SecurityHeaders returns the security headers besides the CSP that every
// page and every reply of the function carries (csp.yaml), as name, value.
func SecurityHeaders() [][2]string {
	var p struct{ Headers []string }
	mustParse("csp.yaml", cspYAML, &p)
	out := make([][2]string, 0, len(p.Headers))
	for _, h := range p.Headers {
		name, value, _ := strings.Cut(h, ": ")
		out = append(out, [2]string{name, value})
	}
	return out
}

// GoLiveFacts returns the details the live site must not be published without.
func GoLiveFacts() []Fact {
	var f []Fact
	mustParse("golive.yaml", goLiveYAML, &f)
	return f
}

// SampleFacts returns the facts of GoLiveFacts that clinic.yaml still marks as
// holding sample values, whose field still holds the shipped sample, or that
// are required and empty, in golive.yaml's order, plus any name it marks that
// golive.yaml does not know (a typo must not hide a sample value).
func (c Clinic) SampleFacts() []Fact {
	var out []Fact
	known := map[string]bool{}
	for _, f := range GoLiveFacts() {
		known[f.Name] = true
		// fmt.Sprint writes a number as Hugo's string function does (0 → "0").
		unchanged := f.Field != "" && f.SampleValue != "" && fmt.Sprint(c.value(f.Field)) == f.SampleValue
		missing := f.Required && empty(c.value(f.Field))
		if slices.Contains(c.Sample, f.Name) || unchanged || missing {
			out = append(out, f)
		}
	}
	for _, n := range c.Sample {
		if !known[n] {
			out = append(out, Fact{Name: n, What: n, Where: "data/clinic.yaml"})
		}
	}
	return out
}

// ClinicDetails returns the clinic's details from clinic.yaml, read once;
// callers must not change them.
var ClinicDetails = sync.OnceValue(func() Clinic {
	var c Clinic
	mustParse("clinic.yaml", clinicYAML, &c)
	mustParse("clinic.yaml", clinicYAML, &c.Fields)
	return c
})

// value returns the value at a dotted path ("address.en") of c.Fields, or nil.
func (c Clinic) value(path string) any {
	var v any = c.Fields
	for _, k := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// empty reports a value that is missing, an empty string, list or map.
func empty(v any) bool {
	r := reflect.ValueOf(v)
	return !r.IsValid() || (r.Kind() == reflect.String || r.Kind() == reflect.Slice || r.Kind() == reflect.Map) && r.Len() == 0
}

// Choices returns, for every choice field, its allowed values in the order the
// forms show them (form_options.yaml).
func Choices() map[string][]Option {
	var m map[string][]Option
	mustParse("form_options.yaml", formOptionsYAML, &m)
	return m
}

// MaxLengths returns the longest answer, in characters, of each typed-in
// field (form_lengths.yaml).
func MaxLengths() map[string]int {
	var m map[string]int
	mustParse("form_lengths.yaml", formLengthsYAML, &m)
	return m
}

// mustParse panics on a malformed embedded file: it is part of the program, and
// the site's build (which reads the same file) would have failed first.
func mustParse(name string, b []byte, v any) {
	if err := yaml.Unmarshal(b, v); err != nil {
		panic(fmt.Sprintf("data/%s: %v", name, err))
	}
}
