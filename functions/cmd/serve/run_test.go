package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bluetreeclinics/site/data"
	"github.com/bluetreeclinics/site/functions/internal/delivery/resendtest"
	"github.com/bluetreeclinics/site/functions/internal/testlog"
)

func getenvFrom(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

type server struct {
	url    string
	stdout *testlog.Buffer
	stderr *testlog.Buffer
	cancel context.CancelFunc
	done   chan error
}

var openLine = regexp.MustCompile(`Open (http://\S+)/ `)

// start runs the program on a free loopback port and waits until it serves.
func start(t testing.TB, args []string, env map[string]string) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{stdout: &testlog.Buffer{}, stderr: &testlog.Buffer{}, cancel: cancel, done: make(chan error, 1)}
	go func() { s.done <- run(ctx, args, getenvFrom(env), s.stdout, s.stderr) }()
	// A wait, not a time limit: building includes compiling Hugo on a cold cache.
	deadline := time.Now().Add(25 * time.Minute)
	for time.Now().Before(deadline) {
		if m := openLine.FindStringSubmatch(s.stdout.String()); m != nil {
			s.url = m[1]
			break
		}
		select {
		case err := <-s.done:
			t.Fatalf("run ended early: %v\nstdout:\n%s\nstderr:\n%s", err, s.stdout, s.stderr)
		case <-time.After(20 * time.Millisecond):
		}
	}
	if s.url == "" {
		t.Fatalf("server did not start:\n%s\n%s", s.stdout, s.stderr)
	}
	t.Cleanup(func() {
		cancel()
		select {
		case <-s.done:
		case <-time.After(30 * time.Second):
			t.Error("server did not stop")
		}
	})
	return s
}

func fixtureArgs() []string {
	return []string{"-addr", "127.0.0.1:0", "-build=false", "-dir", "../../testdata/public"}
}

// client never follows redirects and never asks for gzip on its own.
func client() *http.Client {
	return &http.Client{
		Timeout:       10 * time.Second,
		Transport:     &http.Transport{DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

func get(t testing.TB, u string, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	c := client()
	defer c.CloseIdleConnections() // a connection per call would pile up against the per-client cap
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func TestServeStaticAndEnquiry(t *testing.T) {
	outbox := t.TempDir()
	s := start(t, fixtureArgs(), map[string]string{"OUTBOX_DIR": outbox})

	if !strings.Contains(s.stdout.String(), outbox) {
		t.Errorf("stdout does not name the outbox %s:\n%s", outbox, s.stdout)
	}

	// A page with the _headers headers and the HTML cache policy.
	resp, body := get(t, s.url+"/", nil)
	if resp.StatusCode != 200 || !bytes.Contains(body, []byte("Blue Tree Clinics")) {
		t.Fatalf("/: %d %s", resp.StatusCode, body)
	}
	for k, v := range map[string]string{
		"Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'",
		"X-Frame-Options":         "DENY",
		"X-Content-Type-Options":  "nosniff",
		"Cache-Control":           cacheHTML,
		"Content-Type":            "text/html; charset=utf-8",
	} {
		if got := resp.Header.Get(k); got != v {
			t.Errorf("/ %s = %q, want %q", k, got, v)
		}
	}
	if resp.Header.Get("X-Other") != "" || resp.Header.Get("X-Test-Rule") != "" {
		t.Error("rules for other paths applied")
	}
	resp, _ = get(t, s.url+"/enquire/appointment/", nil)
	if got := resp.Header.Get("X-Test-Rule"); got != "enquire, twice" {
		t.Errorf("splat rule: X-Test-Rule = %q", got)
	}

	// gzip only when asked (and for pages of 1 KiB or more: gzhttp's minimum).
	resp, body = get(t, s.url+"/enquire/appointment/", map[string]string{"Accept-Encoding": "gzip"})
	if resp.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
		t.Errorf("gzip: headers %v", resp.Header)
	} else {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		plain, _ := io.ReadAll(zr)
		if !bytes.Contains(plain, []byte("Blue Tree Clinics")) {
			t.Errorf("gunzipped: %s", plain)
		}
	}
	// Chromium offers zstd too: it still gets gzip at the best level, the
	// smallest of the two for our pages (the first round trip holds 14 KB).
	resp, body = get(t, s.url+"/enquire/appointment/", map[string]string{"Accept-Encoding": "gzip, deflate, br, zstd"})
	var best bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&best, gzip.BestCompression)
	page, err := os.ReadFile(filepath.Join("..", "..", "testdata", "public", "enquire", "appointment", "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	zw.Write(page)
	zw.Close()
	if enc := resp.Header.Get("Content-Encoding"); enc != "gzip" || len(body) > best.Len()+64 {
		t.Errorf("browser's Accept-Encoding: %q, %d bytes (gzip -9: %d)", enc, len(body), best.Len())
	}
	resp, _ = get(t, s.url+"/enquire/appointment/", map[string]string{"Accept-Encoding": "gzip;q=0, br"})
	if resp.Header.Get("Content-Encoding") != "" {
		t.Error("gzip sent though refused")
	}
	resp, _ = get(t, s.url+"/images/hero_hu_0123456789abcdef.png", map[string]string{"Accept-Encoding": "gzip"})
	if resp.Header.Get("Content-Encoding") != "" {
		t.Error("image gzipped")
	}

	// Fingerprinted assets are immutable.
	for _, p := range []string{"/css/main.0123456789abcdef0123.css", "/images/hero_hu_0123456789abcdef.png"} {
		resp, _ = get(t, s.url+p, nil)
		if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != cacheImmutable {
			t.Errorf("%s: %d Cache-Control %q", p, resp.StatusCode, resp.Header.Get("Cache-Control"))
		}
	}

	// 404 with the site's page and the headers; hidden files are 404 too.
	for _, p := range []string{"/nope/", "/_headers", "/go.mod", "/enquire/appointment/missing.html"} {
		resp, body = get(t, s.url+p, nil)
		if resp.StatusCode != 404 || !bytes.Contains(body, []byte("Page not found")) || resp.Header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: %d %q", p, resp.StatusCode, body)
		}
	}
	// Missing Arabic pages get the Arabic 404.
	resp, body = get(t, s.url+"/ar/nope/", nil)
	if resp.StatusCode != 404 || !bytes.Contains(body, []byte("الصفحة غير موجودة")) {
		t.Errorf("/ar/nope/: %d %q", resp.StatusCode, body)
	}
	// A folder without the slash is redirected.
	resp, _ = get(t, s.url+"/enquire/appointment", nil)
	if resp.StatusCode != 301 || resp.Header.Get("Location") != "/enquire/appointment/" {
		t.Errorf("folder redirect: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	req, _ := http.NewRequest("DELETE", s.url+"/", nil)
	if r, err := client().Do(req); err != nil || r.StatusCode != 405 {
		t.Errorf("DELETE: %v %v", r, err)
	}

	// An enquiry posted as the browser would: 303 to the thanks page, an .eml.
	form := url.Values{
		"kind": {"appointment"}, "lang": {"en"}, "name": {"Mariam Saeed"}, "phone": {"050 111 2233"},
		"email": {""}, "contact": {"whatsapp"}, "consent": {"yes"}, "website": {""},
		"date": {data.ClinicDetails().Opening.OpenDay(time.Now().AddDate(0, 0, 7)).Format("2006-01-02")}, "time": {"any"},
	}
	req, _ = http.NewRequest("POST", s.url+"/api/enquiry", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", s.url)
	resp, err = client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/enquire/appointment/thanks/" {
		t.Fatalf("enquiry: %d %q\n%s", resp.StatusCode, resp.Header.Get("Location"), s.stderr)
	}
	resp, _ = get(t, s.url+resp.Header.Get("Location"), nil)
	if resp.StatusCode != 200 {
		t.Errorf("thanks page: %d", resp.StatusCode)
	}
	msgs, err := resendtest.ReadOutbox(outbox)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("outbox: %d emails, %v", len(msgs), err)
	}
	if !strings.Contains(msgs[0].Text, "Mariam Saeed") || !strings.Contains(msgs[0].Text, "+971501112233") {
		t.Errorf("email text:\n%s", msgs[0].Text)
	}
	if strings.Contains(s.stderr.String(), "Mariam") || strings.Contains(s.stderr.String(), "501112233") {
		t.Errorf("log holds personal data:\n%s", s.stderr)
	}

	// The same origin's other spelling is allowed; a foreign one is not.
	for origin, want := range map[string]int{strings.Replace(s.url, "127.0.0.1", "localhost", 1): 303, "https://evil.example": 403} {
		req, _ = http.NewRequest("POST", s.url+"/api/enquiry", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", origin)
		resp, err = client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("Origin %s: %d, want %d", origin, resp.StatusCode, want)
		}
	}

	resp, body = get(t, s.url+"/api/health", nil)
	if resp.StatusCode != 200 || !bytes.Contains(body, []byte(`"sender":"outbox"`)) {
		t.Errorf("health: %d %s", resp.StatusCode, body)
	}
}

func TestBadConfigNamesTheVariable(t *testing.T) {
	tests := []struct {
		env  map[string]string
		args []string
		want string
	}{
		{map[string]string{"ENQUIRY_TO": "x"}, nil, `ENQUIRY_TO: "x" is not an email address`},
		{map[string]string{"RESEND_API_KEY": "re_123"}, nil, "ENQUIRY_FROM: is required"},
		{map[string]string{"SITE_URL": "example.ae"}, nil, "SITE_URL:"},
		{map[string]string{"ENQUIRY_RATE_PER_MINUTE": "lots"}, nil, "ENQUIRY_RATE_PER_MINUTE:"},
		{nil, []string{"-addr", "nonsense"}, "-addr"},
		{nil, []string{"-watch", "-build=false"}, "-watch needs -build"},
		{nil, []string{"-build=false", "-dir", "testdata/missing"}, "not a folder"},
		{map[string]string{"PORT": "99999"}, []string{"-build=false"}, "PORT:"},
	}
	for _, tt := range tests {
		args := append([]string{"-addr", "127.0.0.1:0", "-build=false", "-dir", "../../testdata/public"}, tt.args...)
		var stdout, stderr bytes.Buffer
		if tt.env["PORT"] != "" {
			args = tt.args
		}
		err := run(context.Background(), args, getenvFrom(tt.env), &stdout, &stderr)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v %v: error %v, want %q", tt.env, tt.args, err, tt.want)
		}
	}
}

// slowHandler proves in-flight requests finish during shutdown.
func TestGracefulShutdown(t *testing.T) {
	outbox := t.TempDir()
	s := start(t, fixtureArgs(), map[string]string{"OUTBOX_DIR": outbox})

	// Hold a request open: a body that arrives slowly.
	pr, pw := io.Pipe()
	req, _ := http.NewRequest("POST", s.url+"/api/enquiry", pr)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	type result struct {
		status int
		err    error
	}
	res := make(chan result, 1)
	go func() {
		resp, err := client().Do(req)
		if err != nil {
			res <- result{0, err}
			return
		}
		resp.Body.Close()
		res <- result{resp.StatusCode, nil}
	}()
	pw.Write([]byte(`{"kind":"appointment",`))
	time.Sleep(200 * time.Millisecond) // the request is in flight

	s.cancel()
	time.Sleep(200 * time.Millisecond)
	// New connections are refused while the old request is finishing.
	if _, err := client().Get(s.url + "/"); err == nil {
		t.Error("new request served after shutdown began")
	}
	pw.Write([]byte(`"lang":"en"}`))
	pw.Close()

	select {
	case r := <-res:
		if r.err != nil || r.status != 422 {
			t.Errorf("in-flight request: %d %v", r.status, r.err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("in-flight request did not finish")
	}
	select {
	case err := <-s.done:
		s.done <- err // for the cleanup
		if err != nil {
			t.Errorf("run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return")
	}
	if !strings.Contains(s.stdout.String(), "Stopped.") {
		t.Errorf("stdout:\n%s", s.stdout)
	}
}

func TestWatchRebuildsAfterChanges(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "content"), 0o755)
	os.WriteFile(filepath.Join(root, "content", "a.md"), []byte("a"), 0o644)
	builds := make(chan struct{}, 10)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out testlog.Buffer
	go watch(ctx, root, 20*time.Millisecond, func(context.Context) error {
		builds <- struct{}{}
		return nil
	}, &out, discardLogger())
	time.Sleep(60 * time.Millisecond)
	select {
	case <-builds:
		t.Fatal("built without a change")
	default:
	}
	os.WriteFile(filepath.Join(root, "content", "b.md"), []byte("b"), 0o644)
	select {
	case <-builds:
	case <-time.After(5 * time.Second):
		t.Fatal("no rebuild after a change")
	}
	// The build returns before watch prints its outcome.
	waitUntil(t, "the rebuild to be reported", 5*time.Second, func() bool { return strings.Contains(out.String(), "Rebuilt") })
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// The static handler itself never leaves its folder, whatever the path.
func TestStaticStaysInItsFolder(t *testing.T) {
	st := newStatic("../../testdata/public/enquire", discardLogger())
	for _, p := range []string{"/../index.html", "/../../run.go", "/appointment/../../_headers"} {
		r := httptest.NewRequest("GET", "/", nil)
		r.URL.Path = p
		w := httptest.NewRecorder()
		st.ServeHTTP(w, r)
		if w.Code != 404 {
			t.Errorf("%s: %d", p, w.Code)
		}
	}
}
