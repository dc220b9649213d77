package site

import (
	"bytes"
	"compress/gzip"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"golang.org/x/net/html"
)

// The weight budgets. A page's first response, its headers and its HTML
// gzipped (the CSS is inline), fits FirstWindow: what a new connection
// delivers in its first round trip, TCP's initial congestion window of 10
// segments of 1460 bytes (RFC 6928), as Lighthouse's simulated network counts
// it; one byte more costs a second round trip (150 ms on its slow 4G) before
// the first paint. The site's JavaScript, all of it, fits JSBudget, gzipped.
// TestBudgets holds the site to them; cmd/perf reports each page against them.
const (
	FirstWindow = 10 * 1460
	JSBudget    = 4 * 1024
	// ServeHeaders is what functions/cmd/serve sends with a page besides the
	// _headers file's headers: the status line, Cache-Control,
	// Content-Encoding, Content-Type, Last-Modified, Vary, Date and
	// Transfer-Encoding (268 bytes), and the chunked body's framing (about
	// 55), measured with curl and Lighthouse on 2026-12-08. Netlify's HTTP/2
	// compresses its headers, so this errs on the safe side.
	ServeHeaders = 330
)

// HeaderBytes is the size of a page's response headers as functions/cmd/serve
// sends them: the public/_headers file's headers for "/" (Name: value, CRLF)
// plus ServeHeaders.
func HeaderBytes(public string) (int, error) {
	b, err := os.ReadFile(filepath.Join(public, "_headers"))
	if err != nil {
		return 0, err
	}
	n := ServeHeaders
	for name, value := range HeadersFor(ParseHeaders(b), "/") {
		n += len(name) + len(": ") + len(value) + len("\r\n")
	}
	return n, nil
}

// Weigh returns what the built page file (an .html file in public) weighs,
// each file gzipped on its own at level 9: htmlCSS is the page (its CSS is
// inline) plus any linked stylesheet, js its inline scripts (not JSON-LD)
// plus linked ones. The site makes no third-party requests: every URL's
// path is a file of the build (absolute URLs carry the production host).
func Weigh(public, file string) (htmlCSS, js int, err error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return 0, 0, err
	}
	doc, err := html.Parse(bytes.NewReader(b))
	if err != nil {
		return 0, 0, err
	}
	linked := func(ref string) int {
		if u, perr := url.Parse(ref); perr != nil {
			err = perr
		} else if b, rerr := os.ReadFile(filepath.Join(public, filepath.FromSlash(u.Path))); rerr != nil {
			err = rerr
		} else {
			return gzipSize(b)
		}
		return 0
	}
	htmlCSS = gzipSize(b)
	for n := range doc.Descendants() {
		switch {
		case n.Type != html.ElementNode:
		case n.Data == "link" && valueOf(n, "rel") == "stylesheet":
			htmlCSS += linked(valueOf(n, "href"))
		case n.Data == "script" && valueOf(n, "src") != "":
			js += linked(valueOf(n, "src"))
		case n.Data == "script" && valueOf(n, "type") != "application/ld+json" && n.FirstChild != nil:
			js += gzipSize([]byte(n.FirstChild.Data))
		}
	}
	return htmlCSS, js, err
}

// gzipSize is the size of b gzipped at level 9 (0 for nothing).
func gzipSize(b []byte) int {
	if len(b) == 0 {
		return 0
	}
	var buf bytes.Buffer
	z, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	z.Write(b)
	z.Close()
	return buf.Len()
}

func valueOf(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

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
