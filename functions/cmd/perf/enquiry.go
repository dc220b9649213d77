package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/bluetreeclinics/site/functions/internal/delivery/resendtest"
	"github.com/bluetreeclinics/site/functions/internal/site"
)

// benchSection runs the handler's benchmarks and summarises them with
// benchstat (go.mod's tool): the median and its 95% confidence interval.
func benchSection(ctx context.Context, w io.Writer, tmp string) error {
	args := []string{"test", "-run", "^$", "-bench", ".", "-benchmem", "-count", fmt.Sprint(*count), "./functions/internal/api", "./functions/internal/enquiry"}
	raw, err := command(ctx, "go", args...).Output()
	if err != nil {
		return fmt.Errorf("go test -bench: %w\n%s", err, raw)
	}
	file := filepath.Join(tmp, "bench.txt")
	if err := os.WriteFile(file, raw, 0o644); err != nil {
		return err
	}
	table, err := command(ctx, "go", "tool", "benchstat", "bench.txt="+file).Output() // the column's name=its file
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\n## Enquiry handler in-process\n\n`api/Handler` sends one POST through the handler `functions/cmd/serve` mounts (decode, validate, compose, a no-op sender, the reply); "+
		"`enquiry/Parse` and `enquiry/DecodeJSON` are the form's parsing alone; ± is the 95%% confidence interval of the median. `go test %s > bench.txt; go tool benchstat bench.txt`:\n\n```\n%s```\n",
		strings.Join(args[1:], " "), table)
	return nil
}

// loadSection sends valid appointment enquiries at a fixed rate to
// functions/cmd/serve, which answers once each is in its spool; its worker
// then sends them to the fake Resend in this process (no rate limit here).
func loadSection(ctx context.Context, w io.Writer, tmp string) error {
	fake := resendtest.Start()
	defer fake.Close()
	env := []string{"RESEND_API_KEY=" + fake.APIKey, "RESEND_BASE_URL=" + fake.URL(),
		"ENQUIRY_FROM=Blue Tree Clinics <enquiries@bluetree.example>", "ENQUIRY_TO=reception@bluetree.example",
		"ENQUIRY_RATE_PER_MINUTE=0", "RESEND_RATE_PER_SECOND=1000"} // one client sends everything; the fake has no limit
	srv, err := startServe(ctx, tmp, env)
	if err != nil {
		return err
	}
	defer srv.stop()

	// A new message each time, so each post is a new enquiry (the same one
	// twice would be one email); the date is a week ahead in Dubai.
	date := time.Now().In(time.FixedZone("Dubai", 4*3600)).AddDate(0, 0, 7).Format("2006-01-02")
	var n atomic.Int64
	header := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "Origin": {srv.origin}}
	targeter := func(t *vegeta.Target) error {
		form := url.Values{"kind": {"appointment"}, "lang": {"en"}, "name": {"Aisha Rahman"}, "phone": {"050 123 4567"},
			"email": {"aisha@example.com"}, "contact": {"email"}, "consent": {"yes"}, "date": {date}, "time": {"morning"},
			"message": {fmt.Sprintf("Knee pain when climbing stairs (load test %d).", n.Add(1))}, "website": {""}}
		*t = vegeta.Target{Method: "POST", URL: srv.origin + "/api/enquiry", Body: []byte(form.Encode()), Header: header}
		return nil
	}
	attacker := vegeta.NewAttacker(vegeta.Redirects(vegeta.NoFollow)) // a 303 is the answer
	var m vegeta.Metrics
	for res := range attacker.Attack(targeter, vegeta.Rate{Freq: *rate, Per: time.Second}, *duration, "valid") {
		m.Add(res)
	}
	m.Close()
	drain := time.Now() // the spool empties behind the answers
	for len(fake.Emails()) < m.StatusCodes["303"] && time.Since(drain) < time.Minute {
		time.Sleep(100 * time.Millisecond)
	}

	fmt.Fprintf(w, "\n## Enquiry handler under load\n\n`functions/cmd/serve` (Resend: the fake from functions/internal/delivery/resendtest, in `perf`, on the same cores) "+
		"receiving valid appointment forms at a fixed rate from vegeta (as a Go library), which measures each request from its start to the reply's end; "+
		"emails counted once the spool has drained (%s after the last answer).\n\n", time.Since(drain).Round(time.Millisecond))
	fmt.Fprintf(w, "| Rate | Requests | Replies (status:count) | p50 | p90 | p99 | max | Emails at the fake |\n|---:|---:|---|---:|---:|---:|---:|---:|\n")
	l, µs := m.Latencies, time.Microsecond
	fmt.Fprintf(w, "| %d/s for %s | %d | %s | %s | %s | **%s** | %s | %d |\n", *rate, *duration, m.Requests, strings.Trim(fmt.Sprint(m.StatusCodes), "map[]"),
		l.P50.Round(µs), l.P90.Round(µs), l.P99.Round(µs), l.Max.Round(µs), len(fake.Emails()))
	if len(m.Errors) > 0 {
		fmt.Fprintf(w, "\nErrors: %s\n", strings.Join(m.Errors, "; "))
	}
	return nil
}

type server struct {
	origin, public string // http://127.0.0.1:PORT and the folder it serves
	cmd            *exec.Cmd
}

func (s *server) stop() { s.cmd.Process.Signal(os.Interrupt); s.cmd.Wait() }

// startServe builds the site (with its own address as base URL, so links
// and canonicals point at it) and runs functions/cmd/serve on a free
// loopback port.
func startServe(ctx context.Context, tmp string, env []string) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	s := &server{origin: "http://" + addr, public: filepath.Join(tmp, "served-"+strings.ReplaceAll(addr, ":", "-"))}
	if err := site.Build(ctx, site.Options{Dest: s.public, BaseURL: s.origin + "/", Args: netlifyArgs}); err != nil {
		return nil, err
	}
	bin := filepath.Join(tmp, "serve")
	if err := command(ctx, "go", "build", "-o", bin, "./functions/cmd/serve").Run(); err != nil {
		return nil, err
	}
	s.cmd = exec.Command(bin, "-addr", addr, "-build=false", "-dir", s.public)
	s.cmd.Env = append(os.Environ(), append(env, "SPOOL_DIR="+filepath.Join(tmp, "spool"), "LOG_LEVEL=warn")...)
	s.cmd.Stderr = os.Stderr
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if res, err := http.Get(s.origin + "/api/health"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return s, nil
			}
		}
	}
	s.stop()
	return nil, fmt.Errorf("serve did not answer on %s/api/health within 10 s", s.origin)
}
