package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bluetreeclinics/site/functions/internal/formpage"
	"github.com/bluetreeclinics/site/functions/internal/site"
)

// The README's command: run builds the real site and serves it.
func TestServeBuildsTheRealSite(t *testing.T) {
	s := start(t, []string{"-addr", "127.0.0.1:0"}, map[string]string{"OUTBOX_DIR": t.TempDir()})
	checkREADMESample(t, s)
	for _, p := range []string{"/", "/enquire/appointment/", "/enquire/suitability/", "/enquire/appointment/thanks/"} {
		resp, body := get(t, s.url+p, nil)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Security-Policy") == "" || resp.Header.Get("Strict-Transport-Security") == "" {
			t.Errorf("%s: %d, headers %v", p, resp.StatusCode, resp.Header)
		}
		if strings.HasPrefix(p, "/enquire/") && !strings.HasSuffix(p, "thanks/") && !strings.Contains(string(body), "data-enquiry-form") {
			t.Errorf("%s: no enquiry form", p)
		}
	}
	resp, _ := get(t, s.url+"/no-such-page/", nil)
	if resp.StatusCode != 404 {
		t.Errorf("missing page: %d", resp.StatusCode)
	}

	// The form page the API gives back (422, no JavaScript) carries the
	// site's policy (both read data/csp.yaml), with the hashes of the inline
	// script and styles it carries: the site's _headers policy, one for every
	// page, lists every page's sheets, the 422 page only its own.
	for _, lang := range []string{"en", "ar"} {
		site, _ := get(t, s.url+formpage.PagePath(lang, "appointment"), nil)
		form := appointmentForm("", "P1")
		form.Set("lang", lang)
		resp, _, err := post(client(), s.url, form)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 422 || !policyWithin(resp.Header.Get("Content-Security-Policy"), site.Header.Get("Content-Security-Policy")) {
			t.Errorf("%s: 422 page (%d) CSP\n%s\nsite's form page CSP\n%s", lang, resp.StatusCode,
				resp.Header.Get("Content-Security-Policy"), site.Header.Get("Content-Security-Policy"))
		}
	}
}

// rebuild swaps a fresh build in whole: files of the old build go.
func TestRebuildSwapsTheFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "public")
	os.MkdirAll(dir, 0o755)
	stale := filepath.Join(dir, "stale.html")
	os.WriteFile(stale, []byte("old"), 0o644)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := rebuild(ctx, dir, "http://localhost:8080/"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "index.html")); err != nil {
		t.Errorf("no index.html after rebuild: %v", err)
	}
	if _, err := os.Stat(stale); err == nil {
		t.Error("stale file kept")
	}
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(dir), ".public-next-*"))
	if len(left) != 0 {
		t.Errorf("staging folders left: %v", left)
	}
}

// The README's sample output is what serve prints: its lines, in order, with
// paths, addresses, times and durations set aside (progress lines come only
// with a slow build; log lines are compared with the log).
func checkREADMESample(t *testing.T, s *server) {
	t.Helper()
	root, err := site.Root()
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, block, ok := strings.Cut(string(readme), "<!-- serve-sample -->\n```\n")
	block, _, _ = strings.Cut(block, "```")
	if !ok || block == "" {
		t.Fatal("README.md: no <!-- serve-sample --> block")
	}
	var wantOut, wantLog []string
	for _, l := range strings.Split(strings.TrimSpace(block), "\n") {
		if strings.HasPrefix(l, "time=") {
			wantLog = append(wantLog, sampleShape(l))
		} else {
			wantOut = append(wantOut, sampleShape(l))
		}
	}
	shapes := func(text string) []string {
		var out []string
		for _, l := range strings.Split(strings.TrimSpace(text), "\n") {
			if !strings.HasPrefix(l, "  ") { // a progress line
				out = append(out, sampleShape(l))
			}
		}
		return out
	}
	var gotLog []string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if gotLog = shapes(s.stderr.String()); strings.Contains(strings.Join(gotLog, "\n"), "msg=listening") {
			break
		}
	}
	if got := shapes(s.stdout.String()); strings.Join(got, "\n") != strings.Join(wantOut, "\n") {
		t.Errorf("README.md's sample output is not what serve prints:\n%s\nwant (shape of the README's)\n%s", strings.Join(got, "\n"), strings.Join(wantOut, "\n"))
	}
	if strings.Join(gotLog, "\n") != strings.Join(wantLog, "\n") {
		t.Errorf("README.md's sample log lines are not serve's:\n%s\nwant (shape of the README's)\n%s", strings.Join(gotLog, "\n"), strings.Join(wantLog, "\n"))
	}
}

var sampleParts = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`^time=\S+`), "time=T"},
	{regexp.MustCompile(`/\S*/bluetree-site-[^/\s]+`), "SITE"},
	{regexp.MustCompile(`http://[^/\s]+`), "http://HOST"},
	{regexp.MustCompile(`(written to |outbox=)/\S+`), "${1}OUTBOX"},
	{regexp.MustCompile(`Built in \S+\.$`), "Built in D."},
}

// sampleShape is a line of serve's output with what differs between runs
// replaced.
func sampleShape(l string) string {
	for _, p := range sampleParts {
		l = p.re.ReplaceAllString(l, p.with)
	}
	return l
}

// policyWithin reports whether policy p has the directives of site and
// only hashes site also lists.
func policyWithin(p, site string) bool {
	unhashed := func(policy string) (string, []string) {
		var rest, hashes []string
		for _, f := range strings.Fields(policy) {
			if strings.HasPrefix(f, "'sha256-") {
				hashes = append(hashes, f)
			} else {
				rest = append(rest, f)
			}
		}
		return strings.Join(rest, " "), hashes
	}
	pRest, pHashes := unhashed(p)
	siteRest, siteHashes := unhashed(site)
	if pRest != siteRest || len(pHashes) == 0 {
		return false
	}
	for _, h := range pHashes {
		if !slices.Contains(siteHashes, h) {
			return false
		}
	}
	return true
}
