package api

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
)

type fixedPage string

func (p fixedPage) Page(context.Context, string, string) ([]byte, error) { return []byte(p), nil }

func hashOf(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// The 422/429/503 pages carry the site's policy, their inline style and
// script allowed by hash and nothing else inline.
func TestErrorPagesCarryTheSitePolicy(t *testing.T) {
	const style, script = "body{color:#123}", "document.documentElement.className='js'"
	page := `<!doctype html><html><head><title>Form</title><style>` + style + `</style></head><body>
<script type="application/ld+json">{"@type":"MedicalClinic"}</script><form data-enquiry-form><input name="name"></form><script src="/x.js"></script><script>` + script + `</script></body></html>`
	e := newEnv(t, &fakeSender{}, func(d *Deps) { d.Pages = fixedPage(page) })
	w := e.do(t, formReq(with(validForm(), "name", "")))
	if w.Code != 422 {
		t.Fatalf("status %d", w.Code)
	}
	want := "default-src 'self'; script-src 'self' " + hashOf(script) + "; style-src 'self' " + hashOf(style) +
		"; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
	if got := w.Header().Get("Content-Security-Policy"); got != want {
		t.Errorf("CSP\n got %s\nwant %s", got, want)
	}
	if got := w.Header().Values("Content-Security-Policy"); len(got) != 1 {
		t.Errorf("%d CSP headers", len(got))
	}

	// The fallback page has nothing inline.
	w = e.do(t, req{method: "POST", path: "/api/enquiry", ctype: "text/plain", body: "x"})
	if got := w.Header().Get("Content-Security-Policy"); !strings.HasPrefix(got, "default-src 'self'; script-src 'self'; style-src 'self'; img-src") {
		t.Errorf("fallback CSP %s", got)
	}
}
