package site

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
	"golang.org/x/net/html"
)

// clinicFacts is the part of data/clinic.yaml the treatment and condition
// pages print through the fees and courses shortcodes.
type clinicFacts struct {
	Fees struct {
		Consultation int
		Course       struct {
			Pricing  string
			From, To int
		}
	}
	Visit   struct{ Consultation, Injection int }
	Courses []struct {
		Condition         string
		Injections, Weeks int
	}
}

func readClinicFacts(t *testing.T, dir string) clinicFacts {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "data", "clinic.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var c clinicFacts
	if err := yaml.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	if len(c.Courses) == 0 {
		t.Fatal("data/clinic.yaml lists no courses")
	}
	return c
}

func pageAt(t *testing.T, ps []*page, path string) *page {
	t.Helper()
	for _, p := range ps {
		if p.path == path {
			return p
		}
	}
	t.Fatalf("no page %s in the built site", path)
	return nil
}

// jsonLD returns a page's JSON-LD objects of one @type.
func jsonLD(p *page, typ string) []map[string]any {
	var out []map[string]any
	for _, s := range all(p.doc, func(n *html.Node) bool {
		v, _ := attr(n, "type")
		return n.Data == "script" && v == "application/ld+json"
	}) {
		var obj map[string]any
		if json.Unmarshal([]byte(text(s)), &obj) == nil && obj["@type"] == typ {
			out = append(out, obj)
		}
	}
	return out
}

func linksTo(p *page, path string) bool {
	for _, a := range all(p.doc, tag("a")) {
		if href, _ := attr(a, "href"); strings.TrimPrefix(href, strings.TrimSuffix(baseURL, "/")) == path {
			return true
		}
	}
	return false
}

// Every condition with a course in data/clinic.yaml has its own page in both
// languages, with MedicalCondition JSON-LD naming the therapy (MedicalTherapy,
// the treatment page's own JSON-LD), its sources as footnotes, and a link from
// the home page and the treatment page.
func TestConditionPages(t *testing.T) {
	ps := pages(t)
	facts := readClinicFacts(t, root)
	for _, l := range langs {
		therapy := pageAt(t, ps, l.prefix+"/orthokine-therapy/")
		mt := jsonLD(therapy, "MedicalTherapy")
		if len(mt) != 1 || mt[0]["url"] != baseURL+strings.TrimPrefix(l.prefix+"/orthokine-therapy/", "/") {
			t.Errorf("%s: MedicalTherapy JSON-LD %v", therapy.path, mt)
		}
		home := pageAt(t, ps, l.prefix+"/")
		for _, c := range facts.Courses {
			path := l.prefix + "/conditions/" + c.Condition + "/"
			p := pageAt(t, ps, path)
			mc := jsonLD(p, "MedicalCondition")
			if len(mc) != 1 {
				t.Errorf("%s: %d MedicalCondition JSON-LD, want 1", path, len(mc))
				continue
			}
			h1 := strings.TrimSpace(text(all(p.doc, tag("h1"))[0]))
			treat, _ := mc[0]["possibleTreatment"].(map[string]any)
			if mc[0]["name"] != h1 || mc[0]["url"] != baseURL+strings.TrimPrefix(path, "/") || mc[0]["description"] == "" ||
				treat["@type"] != "MedicalTherapy" || treat["url"] != mt[0]["url"] {
				t.Errorf("%s: MedicalCondition %v", path, mc[0])
			}
			if !strings.Contains(string(p.raw), `class="footnotes"`) || byID(p.doc, "sources") == nil {
				t.Errorf("%s: no sources (Markdown footnotes under a Sources heading)", path)
			}
			if !linksTo(home, path) || !linksTo(therapy, path) {
				t.Errorf("%s: not linked from both %s and %s", path, home.path, therapy.path)
			}
		}
	}
}

// plain is a page's visible text with white space collapsed.
func plain(p *page) string {
	main := all(p.doc, tag("main"))
	return strings.Join(strings.Fields(text(main[0])), " ")
}

// The fees and courses shortcodes print data/clinic.yaml's figures (marked as
// samples in a preview), and the fees sentence follows the course's pricing:
// a range as built, a fixed price and "quoted after assessment" in copies.
func TestClinicFactsInText(t *testing.T) {
	ps := pages(t)
	facts := readClinicFacts(t, root)
	therapy := plain(pageAt(t, ps, "/orthokine-therapy/"))
	want := []string{
		fmt.Sprintf("The first consultation costs AED %d (sample).", facts.Fees.Consultation),
		fmt.Sprintf("about %d minutes (sample)", facts.Visit.Consultation),
	}
	if facts.Fees.Course.Pricing == "range" {
		want = append(want, fmt.Sprintf("between AED %d and AED %d (sample)", facts.Fees.Course.From, facts.Fees.Course.To))
	}
	for _, c := range facts.Courses {
		want = append(want, fmt.Sprintf("%d injections over %d weeks (sample)", c.Injections, c.Weeks))
	}
	for _, w := range want {
		if !strings.Contains(therapy, w) {
			t.Errorf("/orthokine-therapy/ does not say %q", w)
		}
	}
	ar := plain(pageAt(t, ps, "/ar/orthokine-therapy/"))
	if w := fmt.Sprintf("تبلغ رسوم الاستشارة الأولى %d (قيمة تجريبية) درهم", facts.Fees.Consultation); !strings.Contains(ar, w) {
		t.Errorf("/ar/orthokine-therapy/ does not say %q", w)
	}
	knee := plain(pageAt(t, ps, "/conditions/"+facts.Courses[0].Condition+"/"))
	if w := fmt.Sprintf("the usual course for this is %d injections over %d weeks", facts.Courses[0].Injections, facts.Courses[0].Weeks); !strings.Contains(knee, w) {
		t.Errorf("/conditions/%s/ does not say %q", facts.Courses[0].Condition, w)
	}

	for _, tc := range []struct{ pricing, want, not string }{
		{"{pricing: fixed, from: 4200, to: 0}", "A course of injections usually costs AED 4,200 (sample) in all.", "between AED"},
		{"{pricing: quote, from: 0, to: 0}", "A course of injections is priced for you after the assessment", "AED 0 (sample) in all"},
	} {
		t.Run(tc.pricing, func(t *testing.T) {
			dir := t.TempDir()
			for _, p := range []string{"hugo.toml", "content", "data", "static", "themes"} {
				copyTree(t, filepath.Join(root, p), filepath.Join(dir, p))
			}
			file := filepath.Join(dir, "data", "clinic.yaml")
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			re := regexp.MustCompile(`(?m)^  course: \{.*\}$`)
			if !re.Match(b) {
				t.Fatal("data/clinic.yaml has no one-line fees.course")
			}
			if err := os.WriteFile(file, re.ReplaceAll(b, []byte("  course: "+tc.pricing)), 0o644); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, "public")
			if err := Build(context.Background(), Options{Root: root, Source: dir, Dest: out, Timeout: 90 * time.Second}); err != nil {
				t.Fatal(err)
			}
			raw, err := os.ReadFile(filepath.Join(out, "orthokine-therapy", "index.html"))
			if err != nil {
				t.Fatal(err)
			}
			doc, err := html.Parse(strings.NewReader(string(raw)))
			if err != nil {
				t.Fatal(err)
			}
			got := plain(&page{doc: doc})
			if !strings.Contains(got, tc.want) || strings.Contains(got, tc.not) {
				t.Errorf("with course %s the page says:\n%s", tc.pricing, got)
			}
		})
	}
}
