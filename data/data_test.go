package data

import "testing"

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
