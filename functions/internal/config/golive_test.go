package config

import (
	"net/url"
	"strings"
	"testing"

	"github.com/bluetreeclinics/site/data"
)

// In production the function refuses to start with sample clinic details,
// naming each one and where to set it; previews and computers start.
func TestLiveSiteRefusesSampleDetails(t *testing.T) {
	site, _ := url.Parse("https://www.bluetreeclinics.ae")
	// Every detail filled: no sample list, and a clinician.
	filled := data.Clinic{Fields: map[string]any{"team": []any{map[string]any{"licence": "1234"}}}}
	err := checkLiveDetails(data.Clinic{Sample: []string{"phone", "whatsapp"}, Fields: filled.Fields}, site)
	if err == nil {
		t.Fatal("sample phone and WhatsApp accepted")
	}
	for _, want := range []string{"The clinic's phone number: set it in data/clinic.yaml, phone", "WhatsApp", `"sample" list`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q does not say %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "At least one clinician") {
		t.Errorf("a clinician is listed, yet %q", err)
	}
	if err := checkLiveDetails(filled, site); err != nil {
		t.Errorf("every detail filled, yet: %v", err)
	}
	// No clinician: refused, however complete the rest.
	if err := checkLiveDetails(data.Clinic{}, site); err == nil || !strings.Contains(err.Error(), "At least one clinician (name, role and DHA licence number): set it in data/clinic.yaml, team") {
		t.Errorf("an empty clinician list: %v", err)
	}
	example, _ := url.Parse("https://www.bluetreeclinics.example")
	if err := checkLiveDetails(filled, example); err == nil || !strings.Contains(err.Error(), "SITE_URL") {
		t.Errorf("an .example SITE_URL: %v", err)
	}

	// Load: SITE_ENV=production fails exactly when the shipped clinic.yaml
	// still has sample details; unset or preview never does.
	samples := len(data.ClinicDetails().SampleFacts()) > 0
	base := map[string]string{"SITE_URL": "https://www.bluetreeclinics.ae"}
	for _, v := range []string{"", "preview", "development"} {
		base["SITE_ENV"] = v
		if _, err := Load(env(base), Serve); err != nil {
			t.Errorf("SITE_ENV=%q: %v", v, err)
		}
	}
	base["SITE_ENV"] = "production"
	_, err = Load(env(base), Serve)
	if samples && (err == nil || !strings.Contains(err.Error(), "SITE_ENV: is production, but")) {
		t.Errorf("production with sample details started: %v", err)
	}
	if !samples && err != nil {
		t.Errorf("production with every detail filled: %v", err)
	}
	base["SITE_ENV"] = "prod"
	if _, err := Load(env(base), Serve); err == nil {
		t.Error("SITE_ENV=prod accepted")
	}
}
