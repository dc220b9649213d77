package mail

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// The text part of an email is its Markdown template read as plain text:
// a reader sees words, not Markdown marks. Headings lose their "#" and are
// underlined (= for the title, - for a section), bold loses its "**"; lists
// ("- ", "1. ") already read as plain text and stay.

var (
	heading = regexp.MustCompile(`^(#{1,6})\s+(.*?)\s*#*\s*$`)
	bold    = regexp.MustCompile(`\*\*(.+?)\*\*`)
)

// markdownToText rewrites a template's Markdown source into plain text; the
// template actions in it are left as they are.
func markdownToText(src []byte) string {
	lines := strings.Split(string(src), "\n")
	out := make([]string, 0, len(lines)+4)
	for _, l := range lines {
		if m := heading.FindStringSubmatch(l); m != nil {
			rule := "-"
			if len(m[1]) == 1 {
				rule = "="
			}
			out = append(out, m[2], ruleMark+rule)
			continue
		}
		out = append(out, bold.ReplaceAllString(l, "$1"))
	}
	return strings.Join(out, "\n")
}

// ruleMark starts the line under a heading; underline replaces it, after
// rendering, with a rule as wide as the heading as rendered.
const ruleMark = "\x1f"

// underline draws the rules marked by markdownToText.
func underline(text string) string {
	if !strings.Contains(text, ruleMark) {
		return text
	}
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if rule, ok := strings.CutPrefix(l, ruleMark); ok && i > 0 {
			lines[i] = strings.Repeat(rule, max(utf8.RuneCountInString(lines[i-1]), 3))
		}
	}
	return strings.Join(lines, "\n")
}
