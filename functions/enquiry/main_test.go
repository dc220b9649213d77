package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/bluetreeclinics/site/functions/internal/lambdahttp"
	"github.com/bluetreeclinics/site/functions/internal/mail/resendtest"
)

func TestRunRefusesToStartWithoutKey(t *testing.T) {
	env := testEnv("", "")
	delete(env, "RESEND_API_KEY")
	started := false
	var stderr bytes.Buffer
	err := run(context.Background(), getenvFrom(env), &stderr, func(http.Handler) { started = true })
	if err == nil || started {
		t.Fatalf("run without RESEND_API_KEY: err = %v, started = %v; want an error and no start", err, started)
	}
	if !strings.Contains(err.Error(), "RESEND_API_KEY") {
		t.Errorf("error does not name the variable: %v", err)
	}
}

func TestRunNamesEveryBadVariable(t *testing.T) {
	env := map[string]string{"RESEND_API_KEY": "re_x", "SITE_URL": "www.example.ae/path"}
	err := run(context.Background(), getenvFrom(env), new(bytes.Buffer), func(http.Handler) { t.Error("started") })
	if err == nil {
		t.Fatal("no error")
	}
	for _, name := range []string{"ENQUIRY_FROM", "ENQUIRY_TO", "SITE_URL"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error does not name %s: %v", name, err)
		}
	}
}

// invoke runs one event through the handler run built, as Lambda would.
func invoke(t *testing.T, h http.Handler, event []byte) map[string]any {
	t.Helper()
	res, err := lambdahttp.Handler(h)(context.Background(), event)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(res)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// In process: run builds the real handler, and events through the adapter
// reach it and the (fake) Resend.
func TestRunServesEvents(t *testing.T) {
	fake := resendtest.NewServer(t)
	env := testEnv(fake.URL(), fake.APIKey)
	var h http.Handler
	var stderr bytes.Buffer
	if err := run(context.Background(), getenvFrom(env), &stderr, func(got http.Handler) { h = got }); err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	if h == nil {
		t.Fatal("start was not called")
	}
	if fake.Calls() != 0 {
		t.Errorf("start-up called Resend %d times", fake.Calls())
	}

	health := invoke(t, h, netlifyEvent(t, "GET", "/.netlify/functions/enquiry/health", "", "", "203.0.113.1"))
	if health["statusCode"] != float64(200) {
		t.Errorf("health: %v", health)
	}

	form := suitabilityForm()
	res := invoke(t, h, v2Event(t, "POST", "/api/enquiry", "application/x-www-form-urlencoded", form.Encode(), true, "203.0.113.2"))
	if res["statusCode"] != float64(303) {
		t.Fatalf("form post: %v", res)
	}
	if loc, _ := res["headers"].(map[string]any)["Location"].(string); !strings.HasSuffix(loc, "/enquire/suitability/thanks/") {
		t.Errorf("Location = %v", loc)
	}
	emails := fake.Emails()
	if len(emails) != 1 {
		t.Fatalf("%d emails, want 1", len(emails))
	}
	if want := expectedID(t, env, form); emails[0].IdempotencyKey != want {
		t.Errorf("Idempotency-Key = %q, want the enquiry id %q", emails[0].IdempotencyKey, want)
	}
}
