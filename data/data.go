// Package data holds the facts the site and the enquiry function share: the
// clinic's details (clinic.yaml) and the enquiry forms' choices with their
// labels (form_options.yaml). Hugo reads the YAML files for the pages; this
// package embeds the same files for the function, so the two never disagree.
// (hugo.toml mounts data/ without this Go file.)
package data

import (
	_ "embed"
	"fmt"

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
type Option struct {
	Value string `yaml:"value"`
	Text  `yaml:",inline"`
}

// Clinic is data/clinic.yaml: the clinic's contact details.
type Clinic struct {
	Phone    string `yaml:"phone"`
	WhatsApp string `yaml:"whatsapp"`
	Email    string `yaml:"email"`
	MapURL   string `yaml:"mapURL"`
	Address  Text   `yaml:"address"`
}

var (
	//go:embed clinic.yaml
	clinicYAML []byte
	//go:embed form_options.yaml
	formOptionsYAML []byte
)

// ClinicDetails returns the clinic's details from clinic.yaml.
func ClinicDetails() Clinic {
	var c Clinic
	mustParse("clinic.yaml", clinicYAML, &c)
	return c
}

// Choices returns, for every choice field, its allowed values in the order the
// forms show them (form_options.yaml).
func Choices() map[string][]Option {
	var m map[string][]Option
	mustParse("form_options.yaml", formOptionsYAML, &m)
	return m
}

// mustParse panics on a malformed embedded file: it is part of the program, and
// the site's build (which reads the same file) would have failed first.
func mustParse(name string, b []byte, v any) {
	if err := yaml.Unmarshal(b, v); err != nil {
		panic(fmt.Sprintf("data/%s: %v", name, err))
	}
}
