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
