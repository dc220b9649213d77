package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bluetreeclinics/site/functions/internal/site"
)

const (
	lighthouseBin = "perf/node_modules/.bin/lighthouse"
	chromium      = "/usr/bin/chromium"
	// Headless and offline (design.md); chrome-launcher adds a fresh --user-data-dir.
	chromeFlags = "--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync"
)

// netlifyArgs are netlify.toml's build flags (hugo build --gc --minify).
var netlifyArgs = []string{"--gc", "--minify"}

// pagesSection weighs every page of the production build and, unless
// -only leaves it out, runs Lighthouse on the -pages against functions/cmd/serve.
func pagesSection(ctx context.Context, w io.Writer, tmp string) error {
	public := filepath.Join(tmp, "public")
	if err := site.Build(ctx, site.Options{Dest: public, Args: netlifyArgs}); err != nil {
		return err
	}
	pages, err := htmlPages(public)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\n## Pages\n")
	audit := map[string]string{}
	if wanted("lighthouse") {
		if audit, err = lighthouseAll(ctx, w, tmp, pages); err != nil {
			return err
		}
	}
	headers, err := site.HeaderBytes(public)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\n| Page | first response (≤ %d B) | JS gz (≤ %s) | Performance | Accessibility | Best practices | SEO | LCP | CLS |\n"+
		"|---|---:|---:|---:|---:|---:|---:|---:|---:|\n", site.FirstWindow, kb(site.JSBudget))
	over := 0
	for _, p := range pages {
		htmlCSS, js, err := site.Weigh(public, filepath.Join(public, p, "index.html"))
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		if headers+htmlCSS > site.FirstWindow || js > site.JSBudget {
			over++
		}
		fmt.Fprintf(w, "| `%s` | %d B | %s | %s |\n", p, headers+htmlCSS, kb(js), cmp.Or(audit[p], "– | – | – | – | – | –"))
	}
	fmt.Fprintf(w, "\n%d pages, %d over a budget. Weight: the `--gc --minify` production build (as netlify.toml), each file gzipped on its own at level 9, counted as `go test -run TestBudgets ./functions/internal/site` counts: "+
		"the first response is the response headers (%d B: the _headers file's and what `serve` adds) plus the HTML file gzipped (the CSS is inline) and any linked stylesheet, against the first TCP round trip (10 segments of 1460 B); "+
		"JS is inline scripts (not JSON-LD) plus linked ones.\n", len(pages), over, headers)
	return nil
}

// htmlPages lists the built public pages as URL paths ("/", "/about/"), English first.
func htmlPages(public string) ([]string, error) {
	var en, ar []string
	err := filepath.WalkDir(public, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Name() == "index.html" {
			rel, _ := filepath.Rel(public, filepath.Dir(p))
			page := strings.TrimSuffix(path.Clean("/"+filepath.ToSlash(rel)), "/") + "/"
			switch {
			case strings.HasPrefix(page, "/admin/"): // the content editor: staff only, no budgets
			case strings.HasPrefix(page, "/ar/"):
				ar = append(ar, page)
			default:
				en = append(en, page)
			}
		}
		return err
	})
	slices.Sort(en)
	slices.Sort(ar)
	return append(en, ar...), err
}

// lighthouseAll runs Lighthouse's default mobile audit (simulated slow 4G,
// 4× CPU slowdown) once per page and returns each page's table cells.
func lighthouseAll(ctx context.Context, w io.Writer, tmp string, all []string) (map[string]string, error) {
	for bin, install := range map[string]string{lighthouseBin: "npm ci --prefix perf", chromium: "sudo apt-get install chromium"} {
		if _, err := os.Stat(bin); err != nil {
			return nil, fmt.Errorf("%s is missing: install it with `%s`", bin, install)
		}
	}
	srv, err := startServe(ctx, tmp, []string{"OUTBOX_DIR=" + filepath.Join(tmp, "outbox")})
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	pages := all
	if *pagesFlag != "" {
		pages = strings.Split(*pagesFlag, ",")
	}
	fmt.Fprintf(w, "\nLighthouse %s (perf/package-lock.json), %s: default mobile settings (simulated slow 4G, 4× CPU slowdown), one run per page, %d of %d pages, "+
		"served by `functions/cmd/serve -build=false` from a build of the same sources with its own address as base URL. "+
		"The thank-you pages are `noindex` on purpose, which Lighthouse's SEO score counts against them. One page by hand: "+
		"`CHROME_PATH=%s %s URL --output=json --output-path=out.json --chrome-flags=%q`\n",
		output(lighthouseBin, "--version"), output(chromium, "--version"), len(pages), len(all), chromium, lighthouseBin, chromeFlags)
	cells := map[string]string{}
	for _, p := range pages {
		fmt.Fprintln(os.Stderr, "lighthouse", p)
		// Chromium now and then fails to record a trace: a second try.
		if cells[p], err = lighthouse(ctx, srv.origin+p); err != nil {
			if cells[p], err = lighthouse(ctx, srv.origin+p); err != nil {
				return nil, fmt.Errorf("lighthouse %s: %w", p, err)
			}
		}
	}
	return cells, nil
}

func lighthouse(ctx context.Context, url string) (string, error) {
	c := command(ctx, lighthouseBin, url, "--output=json", "--output-path=stdout", "--chrome-flags="+chromeFlags, "--quiet")
	c.Env = append(os.Environ(), "CHROME_PATH="+chromium)
	b, err := c.Output()
	if err != nil {
		return "", err
	}
	var r struct { // a runtime error makes the CLI fail; a category it could not score is null
		Categories map[string]struct{ Score *float64 }
		Audits     struct {
			LCP struct{ NumericValue float64 } `json:"largest-contentful-paint"`
			CLS struct{ NumericValue float64 } `json:"cumulative-layout-shift"`
		}
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return "", err
	}
	if *jsonDir != "" { // for inspection: largest-contentful-paint-element, network-requests, critical-request-chains
		if err := keepJSON(url, b); err != nil {
			return "", err
		}
	}
	var cells []string
	for _, c := range []string{"performance", "accessibility", "best-practices", "seo"} {
		cells = append(cells, "–")
		if s := r.Categories[c].Score; s != nil {
			cells[len(cells)-1] = fmt.Sprintf("%.0f", *s*100)
		}
	}
	return fmt.Sprintf("%s | %.2f s | %.3f", strings.Join(cells, " | "), r.Audits.LCP.NumericValue/1000, r.Audits.CLS.NumericValue), nil
}

// keepJSON writes one page's Lighthouse report to -json: /ar/faq/ as ar-faq.json, / as home.json.
func keepJSON(url string, b []byte) error {
	p := strings.Trim(url[strings.Index(url[len("http://"):], "/")+len("http://"):], "/")
	name := cmp.Or(strings.ReplaceAll(p, "/", "-"), "home") + ".json"
	if err := os.MkdirAll(*jsonDir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(*jsonDir, name), b, 0o644)
}
