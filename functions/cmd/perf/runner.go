package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/bluetreeclinics/site/functions/internal/site"
)

// runner holds what the sections share and what they found.
type runner struct {
	root, out string
	quick     bool
	started   time.Time
	machine   machineInfo

	hugo     string // the pinned Hugo binary (site.HugoPath)
	serveBin string // functions/cmd/serve built into out/bin
	self     string // this program, for -bare-server

	mu          sync.Mutex
	sections    []section
	targets     []target
	failures    []string
	skipped     []string
	sectionLoad []string // "section 1m 5m 15m" at each section's start
	procs       []*exec.Cmd

	// Figures one section finds and another explains.
	handlerNs     float64 // BenchmarkHandler/form_valid, ns/op
	composeNs     float64 // BenchmarkCompose/appointment
	parseNs       float64 // BenchmarkParse/appointment
	composeShare  string  // share of the handler benchmark's CPU in Compose (pprof)
	templateShare string  // share in text/template execution (pprof)
	parseShare    string  // share in parsing and validation (pprof)
	guardAvg      float64 // ms per page in the content guard (1,000 generated pages)
	singleAvg     float64 // ms per page in single.html
	invalidCPU    string  // serve CPU per invalid post
	handlerBop    float64 // BenchmarkHandler/form_valid, B/op
	validNs       float64 // serve CPU per valid post under load, ns
	invalidNs     float64 // serve CPU per invalid post under load, ns
	honeypotNs    float64 // serve CPU per honeypot post under load, ns
	bareNs        float64 // bare handler CPU per request, ns
	fakeNs        float64 // fake Resend CPU per email, ns
	validRatio    float64 // valid posts, serve / bare
	honeypotRatio float64 // honeypot posts, serve / bare
	perThousand   float64 // build growth, ms per 1,000 pages
	tmplRows      []tmplRow
	lhWorstPage   string  // page with the worst simulated LCP
	lhWorstLCP    float64 // ms
	lhFCP         float64 // ms, simulated FCP on that page
	lhLCPLoad     string  // simulated LCP resource load on that page, or ""
	inlineCSSOnly bool    // every page inlines its CSS and none links a stylesheet
	serveStart    float64 // ms
	lambdaStart   float64 // ms
	binaryTop     []string
	binarySize_   int64
	lhTTFB        float64 // ms, simulated, on the page with the worst LCP
	lhObserved    float64 // ms, worst unthrottled LCP
}

// tmplRow is one line of Hugo's template metrics.
type tmplRow struct {
	name     string
	cumMs    float64
	avgMs    float64
	count    int
	cachePct int
}

type section struct {
	title string
	body  string
}

// target is one line of the targets table.
type target struct {
	name, goal, measured string
	status               string // PASS, MISS or n/a
	note                 string
}

func (r *runner) logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s "+format+"\n", append([]any{time.Since(r.started).Round(time.Second)}, args...)...)
}

func (r *runner) addSection(title, body string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sections = append(r.sections, section{title, body})
}

func (r *runner) addTarget(t target) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.targets = append(r.targets, t)
}

func passMiss(ok bool) string {
	if ok {
		return "PASS"
	}
	return "MISS"
}

// prepare builds the programs the sections start.
func (r *runner) prepare(ctx context.Context) error {
	var err error
	if r.hugo, err = site.HugoPath(ctx, r.root); err != nil {
		return err
	}
	if r.self, err = os.Executable(); err != nil {
		return err
	}
	bin := filepath.Join(r.out, "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		return err
	}
	r.serveBin = filepath.Join(bin, "serve")
	if _, err := r.cmd(ctx, 5*time.Minute, nil, "go", "build", "-o", r.serveBin, "./functions/cmd/serve"); err != nil {
		return fmt.Errorf("building functions/cmd/serve: %w", err)
	}
	return nil
}

// cleanup ends the processes this run started (each by its own pid).
func (r *runner) cleanup() {
	r.mu.Lock()
	procs := r.procs
	r.procs = nil
	r.mu.Unlock()
	for _, c := range procs {
		stopProc(c)
	}
}

func (r *runner) track(c *exec.Cmd) {
	r.mu.Lock()
	r.procs = append(r.procs, c)
	r.mu.Unlock()
}

// stopProc sends SIGTERM, then SIGKILL after 5 s, and waits.
func stopProc(c *exec.Cmd) {
	if c == nil || c.Process == nil || c.ProcessState != nil {
		return
	}
	c.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { c.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		c.Process.Kill()
		<-done
	}
}

// environ is os.Environ with GOTOOLCHAIN=local and extra variables.
func environ(extra ...string) []string {
	env := os.Environ()
	if _, ok := os.LookupEnv("GOTOOLCHAIN"); !ok {
		env = append(env, "GOTOOLCHAIN=local")
	}
	return append(env, extra...)
}

type cmdResult struct {
	stdout, stderr string
	wall           time.Duration
}

// cmd runs a command in the repository root with a timeout.
func (r *runner) cmd(ctx context.Context, timeout time.Duration, env []string, name string, args ...string) (cmdResult, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	c := exec.CommandContext(ctx, name, args...)
	c.Dir = r.root
	c.Env = environ(env...)
	var so, se bytes.Buffer
	c.Stdout, c.Stderr = &so, &se
	c.WaitDelay = 5 * time.Second
	start := time.Now()
	err := c.Run()
	res := cmdResult{stdout: so.String(), stderr: se.String(), wall: time.Since(start)}
	if err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("%w (timed out after %s)", err, timeout)
		}
		tail := res.stderr
		if len(tail) > 4000 {
			tail = tail[len(tail)-4000:]
		}
		return res, fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, tail)
	}
	return res, nil
}

// freePort returns a loopback port that was free a moment ago.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// rel is p relative to the repository root, for commands shown in the report.
func (r *runner) rel(p string) string {
	if q, err := filepath.Rel(r.root, p); err == nil && !strings.HasPrefix(q, "..") {
		return q
	}
	return p
}

// --- statistics ---

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func minMax(xs []float64) (float64, float64) {
	if len(xs) == 0 {
		return math.NaN(), math.NaN()
	}
	return slices.Min(xs), slices.Max(xs)
}

// percentile of sorted durations (nearest rank).
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	if i < 0 {
		i = 0
	}
	if i >= len(sorted) {
		i = len(sorted) - 1
	}
	return sorted[i]
}

func durMs(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func ms(x float64) string {
	switch {
	case math.IsNaN(x):
		return "n/a"
	case x >= 100:
		return fmt.Sprintf("%.0f ms", x)
	case x >= 10:
		return fmt.Sprintf("%.1f ms", x)
	default:
		return fmt.Sprintf("%.2f ms", x)
	}
}

func kb(n int64) string { return fmt.Sprintf("%.1f KB", float64(n)/1024) }

func mib(n int64) string { return fmt.Sprintf("%.2f MiB", float64(n)/(1<<20)) }

func floats(ds []time.Duration) []float64 {
	out := make([]float64, len(ds))
	for i, d := range ds {
		out[i] = durMs(d)
	}
	return out
}

func joinMs(xs []float64) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprintf("%.0f", x)
		if x < 10 {
			parts[i] = fmt.Sprintf("%.2f", x)
		}
	}
	return strings.Join(parts, ", ")
}

var errSkip = errors.New("skipped")
