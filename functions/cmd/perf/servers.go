package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/bluetreeclinics/site/functions/internal/site"
)

// --- the bare handler (a separate process: perf -bare-server ADDR) ---

// bareHandler only parses the form and answers 303: the ceiling for a Go
// net/http server on this machine.
func bareHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && r.URL.Path == "/api/health" {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"status":"ok"}`)
			return
		}
		if err := r.ParseForm(); err != nil {
			http.Error(w, "bad form", http.StatusBadRequest)
			return
		}
		http.Redirect(w, r, "/enquire/appointment/thanks/", http.StatusSeeOther)
	})
}

func runBareServer(ctx context.Context, addr string) error {
	if err := loopbackOnly(addr); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: bareHandler(), ReadHeaderTimeout: 5 * time.Second}
	fmt.Printf("http://%s\n", ln.Addr())
	go func() { <-ctx.Done(); srv.Close() }()
	if err := srv.Serve(ln); err != http.ErrServerClosed {
		return err
	}
	return nil
}

func loopbackOnly(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%s: loopback addresses only (127.0.0.1)", addr)
	}
	return nil
}

// --- the fake Resend API (in-process) ---

// fakeResend answers POST /emails with 200 {"id": ...} at once and counts.
type fakeResend struct {
	srv   *http.Server
	url   string
	calls atomic.Int64
}

func startFakeResend() (*fakeResend, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	f := &fakeResend{url: "http://" + ln.Addr().String() + "/"}
	f.srv = &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
		if r.Method != http.MethodPost || r.URL.Path != "/emails" {
			http.Error(w, `{"statusCode":404,"name":"not_found","message":"not found"}`, http.StatusNotFound)
			return
		}
		n := f.calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":"00000000-0000-4000-8000-%012d"}`, n)
	})}
	go f.srv.Serve(ln)
	return f, nil
}

func (f *fakeResend) close() { f.srv.Close() }

func runFakeResendOnly(ctx context.Context, addr string) error {
	if err := loopbackOnly(addr); err != nil {
		return err
	}
	f, err := startFakeResend()
	if err != nil {
		return err
	}
	fmt.Println(f.url)
	<-ctx.Done()
	f.close()
	return nil
}

// --- starting servers ---

type proc struct {
	cmd *exec.Cmd
	url string
	log string
}

// serveEnv is the environment of functions/cmd/serve under load: Resend at
// the fake, no rate limit (one client posts as fast as it can).
func serveEnv(fakeURL string) []string {
	return []string{
		"RESEND_API_KEY=re_perf_test_key",
		"RESEND_BASE_URL=" + fakeURL,
		"ENQUIRY_FROM=Blue Tree Clinics website <enquiries@bluetree.example>",
		"ENQUIRY_TO=reception@bluetree.example",
		"ENQUIRY_RATE_PER_MINUTE=0",
		"ENQUIRY_ACK=false",
		"LOG_LEVEL=info",
		"SITE_URL=",
		"ADDR=", "PORT=",
	}
}

// startServe starts the built functions/cmd/serve on a free loopback port
// serving dir, and waits until /api/health answers.
func (r *runner) startServe(ctx context.Context, dir, fakeURL, logName string) (*proc, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	logPath := filepath.Join(r.out, logName)
	lf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	c := exec.Command(r.serveBin, "-addr", addr, "-build=false", "-dir", dir)
	c.Dir = r.root
	c.Env = environ(serveEnv(fakeURL)...)
	c.Stdout, c.Stderr = lf, lf
	if err := c.Start(); err != nil {
		lf.Close()
		return nil, err
	}
	go func() { c.Wait(); lf.Close() }()
	r.track(c)
	p := &proc{cmd: c, url: "http://" + addr, log: logPath}
	if _, err := waitHealthy(ctx, p.url, 30*time.Second); err != nil {
		stopProc(c)
		b, _ := os.ReadFile(logPath)
		return nil, fmt.Errorf("serve did not answer: %w\n%s", err, b)
	}
	return p, nil
}

// startBare starts this program with -bare-server on a free loopback port.
func (r *runner) startBare(ctx context.Context) (*proc, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	c := exec.Command(r.self, "-bare-server", addr)
	c.Env = environ()
	out, err := c.StdoutPipe()
	if err != nil {
		return nil, err
	}
	c.Stderr = os.Stderr
	if err := c.Start(); err != nil {
		return nil, err
	}
	r.track(c)
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		stopProc(c)
		return nil, fmt.Errorf("bare server: %w", err)
	}
	go io.Copy(io.Discard, out)
	p := &proc{cmd: c, url: strings.TrimSpace(line)}
	if _, err := waitHealthy(ctx, p.url, 10*time.Second); err != nil {
		stopProc(c)
		return nil, err
	}
	return p, nil
}

var healthClient = &http.Client{
	Timeout:   time.Second,
	Transport: &http.Transport{DisableKeepAlives: true, Proxy: nil},
}

// waitHealthy polls GET url/api/health until 200, every 200 µs, bounded by
// timeout; it returns the time of the first 200.
func waitHealthy(ctx context.Context, url string, timeout time.Duration) (time.Time, error) {
	deadline := time.Now().Add(timeout)
	var last error
	for time.Now().Before(deadline) {
		if ctx.Err() != nil {
			return time.Time{}, ctx.Err()
		}
		resp, err := healthClient.Get(url + "/api/health")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Now(), nil
			}
			last = fmt.Errorf("status %d", resp.StatusCode)
		} else {
			last = err
		}
		time.Sleep(200 * time.Microsecond)
	}
	return time.Time{}, fmt.Errorf("no 200 from %s/api/health within %s: %v", url, timeout, last)
}

// ensureSite returns a production build of the site (the site section's, or a new one).
func (r *runner) ensureSite(ctx context.Context) (string, error) {
	public := filepath.Join(r.out, "site", "public")
	if _, err := os.Stat(filepath.Join(public, "index.html")); err == nil {
		return public, nil
	}
	os.RemoveAll(public)
	err := site.Build(ctx, site.Options{Root: r.root, Dest: public, Environment: "production", Args: deployArgs})
	return public, err
}
