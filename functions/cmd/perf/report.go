package main

import (
	"fmt"
	"strings"
	"time"
)

// report is the Markdown report: machine, targets, then each section.
func (r *runner) report() string {
	var b strings.Builder
	m := r.machine
	b.WriteString("# Performance report\n\n")
	fmt.Fprintf(&b, "- Date: %s (took %s)\n", m.date.UTC().Format("2006-01-02 15:04 MST"), time.Since(r.started).Round(time.Second))
	fmt.Fprintf(&b, "- Machine: %d cores, %s, %s RAM, %s\n", m.cores, m.cpuModel, m.memTotal, m.kernel)
	fmt.Fprintf(&b, "- Go: %s\n", m.goVersion)
	fmt.Fprintf(&b, "- Load average (1, 5, 15 min): %s at start, %s at the end. The machine is shared with other work; a load above the core count means the figures below had to share the CPU.\n", m.loadStart, m.loadEnd)
	if len(r.sectionLoad) > 0 {
		fmt.Fprintf(&b, "- Load average at the start of each section: %s\n", strings.Join(r.sectionLoad, "; "))
	}
	fmt.Fprintf(&b, "- Commit: %s\n", m.commit)
	mode := "full"
	if r.quick {
		mode = "quick (-quick: short runs, fewer repeats; not figures to publish)"
	}
	fmt.Fprintf(&b, "- Mode: %s. Command: `go run ./functions/cmd/perf` (writes perf/out/report.md; `-publish` copies it to perf/REPORT.md).\n", mode)
	if len(r.skipped) > 0 {
		fmt.Fprintf(&b, "- Skipped sections: %s\n", strings.Join(r.skipped, ", "))
	}
	if len(r.failures) > 0 {
		b.WriteString("- **Failed sections:**\n")
		for _, f := range r.failures {
			fmt.Fprintf(&b, "  - %s\n", strings.ReplaceAll(strings.TrimSpace(f), "\n", "\n    "))
		}
	}

	b.WriteString("\n## Targets\n\n| Target | Goal | Measured | Result | Why (for a miss) |\n|---|---|---|---|---|\n")
	for _, t := range r.targets {
		fmt.Fprintf(&b, "| %s | %s | %s | **%s** | %s |\n", t.name, t.goal, t.measured, t.status, t.note)
	}
	if note := r.binaryOptions(); note != "" {
		b.WriteString("\n" + note)
	}
	if sg := r.suggestions(); sg != "" {
		b.WriteString("\n## Suggested fixes\n\n" + sg)
	}
	for _, s := range r.sections {
		fmt.Fprintf(&b, "\n## %s\n\n%s", s.title, s.body)
	}
	return b.String()
}

// binaryOptions is the note under the targets on shrinking the binary.
func (r *runner) binaryOptions() string {
	if r.binarySize_ == 0 || r.binarySize_ < binaryBudget {
		return ""
	}
	return fmt.Sprintf("The Lambda binary is %s over the 12 MB target. Largest contributors (from the symbol table): %s. "+
		"See \"Lambda binary size\" below for the breakdown and the options.\n", mib(r.binarySize_-binaryBudget), strings.Join(r.binaryTop, ", "))
}

// suggestions are the fixes the figures point at, each with its evidence.
func (r *runner) suggestions() string {
	var b strings.Builder
	n := 0
	item := func(format string, args ...any) {
		n++
		fmt.Fprintf(&b, "%d. "+format+"\n", append([]any{n}, args...)...)
	}
	if r.composeShare != "" {
		item("**Email composing dominates a valid post** (functions/internal/mail): %s of `BenchmarkHandler/form_valid`'s CPU (%s per post) is in `Composer.Compose` by the CPU profile in the benchmarks section, "+
			"%s of all samples in text/template and html/template execution (reflection calls to template functions, per label and value); parsing and validation (`BenchmarkParse`) is %s. "+
			"Render everything that does not depend on the visitor once at start (labels, headings, the Markdown-rendered frame, per language) and write only the visitor's values per request (pre-split template parts or a `strings.Builder`, still HTML-escaped); "+
			"that should take most of the composing cost off each post and with it much of the gap to the bare handler and the latency tail at 1,000/s.",
			r.composeShare, fmtNs(r.handlerNs), r.templateShare, fmtNs(r.parseNs))
	}
	if r.invalidCPU != "" {
		item("**The 422 page is the most expensive reply** (%s of serve's CPU per invalid post under load): functions/internal/formpage reads the form page from disk and parses it with `html.Parse` on every invalid post, then renders it again. "+
			"Keep each form page's bytes (or its parsed tree, cloned per request) in memory and reload them when the site is rebuilt; the per-client rate limit (off in this test) bounds how often a bot can make the server do this.", r.invalidCPU)
	}
	if r.guardAvg > 0 && r.singleAvg > 0 {
		head := "and the content guard is most of it"
		if r.guardAvg/r.singleAvg < 0.5 {
			head = fmt.Sprintf("and the content guard is the largest single part (%.0f%%)", 100*r.guardAvg/r.singleAvg)
		}
		item("**Build time grows by seconds per 1,000 pages, "+head+"** (themes/bluetree/layouts/_partials/helpers/guard.html): %.1f ms of the %.1f ms each generated page spends in `single.html` (%.0f%%). "+
			"It builds one string of the title, description, `jsonify` of all front matter and the raw Markdown, rewrites it with `replaceRE` and a normalising partial, and runs the large forbidden-words regular expression over it. "+
			"Options: run the regex over `.RawContent` and the few front-matter fields that are shown, without `jsonify`; or move the guard to the Go site test / CI (functions/internal/site already builds every page) and keep only the cheap testimonial-consent and alt-text checks in the template. "+
			"Hugo also hints that `_partials/site/header.html` and `footer.html` could be `partialCached` (per language and section).", r.guardAvg, r.singleAvg, 100*r.guardAvg/r.singleAvg)
	}
	if r.lhTTFB > 0 {
		item("**LCP at about 1 s in Lighthouse's simulation** (themes/bluetree/layouts/_partials/head): besides the inline critical CSS (helpers/critical-css.html, hashed in the CSP), every page links the main stylesheet, a render-blocking request at the highest priority " +
			"that costs one more simulated round trip (150 ms RTT on slow 4G) before the first paint and the hero image. The whole stylesheet fits in the 14 KB budget beside the HTML (page-weight table): " +
			"inline all of it the way the critical CSS already is (the CSP hash covers it), or split it so that only what the first screen needs blocks rendering. That should move FCP and LCP about one simulated round trip earlier, under 1.0 s; the hero image is already `fetchpriority=high` and AVIF.")
	}
	return b.String()
}
