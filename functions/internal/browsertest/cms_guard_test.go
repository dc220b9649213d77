package browsertest

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The editor's backend refuses what a web page could otherwise make it do
// while the editor runs: the probe's requests (a foreign Host through DNS
// rebinding reading .env and writing a content file), a foreign Origin,
// and paths outside the folders the editor edits. The editor's own
// requests still work.
func TestEditorBackendRefusesForeignRequests(t *testing.T) {
	need(t)
	node, backend := cmsTools(t)
	src := t.TempDir()
	for name, body := range map[string]string{
		".env":                 "RESEND_API_KEY=re_live_secret\n",
		".git/config":          "[core]\n",
		"content/en/faq/a.md":  "---\ntitle: A\n---\nAnswer.\n",
		"functions/main.go":    "package main\n",
		"static/robots.txt":    "User-agent: *\n",
		"data/clinic.yaml":     "name: Blue Tree Clinics\n",
		"assets/images/x.webp": "x",
	} {
		p := filepath.Join(src, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	const webPort = 8080
	startBackend(t, node, backend, src, "fs", port, webPort)
	api := fmt.Sprintf("http://127.0.0.1:%d/api/v1", port)
	editorOrigin := fmt.Sprintf("http://localhost:%d", webPort)
	ownHost := fmt.Sprintf("localhost:%d", port)

	write := func(path string) string {
		return `{"action":"persistEntry","params":{"branch":"main","entry":{"slug":"x","path":"` + path +
			`","raw":"---\ntitle: pwned\n---\n"},"assets":[],"options":{"commitMessage":"x","useWorkflow":false,"status":"draft"}}}`
	}
	read := func(path string) string {
		return `{"action":"getEntry","params":{"branch":"main","path":"` + path + `"}}`
	}
	for _, c := range []struct {
		name, host, origin, body string
		status                   int
	}{
		// The probe's requests, replayed.
		{"probe: foreign Host reads .env", "attacker.example:8081", "", read(".env"), 403},
		{"probe: foreign Host writes a content file", "attacker.example:8081", "", write("content/en/faq/pwned.md"), 403},
		{"DNS rebinding: foreign Host with its own Origin", "attacker.example:8081", "http://attacker.example:8081", write("content/en/faq/pwned.md"), 403},
		{"foreign Origin", ownHost, "http://attacker.example", read("content/en/faq/a.md"), 403},
		{"another local port's page", ownHost, "http://localhost:3000", read("content/en/faq/a.md"), 403},
		{"no Origin", ownHost, "", read("content/en/faq/a.md"), 403},
		{"own Origin reads .env", ownHost, editorOrigin, read(".env"), 403},
		{"own Origin reads .git", ownHost, editorOrigin, read(".git/config"), 403},
		{"own Origin climbs out of content", ownHost, editorOrigin, read("content/../.env"), 403},
		{"own Origin writes code", ownHost, editorOrigin, write("functions/main.go"), 403},
		{"own Origin writes static", ownHost, editorOrigin, write("static/robots.txt"), 403},
		{"own Origin writes the site's rules in data/", ownHost, editorOrigin, write("data/golive.yaml"), 403},
		{"own Origin writes a name starting like the clinic's", ownHost, editorOrigin, write("data/clinic.yaml.go"), 403},
		{"own Origin lists the root", ownHost, editorOrigin, `{"action":"entriesByFolder","params":{"branch":"main","folder":".","extension":"md","depth":1}}`, 403},
		{"own Origin deletes outside", ownHost, editorOrigin, `{"action":"deleteFiles","params":{"branch":"main","paths":["content/en/faq/a.md","go.mod"],"options":{"commitMessage":"x"}}}`, 403},
		// The editor's own requests.
		{"the editor reads a page", ownHost, editorOrigin, read("content/en/faq/a.md"), 200},
		{"the editor reads the clinic's data", ownHost, editorOrigin, read("data/clinic.yaml"), 200},
		{"the editor writes a page", ownHost, editorOrigin, write("content/en/faq/new.md"), 200},
	} {
		req, _ := http.NewRequest("POST", api, strings.NewReader(c.body))
		req.Host = c.host
		req.Header.Set("Content-Type", "application/json")
		if c.origin != "" {
			req.Header.Set("Origin", c.origin)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.status || bytes.Contains(body, []byte("re_live_secret")) {
			t.Errorf("%s: %d %s, want %d", c.name, resp.StatusCode, body, c.status)
		}
		if c.status == 403 && strings.HasPrefix(c.name, "probe") {
			t.Logf("%s:\nPOST /api/v1 HTTP/1.1\nHost: %s\nContent-Type: application/json\n\n%s\n→ %s %s", c.name, c.host, c.body, resp.Status, body)
		}
	}
	if _, err := os.Stat(filepath.Join(src, "content", "en", "faq", "pwned.md")); err == nil {
		t.Error("a refused request wrote a file")
	}
	if b, _ := os.ReadFile(filepath.Join(src, "functions", "main.go")); string(b) != "package main\n" {
		t.Error("code was overwritten")
	}
	if _, err := os.Stat(filepath.Join(src, "go.mod")); err == nil {
		t.Error("unexpected go.mod")
	}
	if _, err := os.Stat(filepath.Join(src, "content", "en", "faq", "a.md")); err != nil {
		t.Error("a refused delete removed a page")
	}
	if _, err := os.Stat(filepath.Join(src, "content", "en", "faq", "new.md")); err != nil {
		t.Errorf("the editor's own write did not happen: %v", err)
	}
}
