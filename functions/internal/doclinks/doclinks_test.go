package doclinks

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func root(t *testing.T) string {
	t.Helper()
	r, err := filepath.Abs(filepath.Join("..", "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(r, "go.mod")); err != nil {
		t.Fatal(err)
	}
	return r
}

// Every link and section reference in README.md and docs/ resolves.
func TestDocsReferencesResolve(t *testing.T) {
	r := root(t)
	files, _ := filepath.Glob(filepath.Join(r, "docs", "*.md"))
	files = append(files, filepath.Join(r, "README.md"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(r, f)
		for _, err := range Check(r, filepath.ToSlash(rel), string(b)) {
			t.Error(err)
		}
	}
}

// Every reference in the Go code's comments and strings (a program's -h
// text, its console notes) resolves, this package's own examples aside: a
// comment or a message pointing at a README section that was renamed
// misleads.
func TestGoReferencesResolve(t *testing.T) {
	r := root(t)
	err := filepath.WalkDir(r, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) && p != r {
			if err == nil {
				err = filepath.SkipDir
			}
			return err
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), p, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		var text []string
		for _, c := range f.Comments {
			text = append(text, c.Text())
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				s, _ := strconv.Unquote(lit.Value)
				text = append(text, s)
			}
			return true
		})
		for _, err := range Check(r, "", strings.Join(text, "\n")) {
			t.Errorf("%s: %v", p, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The checker finds what it must: a test that could not fail would let
// every reference rot.
func TestCheckFindsBrokenReferences(t *testing.T) {
	r := root(t)
	text := strings.Join([]string{
		`[ok](docs/deploy.md) and [gone](docs/no-such.md)`,
		`[ok anchor](README.md#two-commands) and [bad anchor](README.md#no-such-heading)`,
		`See README.md, "Two commands" and README, "No such section".`,
		`(README.md, "Gone as well"; docs/deploy.md, "Netlify")`,
		`See docs/deploy.md#no-such-anchor.`,
		"```",
		`[in a code block](nowhere.md) is an example`,
		"```",
		"`[inline code](nowhere.md)` too",
	}, "\n")
	var got []string
	for _, err := range Check(r, "", text) {
		got = append(got, err.Error())
	}
	want := []string{"docs/no-such.md", "#no-such-heading", `"No such section"`, `"Gone as well"`, "docs/deploy.md#no-such-anchor"}
	if len(got) != len(want) {
		t.Fatalf("got %d problems, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	for i, w := range want {
		if !strings.Contains(got[i], w) {
			t.Errorf("problem %d: %q, want one about %s", i, got[i], w)
		}
	}
}

func TestSlug(t *testing.T) {
	for h, want := range map[string]string{
		"Two commands":          "two-commands",
		"First start: how long": "first-start-how-long",
		"Netlify (the default)": "netlify-the-default",
		"`serve` and the spool": "serve-and-the-spool",
		"الصفحات العربية":       "الصفحات-العربية",
	} {
		if got := Slug(h); got != want {
			t.Errorf("Slug(%q) = %q, want %q", h, got, want)
		}
	}
}
