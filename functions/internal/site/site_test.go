package site

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/bluetreeclinics/site/data"
	"github.com/bluetreeclinics/site/functions/internal/enquiry"
)

// The site is built once for all tests (production environment, as deployed).
var (
	root     string
	public   string // the built site
	buildErr error
	baseURL  = "https://www.bluetreeclinics.example/" // hugo.toml's baseURL
)

func TestMain(m *testing.M) {
	var err error
	root, err = Root()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	dir, err := os.MkdirTemp("", "site-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	public = filepath.Join(dir, "public")
	buildErr = Build(context.Background(), Options{Root: root, Dest: public, Args: []string{"--minify"}})
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func built(t *testing.T) {
	t.Helper()
	if buildErr != nil {
		t.Fatalf("site build failed: %v", buildErr)
	}
}

// page is one built HTML page.
type page struct {
	path string // URL path, e.g. /about/
	file string
	raw  []byte
	doc  *html.Node
}

func pages(t *testing.T) []*page {
	t.Helper()
	built(t)
	var ps []*page
	err := filepath.WalkDir(public, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		raw, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		doc, err := html.Parse(bytes.NewReader(raw))
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		rel, _ := filepath.Rel(public, p)
		u := "/" + filepath.ToSlash(rel)
		u = strings.TrimSuffix(u, "index.html")
		if strings.HasPrefix(u, "/admin/") {
			return nil // the content editor (Decap CMS), not a public page: cms_test.go
		}
		ps = append(ps, &page{path: u, file: p, raw: raw, doc: doc})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].path < ps[j].path })
	if len(ps) < 12 {
		t.Fatalf("only %d pages built", len(ps))
	}
	return ps
}

// --- small HTML helpers ---

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func all(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && match(n) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

func tag(name string) func(*html.Node) bool {
	return func(n *html.Node) bool { return n.Data == name }
}

func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

func byID(doc *html.Node, id string) *html.Node {
	found := all(doc, func(n *html.Node) bool { v, _ := attr(n, "id"); return v == id })
	if len(found) == 0 {
		return nil
	}
	return found[0]
}

func meta(doc *html.Node, key, name string) (string, bool) {
	for _, m := range all(doc, tag("meta")) {
		if v, _ := attr(m, key); v == name {
			return attr(m, "content")
		}
	}
	return "", false
}

// local maps a same-origin URL (relative to the page) to its file in public,
// or "" for another origin or scheme.
func local(pagePath, ref string) (file, fragment string, ok bool) {
	u, err := url.Parse(ref)
	if err != nil {
		return "", "", false
	}
	base, _ := url.Parse(baseURL)
	if u.Scheme != "" || u.Host != "" {
		if u.Scheme != base.Scheme || u.Host != base.Host {
			return "", "", false
		}
	}
	p := u.Path
	if p == "" {
		p = pagePath
	} else if !strings.HasPrefix(p, "/") {
		p = path.Join(path.Dir(pagePath+"x"), p)
	}
	if strings.HasSuffix(p, "/") {
		p += "index.html"
	}
	return filepath.Join(public, filepath.FromSlash(p)), u.Fragment, true
}

// --- the checks ---

func TestPageBasics(t *testing.T) {
	titles := map[string]string{}
	descs := map[string]string{}
	for _, p := range pages(t) {
		htmlEl := all(p.doc, tag("html"))[0]
		l := langOf(p.path)
		lang, _ := attr(htmlEl, "lang")
		dir, _ := attr(htmlEl, "dir")
		if lang != l.code || dir != l.dir {
			t.Errorf("%s: <html lang=%q dir=%q>, want lang=%q dir=%q", p.path, lang, dir, l.code, l.dir)
		}
		ts := all(p.doc, tag("title"))
		if len(ts) != 1 || strings.TrimSpace(text(ts[0])) == "" {
			t.Errorf("%s: want one non-empty <title>", p.path)
		} else {
			title := text(ts[0])
			if other, dup := titles[title]; dup {
				t.Errorf("%s and %s share the title %q", p.path, other, title)
			}
			titles[title] = p.path
		}
		desc, ok := meta(p.doc, "name", "description")
		if !ok || strings.TrimSpace(desc) == "" {
			t.Errorf("%s: no meta description", p.path)
		} else {
			if other, dup := descs[desc]; dup {
				t.Errorf("%s and %s share the description %q", p.path, other, desc)
			}
			descs[desc] = p.path
		}
		if h1 := all(p.doc, tag("h1")); len(h1) != 1 {
			t.Errorf("%s: %d <h1>, want 1", p.path, len(h1))
		}
		var canonical string
		for _, l := range all(p.doc, tag("link")) {
			if rel, _ := attr(l, "rel"); rel == "canonical" {
				canonical, _ = attr(l, "href")
			}
		}
		if !strings.HasPrefix(canonical, baseURL) {
			t.Errorf("%s: canonical %q is not an absolute URL on %s", p.path, canonical, baseURL)
		}
		for _, prop := range []string{"og:title", "og:description", "og:url", "og:image"} {
			if v, _ := meta(p.doc, "property", prop); v == "" {
				t.Errorf("%s: no %s", p.path, prop)
			}
		}
		if len(all(p.doc, tag("main"))) != 1 {
			t.Errorf("%s: want one <main>", p.path)
		}
		if byID(p.doc, "main") == nil || !bytes.Contains(p.raw, []byte(`href="#main"`)) {
			t.Errorf("%s: no skip link to #main", p.path)
		}
		for _, img := range all(p.doc, tag("img")) {
			alt, ok := attr(img, "alt")
			_, w := attr(img, "width")
			_, h := attr(img, "height")
			if !ok || strings.TrimSpace(alt) == "" || !w || !h {
				t.Errorf("%s: <img> without alt, width or height", p.path)
			}
		}
	}
}

func TestLinksResolve(t *testing.T) {
	ps := pages(t)
	docs := map[string]*html.Node{}
	for _, p := range ps {
		docs[p.file] = p.doc
	}
	refs := func(n *html.Node) []string {
		var out []string
		for _, k := range []string{"href", "src"} {
			if v, ok := attr(n, k); ok {
				out = append(out, v)
			}
		}
		if v, ok := attr(n, "srcset"); ok {
			for _, c := range strings.Split(v, ",") {
				if f := strings.Fields(c); len(f) > 0 {
					out = append(out, f[0])
				}
			}
		}
		return out
	}
	checked := 0
	for _, p := range ps {
		for _, n := range all(p.doc, func(n *html.Node) bool {
			return n.Data == "a" || n.Data == "link" || n.Data == "script" || n.Data == "img" || n.Data == "source"
		}) {
			if rel, _ := attr(n, "rel"); rel == "alternate" {
				continue // translations: checked by the canonical of each page
			}
			for _, ref := range refs(n) {
				if strings.HasPrefix(ref, "mailto:") || strings.HasPrefix(ref, "tel:") {
					continue
				}
				file, frag, ok := local(p.path, ref)
				if !ok {
					continue
				}
				checked++
				if _, err := os.Stat(file); err != nil {
					t.Errorf("%s: link %q: no such file in the built site", p.path, ref)
					continue
				}
				if frag != "" {
					doc := docs[file]
					if doc == nil || byID(doc, frag) == nil {
						t.Errorf("%s: link %q: no element with id %q", p.path, ref, frag)
					}
				}
			}
		}
	}
	t.Logf("%d internal links and resources checked", checked)
}

func TestNoExternalResources(t *testing.T) {
	for _, p := range pages(t) {
		for _, n := range all(p.doc, func(n *html.Node) bool { return n.Data != "a" }) {
			for _, k := range []string{"src", "srcset", "href", "action", "data", "poster"} {
				v, ok := attr(n, k)
				if !ok {
					continue
				}
				if n.Data == "link" && k == "href" {
					if rel, _ := attr(n, "rel"); rel == "canonical" || rel == "alternate" {
						continue
					}
					// The favicon, inline (head/head.html): no request at all.
					if rel, _ := attr(n, "rel"); rel == "icon" && strings.HasPrefix(v, "data:image/svg+xml,%3Csvg") {
						continue
					}
				}
				for _, c := range strings.Split(v, ",") {
					f := strings.Fields(c)
					if len(f) == 0 {
						continue
					}
					if _, _, ok := local(p.path, f[0]); !ok {
						t.Errorf("%s: <%s %s=%q> loads from another origin", p.path, n.Data, k, v)
					}
				}
			}
		}
		if bytes.Contains(p.raw, []byte(" style=\"")) {
			t.Errorf("%s: has a style attribute (blocked by the CSP)", p.path)
		}
	}
}

func TestJSONLD(t *testing.T) {
	found := map[string]int{}
	for _, p := range pages(t) {
		types := map[string]bool{}
		for _, s := range all(p.doc, func(n *html.Node) bool {
			typ, _ := attr(n, "type")
			return n.Data == "script" && typ == "application/ld+json"
		}) {
			var obj map[string]any
			if err := json.Unmarshal([]byte(text(s)), &obj); err != nil {
				t.Errorf("%s: JSON-LD does not parse: %v", p.path, err)
				continue
			}
			typ, _ := obj["@type"].(string)
			types[typ] = true
			found[typ]++
			if obj["@context"] != "https://schema.org" {
				t.Errorf("%s: %s: @context %v", p.path, typ, obj["@context"])
			}
			switch typ {
			case "MedicalClinic":
				for _, k := range []string{"name", "url", "telephone"} {
					if s, _ := obj[k].(string); s == "" {
						t.Errorf("%s: MedicalClinic without %s", p.path, k)
					}
				}
				// The DHA facility licence (data/clinic.yaml facilityLicence).
				if id, _ := obj["identifier"].(map[string]any); id["@type"] != "PropertyValue" || id["propertyID"] != "DHA facility licence" || id["value"] != data.ClinicDetails().Fields["facilityLicence"] {
					t.Errorf("%s: MedicalClinic identifier %v", p.path, obj["identifier"])
				}
				addr, _ := obj["address"].(map[string]any)
				if addr["@type"] != "PostalAddress" || addr["addressLocality"] == nil || addr["addressCountry"] == nil {
					t.Errorf("%s: MedicalClinic address %v", p.path, obj["address"])
				}
			case "FAQPage":
				qs, _ := obj["mainEntity"].([]any)
				if len(qs) == 0 {
					t.Errorf("%s: FAQPage without mainEntity", p.path)
				}
				for _, q := range qs {
					q, _ := q.(map[string]any)
					a, _ := q["acceptedAnswer"].(map[string]any)
					if q["@type"] != "Question" || q["name"] == "" || a["@type"] != "Answer" || a["text"] == "" {
						t.Errorf("%s: FAQPage question %v", p.path, q)
					}
				}
			case "BreadcrumbList":
				items, _ := obj["itemListElement"].([]any)
				if len(items) < 2 {
					t.Errorf("%s: BreadcrumbList with %d items", p.path, len(items))
				}
				for i, it := range items {
					it, _ := it.(map[string]any)
					pos, _ := it["position"].(float64)
					item, _ := it["item"].(string)
					if it["@type"] != "ListItem" || int(pos) != i+1 || it["name"] == "" || !strings.HasPrefix(item, baseURL) {
						t.Errorf("%s: BreadcrumbList item %d: %v", p.path, i, it)
					}
				}
			case "Review", "AggregateRating":
				t.Errorf("%s: self-serving review markup %s", p.path, typ)
			}
		}
		if !types["MedicalClinic"] {
			t.Errorf("%s: no MedicalClinic JSON-LD", p.path)
		}
		if !isHome(p.path) && !is404(p.path) && !types["BreadcrumbList"] {
			t.Errorf("%s: no BreadcrumbList JSON-LD", p.path)
		}
	}
	if found["FAQPage"] == 0 {
		t.Error("no page has FAQPage JSON-LD")
	}
}

// inlineStyles returns the inline <style>s of a built page: the site's
// stylesheet, then the rules only some pages use, on those pages
// (helpers/page-css.html).
func inlineStyles(p *page) []string {
	var out []string
	for _, s := range allNodes(p.doc, "style") {
		out = append(out, text(s))
	}
	return out
}

// hasForm reports whether a built page carries an enquiry form.
func hasForm(p *page) bool {
	return len(all(p.doc, func(n *html.Node) bool { return n.Data == "form" && classOf(n) == "form" })) > 0
}

// siteCSS is the site's stylesheet, the home page's first <style>.
func siteCSS(t *testing.T) string {
	t.Helper()
	for _, p := range pages(t) {
		if p.path == "/" {
			if s := inlineStyles(p); len(s) > 0 {
				return s[0]
			}
			t.Fatal("the home page has no inline <style>")
		}
	}
	t.Fatal("no home page")
	return ""
}

// The stylesheets only some pages carry (helpers/page-css.html), in <head>
// order after the site's, each known by a rule only it has.
var optionalSheets = []struct{ name, marker string }{
	{"therapy", ".process{"}, // the "how it works" diagram and the six steps
	{"sections", ".hero{"},   // the home page's and the short pages' rules
	{"form", ".field"},       // the enquiry forms
}

// cssRule matches an innermost rule of minified CSS: its selector list and block.
var cssRule = regexp.MustCompile(`([^{}]*)\{[^{}]*\}`)
var cssClass = regexp.MustCompile(`(\b[a-z][a-z0-9]*)?\.([A-Za-z_][\w-]*)`) // circle.a, .steps

// TestInlineCSS: every page carries the site's stylesheet in a <style> in its
// <head> (no render-blocking stylesheet request before the first paint), the
// same bytes on every page, minified in production; the rules only some pages
// use are further <style>s on those pages only (therapy, sections, form, in
// that order), so the largest pages' first response fits the first round
// trip, and no page uses a rule of a stylesheet it does not carry.
func TestInlineCSS(t *testing.T) {
	ps := pages(t)
	want := siteCSS(t)
	for _, frag := range []string{"[hidden]{display:none!important}", ".hp{", ":root{", ".site-header", "@media"} {
		if !strings.Contains(want, frag) {
			t.Errorf("the inline stylesheet lacks %q", frag)
		}
	}
	for _, o := range optionalSheets {
		if strings.Contains(want, o.marker) {
			t.Errorf("the site's stylesheet carries %s (%s): it belongs in the %s <style>", o.marker, o.name, o.name)
		}
	}
	sheets := map[string]string{} // name → its bytes, the same on every page
	carried := map[string]int{}   // name → pages
	for _, p := range ps {
		styles := inlineStyles(p)
		if len(styles) == 0 || styles[0] != want {
			t.Errorf("%s: the first inline stylesheet differs from the home page's", p.path)
			continue
		}
		has := map[string]bool{}
		next := 0
		for _, css := range styles[1:] {
			name := ""
			for i := next; i < len(optionalSheets); i++ {
				if strings.Contains(css, optionalSheets[i].marker) {
					name, next = optionalSheets[i].name, i+1
					break
				}
			}
			switch {
			case name == "":
				t.Errorf("%s: an inline <style> that is none of %v in order", p.path, optionalSheets)
			case sheets[name] == "":
				sheets[name] = css
			case sheets[name] != css:
				t.Errorf("%s: the %s <style> differs from other pages'", p.path, name)
			}
			if strings.Contains(css, ":root{") {
				t.Errorf("%s: the %s <style> repeats the site's stylesheet", p.path, name)
			}
			has[name] = true
			carried[name]++
		}
		if has["form"] != hasForm(p) {
			t.Errorf("%s: carries the forms' rules: %v; has a form: %v", p.path, has["form"], hasForm(p))
		}
		for _, css := range styles {
			if strings.Contains(css, "/*") || strings.Contains(css, "@import") || strings.Contains(css, "\n\n") {
				t.Errorf("%s: an inline stylesheet is not bundled and minified", p.path)
			}
		}
		heads := allNodes(p.doc, "head")
		if len(heads) != 1 || len(allNodes(heads[0], "style")) != len(styles) {
			t.Errorf("%s: a <style> is not in <head>", p.path)
		}
		for _, l := range all(p.doc, tag("link")) {
			if rel, _ := attr(l, "rel"); strings.Contains(rel, "stylesheet") || strings.Contains(rel, "preload") {
				t.Errorf("%s: links a stylesheet or preloads a resource (%s): the CSS is inline", p.path, rel)
			}
		}
	}
	// A page that lacks a sheet uses none of its rules (checked once every sheet
	// has been seen).
	for _, p := range ps {
		has := map[string]bool{}
		for _, css := range inlineStyles(p)[1:] {
			for name, b := range sheets {
				if css == b {
					has[name] = true
				}
			}
		}
		p.needs(t, sheets, has)
	}
	for _, o := range optionalSheets {
		if carried[o.name] == 0 || carried[o.name] == len(ps) {
			t.Errorf("the %s <style> is on %d of %d pages: want some, not all", o.name, carried[o.name], len(ps))
		}
	}
	for _, path := range []string{"/", "/ar/"} {
		for _, p := range ps {
			if p.path == path && len(inlineStyles(p)) != 3 {
				t.Errorf("%s: %d inline <style>s, want 3 (site, therapy, sections)", path, len(inlineStyles(p)))
			}
		}
	}
	t.Logf("inline stylesheet: %d B, %d B gzipped", len(want), gzipSize([]byte(want)))
	for _, o := range optionalSheets {
		t.Logf("%s: %d B, %d B gzipped, on %d pages", o.name, len(sheets[o.name]), gzipSize([]byte(sheets[o.name])), carried[o.name])
	}
}

// needs reports a rule of a sheet the page lacks whose classes all appear on
// the page (selectors are checked by their class names, with the element's
// name where the selector gives one, as in circle.a: a conservative test that a
// page is styled as it should be).
func (p *page) needs(t *testing.T, sheets map[string]string, has map[string]bool) {
	t.Helper()
	classes := map[string]bool{}
	for _, n := range all(p.doc, func(n *html.Node) bool { return n.Type == html.ElementNode }) {
		if c, ok := attr(n, "class"); ok {
			for _, f := range strings.Fields(c) {
				classes[f] = true
				classes[n.Data+"."+f] = true
			}
		}
	}
	for name, css := range sheets {
		if has[name] {
			continue
		}
		for _, m := range cssRule.FindAllStringSubmatch(css, -1) {
			for _, sel := range strings.Split(m[1], ",") {
				cs := cssClass.FindAllStringSubmatch(sel, -1)
				used := len(cs) > 0
				for _, c := range cs {
					used = used && classes[c[2]] && (c[1] == "" || classes[c[1]+"."+c[2]])
				}
				if used {
					t.Errorf("%s: uses %q, whose rule is in the %s <style>, which the page lacks (helpers/page-css.html)", p.path, strings.TrimSpace(sel), name)
					return
				}
			}
		}
	}
}

// TestBudgets: each page's first response (its headers and its HTML gzipped,
// the CSS inline) fits the first round trip, and the site's JavaScript its
// budget (docs/performance.md).
func TestBudgets(t *testing.T) {
	ps := pages(t)
	headers, err := HeaderBytes(public)
	if err != nil {
		t.Fatal(err)
	}
	if headers < ServeHeaders+500 {
		t.Fatalf("%d B of headers: the _headers file's /* block is missing", headers)
	}
	for _, p := range ps {
		size, _, err := Weigh(public, p.file) // HTML (inline CSS included) + linked CSS
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%-40s headers %d B + HTML+CSS %5d B gzipped = %5d B", p.path, headers, size, headers+size)
		if headers+size > FirstWindow {
			t.Errorf("%s: first response %d B (headers %d B, HTML+CSS %d B gzipped), over the first round trip's %d B", p.path, headers+size, headers, size, FirstWindow)
		}
	}
	// All JavaScript: script files, and each distinct inline script once.
	js := 0
	filepath.WalkDir(public, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() && p == filepath.Join(public, "admin") {
			return fs.SkipDir // the content editor's bundle: /admin/ only, not a public page
		}
		if err == nil && strings.HasSuffix(p, ".js") {
			b, _ := os.ReadFile(p)
			js += gzipSize(b)
		}
		return err
	})
	seen := map[string]bool{}
	for _, p := range ps {
		for _, s := range inlineScripts(p) {
			if !seen[s] {
				seen[s] = true
				js += gzipSize([]byte(s))
			}
		}
	}
	t.Logf("all JavaScript: %d B gzipped", js)
	if js > JSBudget {
		t.Errorf("JavaScript %d B gzipped, budget %d B", js, JSBudget)
	}
}

// parseHeaders reads a Netlify _headers file: path lines, then indented "Name: value".
func parseHeaders(t *testing.T, b []byte) map[string]map[string]string {
	t.Helper()
	out := map[string]map[string]string{}
	var cur map[string]string
	for i, line := range strings.Split(string(b), "\n") {
		switch {
		case strings.TrimSpace(line) == "" || strings.HasPrefix(strings.TrimSpace(line), "#"):
		case line[0] == ' ' || line[0] == '\t':
			name, value, ok := strings.Cut(strings.TrimSpace(line), ":")
			if !ok || cur == nil {
				t.Fatalf("_headers line %d: %q", i+1, line)
			}
			cur[strings.TrimSpace(name)] = strings.TrimSpace(value)
		default:
			cur = map[string]string{}
			out[strings.TrimSpace(line)] = cur
		}
	}
	return out
}

func TestHeaders(t *testing.T) {
	ps := pages(t)
	b, err := os.ReadFile(filepath.Join(public, "_headers"))
	if err != nil {
		t.Fatal(err)
	}
	h := parseHeaders(t, b)
	all := h["/*"]
	if all == nil {
		t.Fatalf("_headers has no /* block:\n%s", b)
	}
	csp := all["Content-Security-Policy"]
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("CSP allows unsafe code: %s", csp)
	}
	for _, d := range []string{"default-src 'self'", "script-src 'self'", "form-action 'self'", "frame-ancestors 'none'", "base-uri 'self'", "object-src 'none'"} {
		if !strings.Contains(csp, d) {
			t.Errorf("CSP lacks %q: %s", d, csp)
		}
	}
	// connect-src, font-src and manifest-src fall back to default-src 'self': the
	// policy does not repeat it (its bytes come before every page's), nor loosen them.
	for _, name := range []string{"connect-src", "font-src", "manifest-src"} {
		if d := directive(csp, name); d != "" {
			t.Errorf("CSP has %q: fetch directives not listed fall back to default-src 'self'", d)
		}
	}
	// img-src: the site's own files, and data: for the favicon inline in each page.
	if d := directive(csp, "img-src"); d != "img-src 'self' data:" {
		t.Errorf("CSP %q, want img-src 'self' data:", d)
	}
	for _, name := range []string{"Strict-Transport-Security", "X-Content-Type-Options", "Referrer-Policy", "Permissions-Policy", "X-Frame-Options"} {
		if all[name] == "" {
			t.Errorf("_headers /* lacks %s", name)
		}
	}
	// The live site's editor may not talk to a local backend (decap-server):
	// only a site built for localhost allows that.
	if admin := h["/admin/*"]["Content-Security-Policy"]; !strings.Contains(admin, "https://api.github.com") ||
		strings.Contains(admin, "localhost") || strings.Contains(admin, "127.0.0.1") {
		t.Errorf("the live /admin/ CSP: %s", admin)
	}
	// Every inline <style> and <script> must be allowed by its hash, computed
	// here over the bytes as served, and the CSP allows no hash that no page uses.
	used := map[string]bool{}
	scriptUsed := map[string]bool{}
	for _, p := range ps {
		for _, s := range allNodes(p.doc, "style") {
			sum := sha256.Sum256([]byte(text(s)))
			want := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
			used[want] = true
			if !strings.Contains(csp, want) {
				t.Errorf("%s: inline <style> hash %s is not in the CSP", p.path, want)
			}
		}
		for _, s := range inlineScripts(p) {
			sum := sha256.Sum256([]byte(s))
			want := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
			scriptUsed[want] = true
			if !strings.Contains(directive(csp, "script-src"), want) {
				t.Errorf("%s: inline <script> hash %s is not in the CSP's script-src", p.path, want)
			}
		}
	}
	hashRE := regexp.MustCompile(`'sha256-[A-Za-z0-9+/=]+'`)
	for _, c := range []struct {
		directive string
		used      map[string]bool
	}{{"style-src", used}, {"script-src", scriptUsed}} {
		d := directive(csp, c.directive)
		hashes := hashRE.FindAllString(d, -1)
		if len(hashes) == 0 {
			t.Errorf("CSP %s has no hash for the inline element: %q", c.directive, d)
		}
		for _, h := range hashes {
			if !c.used[h] {
				t.Errorf("CSP %s allows %s, which no page's inline element has", c.directive, h)
			}
		}
	}
	if len(scriptUsed) == 0 {
		t.Error("no page carries the (inline) page script")
	}
	// Images are fingerprinted by Hugo and cached for a year.
	immutable := 0
	for path, hs := range h {
		if strings.Contains(hs["Cache-Control"], "immutable") {
			immutable++
			if !strings.HasSuffix(path, "*") {
				if _, err := os.Stat(filepath.Join(public, filepath.FromSlash(path))); err != nil {
					t.Errorf("_headers names %s, which is not in the build", path)
				}
			}
		}
	}
	if !strings.Contains(h["/images/*"]["Cache-Control"], "immutable") {
		t.Errorf("want a long cache header for /images/*, got %d immutable blocks", immutable)
	}
}

// directive returns one directive of a Content-Security-Policy ("" if absent).
func directive(csp, name string) string {
	for _, d := range strings.Split(csp, ";") {
		if f := strings.Fields(d); len(f) > 0 && f[0] == name {
			return strings.TrimSpace(d)
		}
	}
	return ""
}

// inlineScripts returns the text of a page's inline scripts that run (JSON-LD
// data blocks excluded).
func inlineScripts(p *page) []string {
	var out []string
	for _, s := range allNodes(p.doc, "script") {
		typ, _ := attr(s, "type")
		if _, ok := attr(s, "src"); !ok && typ != "application/ld+json" {
			out = append(out, text(s))
		}
	}
	return out
}

// TestInlineScript: the page script is inline on the form pages only (no
// request of its own before the first paint), once, at the end of <body>.
func TestInlineScript(t *testing.T) {
	forms := 0
	for _, p := range pages(t) {
		scripts := inlineScripts(p)
		hasForm := len(all(p.doc, func(n *html.Node) bool { _, ok := attr(n, "data-enquiry-form"); return n.Data == "form" && ok })) > 0
		for _, s := range allNodes(p.doc, "script") {
			if _, ok := attr(s, "src"); ok {
				t.Errorf("%s: loads a script file; the page script is inline", p.path)
			}
		}
		switch {
		case hasForm && len(scripts) != 1:
			t.Errorf("%s: a form page with %d inline scripts, want 1", p.path, len(scripts))
		case !hasForm && len(scripts) != 0:
			t.Errorf("%s: %d inline scripts on a page without a form", p.path, len(scripts))
		case hasForm:
			forms++
			if !strings.Contains(scripts[0], "data-enquiry-form") {
				t.Errorf("%s: the inline script is not the enquiry script", p.path)
			}
			bodies := allNodes(p.doc, "body")
			if len(bodies) != 1 || len(allNodes(bodies[0], "script")) == 0 {
				t.Errorf("%s: the script is not in <body>", p.path)
			}
		}
	}
	if forms < 4 {
		t.Errorf("the script is on %d form pages, want 4 (two forms, two languages)", forms)
	}
}

func allNodes(doc *html.Node, name string) []*html.Node { return all(doc, tag(name)) }

// TestSitemapAndRobots: /sitemap.xml is an index of one sitemap per language
// (named in robots.txt); each lists its language's pages with hreflang
// alternates, and no thank-you page.
func TestSitemapAndRobots(t *testing.T) {
	built(t)
	index, err := os.ReadFile(filepath.Join(public, "sitemap.xml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range langs {
		sub := baseURL + strings.TrimPrefix(l.prefix+"/", "/")
		if l.prefix == "" {
			sub = baseURL + l.code + "/" // Hugo writes the default language's sitemap to /en/sitemap.xml
		}
		if !bytes.Contains(index, []byte("<loc>"+sub+"sitemap.xml</loc>")) {
			t.Errorf("sitemap.xml (index) does not list %ssitemap.xml:\n%s", sub, index)
		}
		sm, err := os.ReadFile(filepath.Join(public, l.code, "sitemap.xml"))
		if err != nil {
			t.Fatal(err)
		}
		home := baseURL + strings.TrimPrefix(l.prefix+"/", "/")
		for _, want := range []string{home + "</loc>", home + "orthokine-therapy/</loc>", home + "enquire/suitability/</loc>", `hreflang="x-default"`} {
			if !bytes.Contains(sm, []byte(want)) {
				t.Errorf("%s/sitemap.xml lacks %s", l.code, want)
			}
		}
		for _, other := range langs {
			if other.code != l.code && !bytes.Contains(sm, []byte(`hreflang="`+other.code+`"`)) {
				t.Errorf("%s/sitemap.xml has no hreflang=%q alternates", l.code, other.code)
			}
		}
		if l.prefix == "" && bytes.Contains(sm, []byte("<loc>"+baseURL+"ar/")) {
			t.Errorf("%s/sitemap.xml lists Arabic pages", l.code)
		}
		if bytes.Contains(sm, []byte("/thanks/")) || bytes.Contains(sm, []byte("404")) {
			t.Errorf("%s/sitemap.xml lists a thank-you or 404 page", l.code)
		}
	}
	robots, err := os.ReadFile(filepath.Join(public, "robots.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(robots, []byte("Sitemap: "+baseURL+"sitemap.xml")) || bytes.Contains(robots, []byte("Disallow: /\n")) {
		t.Errorf("robots.txt:\n%s", robots)
	}
}

func TestUnconsentedTestimonialNotPublished(t *testing.T) {
	for _, p := range pages(t) {
		if bytes.Contains(p.raw, []byte("Salaya")) || bytes.Contains(p.raw, []byte("carefully planned course")) || bytes.Contains(p.raw, []byte("خطة علاج مدروسة")) {
			t.Errorf("%s shows the testimonial that awaits consent and approval", p.path)
		}
		if tp := langOf(p.path).prefix + "/testimonials/"; strings.HasPrefix(p.path, tp) && p.path != tp {
			t.Errorf("%s: testimonials are not pages of their own", p.path)
		}
	}
	for _, l := range langs {
		list, err := os.ReadFile(filepath.Join(public, l.prefix, "testimonials", "index.html"))
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"en": "written consent", "ar": "موافقته الكتابية"}[l.code]
		if !bytes.Contains(list, []byte(want)) {
			t.Errorf("%s: the testimonials page does not explain when stories appear (%q)", l.code, want)
		}
	}
}

// TestForms checks the form pages against docs/enquiry-contract.md and the
// option values in functions/internal/enquiry.
func TestForms(t *testing.T) {
	built(t)
	common := []string{"name", "phone", "email", "contact", "consent"}
	kinds := map[string][]string{
		"appointment": {"date", "time", "message"},
		"suitability": {"area", "condition", "duration", "pain", "tried", "thinners", "note"},
	}
	for _, l := range langs {
		for kind, fields := range kinds {
			t.Run(l.code+"/"+kind, func(t *testing.T) {
				raw, err := os.ReadFile(filepath.Join(public, l.prefix, "enquire", kind, "index.html"))
				if err != nil {
					t.Fatal(err)
				}
				doc, _ := html.Parse(bytes.NewReader(raw))
				forms := all(doc, tag("form"))
				if len(forms) != 1 {
					t.Fatalf("%d forms", len(forms))
				}
				f := forms[0]
				for k, want := range map[string]string{"method": "post", "action": "/api/enquiry", "novalidate": "", "data-enquiry-form": "", "data-thanks": l.prefix + "/enquire/" + kind + "/thanks/"} {
					if v, ok := attr(f, k); !ok || v != want {
						t.Errorf("form %s=%q, want %q", k, v, want)
					}
				}
				if _, err := os.Stat(filepath.Join(public, l.prefix, "enquire", kind, "thanks", "index.html")); err != nil {
					t.Error("no thank-you page")
				}
				hidden := map[string]string{}
				for _, in := range all(f, tag("input")) {
					if typ, _ := attr(in, "type"); typ == "hidden" {
						n, _ := attr(in, "name")
						hidden[n], _ = attr(in, "value")
					}
				}
				if hidden["kind"] != kind || hidden["lang"] != l.code {
					t.Errorf("hidden fields %v", hidden)
				}
				sum := byID(doc, "error-summary")
				if sum == nil {
					t.Fatal("no error summary")
				}
				for _, k := range []string{"data-error-summary", "hidden"} {
					if _, ok := attr(sum, k); !ok {
						t.Errorf("error summary lacks %s", k)
					}
				}
				if v, _ := attr(sum, "tabindex"); v != "-1" || len(all(sum, tag("ul"))) != 1 {
					t.Error("error summary needs tabindex=-1 and an empty <ul>")
				}
				for _, name := range append(slices.Clone(common), fields...) {
					in := byID(f, "f-"+name)
					if in == nil {
						t.Errorf("no #f-%s", name)
						continue
					}
					if n, _ := attr(in, "name"); n != name {
						t.Errorf("#f-%s has name %q", name, n)
					}
					slot := byID(f, "f-"+name+"-error")
					if slot == nil {
						t.Errorf("no error slot #f-%s-error", name)
					} else if _, ok := attr(slot, "hidden"); !ok || text(slot) != "" {
						t.Errorf("error slot #f-%s-error must be empty and hidden", name)
					}
					if !labelled(f, in) {
						t.Errorf("#f-%s has no label", name)
					}
					if opts, ok := enquiry.Choices[name]; ok {
						var want, got []string
						for _, o := range opts {
							want = append(want, o.Value)
						}
						if name == enquiry.FieldTime { // only the times the clinic is open (hours_test.go)
							want = serverTimes(t)
							opts = slices.DeleteFunc(slices.Clone(opts), func(o enquiry.Option) bool { return !slices.Contains(want, o.Value) })
						}
						if in.Data == "select" {
							for _, o := range all(in, tag("option")) {
								if v, _ := attr(o, "value"); v != "" {
									got = append(got, v)
								}
							}
						} else {
							if byID(f, "f-"+name+"-group") == nil {
								t.Errorf("no fieldset #f-%s-group", name)
							}
							for _, o := range all(f, func(n *html.Node) bool { v, _ := attr(n, "name"); return n.Data == "input" && v == name }) {
								v, _ := attr(o, "value")
								got = append(got, v)
								id, _ := attr(o, "id")
								if id != "f-"+name && id != "f-"+name+"-"+v {
									t.Errorf("option %s=%s has id %q", name, v, id)
								}
							}
						}
						if !slices.Equal(got, want) {
							t.Errorf("%s options %v, want %v (enquiry.Choices)", name, got, want)
						}
						// What people read matches the wording of validation messages and emails.
						for _, o := range opts {
							want := o.En
							if l.code == "ar" {
								want = o.Ar
							}
							if got := optionLabel(f, in, name, o.Value); got != want {
								t.Errorf("%s=%s reads %q, want %q (enquiry.Choices, %s)", name, o.Value, got, want, l.code)
							}
						}
					}
				}
				checks := map[string]map[string]string{
					"f-name":    {"autocomplete": "name"},
					"f-phone":   {"autocomplete": "tel", "inputmode": "tel", "type": "tel", "dir": "ltr"},
					"f-email":   {"autocomplete": "email", "inputmode": "email", "type": "email", "dir": "ltr"},
					"f-consent": {"type": "checkbox", "value": "yes"},
				}
				if kind == "suitability" {
					checkPainScale(t, f)
				} else {
					checks["f-date"] = map[string]string{"type": "date"}
				}
				for id, want := range checks {
					in := byID(f, id)
					for k, v := range want {
						if got, _ := attr(in, k); got != v {
							t.Errorf("#%s %s=%q, want %q", id, k, got, v)
						}
					}
				}
				// Consent links the privacy notice.
				if c := byID(f, "f-consent-hint"); c == nil || !strings.Contains(renderNode(c), `href="`+l.prefix+`/privacy/"`) {
					t.Errorf("consent hint does not link the privacy notice %s/privacy/", l.prefix)
				}
				// The script's messages (data-msg-*) are in the page's language; in
				// right-to-left pages the phone number is isolated (LRI … PDI).
				for _, k := range []string{"data-msg-sending", "data-msg-network", "data-msg-busy", "data-msg-unavailable", "data-msg-error"} {
					v, _ := attr(f, k)
					if strings.TrimSpace(v) == "" {
						t.Errorf("form has no %s", k)
					}
					if l.code == "ar" && !arabicLetters.MatchString(v) {
						t.Errorf("%s is not in Arabic: %q", k, v)
					}
					if l.dir == "rtl" && strings.Contains(v, "+971") && !strings.Contains(v, "\u2066+971") {
						t.Errorf("%s: the phone number is not isolated for right-to-left text: %q", k, v)
					}
				}
				// Honeypot: hidden from people and screen readers.
				hp := byID(f, "f-website")
				if hp == nil {
					t.Fatal("no honeypot")
				}
				if n, _ := attr(hp, "name"); n != "website" {
					t.Error("honeypot name")
				}
				if v, _ := attr(hp, "tabindex"); v != "-1" {
					t.Error("honeypot reachable by Tab")
				}
				if v, _ := attr(hp, "autocomplete"); v != "off" {
					t.Error("honeypot autocomplete")
				}
				wrap := hp.Parent
				if v, _ := attr(wrap, "aria-hidden"); v != "true" || !strings.Contains(classOf(wrap), "hp") {
					t.Error("honeypot wrapper needs class hp and aria-hidden=true")
				}
				buttons := all(f, func(n *html.Node) bool { _, ok := attr(n, "data-submit"); return n.Data == "button" && ok })
				if len(buttons) != 1 {
					t.Error("want one <button data-submit>")
				} else if v, _ := attr(buttons[0], "type"); v != "submit" {
					t.Error("submit button type")
				}
				// Sections: each with a heading; every question in one; the button in the last.
				steps := all(f, func(n *html.Node) bool { _, ok := attr(n, "data-step"); return n.Data == "section" && ok })
				if len(steps) < 2 {
					t.Fatalf("%d sections of questions, want at least 2", len(steps))
				}
				for i, st := range steps {
					if len(all(st, tag("h2"))) != 1 {
						t.Errorf("section %d has no heading of its own", i+1)
					}
				}
				if len(buttons) == 1 && !slices.Contains(all(steps[len(steps)-1], tag("button")), buttons[0]) {
					t.Error("the submit button is not in the last section")
				}
				for _, name := range append(slices.Clone(common), fields...) {
					if in := byID(f, "f-"+name); in != nil && !slices.ContainsFunc(steps, func(st *html.Node) bool { return slices.Contains(all(st, func(*html.Node) bool { return true }), in) }) {
						t.Errorf("#f-%s is in no section", name)
					}
				}
			})
		}
	}
}

// checkPainScale: pain is eleven radios, 0 to 10 in order, in the fieldset
// f-pain-group, ids as for any group (f-pain, then f-pain-VALUE), each
// labelled by its number, in a row that runs left to right in every
// language; 0 and 10 are described by the words at the two ends.
func checkPainScale(t *testing.T, f *html.Node) {
	t.Helper()
	group := byID(f, "f-pain-group")
	if group == nil || group.Data != "fieldset" || len(all(group, tag("legend"))) != 1 {
		t.Fatal("pain: no fieldset #f-pain-group with a legend")
	}
	radios := all(group, func(n *html.Node) bool { v, _ := attr(n, "name"); return n.Data == "input" && v == "pain" })
	if len(radios) != 11 {
		t.Fatalf("pain: %d inputs, want 11 radios (0 to 10)", len(radios))
	}
	for i, r := range radios {
		v, _ := attr(r, "value")
		typ, _ := attr(r, "type")
		id, _ := attr(r, "id")
		wantID := "f-pain"
		if i > 0 {
			wantID = fmt.Sprintf("f-pain-%d", i)
		}
		if typ != "radio" || v != fmt.Sprint(i) || id != wantID {
			t.Errorf("pain input %d: type=%q value=%q id=%q, want a radio, value %d, id %s", i, typ, v, id, i, wantID)
		}
		if optionLabel(f, r, "pain", v) != v {
			t.Errorf("pain %s is not labelled by its number", v)
		}
		if row := r.Parent.Parent; row == nil || func() string { d, _ := attr(row, "dir"); return d }() != "ltr" {
			t.Errorf("pain %s: the row of numbers is not dir=ltr", v)
		}
	}
	for _, end := range []struct {
		radio *html.Node
		name  string
	}{{radios[0], "0"}, {radios[10], "10"}} {
		ids, _ := attr(end.radio, "aria-describedby")
		words := ""
		for _, id := range strings.Fields(ids) {
			if n := byID(f, id); n != nil {
				words += strings.TrimSpace(text(n))
			}
		}
		if words == "" {
			t.Errorf("pain %s: its end of the scale is not described in words (aria-describedby=%q)", end.name, ids)
		}
	}
}

// optionLabel is what a person reads for one value of a choice field: the
// <option> text of a select, or the <label> of a radio or checkbox.
func optionLabel(form, in *html.Node, name, value string) string {
	if in.Data == "select" {
		for _, o := range all(in, tag("option")) {
			if v, _ := attr(o, "value"); v == value {
				return strings.TrimSpace(text(o))
			}
		}
		return ""
	}
	for _, o := range all(form, func(n *html.Node) bool { v, _ := attr(n, "name"); return n.Data == "input" && v == name }) {
		if v, _ := attr(o, "value"); v == value {
			id, _ := attr(o, "id")
			for _, lb := range all(form, tag("label")) {
				if f, _ := attr(lb, "for"); f == id {
					return strings.TrimSpace(text(lb))
				}
			}
		}
	}
	return ""
}

func classOf(n *html.Node) string { v, _ := attr(n, "class"); return v }

func renderNode(n *html.Node) string {
	var b bytes.Buffer
	html.Render(&b, n)
	return b.String()
}

func labelled(form, in *html.Node) bool {
	id, _ := attr(in, "id")
	for _, l := range all(form, tag("label")) {
		if v, _ := attr(l, "for"); v == id && strings.TrimSpace(text(l)) != "" {
			return true
		}
	}
	return false
}

// TestGuard plants bad content in a copy of the site and expects the build to
// fail with a message naming the file and the problem.
func TestGuard(t *testing.T) {
	built(t) // also warms Hugo's image cache for the copies
	cases := []struct {
		fixture string
		setup   func(t *testing.T, dir string)
		want    []string
		notWant []string
		ok      bool // the build must succeed
	}{
		{fixture: "claim", want: []string{"planted-claim.en.md", `"guaranteed"`, `"100%"`}},
		{fixture: "testimonial", want: []string{"planted-unconsented.en.md", "consent and approval"}},
		{fixture: "noalt", want: []string{"planted-no-alt.en.md", "no alt text"}},
		// Arabic: a planted claim in an .ar.md file, then the same claims written with
		// joined clitics, vowel marks, a tatweel and Arabic-Indic digits.
		{fixture: "arabic", want: []string{"planted-arabic.ar.md", `"مضمون"`}},
		{fixture: "arabic-clitics", want: []string{"planted-clitics.ar.md", `"مضمونة"`, `"أفضل"`, `"الوحيدة"`, `"100%"`, `"دون ألم"`}},
		// FAQ entries (checked by guard-walk) with claims in front matter fields, in
		// capitals, across a line break and extra spaces, #1, a long s; Arabic in
		// front matter with a tatweel and extra spaces, Arabic-Indic digits.
		{fixture: "fields", want: []string{"planted-fields.en.md", `"world-class"`, `"painless"`, `"no side effects"`, `"#1"`, `"best"`,
			"planted-fields.ar.md", `"نتائج فورية"`, `"آمن 100%"`, `"100٪"`, `"مثبت علمياً"`}},
		// An entry saved in the content editor before its Arabic side was written:
		// the Arabic file holds the shared settings only.
		{fixture: "untranslated", want: []string{"planted-untranslated.ar.md", "the title is empty", "the AR side"}},
		// Statistics without a footnote in their paragraph (a percentage, a count of
		// patients, trials, "studies show"), in a page and an Arabic FAQ entry: each
		// file is named with what it says; the cited paragraph of the same page is not.
		{fixture: "statistic", want: []string{"planted-statistic.en.md", `"72%"`, `"118 patients"`, `"trials"`,
			"planted-statistic.ar.md", `"72%"`, `"تظهر الدراسات"`, `"40 مريضا"`}, notWant: []string{`"5%"`}},
		// The same kinds of statistics, each cited with a footnote, and everyday words
		// (a trial of physiotherapy, تجارب المرضى: patients' experiences) pass.
		{fixture: "statistic-cited", ok: true},
		// Words that only look like forbidden ones must not stop the build.
		{fixture: "arabic-innocent", ok: true},
	}
	for _, c := range cases {
		t.Run(c.fixture, func(t *testing.T) {
			dir := t.TempDir()
			for _, p := range []string{"hugo.toml", "content", "data", "static", "themes"} {
				copyTree(t, filepath.Join(root, p), filepath.Join(dir, p))
			}
			copyTree(t, filepath.Join("testdata", "guard", c.fixture), dir)
			if c.setup != nil {
				c.setup(t, dir)
			}
			start := time.Now()
			err := Build(context.Background(), Options{Root: root, Source: dir, Dest: filepath.Join(dir, "public"), Timeout: 90 * time.Second})
			t.Logf("build took %v", time.Since(start).Round(time.Millisecond))
			if c.ok {
				if err != nil {
					t.Fatalf("the guard stopped a build it should have let through: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("the build succeeded; the guard should have stopped it")
			}
			msg := err.Error()
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error does not mention %s:\n%s", w, msg)
				}
			}
			for _, w := range c.notWant {
				if strings.Contains(msg, w) {
					t.Errorf("error mentions %s, which is fine:\n%s", w, msg)
				}
			}
		})
	}
}

// copyTree copies the files under src into dst, replacing files that exist:
// tests build changed copies of the site (a planted claim, a filled-in team)
// without touching the working tree.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestRootFindsGoMod(t *testing.T) {
	r, err := Root()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(r, "go.mod")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(r, "go.mod")); !regexp.MustCompile(`(?m)^module github.com/bluetreeclinics/site$`).Match(b) {
		t.Errorf("%s/go.mod is not this module's", r)
	}
}

func TestBuildNeedsDest(t *testing.T) {
	if err := Build(context.Background(), Options{}); err == nil {
		t.Error("Build without Dest succeeded")
	}
}
