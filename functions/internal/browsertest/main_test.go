package browsertest

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bluetreeclinics/site/functions/internal/site"
	"github.com/bluetreeclinics/site/functions/internal/testlog"
)

// env is what every test in this package shares: the built site, the
// running server and the browser. Set up once by TestMain.
var env struct {
	root     string // repository root
	missing  string // why the tests cannot run here (a tool is not installed)
	setupErr error  // the site, the server or the browser failed to start

	chromium string // path of the Chromium binary
	java     string // path of java, for vnu
	axeJS    string // node_modules/axe-core/axe.min.js, read
	vnuJar   string // node_modules/vnu-jar/build/dist/vnu.jar

	tmp       string // everything this package writes, removed at the end
	publicDir string // the built site
	outboxDir string // the server's OUTBOX_DIR
	baseURL   string // http://127.0.0.1:PORT (no trailing slash)
	serverLog *testlog.Buffer

	browser context.Context // a chromedp context with a running browser; tabs derive from it
}

// TestMain builds the site once, starts functions/cmd/serve on a free
// loopback port with a temporary outbox, starts one headless Chromium, runs
// the tests and stops everything. When the tests skip (a tool is missing
// outside CI, or -short) it says so in one line: see sayWhySkipped.
func TestMain(m *testing.M) {
	flag.Parse()
	code := func() int {
		if testing.Short() {
			env.missing = "not run with -short"
			return m.Run()
		}
		stop := setup()
		defer stop()
		return m.Run()
	}()
	if env.missing != "" && !inCI() {
		sayWhySkipped()
	}
	os.Exit(code)
}

// inCI: in CI the tests never skip; a missing tool fails them.
func inCI() bool { return os.Getenv("CI") != "" }

// sayWhySkipped prints one line naming what was skipped and why, with the
// command that installs what is missing. `go test ./...` shows a passing
// package's output only with -v, so the line goes to the terminal itself
// (/dev/tty) when there is one, else to stderr.
func sayWhySkipped() {
	var w io.Writer = os.Stderr
	if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
		defer tty.Close()
		w = tty
	}
	fmt.Fprintf(w, "browsertest: SKIPPED all browser tests (journeys, axe, Nu, screenshots): %s\n", env.missing)
}

// need is the first call of every test: it skips (developer machine) or
// fails (CI) when a tool is missing, and fails when setup failed.
func need(t *testing.T) {
	t.Helper()
	if env.missing != "" {
		if inCI() && !testing.Short() {
			t.Fatalf("browser tests cannot run in CI: %s", env.missing)
		}
		t.Skipf("browser tests skipped: %s", env.missing)
	}
	if env.setupErr != nil {
		t.Fatalf("browser test setup failed: %v", env.setupErr)
	}
}

// setup fills env. It returns the function that stops what it started.
func setup() (stop func()) {
	var stops []func()
	stop = func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
	root, err := site.Root()
	if err != nil {
		env.setupErr = err
		return stop
	}
	env.root = root
	if env.missing = findTools(root); env.missing != "" {
		return stop
	}

	tmp, err := os.MkdirTemp("", "bluetree-browsertest-*")
	if err != nil {
		env.setupErr = err
		return stop
	}
	env.tmp = tmp
	stops = append(stops, func() { os.RemoveAll(tmp) })

	fail := func(err error) func() {
		env.setupErr = err
		return stop
	}

	// A free loopback port, known before the build so the site's absolute
	// links point at the server.
	port, err := freePort()
	if err != nil {
		return fail(err)
	}
	env.baseURL = fmt.Sprintf("http://127.0.0.1:%d", port)

	// The site and the server binary.
	// BROWSERTEST_SITE_DIR: test an already built site (e.g. while the
	// working tree does not build); else build into a temporary folder.
	if dir := os.Getenv("BROWSERTEST_SITE_DIR"); dir != "" {
		if env.publicDir, err = filepath.Abs(dir); err != nil {
			return fail(err)
		}
	} else {
		env.publicDir = filepath.Join(tmp, "public")
		if err := buildSite(env.publicDir, env.baseURL+"/"); err != nil {
			return fail(err)
		}
	}
	serveBin := filepath.Join(tmp, "serve")
	if err := goBuild(root, serveBin, "./functions/cmd/serve"); err != nil {
		return fail(err)
	}

	// The server.
	env.outboxDir = filepath.Join(tmp, "outbox")
	stopServer, err := startServer(serveBin, port)
	if err != nil {
		return fail(err)
	}
	stops = append(stops, stopServer)

	// The browser.
	stopBrowser, err := startBrowser(filepath.Join(tmp, "chromium-profile"))
	if err != nil {
		return fail(err)
	}
	stops = append(stops, stopBrowser)
	return stop
}

// findTools returns why the tests cannot run and the one command that
// installs what is missing, or "".
func findTools(root string) string {
	var missing, apt []string
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			env.chromium = p
			break
		}
	}
	if env.chromium == "" {
		missing = append(missing, "Chromium")
		apt = append(apt, "chromium")
	}
	if p, err := exec.LookPath("java"); err == nil {
		env.java = p
	} else {
		missing = append(missing, "Java")
		apt = append(apt, "default-jre-headless")
	}
	npm := false
	axe, err := os.ReadFile(filepath.Join(root, "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		missing = append(missing, "node_modules/axe-core")
		npm = true
	}
	env.axeJS = string(axe)
	env.vnuJar = filepath.Join(root, "node_modules", "vnu-jar", "build", "dist", "vnu.jar")
	if _, err := os.Stat(env.vnuJar); err != nil {
		missing = append(missing, "node_modules/vnu-jar")
		npm = true
	}
	if len(missing) == 0 {
		return ""
	}
	var install []string
	if len(apt) > 0 {
		install = append(install, "sudo apt-get install -y "+strings.Join(apt, " "))
	}
	if npm {
		install = append(install, "npm ci")
	}
	return fmt.Sprintf("missing %s; install with: %s", strings.Join(missing, ", "), strings.Join(install, " && "))
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// buildSite builds the site with the pinned Hugo, production environment
// (what ships: fingerprinted assets with integrity).
func buildSite(dest, baseURL string) error {
	// The first `go tool hugo` compiles Hugo (minutes on a cold cache): give
	// that its own budget, so the build keeps its short hang guard.
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	if _, err := site.HugoPath(ctx, env.root); err != nil {
		return err
	}
	var out bytes.Buffer
	err := site.Build(context.Background(), site.Options{
		Root:    env.root,
		Dest:    dest,
		BaseURL: baseURL,
		Timeout: 2 * time.Minute,
		Output:  &out,
	})
	if err != nil {
		return fmt.Errorf("site build: %w", err)
	}
	return nil
}

func goBuild(root, out, pkg string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, pkg)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %w\n%s", pkg, err, b)
	}
	return nil
}

// startServer runs the serve binary on the built site: no build, no Resend
// key (emails go to the outbox), no rate limit (every request of these
// tests comes from 127.0.0.1).
func startServer(bin string, port int) (stop func(), err error) {
	cmd := exec.Command(bin, "-build=false", "-dir", env.publicDir, "-addr", fmt.Sprintf("127.0.0.1:%d", port))
	cmd.Dir = env.tmp
	cmd.Env = append(cleanEnv(),
		"OUTBOX_DIR="+env.outboxDir,
		"ENQUIRY_RATE_PER_MINUTE=0",
		"ENQUIRY_ACK=false",
		"LOG_LEVEL=warn",
	)
	w := &testlog.Buffer{}
	env.serverLog = w
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting serve: %w", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	stop = func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	}

	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(env.baseURL + "/api/health")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return stop, nil
			}
		}
		select {
		case err := <-done:
			return func() {}, fmt.Errorf("serve exited before it was healthy: %v\n%s", err, w.String())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			stop()
			return nil, fmt.Errorf("serve not healthy at %s/api/health after 30 s\n%s", env.baseURL, w.String())
		}
	}
}

// cleanEnv is the environment without the enquiry settings a developer may
// have exported (a real Resend key would send real emails).
func cleanEnv() []string {
	drop := []string{"RESEND_API_KEY=", "RESEND_BASE_URL=", "ENQUIRY_", "SITE_URL=", "OUTBOX_DIR=", "ADDR=", "PORT=", "TRUST_PROXY=", "LOG_LEVEL="}
	var out []string
next:
	for _, kv := range os.Environ() {
		for _, d := range drop {
			if strings.HasPrefix(kv, d) {
				continue next
			}
		}
		out = append(out, kv)
	}
	return out
}

// serverLogTail is the end of the server's output, for failure messages.
func serverLogTail() string {
	if env.serverLog == nil {
		return ""
	}
	s := env.serverLog.String()
	if len(s) > 4000 {
		s = "…" + s[len(s)-4000:]
	}
	return s
}
