package site

import (
	"bytes"
	"compress/gzip"
	"net/url"
	"os"
	"path/filepath"

	"golang.org/x/net/html"
)

// The weight budgets, gzipped: the HTML and CSS of one page fit the first
// TCP round trip; the site's JavaScript, all of it, fits JSBudget.
// TestBudgets holds the site to them; cmd/perf reports each page against them.
const (
	PageBudget = 14 * 1024
	JSBudget   = 4 * 1024
)

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
