package site

// Tests of the clinic facts the pages show (data/clinic.yaml): the facility
// licence, the clinicians, and patient stories only once one is published.

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// siteCopy copies the site into a temporary folder for a test to change.
func siteCopy(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, p := range []string{"hugo.toml", "content", "data", "static", "themes"} {
		copyTree(t, filepath.Join(root, p), filepath.Join(dir, p))
	}
	return dir
}

// readPage parses one page of a built copy.
func readPage(t *testing.T, public, path string) *html.Node {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(public, path))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := html.Parse(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// The footer of every page gives the DHA facility licence; while it is a
// sample (as shipped) it is marked so in the text, not only by the notice.
func TestFacilityLicenceInFooter(t *testing.T) {
	want := map[string]string{"en": "DHA facility licence 0000000 (sample)", "ar": "ترخيص المنشأة من هيئة الصحة بدبي رقم 0000000 (قيمة تجريبية)"}
	for _, p := range pages(t) {
		footers := allNodes(p.doc, "footer")
		if len(footers) == 0 {
			t.Errorf("%s: no footer", p.path)
			continue
		}
		if got := strings.Join(strings.Fields(text(footers[len(footers)-1])), " "); !strings.Contains(got, want[langOf(p.path).code]) {
			t.Errorf("%s: the footer does not say %q:\n%s", p.path, want[langOf(p.path).code], got)
		}
	}
}

// While no story is published (as shipped) the menu and the home page show
// no stories; the stories page stays and says how a story gets published
// (TestUnconsentedTestimonialNotPublished). Publishing one, in a copy of the
// site, brings the menu link and the home page's section back.
func TestStoriesOnlyOncePublished(t *testing.T) {
	for _, p := range pages(t) {
		stories := langOf(p.path).prefix + "/testimonials/"
		if p.path == stories {
			continue
		}
		for _, a := range allNodes(p.doc, "a") {
			if mustAttr(a, "href") == stories {
				t.Errorf("%s links to the stories page while no story is published", p.path)
			}
		}
		if byID(p.doc, "story-heading") != nil {
			t.Errorf("%s shows a stories section while no story is published", p.path)
		}
	}

	dir := siteCopy(t)
	for _, f := range []string{"u-salaya.en.md", "u-salaya.ar.md"} {
		file := filepath.Join("content", "testimonials", f)
		editFile(t, dir, file, `(?m)^consent: false`, "consent: true")
		editFile(t, dir, file, `(?m)^approved: false`, "approved: true")
		editFile(t, dir, file, `(?m)^draft: true`, "draft: false")
	}
	out := filepath.Join(dir, "public")
	if err := Build(context.Background(), Options{Root: root, Source: dir, Dest: out}); err != nil {
		t.Fatalf("build with one published story: %v", err)
	}
	for _, c := range []struct{ prefix, quote string }{
		{"", "carefully planned course"},
		{"/ar", "خطة علاج مدروسة"},
	} {
		home := readPage(t, out, c.prefix+"/index.html")
		h := byID(home, "story-heading")
		if h == nil || !strings.Contains(text(h.Parent), c.quote) {
			t.Errorf("%s/: the published story is not on the home page", c.prefix)
		}
		about := readPage(t, out, c.prefix+"/about/index.html")
		linked := false
		for _, nav := range allNodes(about, "nav") {
			for _, a := range allNodes(nav, "a") {
				linked = linked || mustAttr(a, "href") == c.prefix+"/testimonials/"
			}
		}
		if !linked {
			t.Errorf("%s/about/: the menu has no link to the stories once one is published", c.prefix)
		}
	}
}

// With no clinician (as shipped) the About page says where they will appear,
// marked as a sample, and the compact list says the same; with one (a copy of
// the site) the compact list on a page shows name, role and licence, and links
// to the About page's team.
func TestTeamCompact(t *testing.T) {
	built(t)
	for _, l := range langs {
		about := readPage(t, public, l.prefix+"/about/index.html")
		h := byID(about, "team-heading")
		want := map[string]string{"en": "(sample)", "ar": "(قيمة تجريبية)"}[l.code]
		if h == nil || !strings.Contains(text(h.Parent), want) {
			t.Errorf("%s/about/: no team section saying the clinicians are still to come, marked %q", l.prefix, want)
		}
	}

	dir := siteCopy(t)
	editFile(t, dir, "data/clinic.yaml", `(?m)^team: \[\]$`, testClinician)
	for _, f := range []string{"planted-team.en.md", "planted-team.ar.md"} {
		page := "---\ntitle: \"Who will treat you\"\ndescription: \"Planted by the site's tests: the compact team list.\"\n---\n{{< team compact=\"true\" >}}\n"
		if err := os.WriteFile(filepath.Join(dir, "content", f), []byte(page), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(dir, "public")
	if err := Build(context.Background(), Options{Root: root, Source: dir, Dest: out}); err != nil {
		t.Fatalf("build with a clinician: %v", err)
	}
	for _, c := range []struct{ prefix, name, role, licence string }{
		{"", "Test Person", "Test role", "DHA licence TEST-123"},
		{"/ar", "شخص للاختبار", "دور للاختبار", "ترخيص هيئة الصحة بدبي رقم TEST-123"},
	} {
		doc := readPage(t, out, c.prefix+"/planted-team/index.html")
		var list *html.Node
		for _, ul := range allNodes(doc, "ul") {
			if classOf(ul) == "people" {
				list = ul
			}
		}
		if list == nil {
			t.Errorf("%s/planted-team/: no compact team list", c.prefix)
			continue
		}
		got := strings.Join(strings.Fields(text(list)), " ")
		for _, want := range []string{c.name, c.role, c.licence} {
			if !strings.Contains(got, want) {
				t.Errorf("%s/planted-team/: the compact list lacks %q: %s", c.prefix, want, got)
			}
		}
		if strings.Contains(got, "(sample)") || strings.Contains(got, "(قيمة تجريبية)") {
			t.Errorf("%s/planted-team/: a real clinician is marked as a sample", c.prefix)
		}
		linked := false
		for _, a := range allNodes(list.Parent, "a") {
			linked = linked || mustAttr(a, "href") == c.prefix+"/about/#team-heading"
		}
		if !linked {
			t.Errorf("%s/planted-team/: no link to the About page's team", c.prefix)
		}
	}
}
