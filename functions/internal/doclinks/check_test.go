// Package doclinks (tests only) checks the references in the project's
// documents and in the Go code's comments and strings (a program's -h text):
// a Markdown link to a file must find the file, a link with #anchor a
// heading there, and a reference in prose, README.md, "Section" (or
// docs/deploy.md, "Section"), a heading of that name.
package doclinks

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"unicode"
)

var (
	mdLink = regexp.MustCompile(`\]\(([^)\s]+)\)`)
	// README, "Deploy" · README.md, "Trying it locally" · README's "Deploy" · docs/deploy.md, "Netlify"
	prose = regexp.MustCompile(`\b((?:README(?:\.md)?|(?:docs/)?[a-z0-9-]+\.md))(?:'s|,)? (?:section )?"([^"\n]+)"`)
	// a bare docs/deploy.md#netlify
	bareAnchor = regexp.MustCompile(`\b((?:docs/)?[a-z0-9-]+\.md)#([a-z0-9-]+)`)
	inlineCode = regexp.MustCompile("`[^`\n]*`")
)

// Check returns a problem for each reference in text that does not resolve.
// root is the repository root; from is the file holding text, relative to
// root (relative links start from its folder), or "" for text outside the
// repository's files (a -h text), whose paths start at root.
func Check(root, from, text string) []error {
	var errs []error
	fail := func(line int, format string, a ...any) {
		where := from
		if where == "" {
			where = "text"
		}
		errs = append(errs, fmt.Errorf("%s:%d: %s", where, line, fmt.Sprintf(format, a...)))
	}
	dir := path.Dir(from)
	for i, line := range proseLines(text) {
		if line == "" {
			continue
		}
		for _, m := range mdLink.FindAllStringSubmatch(line, -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") || strings.HasPrefix(target, "tel:") {
				continue
			}
			file, anchor, _ := strings.Cut(target, "#")
			p := path.Join(dir, file)
			if file == "" {
				p = from
			}
			if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(p))); err != nil {
				fail(i+1, "link to %s: no such file", target)
				continue
			}
			if anchor != "" && !hasAnchor(root, p, anchor) {
				fail(i+1, "link to %s: %s has no heading with that anchor", target, p)
			}
		}
		for _, m := range prose.FindAllStringSubmatch(line, -1) {
			p := resolve(dir, m[1])
			if !hasHeading(root, p, m[2]) {
				fail(i+1, "%s, %q: %s has no such heading", m[1], m[2], p)
			}
		}
		for _, m := range bareAnchor.FindAllStringSubmatch(line, -1) {
			p := resolve(dir, m[1])
			if !hasAnchor(root, p, m[2]) {
				fail(i+1, "%s#%s: %s has no heading with that anchor", m[1], m[2], p)
			}
		}
	}
	return errs
}

// resolve is the file a prose reference names: README is the repository's,
// docs/… starts at root, a bare name is beside the referring file.
func resolve(dir, name string) string {
	switch {
	case name == "README" || name == "README.md":
		return "README.md"
	case strings.HasPrefix(name, "docs/"):
		return name
	}
	return path.Join(dir, name)
}

// proseLines is text's lines with fenced code blocks and inline code
// blanked: examples there are not references.
func proseLines(text string) []string {
	lines := strings.Split(text, "\n")
	fenced := false
	for i, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), "```") {
			fenced = !fenced
			lines[i] = ""
			continue
		}
		if fenced {
			lines[i] = ""
			continue
		}
		lines[i] = inlineCode.ReplaceAllString(l, "")
	}
	return lines
}

// headings returns a Markdown file's headings, lower-cased, and their
// anchors as GitHub makes them (a repeated heading's gets -1, -2 …).
func headings(root, p string) (names, anchors map[string]bool) {
	names, anchors = map[string]bool{}, map[string]bool{}
	b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(p)))
	if err != nil {
		return names, anchors
	}
	seen := map[string]int{}
	fenced := false
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "```") {
			fenced = !fenced
		}
		h := strings.TrimSpace(strings.TrimLeft(l, "#"))
		if fenced || !strings.HasPrefix(l, "#") || h == "" {
			continue
		}
		names[strings.ToLower(h)] = true
		a := Slug(h)
		if n := seen[a]; n > 0 {
			a = fmt.Sprintf("%s-%d", a, n)
		}
		seen[Slug(h)]++
		anchors[a] = true
	}
	return names, anchors
}

func hasHeading(root, p, name string) bool {
	names, _ := headings(root, p)
	return names[strings.ToLower(name)]
}

func hasAnchor(root, p, anchor string) bool {
	_, anchors := headings(root, p)
	return anchors[anchor]
}

// Slug is GitHub's anchor for a heading: lower case, spaces to hyphens,
// punctuation other than hyphens and underscores dropped.
func Slug(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}
