package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/bluetreeclinics/site/data"
)

// Bodies the probe found accepted, or read the wrong way: refused with 400
// and nothing sent.
func TestAmbiguousJSONRefused(t *testing.T) {
	valid, _ := json.Marshal(validJSON())
	for name, body := range map[string]string{
		"consent given, then withdrawn":   strings.Replace(string(valid), `"consent":true`, `"consent":true,"consent":false`, 1),
		"a field given twice":             strings.Replace(string(valid), `{`, `{"name":"Someone Else",`, 1),
		"invalid UTF-8 in a value":        strings.Replace(string(valid), `"note":"`, "\"note\":\"\xff\xfe", 1),
		"invalid UTF-8 in a member name":  strings.Replace(string(valid), `{`, "{\"\xc3\x28\":\"x\",", 1),
		"a null, then the same field set": strings.Replace(string(valid), `{`, `{"consent":null,`, 1),
	} {
		t.Run(name, func(t *testing.T) {
			if body == string(valid) {
				t.Fatal("the test did not change the body")
			}
			sender := &fakeSender{}
			e := newEnv(t, sender, nil)
			w := e.do(t, req{ctype: typeJSON, body: body, header: map[string]string{"Accept": "application/json"}})
			if w.Code != http.StatusBadRequest || len(sender.sent()) != 0 {
				t.Errorf("%d %s, %d emails; want 400 and none", w.Code, w.Body, len(sender.sent()))
			}
		})
	}
	// The unchanged body still passes.
	sender := &fakeSender{}
	if w := newEnv(t, sender, nil).do(t, req{ctype: typeJSON, body: string(valid)}); w.Code != http.StatusOK || len(sender.sent()) == 0 {
		t.Errorf("valid body: %d %s", w.Code, w.Body)
	}
}

// Every API reply carries HSTS, the pages' value.
func TestAPIRepliesCarryHSTS(t *testing.T) {
	e := newEnv(t, &fakeSender{}, nil)
	for _, r := range []req{{method: "GET", path: "/api/health"}, formReq(validForm()), {path: "/api/nowhere"}} {
		w := e.do(t, r)
		if got := w.Header().Get("Strict-Transport-Security"); got == "" || got != hstsWant() {
			t.Errorf("%s %s: Strict-Transport-Security %q", r.method, r.path, got)
		}
	}
}

// hstsWant is data/csp.yaml's Strict-Transport-Security.
func hstsWant() string {
	for _, kv := range data.SecurityHeaders() {
		if kv[0] == "Strict-Transport-Security" {
			return kv[1]
		}
	}
	return ""
}
