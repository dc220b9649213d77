package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
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
	scripts, styles := inlineHashes(page)
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

// inlineHashes returns the CSP hash sources ('sha256-…') of page's inline
// scripts and styles, each once, in page order.
func inlineHashes(page []byte) (scripts, styles []string) {
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		return nil, nil
	}
	seen := map[string]bool{}
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode || (n.DataAtom != atom.Script && n.DataAtom != atom.Style) {
			continue
		}
		if n.DataAtom == atom.Script && !runsInline(n) {
			continue
		}
		var text strings.Builder
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.TextNode {
				text.WriteString(c.Data)
			}
		}
		sum := sha256.Sum256([]byte(text.String()))
		h := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
		if seen[h] {
			continue
		}
		seen[h] = true
		if n.DataAtom == atom.Script {
			scripts = append(scripts, h)
		} else {
			styles = append(styles, h)
		}
	}
	return scripts, styles
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
