package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// pct reads "44.09%" as 44.09 (0 if empty).
func pct(s string) float64 {
	v, _ := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
	return v
}

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
		lead := "**Email composing is still the largest part of a valid post**"
		if pct(r.composeShare) < pct(r.parseShare) {
			lead = "**Email composing is a large part of a valid post**"
		}
		tmpl, next := "", "check the profile's `-list Compose` for what still allocates and size the output buffers once"
		if r.templateShare != "" {
			tmpl = fmt.Sprintf(", %s of all samples still in text/template and html/template execution", r.templateShare)
			next = "the visitor's values still go through a flat html/template per variant (reflection and an escaper call per value): writing them straight into a `strings.Builder` (`html.EscapeString` in the HTML part, plain in the text part) would take that template execution off each post; the tests that the flattened variants equal the full templates (commit 37beda1) would guard the change"
		}
		item(lead+" (functions/internal/mail): %s of `BenchmarkHandler/form_valid`'s CPU (%s per post, %.0f KB allocated) is in `Composer.Compose` by the CPU profile in the benchmarks section%s; parsing and validation (`BenchmarkParse`) is %s. "+
			"The composer is already flattened (the parts that do not depend on the visitor are rendered once per variant); %s. "+
			"Fewer bytes allocated per post also means fewer GC cycles in the latency tail at 1,000/s.",
			r.composeShare, fmtNs(r.handlerNs), r.handlerBop/1024, tmpl, fmtNs(r.parseNs), next)
	}
	if r.validNs > 0 {
		item("**The email is sent inside the visitor's request** (functions/internal/api, enquiry.go): every valid post waits for a second HTTP round trip, to Resend (here the fake, whose CPU, %s per email, shares the same cores), before it answers 303. "+
			"In the load test serve spends %s of CPU per valid post against %s per honeypot post, which answers the same 303 without validating, composing or sending. "+
			"On the self-hosted server, functions/internal/spool could take the message and let its worker send it after the reply (the spool already keeps unsent emails on disk and retries them), at the cost of an fsync per enquiry and of telling the visitor \"sent\" before Resend has it; "+
			"on Lambda the process may freeze after the reply, so there the send has to stay inside the request. Also check that the Resend client keeps its HTTPS connection alive between posts (one TLS handshake per post would dwarf the rest).",
			fmtNs(r.fakeNs), fmtNs(r.validNs), fmtNs(r.honeypotNs))
	}
	if r.validRatio > 0 && r.validRatio < 0.3 {
		item("**The 0.3× target compares a full enquiry with a handler that sends no email**: the bare handler only parses the form and answers 303 (%s of CPU per request); a valid post also validates, composes and makes an HTTP call, and the fake Resend answering it runs on the same %d cores. "+
			"Our honeypot path (the same request through the same middleware and the same 303, but no validation and no email) reaches %.2f× of the bare handler in the same rounds; valid posts reach %.2f×. "+
			"Either keep the target and move the sending out of the request (above), or make the ceiling a bare handler that also posts the form to the fake Resend, so that the ratio measures our code rather than the extra HTTP call.",
			fmtNs(r.bareNs), r.machine.cores, r.honeypotRatio, r.validRatio)
	}
	if r.invalidNs > 0 && r.validNs > 0 && r.invalidNs > 1.5*r.validNs {
		item("**The 422 page is the most expensive reply** (%s of serve's CPU per invalid post under load, against %s per valid post): functions/internal/formpage parses each form page once and caches it (commit 48230f5), so what remains is filling a copy of the page with the visitor's values and the problems and rendering it. "+
			"Pre-splitting each page around the fields and the error list (render once at load, write only the visitor's parts per request) would cut it further; the per-client rate limit (off in this test) bounds how often a bot can make the server do this.",
			r.invalidCPU, fmtNs(r.validNs))
	}
	if r.singleAvg > 0 {
		var cands []string
		for _, t := range r.tmplRows {
			if t.cachePct >= 80 && t.avgMs >= 0.05 && t.name != "_partials/helpers/guard.html" {
				cands = append(cands, fmt.Sprintf("`%s` (%.2f ms per call, %d%% cache potential)", t.name, t.avgMs, t.cachePct))
			}
		}
		guard := ""
		if r.guardAvg > 0 {
			guard = fmt.Sprintf(" The content guard is %.2f ms of it (%.0f%%).", r.guardAvg, 100*r.guardAvg/r.singleAvg)
		}
		if len(cands) > 0 {
			item("**Build growth: %s per 1,000 pages** (no target; it matters only for a much larger site): each generated page spends %.2f ms in `single.html`.%s "+
				"Hugo's template metrics say these partials give the same output for many pages and could be `partialCached` (keyed by language and section where they differ): %s.",
				ms(r.perThousand), r.singleAvg, guard, strings.Join(cands, ", "))
		}
	}
	if r.lhWorstLCP > 1000 {
		item("**LCP over 1.0 s in Lighthouse's simulation** (worst page `%s`, %.2f s): %s. "+
			"The CSS and the enquiry script are already inline, so the HTML is the only request before the first paint; what remains is the HTML's own simulated transfer and the main-thread work after it: "+
			"keep the first screen's HTML small and early in the document, and check the Lighthouse JSON (`perf/out/lighthouse`) for the LCP element and its phases.",
			r.lhWorstPage, r.lhWorstLCP/1000, r.lcpNote())
	}
	return b.String()
}
