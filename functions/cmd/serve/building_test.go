package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bluetreeclinics/site/functions/internal/testlog"
)

var listeningLine = regexp.MustCompile(`Listening on (http://\S+)/: `)

// While the site builds, run's own server (behind the connection limits)
// answers every page at once with the "being built" page in the visitor's
// language first, and /api/health says it is not ready; then the same port
// serves the site.
func TestBuildingPageThroughRun(t *testing.T) {
	building, release := make(chan struct{}), make(chan struct{})
	saved := buildFirst
	buildFirst = func(ctx context.Context, s *startup, dir, baseURL string, stdout io.Writer) error {
		s.phase.Store(phaseCompiling)
		close(building)
		select { // a slow build, until the test has looked
		case <-release:
		case <-ctx.Done():
			return ctx.Err()
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		return os.CopyFS(dir, os.DirFS(filepath.Join("..", "..", "testdata", "public")))
	}
	t.Cleanup(func() { buildFirst = saved })

	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := &testlog.Buffer{}, &testlog.Buffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0"}, getenvFrom(map[string]string{"OUTBOX_DIR": t.TempDir()}), stdout, stderr)
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	}()
	select {
	case <-building:
	case err := <-done:
		t.Fatalf("run ended before building: %v\n%s\n%s", err, stdout, stderr)
	case <-time.After(30 * time.Second):
		t.Fatalf("the build never started:\n%s", stdout)
	}
	m := listeningLine.FindStringSubmatch(stdout.String())
	if m == nil {
		t.Fatalf("no address on the console before the build:\n%s", stdout)
	}
	url := m[1]

	for _, tc := range []struct{ accept, first, second string }{
		{"ar-AE,ar;q=0.9,en;q=0.5", `lang="ar"`, `lang="en"`},
		{"en-GB,en;q=0.9", `lang="en"`, `lang="ar"`},
		{"", `lang="en"`, `lang="ar"`},
	} {
		resp, body := get(t, url+"/enquire/appointment/", map[string]string{"Accept-Language": tc.accept})
		page := string(body)
		if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" || resp.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%q: %d, headers %v", tc.accept, resp.StatusCode, resp.Header)
		}
		i, j := strings.Index(page, "<section "+tc.first), strings.Index(page, "<section "+tc.second)
		if i < 0 || j < 0 || i > j || !strings.HasPrefix(page, "<!doctype html>\n<html "+tc.first) {
			t.Errorf("%q: want both languages, %s first:\n%s", tc.accept, tc.first, page)
		}
		for _, want := range []string{`http-equiv="refresh"`, "The site is being built", "يجري الآن إنشاء الموقع", "compiling Hugo"} {
			if !strings.Contains(page, want) {
				t.Errorf("%q: the page lacks %q:\n%s", tc.accept, want, page)
			}
		}
	}
	resp, body := get(t, url+"/api/health", nil)
	var health map[string]any
	json.Unmarshal(body, &health)
	if resp.StatusCode != 503 || health["status"] != "building" {
		t.Errorf("/api/health while building: %d %s", resp.StatusCode, body)
	}

	close(release)
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(stdout.String(), "Open "+url+"/ ") {
		if time.Now().After(deadline) {
			t.Fatalf("not serving after the build:\n%s\n%s", stdout, stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if resp, body := get(t, url+"/", nil); resp.StatusCode != 200 || strings.Contains(string(body), "being built") {
		t.Errorf("after the build: %d\n%.300s", resp.StatusCode, body)
	}
	if resp, body := get(t, url+"/api/health", nil); resp.StatusCode != 200 {
		t.Errorf("/api/health after the build: %d %s", resp.StatusCode, body)
	}
}

// A port in use is reported before anything is built, with a free port to
// use instead.
func TestPortInUse(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	saved := buildFirst
	buildFirst = func(context.Context, *startup, string, string, io.Writer) error {
		return errors.New("built although the port is taken")
	}
	t.Cleanup(func() { buildFirst = saved })

	var stdout strings.Builder
	_, port, _ := net.SplitHostPort(taken.Addr().String())
	err = run(context.Background(), []string{"-addr", taken.Addr().String()}, getenvFrom(map[string]string{"OUTBOX_DIR": t.TempDir()}), &stdout, io.Discard)
	m := regexp.MustCompile(`^another program uses port ` + port + `: run with -addr (127\.0\.0\.1:\d+)$`).FindStringSubmatch(errString(err))
	if m == nil {
		t.Fatalf("got %v, want a one-line hint", err)
	}
	if stdout.Len() > 0 {
		t.Errorf("printed before reporting the port:\n%s", stdout.String())
	}
	if ln, err := net.Listen("tcp", m[1]); err != nil {
		t.Errorf("the suggested %s is not free: %v", m[1], err)
	} else {
		ln.Close()
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// The console tells what is happening, with the time so far, while it lasts.
func TestProgressLines(t *testing.T) {
	saved := progressEvery
	progressEvery = 10 * time.Millisecond
	t.Cleanup(func() { progressEvery = saved })
	s := newStartup()
	var out testlog.Buffer
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.report(ctx, &out); close(done) }()
	s.phase.Store(phaseCompiling)
	s.compiled.Store(12)
	time.Sleep(50 * time.Millisecond)
	s.phase.Store(phaseSite)
	time.Sleep(50 * time.Millisecond)
	stop()
	<-done
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^  compiling Hugo \(12 packages so far\) … 0:0\d$`),
		regexp.MustCompile(`(?m)^  building the site … 0:0\d$`),
	} {
		if !want.MatchString(out.String()) {
			t.Errorf("no line like %s in:\n%s", want, out.String())
		}
	}
}
