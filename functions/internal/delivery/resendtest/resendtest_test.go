package resendtest

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func post(t *testing.T, s *Server, path, auth, key, ctype, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.URL()+path, strings.NewReader(body))
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	req.Header.Set("Content-Type", ctype)
	resp, err := s.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	json.NewDecoder(resp.Body).Decode(&out)
	if out.ID != "" {
		return resp.StatusCode, out.ID
	}
	return resp.StatusCode, out.Name
}

func TestChecks(t *testing.T) {
	s := NewServer(t)
	bearer := "Bearer " + DefaultAPIKey
	ok := `{"from":"A <a@example.com>","to":"b@example.com","subject":"Hi","text":"x"}`
	many := `{"from":"a@example.com","to":[` + strings.Repeat(`"b@example.com",`, 50) + `"c@example.com"],"subject":"Hi","text":"x"}`
	for _, tc := range []struct {
		name, path, auth, key, ctype, body string
		status                             int
		result                             string
	}{
		{"ok", "emails", bearer, "", "application/json", ok, 200, ""},
		{"path", "domains", bearer, "", "application/json", ok, 404, "not_found"},
		{"no key", "emails", "", "", "application/json", ok, 401, "missing_api_key"},
		{"bad key", "emails", "Bearer re_nope", "", "application/json", ok, 403, "invalid_api_key"},
		{"type", "emails", bearer, "", "text/plain", ok, 422, "validation_error"},
		{"json", "emails", bearer, "", "application/json", `{`, 422, "validation_error"},
		{"no from", "emails", bearer, "", "application/json", `{"to":"b@example.com","subject":"Hi","text":"x"}`, 422, "validation_error"},
		{"no subject", "emails", bearer, "", "application/json", `{"from":"a@example.com","to":"b@example.com","text":"x"}`, 422, "validation_error"},
		{"crlf subject", "emails", bearer, "", "application/json", `{"from":"a@example.com","to":"b@example.com","subject":"a\r\nBcc: c@x.com","text":"x"}`, 422, "validation_error"},
		{"51 recipients", "emails", bearer, "", "application/json", many, 422, "validation_error"},
		{"bad tag", "emails", bearer, "", "application/json", `{"from":"a@example.com","to":["b@example.com"],"subject":"Hi","text":"x","tags":[{"name":"kind","value":"a b"}]}`, 422, "validation_error"},
		{"long idempotency key", "emails", bearer, strings.Repeat("k", 257), "application/json", ok, 400, "invalid_idempotency_key"},
	} {
		status, result := post(t, s, tc.path, tc.auth, tc.key, tc.ctype, tc.body)
		if status != tc.status || (tc.result != "" && result != tc.result) {
			t.Errorf("%s: %d %q, want %d %q", tc.name, status, result, tc.status, tc.result)
		}
	}
	if len(s.Emails()) != 1 {
		t.Errorf("%d emails accepted, want 1", len(s.Emails()))
	}
}

func TestIdempotencyAndFailures(t *testing.T) {
	s := NewServer(t)
	bearer := "Bearer " + DefaultAPIKey
	body := `{"from":"a@example.com","to":["b@example.com"],"subject":"Hi","html":"<p>x</p>"}`
	_, id1 := post(t, s, "emails", bearer, "k1", "application/json", body)
	_, id2 := post(t, s, "emails", bearer, "k1", "application/json", body)
	if id1 == "" || id1 != id2 || len(s.Emails()) != 1 {
		t.Errorf("replay: ids %q %q, %d emails", id1, id2, len(s.Emails()))
	}
	if status, name := post(t, s, "emails", bearer, "k1", "application/json", strings.Replace(body, "Hi", "Ho", 1)); status != 409 || name != "invalid_idempotent_request" {
		t.Errorf("changed body: %d %s", status, name)
	}

	s.Fail(http.StatusTooManyRequests, 1)
	s.Fail(DailyQuota, 1)
	s.Fail(http.StatusInternalServerError, 1)
	for _, want := range []string{"rate_limit_exceeded", "daily_quota_exceeded", "internal_server_error"} {
		if _, name := post(t, s, "emails", bearer, "k2", "application/json", body); name != want {
			t.Errorf("got %q, want %q", name, want)
		}
	}
	if status, _ := post(t, s, "emails", bearer, "k2", "application/json", body); status != 200 {
		t.Errorf("after failures: %d", status)
	}
	if s.Calls() != 7 || len(s.Emails()) != 2 {
		t.Errorf("%d calls, %d emails", s.Calls(), len(s.Emails()))
	}
}
