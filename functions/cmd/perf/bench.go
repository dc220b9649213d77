package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// benchLine: "BenchmarkParse/appointment-2   123   4567 ns/op   1.2 MB/s   890 B/op   12 allocs/op"
var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+(\d+)\s+(.*)$`)

type benchSamples struct {
	name                     string
	pkg                      string
	nsop, bop, allocs, extra []float64
	extraUnit                string
}

// parseBench reads `go test -bench` output into samples per benchmark, in order.
func parseBench(out string) []*benchSamples {
	var order []*benchSamples
	by := map[string]*benchSamples{}
	pkg := ""
	s := bufio.NewScanner(strings.NewReader(out))
	for s.Scan() {
		line := s.Text()
		if p, ok := strings.CutPrefix(line, "pkg: "); ok {
			pkg = strings.TrimSpace(p)
			continue
		}
		m := benchLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		key := pkg + " " + m[1]
		bs := by[key]
		if bs == nil {
			bs = &benchSamples{name: m[1], pkg: pkg}
			by[key] = bs
			order = append(order, bs)
		}
		f := strings.Fields(m[3])
		for i := 0; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			switch f[i+1] {
			case "ns/op":
				bs.nsop = append(bs.nsop, v)
			case "B/op":
				bs.bop = append(bs.bop, v)
			case "allocs/op":
				bs.allocs = append(bs.allocs, v)
			case "MB/s":
			default:
				bs.extra = append(bs.extra, v)
				bs.extraUnit = f[i+1]
			}
		}
	}
	return order
}

func fmtNs(ns float64) string {
	switch {
	case ns >= 1e6:
		return fmt.Sprintf("%.2f ms", ns/1e6)
	case ns >= 1e3:
		return fmt.Sprintf("%.1f µs", ns/1e3)
	default:
		return fmt.Sprintf("%.0f ns", ns)
	}
}

func (r *runner) benchSection(ctx context.Context) error {
	count := "5"
	benchtime := "1s"
	if r.quick {
		count, benchtime = "2", "200ms"
	}
	pkgs := []string{"./functions/internal/enquiry", "./functions/internal/mail", "./functions/internal/api"}
	args := append([]string{"test", "-run", "^$", "-bench", ".", "-benchmem", "-count", count, "-benchtime", benchtime}, pkgs...)
	cmdline := "go " + strings.Join(quoteArgs(args), " ")
	r.logf("%s", cmdline)
	res, err := r.cmd(ctx, 15*time.Minute, nil, "go", args...)
	raw := filepath.Join(r.out, "bench.txt")
	os.WriteFile(raw, []byte(res.stdout+res.stderr), 0o644)
	if err != nil {
		return err
	}
	samples := parseBench(res.stdout)
	var b strings.Builder
	fmt.Fprintf(&b, "Command: `%s` (raw output: `%s`; `go run golang.org/x/perf/cmd/benchstat@latest %s` summarises it the same way). Medians of the %s runs.\n\n", cmdline, r.rel(raw), r.rel(raw), count)
	b.WriteString("| Package | Benchmark | Time/op (median) | Range | B/op | allocs/op |\n|---|---|---:|---|---:|---:|\n")
	for _, s := range samples {
		lo, hi := minMax(s.nsop)
		fmt.Fprintf(&b, "| %s | `%s` | **%s** | %s – %s | %.0f | %.0f |\n", strings.TrimPrefix(s.pkg, "github.com/bluetreeclinics/site/functions/internal/"),
			s.name, fmtNs(median(s.nsop)), fmtNs(lo), fmtNs(hi), median(s.bop), median(s.allocs))
		switch s.name {
		case "BenchmarkHandler/form_valid":
			r.handlerNs = median(s.nsop)
			r.handlerBop = median(s.bop)
		case "BenchmarkCompose/appointment":
			r.composeNs = median(s.nsop)
		case "BenchmarkParse/appointment":
			r.parseNs = median(s.nsop)
		}
	}
	b.WriteString("\n`BenchmarkHandler/*` is the whole handler in-process (`api.New`, httptest request and recorder, text log to io.Discard, a no-op sender): ")
	b.WriteString("middleware, decode, validation, compose, reply. `form_invalid` renders the 422 form page with every problem listed; `form_honeypot` stops before validation.\n")
	if r.handlerNs > 0 {
		fmt.Fprintf(&b, "One valid form post costs %s of CPU in-process: at most ~%.0f posts/s per core before any HTTP or network work.\n", fmtNs(r.handlerNs), 1e9/r.handlerNs)
	}
	b.WriteString("`BenchmarkCompose` composes reception's email *and* the visitor's acknowledgement (its test config has acknowledgements on); the handler benchmarks and the load test compose reception's only (`ENQUIRY_ACK` off, the default).\n")
	if prof, err := r.handlerProfile(ctx); err != nil {
		r.logf("profile: %v", err)
	} else {
		b.WriteString(prof)
	}
	r.addSection("Enquiry handler: Go benchmarks", b.String())
	return nil
}

// handlerProfile profiles BenchmarkHandler/form_valid and reports where the
// CPU goes (cumulative shares of a few functions).
func (r *runner) handlerProfile(ctx context.Context) (string, error) {
	prof := filepath.Join(r.out, "handler-cpu.prof")
	bin := filepath.Join(r.out, "bin", "api.test")
	args := []string{"test", "-run", "^$", "-bench", "^BenchmarkHandler$/^form_valid$", "-benchtime", "3s", "-cpuprofile", prof, "-o", bin, "./functions/internal/api"}
	if _, err := r.cmd(ctx, 5*time.Minute, nil, "go", args...); err != nil {
		return "", err
	}
	res, err := r.cmd(ctx, 2*time.Minute, nil, "go", "tool", "pprof", "-top", "-cum", "-nodecount=400", bin, prof)
	if err != nil {
		return "", err
	}
	want := []struct{ fn, label string }{
		{"api.(*server).handleEnquiry", "the enquiry handler"},
		{"mail.(*Composer).Compose", "composing the email"},
		{"text/template.(*Template).execute", "of which template execution"},
		{"enquiry.(*Parser).ParseLang", "parsing and validating"},
		{"api.decode", "reading and decoding the body"},
		{"runtime.gcBgMarkWorker", "garbage collection (background)"},
		{"runtime.mallocgc", "allocation"},
	}
	cum := map[string]string{}
	for _, line := range strings.Split(res.stdout, "\n") {
		f := strings.Fields(line)
		if len(f) < 6 {
			continue
		}
		for _, w := range want {
			if _, ok := cum[w.fn]; !ok && strings.HasSuffix(f[5], w.fn) {
				cum[w.fn] = f[4]
			}
		}
	}
	r.composeShare, r.templateShare, r.parseShare = cum[want[1].fn], cum[want[2].fn], cum[want[3].fn]
	var parts []string
	for _, w := range want {
		if v, ok := cum[w.fn]; ok {
			parts = append(parts, fmt.Sprintf("%s %s", w.label, v))
		}
	}
	return fmt.Sprintf("\nWhere a valid form post's CPU goes (cumulative share of all samples, `go %s && go tool pprof -top -cum %s %s`): %s.\n",
		strings.Join(quoteArgs(args), " "), r.rel(bin), r.rel(prof), strings.Join(parts, "; ")), nil
}

func quoteArgs(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if strings.ContainsAny(a, " ^$*'\"") {
			out[i] = "'" + a + "'"
		} else {
			out[i] = a
		}
	}
	return out
}
