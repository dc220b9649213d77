package browsertest

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"
)

// language is one edition of the built site.
type language struct {
	code   string            // "en", "ar"
	prefix string            // "" for the default language, "/ar" for Arabic
	words  map[string]string // the theme's i18n strings (themes/bluetree/i18n/CODE.yaml)
}

// home is the language's home page path.
func (l language) home() string { return l.prefix + "/" }

// T is the theme's wording for key; the test fails if there is none.
func (l language) T(t *testing.T, key string) string {
	t.Helper()
	s, ok := l.words[key]
	if !ok || s == "" {
		t.Fatalf("themes/bluetree/i18n/%s.yaml has no %s", l.code, key)
	}
	return s
}

var htmlLang = regexp.MustCompile(`(?is)<html[^>]*\slang="([^"]+)"`)

// languages lists the editions present in the built site: the root's
// language, and each top-level folder whose index.html declares a
// language named like the folder (e.g. /ar/ with lang="ar").
func languages(t *testing.T) []language {
	t.Helper()
	var out []language
	root, err := os.ReadFile(filepath.Join(env.publicDir, "index.html"))
	if err != nil {
		t.Fatalf("the built site has no home page: %v", err)
	}
	m := htmlLang.FindSubmatch(root)
	if m == nil {
		t.Fatalf("the home page has no <html lang>")
	}
	out = append(out, language{code: baseLang(string(m[1]))})
	entries, err := os.ReadDir(env.publicDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(env.publicDir, e.Name(), "index.html"))
		if err != nil {
			continue
		}
		if m := htmlLang.FindSubmatch(b); m != nil && baseLang(string(m[1])) == e.Name() {
			out = append(out, language{code: e.Name(), prefix: "/" + e.Name()})
		}
	}
	for i := range out {
		out[i].words = i18n(t, out[i].code)
	}
	return out
}

func baseLang(tag string) string {
	tag = strings.ToLower(tag)
	if i := strings.IndexAny(tag, "-_"); i > 0 {
		tag = tag[:i]
	}
	return tag
}

// i18n reads the theme's strings for a language. Hugo accepts both
// `key: "text"` and `key: {other: "text"}`.
func i18n(t *testing.T, code string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(env.root, "themes", "bluetree", "i18n", code+".yaml"))
	if err != nil {
		t.Fatalf("language %s: %v", code, err)
	}
	var raw map[string]any
	if err := yaml.Unmarshal(b, &raw); err != nil {
		t.Fatalf("themes/bluetree/i18n/%s.yaml: %v", code, err)
	}
	words := map[string]string{}
	for k, v := range raw {
		switch v := v.(type) {
		case string:
			words[k] = v
		case map[string]any:
			if s, ok := v["other"].(string); ok {
				words[k] = s
			}
		}
	}
	return words
}

// builtPages lists the built site's HTML pages as URL paths ("/", "/about/",
// "/404.html"), skipping alias redirects.
func builtPages(t *testing.T) []string {
	t.Helper()
	var pages []string
	err := filepath.WalkDir(env.publicDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if isAlias(b) {
			return nil
		}
		rel, _ := filepath.Rel(env.publicDir, p)
		u := "/" + filepath.ToSlash(rel)
		u = strings.TrimSuffix(u, "index.html")
		if strings.HasPrefix(u, "/admin/") {
			return nil // the content editor (Decap CMS), not a public page: cms_test.go
		}
		pages = append(pages, u)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) == 0 {
		t.Fatal("the built site has no HTML pages")
	}
	sort.Strings(pages)
	return pages
}

var aliasRe = regexp.MustCompile(`(?i)<meta http-equiv="refresh"`)

// isAlias reports whether a page is one of Hugo's alias redirect stubs.
func isAlias(b []byte) bool {
	return len(b) < 2048 && aliasRe.Match(b)
}

func pageName(path string) string {
	s := strings.Trim(path, "/")
	if s == "" {
		return "home"
	}
	return strings.NewReplacer("/", "-", ".html", "").Replace(s)
}

var _ = fmt.Sprint
