package site

// Tests of the two editions: English at the root, Arabic under /ar/ (right to
// left). The other checks (titles, links, JSON-LD, budgets, forms, guard) run
// over every built page, so they cover both languages.

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"
	"golang.org/x/net/html"

	"github.com/bluetreeclinics/site/functions/internal/enquiry"
)

// edition is one language of the site.
type edition struct {
	code   string // "en", "ar"
	prefix string // URL prefix: "" for English (the default language), "/ar"
	dir    string // "ltr" or "rtl"
	label  string // the language's own name, as the language switcher shows it
	only   string // front matter flag for a page that is on purpose in this language only
}

var langs = []edition{
	{code: "en", prefix: "", dir: "ltr", label: "English", only: "englishOnly"},
	{code: "ar", prefix: "/ar", dir: "rtl", label: "العربية", only: "arabicOnly"},
}

// langOf is the edition a built URL path belongs to.
func langOf(urlPath string) edition {
	for _, l := range langs[1:] {
		if strings.HasPrefix(urlPath, l.prefix+"/") {
			return l
		}
	}
	return langs[0]
}

func isHome(urlPath string) bool { return urlPath == langOf(urlPath).prefix+"/" }
func is404(urlPath string) bool  { return urlPath == langOf(urlPath).prefix+"/404.html" }

var arabicLetters = regexp.MustCompile(`\p{Arabic}`)

// alternates returns a page's <link rel="alternate" hreflang> map and its canonical URL.
func alternates(doc *html.Node) (alts map[string]string, canonical string) {
	alts = map[string]string{}
	for _, l := range all(doc, tag("link")) {
		rel, _ := attr(l, "rel")
		href, _ := attr(l, "href")
		switch rel {
		case "canonical":
			canonical = href
		case "alternate":
			if hl, ok := attr(l, "hreflang"); ok {
				alts[hl] = href
			}
		}
	}
	return alts, canonical
}

// frontMatter reads the YAML front matter of a content file.
func frontMatter(t *testing.T, file string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.ReplaceAll(string(b), "\r\n", "\n")
	if !strings.HasPrefix(s, "---\n") {
		return map[string]any{}
	}
	end := strings.Index(s[4:], "\n---")
	if end < 0 {
		t.Fatalf("%s: front matter is not closed by ---", file)
	}
	fm := map[string]any{}
	if err := yaml.Unmarshal([]byte(s[4:4+end]), &fm); err != nil {
		t.Fatalf("%s: front matter: %v", file, err)
	}
	return fm
}

// contentFiles lists the Markdown files of one language, relative to content/LANG.
func contentFiles(t *testing.T, code string) []string {
	t.Helper()
	dir := filepath.Join(root, "content", code)
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".md") {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// TestEditions: both editions have the same number of pages, and Arabic pages
// have Arabic titles, descriptions and og:locale (lang="ar" dir="rtl" on <html>
// is checked for every page in TestPageBasics).
func TestEditions(t *testing.T) {
	count := map[string]int{}
	for _, p := range pages(t) {
		l := langOf(p.path)
		count[l.code]++
		if l.code == "ar" {
			title := all(p.doc, tag("title"))
			h1 := all(p.doc, tag("h1"))
			if len(title) == 0 || len(h1) == 0 || !arabicLetters.MatchString(text(title[0])) || !arabicLetters.MatchString(text(h1[0])) {
				t.Errorf("%s: the title or h1 is not in Arabic", p.path)
			}
			desc, _ := meta(p.doc, "name", "description")
			if !arabicLetters.MatchString(desc) {
				t.Errorf("%s: the description is not in Arabic: %q", p.path, desc)
			}
			if loc, _ := meta(p.doc, "property", "og:locale"); loc != "ar_AE" {
				t.Errorf("%s: og:locale %q, want ar_AE", p.path, loc)
			}
		} else if loc, _ := meta(p.doc, "property", "og:locale"); loc != "en_AE" {
			t.Errorf("%s: og:locale %q, want en_AE", p.path, loc)
		}
	}
	t.Logf("pages per language: %v", count)
	if count["ar"] == 0 || count["ar"] != count["en"] {
		t.Errorf("pages per language: %v; every page should have its translation (or be marked englishOnly/arabicOnly)", count)
	}
}

// TestTranslationsComplete: every content file of one language has its
// translation under the same name in the other, or says in its front matter
// why it has none (englishOnly: true + englishOnlyReason, or arabicOnly).
func TestTranslationsComplete(t *testing.T) {
	files := map[string][]string{}
	for _, l := range langs {
		files[l.code] = contentFiles(t, l.code)
	}
	for _, l := range langs {
		for _, other := range langs {
			if other.code == l.code {
				continue
			}
			for _, f := range files[l.code] {
				fm := frontMatter(t, filepath.Join(root, "content", l.code, f))
				only, _ := fm[l.only].(bool)
				reason, _ := fm[l.only+"Reason"].(string)
				translated := slices.Contains(files[other.code], f)
				switch {
				case only && strings.TrimSpace(reason) == "":
					t.Errorf("content/%s/%s: %s: true needs %sReason: why this page has no translation", l.code, f, l.only, l.only)
				case only && translated:
					t.Errorf("content/%s/%s is marked %s but content/%s/%s exists", l.code, f, l.only, other.code, f)
				case !only && !translated:
					t.Errorf("content/%s/%s has no translation content/%s/%s (translate it, or mark it %s: true with %sReason)", l.code, f, other.code, f, l.only, l.only)
				}
			}
		}
	}
	// Testimonials: a translation never publishes what the original keeps back.
	for _, f := range files["en"] {
		if !strings.HasPrefix(f, "testimonials/") || f == "testimonials/_index.md" || !slices.Contains(files["ar"], f) {
			continue
		}
		en := frontMatter(t, filepath.Join(root, "content", "en", f))
		ar := frontMatter(t, filepath.Join(root, "content", "ar", f))
		for _, k := range []string{"draft", "consent", "approved"} {
			if fmt.Sprint(en[k]) != fmt.Sprint(ar[k]) {
				t.Errorf("testimonial %s: %s is %v in English but %v in Arabic", f, k, en[k], ar[k])
			}
		}
	}
}

// TestHreflang: each translated page names every version of itself (itself
// included, equal to its canonical URL) and x-default (the English page); the
// links are reciprocal and resolve to built pages.
func TestHreflang(t *testing.T) {
	ps := pages(t)
	byURL := map[string]*page{}
	for _, p := range ps {
		byURL[baseURL+strings.TrimPrefix(p.path, "/")] = p
	}
	for _, p := range ps {
		l := langOf(p.path)
		alts, canonical := alternates(p.doc)
		if len(alts) == 0 {
			t.Errorf("%s: no hreflang alternates (every page has a translation)", p.path)
			continue
		}
		if alts[l.code] != canonical {
			t.Errorf("%s: hreflang=%s is %q, want its canonical %q", p.path, l.code, alts[l.code], canonical)
		}
		if alts["x-default"] == "" || alts["x-default"] != alts[langs[0].code] {
			t.Errorf("%s: x-default %q, want the %s page %q", p.path, alts["x-default"], langs[0].code, alts[langs[0].code])
		}
		for _, other := range langs {
			href := alts[other.code]
			target := byURL[href]
			if target == nil {
				t.Errorf("%s: hreflang=%s %q is not a built page", p.path, other.code, href)
				continue
			}
			if langOf(target.path).code != other.code {
				t.Errorf("%s: hreflang=%s points to %s, a %s page", p.path, other.code, target.path, langOf(target.path).code)
			}
			back, _ := alternates(target.doc)
			if fmt.Sprint(back) != fmt.Sprint(alts) {
				t.Errorf("%s and %s: alternates not reciprocal:\n%v\n%v", p.path, target.path, alts, back)
			}
		}
	}
}

// TestLanguageSwitcher: the header links each page to its translation, named
// in the other language's own words, with lang and hreflang.
func TestLanguageSwitcher(t *testing.T) {
	for _, p := range pages(t) {
		l := langOf(p.path)
		alts, _ := alternates(p.doc)
		header := all(p.doc, tag("header"))
		if len(header) == 0 {
			t.Errorf("%s: no <header>", p.path)
			continue
		}
		links := all(header[0], func(n *html.Node) bool {
			_, ok := attr(n, "hreflang")
			return n.Data == "a" && ok
		})
		if len(links) != len(langs)-1 {
			t.Errorf("%s: %d language links in the header, want %d", p.path, len(links), len(langs)-1)
			continue
		}
		for _, a := range links {
			hl, _ := attr(a, "hreflang")
			lang, _ := attr(a, "lang")
			href, _ := attr(a, "href")
			var other edition
			for _, e := range langs {
				if e.code == hl {
					other = e
				}
			}
			switch {
			case other.code == "" || other.code == l.code:
				t.Errorf("%s: language link hreflang=%q", p.path, hl)
			case lang != hl:
				t.Errorf("%s: language link lang=%q hreflang=%q", p.path, lang, hl)
			case strings.TrimSpace(text(a)) != other.label:
				t.Errorf("%s: language link reads %q, want %q", p.path, text(a), other.label)
			case baseURL+strings.TrimPrefix(href, "/") != alts[hl]:
				t.Errorf("%s: language link %q, but its %s translation is %q", p.path, href, hl, alts[hl])
			}
		}
	}
}

// TestRightToLeftText: in Arabic pages, phone numbers and email addresses sit in
// an element with dir="ltr" (so "+971 4 …" is not reordered), and numbers use
// the Western digits usual in the UAE.
func TestRightToLeftText(t *testing.T) {
	phone := regexp.MustCompile(`\+?\d[\d ]{6,}\d`)
	email := regexp.MustCompile(`\S+@\S+\.\S+`)
	indic := regexp.MustCompile(`[٠-٩۰-۹]`)
	checked := 0
	for _, p := range pages(t) {
		if langOf(p.path).dir != "rtl" {
			continue
		}
		body := all(p.doc, tag("body"))[0]
		var walk func(n *html.Node, ltr bool)
		walk = func(n *html.Node, ltr bool) {
			if n.Type == html.ElementNode {
				if n.Data == "script" || n.Data == "style" {
					return
				}
				if d, ok := attr(n, "dir"); ok {
					ltr = d == "ltr"
				}
			}
			if n.Type == html.TextNode {
				for _, re := range []*regexp.Regexp{phone, email} {
					for _, m := range re.FindAllStringIndex(n.Data, -1) {
						checked++
						// Isolated by markup, or by an invisible LRI (U+2066) or LRM (U+200E) before it.
						before := n.Data[:m[0]]
						if !ltr && !strings.HasSuffix(before, "\u2066") && !strings.HasSuffix(before, "\u200e") {
							t.Errorf("%s: %q is not wrapped in dir=\"ltr\" (e.g. <bdi dir=\"ltr\">) or LRI … PDI", p.path, n.Data[m[0]:m[1]])
						}
					}
				}
				if indic.MatchString(n.Data) {
					t.Errorf("%s: Arabic-Indic digits in %q; the site uses 0-9", p.path, strings.TrimSpace(n.Data))
				}
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c, ltr)
			}
		}
		walk(body, false)
	}
	if checked == 0 {
		t.Error("no phone number or email address found in the Arabic pages")
	}
	t.Logf("%d phone numbers and email addresses in Arabic pages checked", checked)
}

// TestI18nComplete: the Arabic theme strings have exactly the English keys, and
// the option labels are those of the enquiry package (validation, emails). A key
// with plural forms ("one", "other"; Arabic has more) counts as one key, and each
// of its forms is checked as a string "key.form".
func TestI18nComplete(t *testing.T) {
	read := func(code string) (keys map[string]bool, m map[string]string) {
		b, err := os.ReadFile(filepath.Join(root, "themes", "bluetree", "i18n", code+".yaml"))
		if err != nil {
			t.Fatal(err)
		}
		raw := map[string]any{}
		if err := yaml.Unmarshal(b, &raw); err != nil {
			t.Fatalf("i18n/%s.yaml: %v", code, err)
		}
		keys, m = map[string]bool{}, map[string]string{}
		for k, v := range raw {
			keys[k] = true
			switch v := v.(type) {
			case string:
				m[k] = v
			case map[string]any:
				if s, _ := v["other"].(string); s == "" {
					t.Errorf("i18n/%s.yaml %s: plural forms without \"other\"", code, k)
				}
				for form, s := range v {
					m[k+"."+form], _ = s.(string)
				}
			default:
				t.Errorf("i18n/%s.yaml %s: neither a string nor plural forms", code, k)
			}
		}
		return keys, m
	}
	enKeys, en := read("en")
	arKeys, ar := read("ar")
	for k := range enKeys {
		if !arKeys[k] || (strings.TrimSpace(ar[k]) == "" && strings.TrimSpace(ar[k+".other"]) == "") {
			t.Errorf("i18n/ar.yaml lacks %s", k)
		}
	}
	for k := range arKeys {
		if !enKeys[k] {
			t.Errorf("i18n/ar.yaml has %s, which en.yaml lacks", k)
		}
	}
	for k, v := range ar {
		if words := regexp.MustCompile(`\{\{.*?\}\}`).ReplaceAllString(v, ""); !arabicLetters.MatchString(words) && regexp.MustCompile(`\pL`).MatchString(words) && v != en[k] {
			t.Errorf("i18n/ar.yaml %s is not Arabic: %q", k, v)
		}
	}
	for field, opts := range enquiry.Choices {
		for _, o := range opts {
			key := "opt_" + field + "_" + o.Value
			if _, used := en[key]; !used {
				continue // kind and lang are hidden fields
			}
			if en[key] != o.En || ar[key] != o.Ar {
				t.Errorf("%s: i18n en %q / ar %q, enquiry.Choices %q / %q", key, en[key], ar[key], o.En, o.Ar)
			}
		}
	}
}

// physical matches CSS that names a physical side, which does not mirror in
// right-to-left pages: use margin-inline-*, padding-inline-*, inset-inline-*,
// border-inline-*, text-align: start/end, float: inline-start.
var physical = regexp.MustCompile(`(?i)\b(?:margin|padding|border|scroll-margin|scroll-padding)-(?:left|right)\b|(?:^|[\s;{])(?:left|right)\s*:|\b(?:text-align|float|clear)\s*:\s*(?:left|right)\b|\bborder-(?:top|bottom)-(?:left|right)-radius\b`)

var cssComment = regexp.MustCompile(`(?s)/\*.*?\*/`)

// TestCSSLogicalProperties scans the theme's CSS and the built stylesheet (inline
// in every page; the forms' rules are in the theme's form.css) for physical
// left/right properties.
func TestCSSLogicalProperties(t *testing.T) {
	sources := map[string]string{"the inline stylesheet": siteCSS(t)}
	filepath.WalkDir(filepath.Join(root, "themes", "bluetree", "assets", "css"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".css") {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			sources[p] = string(b)
		}
		return nil
	})
	if len(sources) < 3 {
		t.Fatalf("only %d CSS sources found", len(sources))
	}
	for f, b := range sources {
		// The minified stylesheet is one line: split it at rules to keep the scan's context.
		b = strings.ReplaceAll(b, "}", "}\n")
		for i, line := range strings.Split(cssComment.ReplaceAllString(b, ""), "\n") {
			if m := physical.FindString(line); m != "" {
				t.Errorf("%s:%d: physical property %q: use a logical one (margin-inline-start, inset-inline-end, text-align: start…)", f, i+1, strings.TrimSpace(m))
			}
		}
	}
	// The rule catches what it should.
	for _, bad := range []string{"a{margin-left:0}", ".x { padding-right: 1rem }", "b{left:0}", "p { text-align: right; }", "i{float:left}", "q{border-right:1px solid}"} {
		if !physical.MatchString(bad) {
			t.Errorf("the scan misses %q", bad)
		}
	}
	for _, good := range []string{"a{margin-inline-start:0}", "b{inset-inline-end:0}", "p{text-align:start}", "q{border-inline-end:1px solid}"} {
		if physical.MatchString(good) {
			t.Errorf("the scan flags %q", good)
		}
	}
}

// TestArabicFonts: Arabic pages get a system font stack that renders Arabic
// (nothing downloaded), and direction-pointing icons are mirrored.
func TestArabicFonts(t *testing.T) {
	css := []byte(siteCSS(t))
	for _, want := range []string{":lang(ar)", "Noto Sans Arabic", "Segoe UI", "Tahoma", "Geeza Pro", `[dir="rtl"] .breadcrumbs`} {
		if !bytes.Contains(css, []byte(want)) && !bytes.Contains(css, []byte(strings.ReplaceAll(want, `"`, ""))) {
			t.Errorf("the stylesheet lacks %s", want)
		}
	}
	if bytes.Contains(css, []byte("@font-face")) || bytes.Contains(css, []byte("url(http")) {
		t.Error("the stylesheet downloads fonts")
	}
}
