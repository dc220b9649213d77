package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"golang.org/x/net/html"

	"github.com/bluetreeclinics/site/functions/internal/site"
)

const lighthouseVersion = "12.2.3"

// chromeFlags are the flags Chromium needs on these machines (offline, as root).
var chromeFlags = []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
	"--disable-background-networking", "--disable-component-update", "--disable-sync"}

type lhReport struct {
	LighthouseVersion string `json:"lighthouseVersion"`
	RequestedURL      string `json:"requestedUrl"`
	FinalURL          string `json:"finalDisplayedUrl"`
	RuntimeError      *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"runtimeError"`
	RunWarnings []string `json:"runWarnings"`
	Environment struct {
		HostUserAgent  string  `json:"hostUserAgent"`
		BenchmarkIndex float64 `json:"benchmarkIndex"`
	} `json:"environment"`
	ConfigSettings struct {
		FormFactor       string `json:"formFactor"`
		ThrottlingMethod string `json:"throttlingMethod"`
	} `json:"configSettings"`
	Categories map[string]struct {
		Title     string   `json:"title"`
		Score     *float64 `json:"score"`
		AuditRefs []struct {
			ID     string  `json:"id"`
			Weight float64 `json:"weight"`
			Group  string  `json:"group"`
		} `json:"auditRefs"`
	} `json:"categories"`
	Audits map[string]struct {
		Title            string   `json:"title"`
		Score            *float64 `json:"score"`
		ScoreDisplayMode string   `json:"scoreDisplayMode"`
		DisplayValue     string   `json:"displayValue"`
		NumericValue     float64  `json:"numericValue"`
		ErrorMessage     string   `json:"errorMessage"`
		Details          struct {
			Items []map[string]any `json:"items"`
		} `json:"details"`
	} `json:"audits"`
}

// metric is one of the "metrics" audit's timings (ms), or -1.
func (l *lhReport) metric(key string) float64 {
	items := l.Audits["metrics"].Details.Items
	if len(items) == 0 {
		return -1
	}
	if v, ok := items[0][key].(float64); ok {
		return v
	}
	return -1
}

func secs(v float64) string {
	if v < 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f s", v/1000)
}

var lhCategories = []string{"performance", "accessibility", "best-practices", "seo"}

func (l *lhReport) score(cat string) float64 {
	if c, ok := l.Categories[cat]; ok && c.Score != nil {
		return *c.Score * 100
	}
	return -1
}

func (l *lhReport) lcp() float64 { return l.Audits["largest-contentful-paint"].NumericValue }

// ensureLighthouse installs the pinned Lighthouse with npm ci when missing.
func (r *runner) ensureLighthouse(ctx context.Context) (string, error) {
	cli := filepath.Join(r.root, "perf", "node_modules", "lighthouse", "cli", "index.js")
	pkg := filepath.Join(r.root, "perf", "node_modules", "lighthouse", "package.json")
	ok := false
	if b, err := os.ReadFile(pkg); err == nil {
		var v struct{ Version string }
		json.Unmarshal(b, &v)
		ok = v.Version == lighthouseVersion
	}
	if !ok {
		r.logf("npm ci --prefix perf (Lighthouse %s)", lighthouseVersion)
		if _, err := r.cmd(ctx, 10*time.Minute, nil, "npm", "ci", "--prefix", "perf", "--no-audit", "--no-fund"); err != nil {
			return "", fmt.Errorf("installing Lighthouse: %w", err)
		}
	}
	if _, err := os.Stat(cli); err != nil {
		return "", err
	}
	return cli, nil
}

func (r *runner) lighthouseSection(ctx context.Context) error {
	cli, err := r.ensureLighthouse(ctx)
	if err != nil {
		return err
	}
	chrome := os.Getenv("CHROME_PATH")
	if chrome == "" {
		chrome = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chrome); err != nil {
		return fmt.Errorf("no Chromium at %s (apt-get install chromium, or set CHROME_PATH)", chrome)
	}
	chromeVersion := "?"
	if out, err := exec.CommandContext(ctx, chrome, "--version").Output(); err == nil {
		chromeVersion = strings.TrimSpace(string(out))
	}
	nodeVersion := "?"
	if out, err := exec.CommandContext(ctx, "node", "--version").Output(); err == nil {
		nodeVersion = strings.TrimSpace(string(out))
	}

	// A build whose absolute URLs (canonical, Open Graph) are the served origin.
	port, err := freePort()
	if err != nil {
		return err
	}
	origin := fmt.Sprintf("http://127.0.0.1:%d", port)
	lhDir := filepath.Join(r.out, "lighthouse")
	os.RemoveAll(lhDir)
	public := filepath.Join(lhDir, "public")
	if err := site.Build(ctx, site.Options{Root: r.root, Dest: public, BaseURL: origin + "/", Environment: "production", Args: deployArgs}); err != nil {
		return err
	}
	lf, err := os.Create(filepath.Join(lhDir, "serve.log"))
	if err != nil {
		return err
	}
	defer lf.Close()
	c := exec.Command(r.serveBin, "-addr", fmt.Sprintf("127.0.0.1:%d", port), "-build=false", "-dir", public)
	c.Dir = r.root
	c.Env = environ("RESEND_API_KEY=", "OUTBOX_DIR="+filepath.Join(lhDir, "outbox"), "SITE_URL=", "ADDR=", "PORT=")
	c.Stdout, c.Stderr = lf, lf
	if err := c.Start(); err != nil {
		return err
	}
	r.track(c)
	defer stopProc(c)
	if _, err := waitHealthy(ctx, origin, 30*time.Second); err != nil {
		return err
	}

	pages := []string{"/", "/orthokine-therapy/", "/enquire/suitability/"}
	var arPages []string
	for _, p := range pages {
		if ar := arabicAlternate(filepath.Join(public, filepath.FromSlash(p), "index.html")); ar != "" {
			arPages = append(arPages, ar)
		}
	}
	pages = append(pages, arPages...)
	runs := 3
	if r.quick {
		runs = 1
	}

	var b strings.Builder
	flags := strings.Join(chromeFlags, " ")
	fmt.Fprintf(&b, "Lighthouse %s (npm, pinned in perf/package-lock.json; `npm ci --prefix perf`) with %s, Node %s, default settings: mobile form factor, simulated throttling (slow 4G, 4× CPU slowdown). ",
		lighthouseVersion, chromeVersion, nodeVersion)
	fmt.Fprintf(&b, "The site is built with its base URL set to the served origin and served by `functions/cmd/serve -build=false` on %s (the same headers, gzip and caching as in production). ", origin)
	fmt.Fprintf(&b, "Each page %d time(s); the table shows the run with the median performance score. ", runs)
	b.WriteString("Chromium runs with a fresh profile each time (chrome-launcher's temporary `--user-data-dir`).\n\n")
	fmt.Fprintf(&b, "Command per run: `CHROME_PATH=%s node %s URL --output=json --output-path=OUT.json --chrome-flags=\"%s\" --quiet`\n\n", chrome, r.rel(cli), flags)
	if len(arPages) == 0 {
		b.WriteString("Arabic: no `hreflang=\"ar\"` alternates in the built pages yet, so only English was measured.\n\n")
	}
	b.WriteString("| Page | Performance | Accessibility | Best practices | SEO | LCP | LCP over runs | FCP | TBT | CLS | TTFB (sim.) | LCP resource load (sim.) | LCP observed, unthrottled |\n|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---|---:|\n")

	var problems, auditErrors []string
	retries := 0
	seenErr := map[string]bool{}
	var worstLCP float64
	allHundred := true
	for _, p := range pages {
		var reps []*lhReport
		for i := range runs {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			out := filepath.Join(lhDir, fmt.Sprintf("%s-%d.json", slug(p), i+1))
			args := []string{cli, origin + p, "--output=json", "--output-path=" + out, "--chrome-flags=" + flags, "--quiet"}
			r.logf("lighthouse %s (%d/%d)", p, i+1, runs)
			// Lighthouse sometimes fails to record the trace (NO_NAVSTART,
			// "please run Lighthouse again"): up to 3 attempts per run.
			var rep lhReport
			var err error
			for attempt := 1; attempt <= 3; attempt++ {
				if rep, err = r.lighthouseOnce(ctx, chrome, args, out); err == nil {
					break
				}
				r.logf("lighthouse %s: attempt %d failed: %s", p, attempt, firstLine(err.Error()))
				retries++
			}
			if err != nil {
				return err
			}
			reps = append(reps, &rep)
		}
		sort.SliceStable(reps, func(i, j int) bool {
			if reps[i].score("performance") != reps[j].score("performance") {
				return reps[i].score("performance") < reps[j].score("performance")
			}
			return reps[i].lcp() > reps[j].lcp()
		})
		med := reps[len(reps)/2]
		var lcps []float64
		for _, rep := range reps {
			lcps = append(lcps, rep.lcp())
		}
		lo, hi := minMax(lcps)
		lcp := med.lcp()
		if lcp > worstLCP {
			worstLCP = lcp
			r.lhTTFB = med.metric("timeToFirstByte")
			r.lhWorstPage, r.lhWorstLCP, r.lhFCP, r.lhLCPLoad = p, lcp, med.metric("firstContentfulPaint"), ""
			if ls, le := med.metric("lcpLoadStart"), med.metric("lcpLoadEnd"); ls >= 0 && le >= 0 {
				r.lhLCPLoad = fmt.Sprintf("%s – %s", secs(ls), secs(le))
			}
		}
		if o := med.metric("observedLargestContentfulPaint"); o > r.lhObserved {
			r.lhObserved = o
		}
		cells := []string{}
		for _, cat := range lhCategories {
			s := med.score(cat)
			cell := fmt.Sprintf("%.0f", s)
			if s < 100 {
				allHundred = false
				cell = "**" + cell + "**"
			}
			cells = append(cells, cell)
		}
		load := "–"
		if ls, le := med.metric("lcpLoadStart"), med.metric("lcpLoadEnd"); ls >= 0 && le >= 0 {
			load = fmt.Sprintf("%s – %s", secs(ls), secs(le))
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s | **%.2f s** | %.2f – %.2f s | %s | %s | %s | %s | %s | %s |\n", p, cells[0], cells[1], cells[2], cells[3], lcp/1000, lo/1000, hi/1000,
			med.Audits["first-contentful-paint"].DisplayValue, med.Audits["total-blocking-time"].DisplayValue, med.Audits["cumulative-layout-shift"].DisplayValue,
			secs(med.metric("timeToFirstByte")), load, secs(med.metric("observedLargestContentfulPaint")))
		for id, a := range med.Audits {
			if a.ScoreDisplayMode == "error" && !seenErr[id] {
				seenErr[id] = true
				auditErrors = append(auditErrors, fmt.Sprintf("- `%s` (%s) could not run: %s", id, a.Title, firstLine(a.ErrorMessage)))
			}
		}
		// Failing audits of any category below 100 (in the median run).
		for _, cat := range lhCategories {
			c := med.Categories[cat]
			if c.Score == nil || *c.Score >= 1 {
				continue
			}
			var fails []string
			for _, ref := range c.AuditRefs {
				a := med.Audits[ref.ID]
				if a.Score == nil || *a.Score >= 1 || a.ScoreDisplayMode == "informative" || a.ScoreDisplayMode == "manual" || a.ScoreDisplayMode == "notApplicable" {
					continue
				}
				if ref.Weight == 0 && cat != "performance" {
					continue
				}
				dv := ""
				if a.DisplayValue != "" {
					dv = ": " + a.DisplayValue
				}
				fails = append(fails, fmt.Sprintf("%s (`%s`, score %.2f, weight %.0f%s)", a.Title, ref.ID, *a.Score, ref.Weight, dv))
			}
			problems = append(problems, fmt.Sprintf("- `%s` %s %.0f: %s", p, c.Title, *c.Score*100, strings.Join(fails, "; ")))
		}
		for _, w := range med.RunWarnings {
			problems = append(problems, fmt.Sprintf("- `%s` run warning: %s", p, w))
		}
	}
	if len(problems) > 0 {
		b.WriteString("\nBelow 100, the audits that did not pass in the median run (raw reports: `" + r.rel(lhDir) + "/*.json`):\n\n")
		b.WriteString(strings.Join(problems, "\n") + "\n")
	} else {
		b.WriteString("\nEvery category scored 100 on every page.\n")
	}
	if retries > 0 {
		fmt.Fprintf(&b, "\nLighthouse failed to record a trace %d time(s) (e.g. NO_NAVSTART, \"please run Lighthouse again\"); those runs were repeated.\n", retries)
	}
	if len(auditErrors) > 0 {
		sort.Strings(auditErrors)
		b.WriteString("\nAudits Lighthouse could not run with this Chromium (not scored, they do not lower a category):\n\n" + strings.Join(auditErrors, "\n") + "\n")
	}
	b.WriteString("\n*sim.*: Lighthouse's simulated (throttled) timings from its `metrics` audit; *LCP observed*: the same page load without throttling, on loopback.\n")
	r.addTarget(target{name: "Lighthouse (mobile): performance, accessibility, best practices, SEO", goal: "100 each", measured: ifStr(allHundred, "100 on every page") + ifStr(!allHundred, "below 100 somewhere (see the Lighthouse section)"),
		status: passMiss(allHundred), note: ifStr(!allHundred, "failing audits listed in the Lighthouse section")})
	r.addTarget(target{name: "Lighthouse LCP (mobile simulation)", goal: "≤ 1.0 s", measured: fmt.Sprintf("worst page %.2f s", worstLCP/1000), status: passMiss(worstLCP <= 1000),
		note: ifStr(worstLCP > 1000, r.lcpNote())})
	r.addSection("Lighthouse", b.String())
	return nil
}

// lcpNote explains a simulated LCP over 1.0 s from what was measured on the
// worst page.
func (r *runner) lcpNote() string {
	s := fmt.Sprintf("simulated slow 4G (150 ms RTT, 1.6 Mbps, 4× CPU) on `%s`: the HTML's first byte alone is simulated at %s and the first paint at %s", r.lhWorstPage, secs(r.lhTTFB), secs(r.lhFCP))
	if r.inlineCSSOnly {
		s += " (the CSS is inline, so no other request blocks it)"
	}
	if r.lhLCPLoad != "" {
		s += "; the LCP element is an image, a further request loaded at " + r.lhLCPLoad
	} else {
		s += fmt.Sprintf("; the LCP element is text (no LCP resource), painted %s after the first paint in the simulation", secs(r.lhWorstLCP-r.lhFCP))
	}
	return s + "; unthrottled, the same pages paint their LCP in " + secs(r.lhObserved) + " or less"
}

func slug(p string) string {
	s := strings.Trim(strings.ReplaceAll(p, "/", "-"), "-")
	if s == "" {
		return "home"
	}
	return s
}

// arabicAlternate is the path of the page's hreflang="ar" alternate, if any.
func arabicAlternate(file string) string {
	raw, err := os.ReadFile(file)
	if err != nil {
		return ""
	}
	doc, err := html.Parse(bytes.NewReader(raw))
	if err != nil {
		return ""
	}
	for n := range doc.Descendants() {
		if n.Type == html.ElementNode && n.Data == "link" && attr(n, "rel") == "alternate" && attr(n, "hreflang") == "ar" {
			href := attr(n, "href")
			if i := strings.Index(href, "://"); i >= 0 {
				rest := href[i+3:]
				if j := strings.IndexByte(rest, '/'); j >= 0 {
					return rest[j:]
				}
				return "/"
			}
			return href
		}
	}
	return ""
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

func (r *runner) lighthouseOnce(ctx context.Context, chrome string, args []string, out string) (lhReport, error) {
	var rep lhReport
	os.Remove(out)
	if _, err := r.cmd(ctx, 3*time.Minute, []string{"CHROME_PATH=" + chrome}, "node", args...); err != nil {
		return rep, err
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		return rep, err
	}
	if err := json.Unmarshal(raw, &rep); err != nil {
		return rep, fmt.Errorf("%s: %w", out, err)
	}
	if rep.RuntimeError != nil && rep.RuntimeError.Code != "" {
		return rep, fmt.Errorf("%s: %s", rep.RuntimeError.Code, rep.RuntimeError.Message)
	}
	return rep, nil
}
