package site

import (
	"maps"
	"net/http"
	"regexp"
	"strings"
)

// HeaderRule is one block of a Netlify _headers file.
type HeaderRule struct {
	pattern *regexp.Regexp
	headers map[string]string // a header repeated in the block: its values joined with ", "
}

// ParseHeaders reads Netlify's _headers format: a path line (with *
// splats and :placeholders), then indented "Name: value" lines; # starts a
// comment. Rules for full URLs (another domain) are skipped. functions/cmd/serve
// sends what it reads, and HeaderBytes weighs it.
func ParseHeaders(b []byte) []HeaderRule {
	var rules []HeaderRule
	var cur *HeaderRule
	for line := range strings.Lines(string(b)) {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		if line[0] != ' ' && line[0] != '\t' { // a path line
			cur = nil
			if strings.HasPrefix(trimmed, "/") { // full URLs (another domain) are not ours
				rules = append(rules, HeaderRule{pattern: compilePattern(trimmed), headers: map[string]string{}})
				cur = &rules[len(rules)-1]
			}
			continue
		}
		name, value, ok := strings.Cut(trimmed, ":")
		if !ok || cur == nil {
			continue
		}
		name, value = http.CanonicalHeaderKey(strings.TrimSpace(name)), strings.TrimSpace(value)
		if prev, ok := cur.headers[name]; ok {
			value = prev + ", " + value
		}
		cur.headers[name] = value
	}
	return rules
}

// compilePattern turns "/enquire/*" or "/blog/:year/*" into a regexp.
func compilePattern(p string) *regexp.Regexp {
	segs := strings.Split(p, "/")
	for i, seg := range segs {
		if strings.HasPrefix(seg, ":") {
			segs[i] = "[^/]+"
		} else {
			segs[i] = strings.ReplaceAll(regexp.QuoteMeta(seg), `\*`, ".*")
		}
	}
	return regexp.MustCompile("^" + strings.Join(segs, "/") + "$")
}

// HeadersFor collects the headers of every rule matching urlPath, as
// Netlify does: a later rule's header replaces an earlier rule's.
func HeadersFor(rules []HeaderRule, urlPath string) map[string]string {
	out := map[string]string{}
	for _, r := range rules {
		if r.pattern.MatchString(urlPath) {
			maps.Copy(out, r.headers)
		}
	}
	return out
}
