package site

// Checks of the look (issue 12) that need no browser: pictures explain
// themselves in words, the abstract tree is gone, every page carries the phone
// action bar and the menu button, and the team and photo slots render only what
// data/clinic.yaml holds. Header height and the action bar's place on screen
// are measured in functions/internal/browsertest (look_test.go).

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// ancestor returns the nearest enclosing element named name, or nil.
func ancestor(n *html.Node, name string) *html.Node {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Type == html.ElementNode && p.Data == name {
			return p
		}
	}
	return nil
}

// TestIllustrationsHaveText: every inline <svg> is either named (role="img" with
// aria-label or aria-labelledby) or hidden from assistive technology beside
// words that say the same: an icon next to its label, a drawing inside a
// <figure> with a caption and a line of text of its own. Every <img> has alt
// text (TestPageBasics).
func TestIllustrationsHaveText(t *testing.T) {
	drawings := 0
	for _, p := range pages(t) {
		for _, svg := range allNodes(p.doc, "svg") {
			_, label := attr(svg, "aria-label")
			_, labelledby := attr(svg, "aria-labelledby")
			role, _ := attr(svg, "role")
			hidden, _ := attr(svg, "aria-hidden")
			switch {
			case role == "img" && (label || labelledby):
				continue
			case hidden != "true":
				t.Errorf("%s: an <svg> (class %q) is neither named (role=img + aria-label) nor aria-hidden", p.path, classOf(svg))
				continue
			}
			if strings.TrimSpace(text(svg.Parent)) == "" {
				t.Errorf("%s: a hidden <svg> (class %q) has no words beside it: %s", p.path, classOf(svg), renderNode(svg.Parent))
			}
			if classOf(svg) == "pic" {
				drawings++
				fig := ancestor(svg, "figure")
				if fig == nil {
					t.Errorf("%s: a drawing outside a <figure>", p.path)
					continue
				}
				caps := allNodes(fig, "figcaption")
				if len(caps) != 1 || strings.TrimSpace(text(caps[0])) == "" {
					t.Errorf("%s: a drawing's <figure> has no caption", p.path)
				}
			}
		}
	}
	if drawings == 0 {
		t.Error("no drawings (svg.pic) found: the how-it-works diagram is missing")
	}
	for _, l := range langs {
		for _, path := range []string{l.prefix + "/", l.prefix + "/orthokine-therapy/"} {
			raw, err := os.ReadFile(filepath.Join(public, filepath.FromSlash(path), "index.html"))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(raw, []byte(`<figure class="diagram`)) {
				t.Errorf("%s: no how-it-works diagram", path)
			}
			// A phone's first screen shows the compact diagram: right under the
			// title on the home page, under the lead and before the contents
			// list on the treatment page.
			fig := bytes.Index(raw, []byte(`<figure class="diagram diagram--compact"`))
			if contents := bytes.Index(raw, []byte(`<nav class="contents"`)); fig < 0 || contents >= 0 && contents < fig {
				t.Errorf("%s: the compact diagram is missing or comes after the contents list", path)
			}
		}
	}
}

// TestNoAbstractTree: the abstract tree of circles (images/hero.png, also once
// the therapy page's "serum" picture) is gone from the theme, the content and
// every page, and no page loads the same image twice.
func TestNoAbstractTree(t *testing.T) {
	for _, f := range []string{"themes/bluetree/assets/images/hero.png", "content/orthokine-therapy/serum.png"} {
		if _, err := os.Stat(filepath.Join(root, f)); err == nil {
			t.Errorf("%s is back", f)
		}
	}
	tree := regexp.MustCompile(`(?i)hero[^"\s]*\.(png|webp|avif|jpe?g)|serum[^"\s]*\.(png|webp|avif|jpe?g)`)
	for _, p := range pages(t) {
		if m := tree.Find(p.raw); m != nil {
			t.Errorf("%s loads the abstract tree (%s)", p.path, m)
		}
		seen := map[string]bool{}
		for _, n := range all(p.doc, func(n *html.Node) bool { return n.Data == "img" || n.Data == "source" }) {
			own := map[string]bool{} // an <img>'s src is also in its own srcset
			if v, ok := attr(n, "src"); ok {
				own[v] = true
			}
			for _, c := range strings.Split(mustAttr(n, "srcset"), ",") {
				if f := strings.Fields(c); len(f) > 0 {
					own[f[0]] = true
				}
			}
			for u := range own {
				if seen[u] {
					t.Errorf("%s loads %s twice", p.path, u)
				}
				seen[u] = true
			}
		}
	}
}

func mustAttr(n *html.Node, key string) string { v, _ := attr(n, key); return v }

// TestPhoneActionsAndMenu: every page has the phone action bar (Call with the
// clinic's number, WhatsApp at wa.me with its digits, Enquire) and the header's
// menu button, a <details> that needs no script.
func TestPhoneActionsAndMenu(t *testing.T) {
	for _, p := range pages(t) {
		l := langOf(p.path)
		bars := all(p.doc, func(n *html.Node) bool { return n.Data == "nav" && strings.Contains(classOf(n), "action-bar") })
		if len(bars) != 1 {
			t.Errorf("%s: %d action bars, want 1", p.path, len(bars))
			continue
		}
		var hrefs []string
		for _, a := range allNodes(bars[0], "a") {
			hrefs = append(hrefs, mustAttr(a, "href"))
			if strings.TrimSpace(text(a)) == "" {
				t.Errorf("%s: an action bar link without words", p.path)
			}
		}
		wa := regexp.MustCompile(`^https://wa\.me/[0-9]{8,15}$`)
		if len(hrefs) != 3 || !strings.HasPrefix(hrefs[0], "tel:+") || !wa.MatchString(hrefs[1]) || hrefs[2] != l.prefix+"/enquire/" {
			t.Errorf("%s: action bar links %q", p.path, hrefs)
		}
		headers := allNodes(p.doc, "header")
		if len(headers) == 0 {
			t.Errorf("%s: no header", p.path)
			continue
		}
		menus := all(headers[0], func(n *html.Node) bool { return n.Data == "details" && strings.Contains(classOf(n), "menu") })
		if len(menus) != 1 || len(allNodes(menus[0], "summary")) != 1 || len(allNodes(menus[0], "nav")) != 1 {
			t.Errorf("%s: the header needs one <details class=menu> with a <summary> and the <nav>", p.path)
		}
	}
}

// TestTeamAndPhotoSlots: with data/clinic.yaml's team and photos empty (as
// shipped) the about page shows no people and no photos; filled in (a copy of
// the site with one clinician and one photo), they appear as a card with name,
// role, licence and photo, and as a picture, each with the alt text given.
func TestTeamAndPhotoSlots(t *testing.T) {
	for _, p := range pages(t) {
		if byID(p.doc, "photos-heading") != nil {
			t.Errorf("%s shows a photos section while data/clinic.yaml has none", p.path)
		}
		// With no clinician the About page says they are to come (TestTeamCompact).
		if h := byID(p.doc, "team-heading"); h != nil && len(allNodes(h.Parent, "img")) > 0 {
			t.Errorf("%s shows pictures of a team while data/clinic.yaml has none", p.path)
		}
	}
	dir := t.TempDir()
	for _, p := range []string{"hugo.toml", "content", "data", "static", "themes"} {
		copyTree(t, filepath.Join(root, p), filepath.Join(dir, p))
	}
	// Marketing's uploads go under the project's assets/ folder.
	uploads := filepath.Join(dir, "assets", "images", "uploads")
	if err := os.MkdirAll(uploads, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"person.jpg", "room.jpg"} {
		img := image.NewRGBA(image.Rect(0, 0, 640, 480))
		for x := 0; x < 640; x++ {
			for y := 0; y < 480; y++ {
				img.Set(x, y, color.RGBA{uint8(x / 3), uint8(y / 2), 150, 255})
			}
		}
		var b bytes.Buffer
		if err := jpeg.Encode(&b, img, nil); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(uploads, name), b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	yml := filepath.Join(dir, "data", "clinic.yaml")
	b, err := os.ReadFile(yml)
	if err != nil {
		t.Fatal(err)
	}
	filled := strings.Replace(string(b), "\nteam: []", `
team:
  - name: {en: "Test Person", ar: "شخص للاختبار"}
    role: {en: "Test role", ar: "دور للاختبار"}
    licence: "TEST-123"
    photo: "images/uploads/person.jpg"
    photoAlt: {en: "Portrait of Test Person", ar: "صورة شخص للاختبار"}`, 1)
	filled = strings.Replace(filled, "\nphotos: []", `
photos:
  - photo: "images/uploads/room.jpg"
    alt: {en: "The test room", ar: "غرفة الاختبار"}`, 1)
	if filled == string(b) || !strings.Contains(filled, "TEST-123") || !strings.Contains(filled, "room.jpg") {
		t.Fatal("data/clinic.yaml no longer has the lines team: [] and photos: [] this test fills in")
	}
	if err := os.WriteFile(yml, []byte(filled), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "public")
	if err := Build(context.Background(), Options{Root: root, Source: dir, Dest: out}); err != nil {
		t.Fatalf("build with a team and photos: %v", err)
	}
	for _, c := range []struct{ path, name, role, alt, photoAlt string }{
		{"about/index.html", "Test Person", "Test role", "Portrait of Test Person", "The test room"},
		{"ar/about/index.html", "شخص للاختبار", "دور للاختبار", "صورة شخص للاختبار", "غرفة الاختبار"},
	} {
		raw, err := os.ReadFile(filepath.Join(out, c.path))
		if err != nil {
			t.Fatal(err)
		}
		doc, _ := html.Parse(bytes.NewReader(raw))
		team := byID(doc, "team-heading")
		if team == nil {
			t.Errorf("%s: no team section", c.path)
			continue
		}
		section := team.Parent
		for _, want := range []string{c.name, c.role, "TEST-123"} {
			if !strings.Contains(text(section), want) {
				t.Errorf("%s: the team card lacks %q", c.path, want)
			}
		}
		alts := map[string]bool{}
		for _, img := range allNodes(doc, "img") {
			alts[mustAttr(img, "alt")] = true
		}
		if !alts[c.alt] || !alts[c.photoAlt] {
			t.Errorf("%s: images with alt %v, want %q and %q", c.path, alts, c.alt, c.photoAlt)
		}
		if byID(doc, "photos-heading") == nil {
			t.Errorf("%s: no photos section", c.path)
		}
	}
}

// TestColourContrast: the colour tokens (themes/bluetree/assets/css/tokens.css)
// keep every text colour at WCAG AA contrast (4.5:1) on every band it is used
// on, and white text on the filled buttons and the footer.
func TestColourContrast(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(root, "themes", "bluetree", "assets", "css", "tokens.css"))
	if err != nil {
		t.Fatal(err)
	}
	tokens := map[string]string{}
	for _, m := range regexp.MustCompile(`--([a-z-]+):\s*(#[0-9a-fA-F]{3,6})\b`).FindAllStringSubmatch(string(b), -1) {
		tokens[m[1]] = m[2]
	}
	pairs := [][2][]string{
		{{"ink", "muted", "blue", "green", "error"}, {"paper", "warm", "tint", "tint-green"}},
		{{"paper"}, {"blue", "green", "blue-dark", "error"}},
		{{"focus-on-dark", "green-light"}, {"blue-dark"}},
	}
	for _, p := range pairs {
		for _, fg := range p[0] {
			for _, bg := range p[1] {
				f, okf := tokens[fg]
				g, okg := tokens[bg]
				if !okf || !okg {
					t.Errorf("tokens.css has no --%s or --%s", fg, bg)
					continue
				}
				if r := contrast(f, g); r < 4.5 {
					t.Errorf("--%s (%s) on --%s (%s): contrast %.2f:1, want at least 4.5:1", fg, f, bg, g, r)
				}
			}
		}
	}
}

// contrast is the WCAG 2 contrast ratio of two #rgb or #rrggbb colours.
func contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func luminance(hex string) float64 {
	hex = strings.TrimPrefix(hex, "#")
	if len(hex) == 3 {
		hex = string([]byte{hex[0], hex[0], hex[1], hex[1], hex[2], hex[2]})
	}
	var c [3]float64
	for i := range c {
		var v int
		fmt.Sscanf(hex[2*i:2*i+2], "%02x", &v)
		s := float64(v) / 255
		if s <= 0.03928 {
			c[i] = s / 12.92
		} else {
			c[i] = math.Pow((s+0.055)/1.055, 2.4)
		}
	}
	return 0.2126*c[0] + 0.7152*c[1] + 0.0722*c[2]
}

// TestProcessLines: the home page's "your visit" timeline shows each of the
// six steps with its title and one short line (front matter "line"), so the
// block stays short on a phone; the treatment page shows each step's text.
func TestProcessLines(t *testing.T) {
	seen := 0
	for _, p := range pages(t) {
		home := p.path == "/" || p.path == "/ar/"
		if !home && !strings.HasSuffix(p.path, "/orthokine-therapy/") {
			continue
		}
		seen++
		lists := all(p.doc, func(n *html.Node) bool { return n.Data == "ol" && strings.Contains(classOf(n), "process") })
		if len(lists) != 1 {
			t.Errorf("%s: %d step lists, want 1", p.path, len(lists))
			continue
		}
		steps := all(lists[0], tag("li"))
		if len(steps) != 6 {
			t.Errorf("%s: %d steps, want 6", p.path, len(steps))
		}
		for _, li := range steps {
			ps := all(li, tag("p"))
			if len(ps) != 1 {
				t.Errorf("%s: a step with %d paragraphs, want 1", p.path, len(ps))
				continue
			}
			words := strings.TrimSpace(text(ps[0]))
			switch {
			case home && len([]rune(words)) > 50:
				t.Errorf("%s: the step line %q is longer than one short line (50 characters)", p.path, words)
			case !home && len([]rune(words)) < 40:
				t.Errorf("%s: the step %q shows its one line, want its text", p.path, words)
			}
		}
	}
	if seen != 4 {
		t.Errorf("%d home and treatment pages, want 4", seen)
	}
}
