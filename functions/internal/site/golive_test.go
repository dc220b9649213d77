package site

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bluetreeclinics/site/data"
	yaml "go.yaml.in/yaml/v3"
	"golang.org/x/net/html"
)

// liveCopy copies the site into a temporary folder with clinic.yaml's
// "sample" list replaced by sample and hugo.toml's baseURL by base; fill
// replaces the sample values golive.yaml knows with the fixture's own and
// adds a clinician to the empty team.
func liveCopy(t *testing.T, sample, base string, fill bool) string {
	t.Helper()
	dir := t.TempDir()
	for _, p := range []string{"hugo.toml", "content", "data", "static", "themes"} {
		copyTree(t, filepath.Join(root, p), filepath.Join(dir, p))
	}
	editFile(t, dir, "data/clinic.yaml", `(?m)^sample:.*$`, "sample: "+sample)
	editFile(t, dir, "hugo.toml", `(?m)^baseURL = .*$`, `baseURL = "`+base+`"`)
	if fill {
		editFile(t, dir, "themes/bluetree/assets/admin/config.yml", `(?m)^(\s+repo:) OWNER/REPOSITORY\b`, "$1 bluetreeclinics/site")
		for _, f := range data.GoLiveFacts() {
			if f.SampleValue != "" {
				editFile(t, dir, "data/clinic.yaml", regexp.QuoteMeta(`"`+f.SampleValue+`"`), `"Filled in for the test: `+f.Name+`"`)
			}
		}
		editFile(t, dir, "data/clinic.yaml", `(?m)^  consultation: 0$`, "  consultation: 500")
		editFile(t, dir, "data/clinic.yaml", `(?m)^  course: \{pricing: range, from: 0, to: 0\}$`, "  course: {pricing: range, from: 3000, to: 6000}")
		editFile(t, dir, "data/clinic.yaml", `(?m)^team: \[\]$`, testClinician)
	}
	return dir
}

// testClinician replaces clinic.yaml's "team: []" in a copy of the site.
const testClinician = `team:
  - name: {en: "Test Person", ar: "شخص للاختبار"}
    role: {en: "Test role", ar: "دور للاختبار"}
    licence: "TEST-123"`

// editFile replaces what pattern matches in a copy of the site's file; the
// pattern must match, so a test cannot pass because the file changed shape.
func editFile(t *testing.T, dir, file, pattern, repl string) {
	t.Helper()
	p := filepath.Join(dir, file)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(pattern)
	if !re.Match(b) {
		t.Fatalf("%s has no line matching %s", file, pattern)
	}
	if err := os.WriteFile(p, re.ReplaceAll(b, []byte(repl)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// The go-live gate: building the live site stops while a clinic detail is a
// sample value, naming it and where to set it; with every detail filled (the
// fixture: an empty sample list and a real domain) the live build passes and
// shows no notice.
func TestGoLiveGate(t *testing.T) {
	built(t) // warms Hugo's image cache for the copies
	build := func(dir string) error {
		return Build(context.Background(), Options{Root: root, Source: dir, Dest: filepath.Join(dir, "public"), LiveSite: true, Timeout: 90 * time.Second})
	}

	t.Run("placeholder phone", func(t *testing.T) {
		err := build(liveCopy(t, "[phone]", "https://www.bluetreeclinics.ae/", true))
		if err == nil {
			t.Fatal("the live site was built with a sample phone number")
		}
		msg := err.Error()
		for _, want := range []string{"go-live check", "The clinic's phone number: set it in data/clinic.yaml, phone", `delete its name from the "sample" list`} {
			if !strings.Contains(msg, want) {
				t.Errorf("the gate's message does not say %q:\n%s", want, msg)
			}
		}
		if strings.Contains(msg, "WhatsApp") || strings.Contains(msg, "baseURL") {
			t.Errorf("the gate names details that are filled:\n%s", msg)
		}
	})
	t.Run("sample licence, fees, visit lengths and courses", func(t *testing.T) {
		err := build(liveCopy(t, "[facilityLicence, fees, visit, courses]", "https://www.bluetreeclinics.ae/", true))
		if err == nil {
			t.Fatal("the live site was built with a sample licence, fees and courses")
		}
		for _, want := range []string{
			"The clinic's DHA facility licence number: set it in data/clinic.yaml, facilityLicence",
			"The consultation fee and how a course of injections is priced: set it in data/clinic.yaml, fees",
			"How long a consultation and an injection visit usually take: set it in data/clinic.yaml, visit",
			"for each kind of problem: set it in data/clinic.yaml, courses",
		} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("the gate's message does not say %q:\n%s", want, err)
			}
		}
	})
	t.Run("no clinician", func(t *testing.T) {
		dir := liveCopy(t, "[]", "https://www.bluetreeclinics.ae/", true)
		editFile(t, dir, "data/clinic.yaml", `(?m)^team:\n(?:  .*\n)+`, "team: []\n")
		err := build(dir)
		if err == nil || !strings.Contains(err.Error(), "At least one clinician (name, role and DHA licence number): set it in data/clinic.yaml, team") {
			t.Fatalf("the live site was built with no clinician: %v", err)
		}
	})
	t.Run("fees marked real but still zero", func(t *testing.T) {
		err := build(liveCopy(t, "[]", "https://www.bluetreeclinics.ae/", false))
		for _, want := range []string{"fees: consultation: write the fee", "fees: course: pricing is range: write the lowest price"} {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("fees of 0 marked as real: %v", err)
			}
		}
	})
	t.Run("example domain", func(t *testing.T) {
		err := build(liveCopy(t, "[]", "https://www.bluetreeclinics.example/", true))
		if err == nil || !strings.Contains(err.Error(), "hugo.toml, the line starting baseURL") {
			t.Fatalf("an .example baseURL went live: %v", err)
		}
	})
	t.Run("editor repository placeholder", func(t *testing.T) {
		dir := liveCopy(t, "[]", "https://www.bluetreeclinics.ae/", true)
		cfg := filepath.Join(dir, "themes", "bluetree", "assets", "admin", "config.yml")
		b, err := os.ReadFile(cfg)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(cfg, []byte(strings.Replace(string(b), "repo: bluetreeclinics/site", "repo: OWNER/REPOSITORY", 1)), 0o644)
		err = build(dir)
		if err == nil || !strings.Contains(err.Error(), "admin/config.yml, the line starting repo:") {
			t.Fatalf("the editor's placeholder repository went live: %v", err)
		}
	})
	t.Run("sample value left in, name taken off the list", func(t *testing.T) {
		err := build(liveCopy(t, "[]", "https://www.bluetreeclinics.ae/", false))
		if err == nil || !strings.Contains(err.Error(), "The clinic's WhatsApp number: set it in data/clinic.yaml, whatsapp") ||
			!strings.Contains(err.Error(), "The clinic's DHA facility licence number") || !strings.Contains(err.Error(), "At least one clinician") {
			t.Fatalf("the shipped sample WhatsApp number, licence or empty team went live: %v", err)
		}
	})
	t.Run("every detail filled", func(t *testing.T) {
		dir := liveCopy(t, "[]", "https://www.bluetreeclinics.ae/", true)
		if err := build(dir); err != nil {
			t.Fatalf("the gate stopped a site with every detail filled: %v", err)
		}
		b, err := os.ReadFile(filepath.Join(dir, "public", "index.html"))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), `<aside class="sample-notice"`) {
			t.Error("the live home page shows the sample details notice")
		}
		if !strings.Contains(string(b), "Filled in for the test: facilityLicence") || strings.Contains(string(b), "(sample)") {
			t.Error("the live home page's footer lacks the facility licence, or marks it as a sample")
		}
	})
}

// Every other build (this package's, like local serving and previews) shows
// the notice at the top of every page while details are samples.
func TestSampleNoticeOnEveryPage(t *testing.T) {
	built(t)
	if len(data.ClinicDetails().SampleFacts()) == 0 {
		t.Skip("data/clinic.yaml holds no sample details")
	}
	for _, p := range pages(t) {
		var notice *html.Node
		for _, n := range all(p.doc, tag("aside")) {
			if c, _ := attr(n, "class"); c == "sample-notice" {
				notice = n
			}
		}
		if notice == nil {
			t.Errorf("%s: no sample details notice", p.path)
			continue
		}
		id, _ := attr(notice, "aria-labelledby")
		if l := byID(p.doc, id); l == nil || text(l) == "" {
			t.Errorf("%s: the notice has no accessible name", p.path)
		}
	}
}

// The go-live rule runs twice, in the two places that cannot share code: the
// site's build (golive/samples.html) and the function's start in production
// (data.Clinic.SampleFacts). On the same clinic.yaml they name the same
// facts of clinic.yaml, in the same order, in the same words.
func TestSampleFactsAgree(t *testing.T) {
	built(t) // warms Hugo's image cache for the copies
	line := regexp.MustCompile(`(?m)^  - (.*: set it in .*)$`)
	// Only the site's build reads hugo.toml and the editor's config.yml (the
	// function checks its own SITE_URL instead).
	var siteOnly [2]string
	for _, f := range data.GoLiveFacts() {
		switch f.Name {
		case "siteAddress":
			siteOnly[0] = f.What + ":"
		case "editorRepo":
			siteOnly[1] = f.What + ":"
		}
	}
	for _, tc := range []struct {
		sample string
		fill   bool
	}{{"[phone, typo]", true}, {"[]", false}, {"[opening, retention, visit]", true}, {"[]", true}} {
		dir := liveCopy(t, tc.sample, "https://www.bluetreeclinics.ae/", tc.fill)
		var site []string
		if err := Build(context.Background(), Options{Root: root, Source: dir, Dest: filepath.Join(dir, "public"), LiveSite: true, Timeout: 90 * time.Second}); err != nil {
			for _, m := range line.FindAllStringSubmatch(err.Error(), -1) {
				if !strings.HasPrefix(m[1], siteOnly[0]) && !strings.HasPrefix(m[1], siteOnly[1]) {
					site = append(site, m[1])
				}
			}
		}
		b, err := os.ReadFile(filepath.Join(dir, "data", "clinic.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		var c data.Clinic
		if err := yaml.Unmarshal(b, &c); err != nil || yaml.Unmarshal(b, &c.Fields) != nil {
			t.Fatal(err)
		}
		var function []string
		for _, f := range c.SampleFacts() {
			function = append(function, f.What+": set it in "+f.Where)
		}
		if !slices.Equal(site, function) {
			t.Errorf("sample %s (filled in: %v): the site's build names\n%q\nthe function\n%q", tc.sample, tc.fill, site, function)
		}
	}
}
