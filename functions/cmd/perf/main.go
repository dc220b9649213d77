// Command perf measures what visitors and the host wait for and writes a
// Markdown report to stdout: each page's gzipped weight against the budgets
// and its Lighthouse (mobile) scores; the enquiry handler's `go test -bench`
// benchmarks (summarised with golang.org/x/perf); functions/cmd/serve under
// a fixed rate of valid enquiries (vegeta), sending to the fake Resend of
// functions/internal/delivery/resendtest; the Lambda binary's size.
//
//	go run ./functions/cmd/perf > perf/REPORT.md
//	go run ./functions/cmd/perf -only weight,bench -pages /,/ar/
//	go run ./functions/cmd/perf -only lighthouse -pages /,/ar/ -json /tmp/lh
//
// It installs nothing: Lighthouse needs `npm ci --prefix perf` and Chromium at /usr/bin/chromium (it says so when missing).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/bluetreeclinics/site/functions/internal/site"
)

var (
	only      = flag.String("only", "weight,lighthouse,bench,load,lambda", "sections to run, comma-separated")
	pagesFlag = flag.String("pages", "", "lighthouse: comma-separated page paths (default: every page)")
	rate      = flag.Int("rate", 200, "load: valid enquiries per second")
	duration  = flag.Duration("duration", 10*time.Second, "load: how long to send them")
	count     = flag.Int("count", 10, "bench: go test -count")
	jsonDir   = flag.String("json", "", "lighthouse: also keep each page's Lighthouse JSON in this directory (/ar/faq/ → ar-faq.json, / → home.json)")
)

var sections = []struct {
	name string
	run  func(ctx context.Context, w io.Writer, tmp string) error
}{
	{"pages", pagesSection}, // weight and lighthouse
	{"bench", benchSection},
	{"load", loadSection},
	{"lambda", lambdaSection},
}

func wanted(name string) bool {
	return slices.Contains(strings.Split(*only, ","), name) || name == "pages" && (wanted("weight") || wanted("lighthouse"))
}

func main() {
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "perf:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, w io.Writer) error {
	root, err := site.Root()
	if err != nil {
		return err
	}
	if err := os.Chdir(root); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "perf-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	start := time.Now()
	fmt.Fprintf(w, "# Performance report\n\n- When: %s UTC, commit %s\n", start.UTC().Format("2006-01-02 15:04"), output("git", "describe", "--always", "--dirty"))
	fmt.Fprintf(w, "- Machine: %d cores, %s; load average at start %s (the cores are shared with other work)\n", runtime.NumCPU(), runtime.Version(), loadAvg())
	fmt.Fprintf(w, "- Command: `%s > perf/REPORT.md`\n", strings.Join(append([]string{"go run ./functions/cmd/perf"}, os.Args[1:]...), " "))
	var failed []string
	for _, s := range sections {
		if !wanted(s.name) {
			continue
		}
		fmt.Fprintf(os.Stderr, "== %s\n", s.name)
		if err := s.run(ctx, w, tmp); err != nil {
			fmt.Fprintf(w, "\n**%s failed:** %v\n", s.name, err)
			failed = append(failed, s.name)
		}
	}
	fmt.Fprintf(w, "\nTook %s; load average at the end %s.\n", time.Since(start).Round(time.Second), loadAvg())
	if len(failed) > 0 {
		return fmt.Errorf("failed: %s (see the report)", strings.Join(failed, ", "))
	}
	return nil
}

// command is exec.CommandContext with the child's errors on our stderr.
func command(ctx context.Context, name string, args ...string) *exec.Cmd {
	c := exec.CommandContext(ctx, name, args...)
	c.Stderr = os.Stderr
	return c
}

func output(name string, args ...string) string {
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		return "?"
	}
	return strings.TrimSpace(string(out))
}

func loadAvg() string { return output("cut", "-d", " ", "-f1-3", "/proc/loadavg") }

func kb(n int) string { return fmt.Sprintf("%.1f KB", float64(n)/1024) }

// lambdaSection builds the function as it is deployed and reports its size.
func lambdaSection(ctx context.Context, w io.Writer, tmp string) error {
	bin := filepath.Join(tmp, "bootstrap")
	c := command(ctx, "go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w", "-o", bin, "./functions/enquiry")
	c.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64")
	if err := c.Run(); err != nil {
		return err
	}
	st, err := os.Stat(bin)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\n## Lambda binary\n\n**%.2f MiB** (%d bytes): `CGO_ENABLED=0 GOOS=linux GOARCH=amd64 go build -tags lambda.norpc -trimpath -ldflags='-s -w' -o bootstrap ./functions/enquiry`.\n",
		float64(st.Size())/(1<<20), st.Size())
	return nil
}
