// Command perf measures the site and the enquiry system and writes a Markdown
// report: page weight per page, build time (and its growth with generated
// pages), Lighthouse scores, handler benchmarks, throughput and latency of
// functions/cmd/serve under load beside a bare net/http handler, start-to-
// first-answer of the server and the Lambda function, and the Lambda binary's
// size with what makes it up.
//
//	go run ./functions/cmd/perf                  # everything, about 15 minutes
//	go run ./functions/cmd/perf -quick           # shorter runs, fewer repeats
//	go run ./functions/cmd/perf -skip lighthouse,load
//	go run ./functions/cmd/perf -publish         # also copy the report to perf/REPORT.md
//
// Raw outputs (Lighthouse JSON, wrk output, logs) go to -out (perf/out, git-
// ignored); the report is -out/report.md. All load is on loopback (127.0.0.1)
// and every loop is bounded in count and time.
//
// It is not part of `go test ./...`: the benchmarks it runs only run with
// -bench.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/bluetreeclinics/site/functions/internal/site"
)

// Sections, in the order they run (quietest machine first for the timings).
var allSections = []string{"site", "bench", "load", "function", "lighthouse"}

type options struct {
	out     string
	quick   bool
	skip    map[string]bool
	publish bool
}

func main() {
	var (
		out      = flag.String("out", "perf/out", "folder for the report and raw outputs (relative to the repository root)")
		quick    = flag.Bool("quick", false, "short runs and fewer repeats (a smoke test of the command, not figures to publish)")
		skip     = flag.String("skip", "", "comma-separated sections to skip: "+strings.Join(allSections, ","))
		publish  = flag.Bool("publish", false, "copy the report to perf/REPORT.md")
		bare     = flag.String("bare-server", "", "internal: run the bare net/http form handler on this loopback address (host:port) and print its URL")
		fakeOnly = flag.String("fake-resend", "", "internal: run only the fake Resend API on this loopback address and print its URL")
	)
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "Usage: go run ./functions/cmd/perf [flags]\n\nRuns the performance measurements and writes a Markdown report.\n\nFlags:")
		flag.PrintDefaults()
	}
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if *bare != "" {
		if err := runBareServer(ctx, *bare); err != nil {
			fmt.Fprintln(os.Stderr, "perf -bare-server:", err)
			os.Exit(1)
		}
		return
	}
	if *fakeOnly != "" {
		if err := runFakeResendOnly(ctx, *fakeOnly); err != nil {
			fmt.Fprintln(os.Stderr, "perf -fake-resend:", err)
			os.Exit(1)
		}
		return
	}

	o := options{out: *out, quick: *quick, publish: *publish, skip: map[string]bool{}}
	for _, s := range strings.Split(*skip, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if !slices.Contains(allSections, s) {
			fmt.Fprintf(os.Stderr, "perf: -skip %q: unknown section (have %s)\n", s, strings.Join(allSections, ","))
			os.Exit(2)
		}
		o.skip[s] = true
	}
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "perf:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) error {
	root, err := site.Root()
	if err != nil {
		return err
	}
	if err := os.Chdir(root); err != nil {
		return err
	}
	if !filepath.IsAbs(o.out) {
		o.out = filepath.Join(root, o.out)
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return err
	}
	r := &runner{root: root, out: o.out, quick: o.quick, started: time.Now()}
	r.logf("perf: writing to %s (quick=%v, skip=%v)", o.out, o.quick, keys(o.skip))
	r.machine = readMachine(ctx, root)
	r.logf("machine: %s", r.machine.summary())

	// Tools every section may need, built once.
	if err := r.prepare(ctx); err != nil {
		return err
	}
	defer r.cleanup()

	for _, s := range allSections {
		if o.skip[s] {
			r.skipped = append(r.skipped, s)
			continue
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		r.sectionLoad = append(r.sectionLoad, s+" "+readLoadAvg())
		r.logf("== %s", s)
		start := time.Now()
		var err error
		switch s {
		case "site":
			err = r.siteSection(ctx)
		case "bench":
			err = r.benchSection(ctx)
		case "load":
			err = r.loadSection(ctx)
		case "function":
			err = r.functionSection(ctx)
		case "lighthouse":
			err = r.lighthouseSection(ctx)
		}
		if err != nil {
			r.logf("%s: FAILED: %v", s, err)
			r.failures = append(r.failures, fmt.Sprintf("%s: %v", s, err))
		}
		r.logf("== %s done in %s", s, time.Since(start).Round(time.Second))
	}
	r.machine.loadEnd = readLoadAvg()

	report := r.report()
	path := filepath.Join(o.out, "report.md")
	if err := os.WriteFile(path, []byte(report), 0o644); err != nil {
		return err
	}
	r.logf("report: %s", path)
	if o.publish {
		pub := filepath.Join(root, "perf", "REPORT.md")
		if err := os.WriteFile(pub, []byte(report), 0o644); err != nil {
			return err
		}
		r.logf("published: %s", pub)
	}
	if len(r.failures) > 0 {
		return fmt.Errorf("%d section(s) failed (see the report): %s", len(r.failures), strings.Join(r.failures, "; "))
	}
	return nil
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
