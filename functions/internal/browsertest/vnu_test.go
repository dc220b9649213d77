package browsertest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

type vnuMessage struct {
	Type     string `json:"type"`
	SubType  string `json:"subType"`
	URL      string `json:"url"`
	LastLine int    `json:"lastLine"`
	FirstCol int    `json:"firstColumn"`
	LastCol  int    `json:"lastColumn"`
	Message  string `json:"message"`
	Extract  string `json:"extract"`
}

// fetch422 posts an empty enquiry of kind in lang as a browser without
// JavaScript would, and returns the server's 422 page.
func fetch422(t *testing.T, kind, lang string) []byte {
	t.Helper()
	form := url.Values{"kind": {kind}, "lang": {lang}, "name": {"A"}, "phone": {"12"}}
	req, err := http.NewRequest("POST", env.baseURL+"/api/enquiry", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "text/html")
	req.Header.Set("Origin", env.baseURL)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("POST /api/enquiry (%s, %s) with mistakes: status %d, want 422\n%s", kind, lang, resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Fatalf("POST /api/enquiry (%s, %s) with mistakes: Content-Type %q, want an HTML page", kind, lang, ct)
	}
	return body
}

// TestHTMLValid runs the Nu HTML Checker (vnu) over every built page and
// the server's 422 pages, in one Java run: no errors.
func TestHTMLValid(t *testing.T) {
	need(t)
	var files []string
	for _, p := range builtPages(t) {
		f := filepath.Join(env.publicDir, filepath.FromSlash(strings.TrimPrefix(p, "/")))
		if strings.HasSuffix(p, "/") {
			f = filepath.Join(f, "index.html")
		}
		files = append(files, f)
	}
	dir := t.TempDir()
	for _, l := range languages(t) {
		for _, kind := range []string{"suitability", "appointment"} {
			f := filepath.Join(dir, fmt.Sprintf("422-%s-%s.html", l.code, kind))
			if err := os.WriteFile(f, fetch422(t, kind, l.code), 0o644); err != nil {
				t.Fatal(err)
			}
			files = append(files, f)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	args := append([]string{"-Xss16m", "-jar", env.vnuJar, "--format", "json", "--errors-only", "--exit-zero-always"}, files...)
	cmd := exec.CommandContext(ctx, env.java, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("vnu: %v\n%s%s", err, stdout.String(), stderr.String())
	}
	var out struct {
		Messages []vnuMessage `json:"messages"`
	}
	raw := bytes.TrimSpace(stderr.Bytes()) // vnu writes its report to stderr
	if len(raw) == 0 {
		raw = bytes.TrimSpace(stdout.Bytes())
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("vnu output is not JSON: %v\n%s", err, raw)
	}
	t.Logf("vnu checked %d files", len(files))
	for _, m := range out.Messages {
		if m.Type != "error" && !(m.Type == "non-document-error") {
			continue
		}
		file := strings.TrimPrefix(m.URL, "file:")
		if rel, err := filepath.Rel(env.publicDir, file); err == nil && !strings.HasPrefix(rel, "..") {
			file = "public/" + filepath.ToSlash(rel)
		} else {
			file = "server 422 page " + filepath.Base(file)
		}
		t.Errorf("vnu: %s:%d:%d: %s\n    %s", file, m.LastLine, m.FirstCol, m.Message, strings.TrimSpace(strings.ReplaceAll(m.Extract, "\n", " ")))
	}
}
