package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"slices"
	"strings"

	"github.com/bluetreeclinics/site/data"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// pagePolicy is the Content-Security-Policy of an HTML page the handler
// writes (the form page refilled, or the fallback page): the site's own
// policy (data/csp.yaml, which the site's _headers sends too), with the
// page's inline <style> and <script> allowed by their hashes, as the site's
// are, and nothing else inline.
func pagePolicy(page []byte) string {
	var scripts, styles []string // 'sha256-…' sources, each once, in page order
	if doc, err := html.Parse(bytes.NewReader(page)); err == nil {
		for n := range doc.Descendants() {
			var list *[]string
			switch {
			case n.Type != html.ElementNode:
			case n.DataAtom == atom.Style:
				list = &styles
			case n.DataAtom == atom.Script && runsInline(n):
				list = &scripts
			}
			if list == nil {
				continue
			}
			var text strings.Builder
			for c := range n.ChildNodes() {
				if c.Type == html.TextNode {
					text.WriteString(c.Data)
				}
			}
			sum := sha256.Sum256([]byte(text.String()))
			if h := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !slices.Contains(*list, h) {
				*list = append(*list, h)
			}
		}
	}
	var out []string
	for _, d := range data.PagePolicy() {
		switch {
		case strings.HasPrefix(d, "script-src "):
			d = strings.Join(append([]string{d}, scripts...), " ")
		case strings.HasPrefix(d, "style-src "):
			d = strings.Join(append([]string{d}, styles...), " ")
		}
		out = append(out, d)
	}
	return strings.Join(out, "; ")
}

// runsInline reports whether a <script> is inline code the policy must
// allow: not loaded from a src, and not data such as JSON-LD, which the
// browser never runs.
func runsInline(n *html.Node) bool {
	for _, a := range n.Attr {
		switch {
		case a.Key == "src":
			return false
		case a.Key == "type":
			switch strings.ToLower(strings.TrimSpace(a.Val)) {
			case "", "text/javascript", "application/javascript", "module":
			default:
				return false
			}
		}
	}
	return true
}
