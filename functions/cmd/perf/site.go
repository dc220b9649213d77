package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/html"

	"github.com/bluetreeclinics/site/functions/internal/site"
)

const (
	pageBudget = 14 * 1024 // HTML + CSS of one page, gzipped (the first TCP round trip)
	jsBudget   = 4 * 1024  // JavaScript, gzipped
	// Lighthouse's mobile viewport: 412 CSS px at DPR 1.75 needs a 721 px wide image.
	mobileImageWidth = 721
)

// deployArgs are Netlify's build flags (netlify.toml: hugo build --gc --minify).
var deployArgs = []string{"--gc", "--minify"}

// previewEnv lets the direct Hugo runs build with the sample clinic details,
// as a deploy preview does (the live build stops on them: docs/go-live.md).
var previewEnv = []string{"HUGO_PARAMS_PREVIEW=true"}

func (r *runner) hugoArgs(source, dest string, extra ...string) []string {
	args := []string{"build", "--source", source, "--destination", dest, "--environment", "production",
		"--panicOnWarning", "--noBuildLock"}
	args = append(args, deployArgs...)
	return append(args, extra...)
}

func (r *runner) siteSection(ctx context.Context) error {
	var b strings.Builder
	public := filepath.Join(r.out, "site", "public")
	os.RemoveAll(public)
	start := time.Now()
	err := site.Build(ctx, site.Options{Root: r.root, Dest: public, Environment: "production", Args: deployArgs})
	if err != nil {
		return fmt.Errorf("site build: %w", err)
	}
	r.logf("site built in %s", time.Since(start).Round(time.Millisecond))

	// --- page weight ---
	pages, err := pageWeights(public)
	if err != nil {
		return err
	}
	fmt.Fprintf(&b, "Built with `site.Build` (production, as Netlify builds it), i.e. `%s %s`.\n",
		"go tool hugo", strings.Join(r.hugoArgs(".", r.rel(public)), " "))
	fmt.Fprintf(&b, "Sizes are bytes on disk; gzipped with Go's compress/gzip at BestCompression (level 9), each file on its own, as served. ")
	fmt.Fprintf(&b, "CSS and JS are inline: the theme puts the whole stylesheet in a `<style>` in every page's head and the enquiry script in a `<script>` at the end of the form pages' body (both hashed in the CSP). "+
		"The CSS and JS columns count those inline elements (their text, raw and gzipped on their own; JSON-LD `<script type=\"application/ld+json\">` is data, not counted) plus any file a page links (`<link rel=stylesheet>`, `<script src>`); %s. "+
		"Inline CSS is also inside the HTML file, so **HTML+CSS gz** is the gzipped HTML file plus any linked CSS, not HTML gz + CSS gz. ", linkedNote(pages))
	fmt.Fprintf(&b, "Images: what a phone with AVIF support fetches at Lighthouse's mobile viewport (412 px at DPR 1.75: the smallest `srcset` candidate at least %d px wide; lazy images included).\n\n", mobileImageWidth)
	b.WriteString("| Page | HTML | HTML gz | CSS | CSS gz | **HTML+CSS gz** (≤ 14 KB) | JS | JS gz (≤ 4 KB) | Images |\n")
	b.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	var worst, worstJS *pageWeight
	var over []string
	for _, p := range pages {
		mark := "✓"
		if p.budgetGz() > pageBudget {
			mark = "✗ over"
			over = append(over, p.path)
		}
		img := "–"
		if p.images > 0 {
			img = fmt.Sprintf("%s (%d)", kb(p.imageBytes), p.images)
		}
		js, jsgz := "–", "–"
		if p.jsRaw > 0 {
			js, jsgz = kb(p.jsRaw), kb(p.jsGz)
		}
		css, cssgz := "–", "–"
		if p.cssRaw() > 0 {
			css, cssgz = kb(p.cssRaw()), kb(p.cssGz())
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s | **%s** %s | %s | %s | %s |\n", p.path, kb(p.htmlRaw), kb(p.htmlGz),
			css, cssgz, kb(p.budgetGz()), mark, js, jsgz, img)
		if worst == nil || p.budgetGz() > worst.budgetGz() {
			worst = p
		}
		if worstJS == nil || p.jsGz > worstJS.jsGz {
			worstJS = p
		}
	}
	r.inlineCSSOnly = len(pages) > 0
	for _, p := range pages {
		if p.cssInlineRaw == 0 || p.cssLinkRaw > 0 {
			r.inlineCSSOnly = false
		}
	}
	allJS, allJSGz, nJS := siteJS(public)
	nInline, inlineRaw, inlineGz := distinctInlineJS(pages)
	allJS, allJSGz = allJS+inlineRaw, allJSGz+inlineGz
	fmt.Fprintf(&b, "\n%d pages (%d English, %d Arabic). All JavaScript in the site: %d file(s) and %d distinct inline script(s) (on %d page(s)), %s, %s gzipped (each on its own).\n",
		len(pages), countLang(pages, "en"), countLang(pages, "ar"), nJS, nInline, countInlineJS(pages), kb(allJS), kb(allJSGz))
	if nCSS, cssRaw, cssGz := distinctInlineCSS(pages); nCSS > 0 {
		fmt.Fprintf(&b, "Inline stylesheets: %d distinct `<style>` text(s) across the pages, largest %s (%s gzipped on its own).\n", nCSS, kb(cssRaw), kb(cssGz))
	}
	if countLang(pages, "ar") == 0 {
		b.WriteString("No Arabic pages were built (no `/ar/` in the output): the Arabic edition is not in this commit yet.\n")
	}
	if worst != nil {
		note := fmt.Sprintf("largest: `%s`", worst.path)
		if len(over) > 0 {
			note = fmt.Sprintf("over budget: %s (the HTML file, with its inline CSS of %s gzipped on its own, is %s gzipped; linked CSS %s)", strings.Join(quoteAll(over), ", "), kb(worst.cssInlineGz), kb(worst.htmlGz), kb(worst.cssLinkGz))
		} else if worst.cssInlineRaw > 0 {
			note += fmt.Sprintf(" (its inline CSS: %s, %s gzipped on its own)", kb(worst.cssInlineRaw), kb(worst.cssInlineGz))
		}
		r.addTarget(target{name: "HTML+CSS per page, gzipped", goal: "≤ 14 KB", measured: fmt.Sprintf("max %s", kb(worst.budgetGz())),
			status: passMiss(len(over) == 0), note: note})
	}
	if worstJS != nil {
		r.addTarget(target{name: "JavaScript per page, gzipped (inline + linked)", goal: "≤ 4 KB", measured: fmt.Sprintf("max %s (all JS in the site: %s)", kb(worstJS.jsGz), kb(allJSGz)),
			status: passMiss(worstJS.jsGz <= jsBudget && allJSGz <= jsBudget),
			note:   ifStr(worstJS.jsGz > jsBudget || allJSGz > jsBudget, fmt.Sprintf("largest: `%s` (inline %s, linked %s gzipped)", worstJS.path, kb(worstJS.jsInlineGz), kb(worstJS.jsGz-worstJS.jsInlineGz)))})
	}

	// --- build time ---
	b.WriteString("\n### Build time\n\n")
	if err := r.buildTimes(ctx, &b); err != nil {
		return err
	}
	r.addSection("Site: page weight and build time", b.String())
	return nil
}

type pageWeight struct {
	path, lang      string
	htmlRaw, htmlGz int64
	// CSS: inline <style> text (gzipped on its own) and linked files.
	cssInlineRaw, cssInlineGz, cssLinkRaw, cssLinkGz int64
	// JS: inline and linked together; jsInlineGz is the inline part.
	jsRaw, jsGz, jsInlineGz int64
	inlineCSS, inlineJS     string // the page's inline <style> / <script> text
	images                  int
	imageBytes              int64
}

func (p *pageWeight) cssRaw() int64 { return p.cssInlineRaw + p.cssLinkRaw }
func (p *pageWeight) cssGz() int64  { return p.cssInlineGz + p.cssLinkGz }

// budgetGz is what the 14 KB budget counts: the gzipped HTML file (which
// carries its inline CSS) plus any linked stylesheet.
func (p *pageWeight) budgetGz() int64 { return p.htmlGz + p.cssLinkGz }

// linkedNote says whether any page links a CSS or JS file.
func linkedNote(pages []*pageWeight) string {
	var css, js int
	for _, p := range pages {
		if p.cssLinkRaw > 0 {
			css++
		}
		if p.jsRaw-int64(len(p.inlineJS)) > 0 {
			js++
		}
	}
	if css == 0 && js == 0 {
		return "in this build no page links a CSS or JS file"
	}
	return fmt.Sprintf("in this build %d page(s) link a CSS file and %d a JS file", css, js)
}

// distinctInlineJS counts the distinct inline scripts across the pages and
// their raw and gzipped sizes (each once).
func distinctInlineJS(pages []*pageWeight) (n int, raw, gz int64) {
	seen := map[string]bool{}
	for _, p := range pages {
		if p.inlineJS != "" && !seen[p.inlineJS] {
			seen[p.inlineJS] = true
			n++
			raw += int64(len(p.inlineJS))
			gz += gzSize([]byte(p.inlineJS))
		}
	}
	return
}

func countInlineJS(pages []*pageWeight) int {
	n := 0
	for _, p := range pages {
		if p.inlineJS != "" {
			n++
		}
	}
	return n
}

// distinctInlineCSS counts the distinct inline stylesheets and the largest.
func distinctInlineCSS(pages []*pageWeight) (n int, raw, gz int64) {
	seen := map[string]bool{}
	for _, p := range pages {
		if p.inlineCSS != "" && !seen[p.inlineCSS] {
			seen[p.inlineCSS] = true
			n++
			if p.cssInlineRaw > raw {
				raw, gz = p.cssInlineRaw, p.cssInlineGz
			}
		}
	}
	return
}

// isJS reports whether a <script> holds JavaScript (not JSON-LD or other data).
func isJS(n *html.Node) bool {
	switch strings.ToLower(strings.TrimSpace(attr(n, "type"))) {
	case "", "text/javascript", "application/javascript", "module":
		return true
	}
	return false
}

func nodeText(n *html.Node) string {
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return b.String()
}

func countLang(ps []*pageWeight, lang string) int {
	n := 0
	for _, p := range ps {
		if p.lang == lang {
			n++
		}
	}
	return n
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = "`" + s + "`"
	}
	return out
}

func gzSize(b []byte) int64 {
	var n countWriter
	w, _ := gzip.NewWriterLevel(&n, gzip.BestCompression)
	w.Write(b)
	w.Close()
	return int64(n)
}

type countWriter int64

func (c *countWriter) Write(p []byte) (int, error) { *c += countWriter(len(p)); return len(p), nil }

// pageWeights measures every HTML page of the built site.
func pageWeights(public string) ([]*pageWeight, error) {
	var out []*pageWeight
	fileCache := map[string][2]int64{}
	fileSize := func(u string) ([2]int64, bool) {
		if c, ok := fileCache[u]; ok {
			return c, true
		}
		p := filepath.Join(public, filepath.FromSlash(path.Clean("/"+u)))
		b, err := os.ReadFile(p)
		if err != nil {
			return [2]int64{}, false
		}
		c := [2]int64{int64(len(b)), gzSize(b)}
		fileCache[u] = c
		return c, true
	}
	err := filepath.WalkDir(public, func(p string, d fs.DirEntry, err error) error {
		if err == nil && p == filepath.Join(public, "admin") {
			return fs.SkipDir // the content editor: not a public page
		}
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		raw, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(public, p)
		u := "/" + strings.TrimSuffix(filepath.ToSlash(rel), "index.html")
		pw := &pageWeight{path: u, lang: "en", htmlRaw: int64(len(raw)), htmlGz: gzSize(raw)}
		if strings.HasPrefix(u, "/ar/") {
			pw.lang = "ar"
		}
		doc, err := html.Parse(bytes.NewReader(raw))
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		seen := map[string]bool{}
		var inlineCSS, inlineJS strings.Builder
		for n := range doc.Descendants() {
			if n.Type != html.ElementNode {
				continue
			}
			switch n.Data {
			case "style":
				if !insideNoscript(n) {
					inlineCSS.WriteString(nodeText(n))
				}
			case "link":
				if strings.EqualFold(attr(n, "rel"), "stylesheet") {
					if h := localURL(attr(n, "href")); h != "" && !seen[h] {
						seen[h] = true
						if c, ok := fileSize(h); ok {
							pw.cssLinkRaw += c[0]
							pw.cssLinkGz += c[1]
						}
					}
				}
			case "script":
				if !isJS(n) {
					continue
				}
				if attr(n, "src") == "" {
					inlineJS.WriteString(nodeText(n))
					continue
				}
				if h := localURL(attr(n, "src")); h != "" && !seen[h] {
					seen[h] = true
					if c, ok := fileSize(h); ok {
						pw.jsRaw += c[0]
						pw.jsGz += c[1]
					}
				}
			case "img":
				if insideNoscript(n) {
					continue
				}
				src := pickImage(n)
				if h := localURL(src); h != "" && !seen[h] {
					seen[h] = true
					if c, ok := fileSize(h); ok {
						pw.images++
						pw.imageBytes += c[0]
					}
				}
			}
		}
		if t := inlineCSS.String(); strings.TrimSpace(t) != "" {
			pw.inlineCSS = t
			pw.cssInlineRaw, pw.cssInlineGz = int64(len(t)), gzSize([]byte(t))
		}
		if t := inlineJS.String(); strings.TrimSpace(t) != "" {
			pw.inlineJS = t
			pw.jsInlineGz = gzSize([]byte(t))
			pw.jsRaw += int64(len(t))
			pw.jsGz += pw.jsInlineGz
		}
		out = append(out, pw)
		return nil
	})
	sort.Slice(out, func(i, j int) bool {
		if out[i].lang != out[j].lang {
			return out[i].lang == "en"
		}
		return out[i].path < out[j].path
	})
	return out, err
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func insideNoscript(n *html.Node) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Type == html.ElementNode && p.Data == "noscript" {
			return true
		}
	}
	return false
}

// localURL is the path of a same-site URL, or "" for external ones.
func localURL(u string) string {
	u = strings.TrimSpace(u)
	if u == "" || strings.HasPrefix(u, "data:") || strings.HasPrefix(u, "//") || strings.Contains(u, "://") {
		if i := strings.Index(u, "://"); i > 0 {
			// An absolute URL on the site's own host (baseURL) is local too.
			rest := u[i+3:]
			if j := strings.IndexByte(rest, '/'); j >= 0 && (strings.HasPrefix(rest, "127.0.0.1") || strings.HasPrefix(rest, "localhost") || strings.Contains(rest[:j], "bluetreeclinics")) {
				return rest[j:]
			}
		}
		return ""
	}
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	return u
}

// pickImage chooses what a phone with AVIF support at mobileImageWidth
// fetches for an <img>: the <picture>'s AVIF (else first) <source>, else the
// img's own srcset, else src.
func pickImage(img *html.Node) string {
	srcset := attr(img, "srcset")
	if p := img.Parent; p != nil && p.Type == html.ElementNode && p.Data == "picture" {
		var first string
		for c := p.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode || c.Data != "source" || attr(c, "media") != "" {
				continue
			}
			if attr(c, "type") == "image/avif" {
				first = attr(c, "srcset")
				break
			}
			if first == "" {
				first = attr(c, "srcset")
			}
		}
		if first != "" {
			srcset = first
		}
	}
	if srcset == "" {
		return attr(img, "src")
	}
	type cand struct {
		url string
		w   int
	}
	var cs []cand
	for _, part := range strings.Split(srcset, ",") {
		f := strings.Fields(part)
		if len(f) == 0 {
			continue
		}
		w := math.MaxInt32
		if len(f) > 1 && strings.HasSuffix(f[1], "w") {
			if n, err := strconv.Atoi(strings.TrimSuffix(f[1], "w")); err == nil {
				w = n
			}
		}
		cs = append(cs, cand{f[0], w})
	}
	if len(cs) == 0 {
		return attr(img, "src")
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].w < cs[j].w })
	for _, c := range cs {
		if c.w >= mobileImageWidth {
			return c.url
		}
	}
	return cs[len(cs)-1].url
}

func siteJS(public string) (raw, gz int64, n int) {
	filepath.WalkDir(public, func(p string, d fs.DirEntry, err error) error {
		if err == nil && p == filepath.Join(public, "admin") {
			return fs.SkipDir // the content editor's bundle: /admin/ only
		}
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".js") {
			if b, err := os.ReadFile(p); err == nil {
				raw += int64(len(b))
				gz += gzSize(b)
				n++
			}
		}
		return nil
	})
	return
}

// --- build timings ---

var totalRe = regexp.MustCompile(`Total in (\d+) ms`)

// hugoOnce runs one build and returns Hugo's own "Total in N ms" and the wall time.
func (r *runner) hugoOnce(ctx context.Context, viaGoTool bool, source, dest string, extra ...string) (hugoMs, wallMs float64, pages string, err error) {
	args := r.hugoArgs(source, dest, extra...)
	name := r.hugo
	if viaGoTool {
		name = "go"
		args = append([]string{"tool", "hugo"}, args...)
	}
	res, err := r.cmd(ctx, site.DefaultTimeout, previewEnv, name, args...)
	if err != nil {
		return 0, 0, "", err
	}
	m := totalRe.FindStringSubmatch(res.stdout)
	if m == nil {
		return 0, 0, "", fmt.Errorf("no \"Total in N ms\" in Hugo's output:\n%s", res.stdout)
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	return v, durMs(res.wall), pageCount(res.stdout), nil
}

var pagesRe = regexp.MustCompile(`(?m)^\s*Pages\s*│\s*(.+)$`)

func pageCount(out string) string {
	if m := pagesRe.FindStringSubmatch(out); m != nil {
		return strings.Join(strings.Fields(strings.ReplaceAll(m[1], "│", " ")), " + ")
	}
	return "?"
}

type buildStat struct {
	hugo, wall []float64
	pages      string
}

func (r *runner) buildSeries(ctx context.Context, n int, viaGoTool bool, source string, extra ...string) (buildStat, error) {
	var s buildStat
	tmp, err := os.MkdirTemp("", "perf-build-*")
	if err != nil {
		return s, err
	}
	defer os.RemoveAll(tmp)
	for i := range n {
		if ctx.Err() != nil {
			return s, ctx.Err()
		}
		h, w, pages, err := r.hugoOnce(ctx, viaGoTool, source, filepath.Join(tmp, strconv.Itoa(i)), extra...)
		if err != nil {
			return s, err
		}
		s.hugo = append(s.hugo, h)
		s.wall = append(s.wall, w)
		s.pages = pages
	}
	return s, nil
}

func (r *runner) buildTimes(ctx context.Context, b *strings.Builder) error {
	runs := 7
	goRuns := 5
	scaleRuns := 3
	if r.quick {
		runs, goRuns, scaleRuns = 3, 2, 1
	}
	hugoCmd := "$(go tool -n hugo) " + strings.Join(r.hugoArgs(".", "DEST"), " ")
	direct, err := r.buildSeries(ctx, runs, false, r.root)
	if err != nil {
		return err
	}
	viaGo, err := r.buildSeries(ctx, goRuns, true, r.root)
	if err != nil {
		return err
	}
	// First build with an empty image cache (AVIF/WebP encoding included).
	cache, err := os.MkdirTemp("", "perf-hugo-cache-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(cache)
	cold, err := r.buildSeries(ctx, 1, false, r.root, "--cacheDir", cache)
	if err != nil {
		return err
	}

	fmt.Fprintf(b, "Each build writes into a new empty folder. Hugo's image cache (`:cacheDir/images`, hugo.toml) is warm unless said otherwise, as on a developer's machine or Netlify with its build cache.\n\n")
	b.WriteString("| Build | Pages | Runs | Hugo's own time (median) | Wall time (median) | Wall times (ms) | Command |\n|---|---|---:|---:|---:|---|---|\n")
	fmt.Fprintf(b, "| Real site, pinned binary run directly (what `site.Build` does) | %s | %d | %s | **%s** | %s | `%s` |\n",
		direct.pages, runs, ms(median(direct.hugo)), ms(median(direct.wall)), joinMs(direct.wall), hugoCmd)
	fmt.Fprintf(b, "| Real site, through `go tool hugo` | %s | %d | %s | %s | %s | `go tool hugo %s` |\n",
		viaGo.pages, goRuns, ms(median(viaGo.hugo)), ms(median(viaGo.wall)), joinMs(viaGo.wall), strings.Join(r.hugoArgs(".", "DEST"), " "))
	fmt.Fprintf(b, "| Real site, empty image cache (AVIF/WebP encoded) | %s | 1 | %s | %s | %s | `%s --cacheDir EMPTY` |\n",
		cold.pages, ms(median(cold.hugo)), ms(median(cold.wall)), joinMs(cold.wall), hugoCmd)

	overhead := median(viaGo.wall) - median(direct.wall)
	fmt.Fprintf(b, "\n`go tool hugo` adds about %s per run (the go command checks that the cached tool binary is up to date before starting it).\n", ms(overhead))
	fullOK := median(direct.wall) < 1000
	r.addTarget(target{name: "Site build (full, production)", goal: "< 1 s", measured: fmt.Sprintf("%s wall (Hugo: %s); via `go tool hugo` %s; empty image cache %s",
		ms(median(direct.wall)), ms(median(direct.hugo)), ms(median(viaGo.wall)), ms(median(cold.wall))), status: passMiss(fullOK),
		note: ifStr(median(cold.wall) >= 1000, "warm image cache; the very first build encodes AVIF/WebP images and takes longer, once")})

	// --- growth with generated pages ---
	b.WriteString("\n#### Growth with generated pages\n\n")
	b.WriteString("A copy of the site's sources (hugo.toml, content, themes, data, static, …) in a temporary folder, plus N generated Markdown pages (about 300 words each: headings, a list, links) in a section `content/en/library/`, built as above. The section page lists all N pages.\n\n")
	b.WriteString("| Site | Pages built | Runs | Hugo's own time (median) | Wall time (median) | Wall times (ms) |\n|---|---|---:|---:|---:|---|\n")
	fmt.Fprintf(b, "| Real site | %s | %d | %s | %s | %s |\n", direct.pages, runs, ms(median(direct.hugo)), ms(median(direct.wall)), joinMs(direct.wall))
	type point struct {
		n    int
		wall float64
	}
	pts := []point{{0, median(direct.wall)}}
	var metrics string
	for _, n := range []int{1000, 10000} {
		src, err := r.syntheticSite(n)
		if err != nil {
			return err
		}
		st, err := r.buildSeries(ctx, scaleRuns, false, src)
		if err == nil && n == 1000 {
			metrics, err = r.templateMetrics(ctx, src)
			if err != nil {
				r.logf("template metrics: %v", err)
			}
		}
		os.RemoveAll(filepath.Dir(src))
		if err != nil {
			return fmt.Errorf("synthetic build with %d pages: %w", n, err)
		}
		fmt.Fprintf(b, "| Real site + %d pages | %s | %d | %s | **%s** | %s |\n", n, st.pages, scaleRuns, ms(median(st.hugo)), ms(median(st.wall)), joinMs(st.wall))
		pts = append(pts, point{n, median(st.wall)})
	}
	per1k := (pts[2].wall - pts[1].wall) / 9
	r.perThousand = per1k
	fmt.Fprintf(b, "\nGrowth: **%s per 1,000 pages** between 1,000 and 10,000 generated pages ((t₁₀ₖ − t₁ₖ) / 9); %s per 1,000 from the real site to 1,000 pages. ", ms(per1k), ms(pts[1].wall-pts[0].wall))
	fmt.Fprintf(b, "Command: `%s` with `--source` pointing at the copy (written by `perf` into a temporary folder and removed after).\n", hugoCmd)
	if metrics != "" {
		b.WriteString("\nWhere the time goes with 1,000 generated pages: Hugo's template metrics (one more build with `--templateMetrics --templateMetricsHints`; durations are summed over Hugo's parallel workers, nested templates are included in their callers; \"cache potential\" is Hugo's hint that `partialCached` would give the same output):\n\n")
		b.WriteString(metrics)
	}
	return nil
}

// templateMetrics builds src once with --templateMetrics and returns the top
// templates as a Markdown table.
func (r *runner) templateMetrics(ctx context.Context, src string) (string, error) {
	dest, err := os.MkdirTemp("", "perf-metrics-*")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dest)
	res, err := r.cmd(ctx, site.DefaultTimeout, previewEnv, r.hugo, r.hugoArgs(src, dest, "--templateMetrics", "--templateMetricsHints")...)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("| Template | Cumulative | Average | Count | Cache potential |\n|---|---:|---:|---:|---:|\n")
	n := 0
	for _, line := range strings.Split(res.stdout, "\n") {
		f := strings.Fields(line)
		if len(f) != 8 || !strings.HasSuffix(f[0], "s") || f[7] == "template" {
			continue
		}
		if _, err := time.ParseDuration(f[0]); err != nil {
			continue
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s%% |\n", f[7], roundDur(f[0]), roundDur(f[1]), f[6], f[3])
		{
			row := tmplRow{name: f[7]}
			if d, err := time.ParseDuration(f[0]); err == nil {
				row.cumMs = durMs(d)
			}
			if d, err := time.ParseDuration(f[1]); err == nil {
				row.avgMs = durMs(d)
			}
			row.count, _ = strconv.Atoi(f[6])
			row.cachePct, _ = strconv.Atoi(f[3])
			r.tmplRows = append(r.tmplRows, row)
		}
		if d, err := time.ParseDuration(f[1]); err == nil {
			switch f[7] {
			case "_partials/helpers/guard.html":
				r.guardAvg = durMs(d)
			case "single.html":
				r.singleAvg = durMs(d)
			}
		}
		if n++; n >= 10 {
			break
		}
	}
	if n == 0 {
		return "", fmt.Errorf("no template metrics in Hugo's output")
	}
	return b.String(), nil
}

func roundDur(s string) string {
	d, err := time.ParseDuration(s)
	if err != nil {
		return s
	}
	return ms(durMs(d))
}

func ifStr(c bool, s string) string {
	if c {
		return s
	}
	return ""
}

// syntheticSite copies the site's sources into a temporary folder and adds n pages.
func (r *runner) syntheticSite(n int) (string, error) {
	tmp, err := os.MkdirTemp("", "perf-synthetic-*")
	if err != nil {
		return "", err
	}
	src := filepath.Join(tmp, "site")
	for _, name := range []string{"hugo.toml", "hugo.yaml", "hugo.json", "config", "content", "themes", "data", "static", "assets", "layouts", "i18n", "archetypes"} {
		from := filepath.Join(r.root, name)
		if _, err := os.Stat(from); err != nil {
			continue
		}
		if err := copyTree(from, filepath.Join(src, name)); err != nil {
			return "", err
		}
	}
	sec := filepath.Join(src, "content", "en", "library")
	if err := os.MkdirAll(sec, 0o755); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(sec, "_index.md"), []byte("---\ntitle: \"Library\"\ndescription: \"Generated pages for the build-time benchmark.\"\n---\n\nGenerated pages.\n"), 0o644); err != nil {
		return "", err
	}
	for i := 1; i <= n; i++ {
		if err := os.WriteFile(filepath.Join(sec, fmt.Sprintf("page-%05d.md", i)), syntheticPage(i), 0o644); err != nil {
			return "", err
		}
	}
	return src, nil
}

func syntheticPage(i int) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "---\ntitle: \"Visiting the clinic, note %d\"\ndescription: \"Practical note %d for visitors: opening hours, parking, what to bring and how to reach reception.\"\nweight: %d\n---\n\n", i, i, i)
	para := "Reception is open six days a week and answers calls and messages during opening hours. " +
		"If you are coming for the first time, please arrive a few minutes early so that the team can " +
		"take your details and explain what happens next. Bring any recent reports or scans you have, " +
		"and a list of the medicines you take. Parking is available in the building, and the clinic is a " +
		"short walk from the nearest metro station. "
	for s := 1; s <= 3; s++ {
		fmt.Fprintf(&b, "## Section %d of note %d\n\n%s\n\n", s, i, para)
		fmt.Fprintf(&b, "- Item one for note %d\n- Item two, with *emphasis*\n- Item three, with a [link to the contact page](/contact/)\n\n", i)
	}
	fmt.Fprintf(&b, "See also [the previous note](../page-%05d/) and [the next note](../page-%05d/).\n", max(i-1, 1), i+1)
	return b.Bytes()
}

func copyTree(from, to string) error {
	return filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.Create(dst)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
}
