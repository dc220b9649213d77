package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bluetreeclinics/site/functions/internal/delivery/resendtest"
	"github.com/bluetreeclinics/site/functions/internal/lambdahttp"
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

// A form post (no JavaScript) with mistakes: the function fetches the site's
// own form page from SITE_URL and answers 422 with it refilled, so the
// visitor keeps what they typed.
func TestRunRefillsFormPageOn422(t *testing.T) {
	const page = `<!doctype html><html lang="en"><head><title>Suitability check</title></head><body><main>
<div id="error-summary" data-error-summary tabindex="-1" hidden><h2>There is a problem</h2><ul></ul></div>
<form method="post" action="/api/enquiry" novalidate data-enquiry-form>
<input type="hidden" name="kind" value="suitability"><input type="hidden" name="lang" value="en">
<label for="f-name">Full name</label><input id="f-name" name="name" autocomplete="name"><p class="field-error" id="f-name-error" hidden></p>
<label for="f-phone">Phone</label><input id="f-phone" name="phone" type="tel"><p class="field-error" id="f-phone-error" hidden></p>
<button type="submit" data-submit>Send</button></form></main></body></html>`
	fetched := 0
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/enquire/suitability/" {
			http.NotFound(w, r)
			return
		}
		fetched++
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, page)
	}))
	defer site.Close()

	fake := resendtest.NewServer(t)
	env := testEnv(fake.URL(), fake.APIKey)
	env["SITE_URL"] = site.URL
	var h http.Handler
	if err := run(context.Background(), getenvFrom(env), new(bytes.Buffer), func(got http.Handler) { h = got }); err != nil {
		t.Fatal(err)
	}
	if fetched != 0 {
		t.Errorf("start-up fetched the form page")
	}
	form := url.Values{"kind": {"suitability"}, "lang": {"en"}, "name": {"Zed Quinn"}, "phone": {"12"}}
	ev := netlifyEvent(t, "POST", "/.netlify/functions/enquiry", "application/x-www-form-urlencoded", form.Encode(), "203.0.113.40")
	ev = bytes.ReplaceAll(ev, []byte(testSite), []byte(site.URL))              // Origin: the site itself
	ev = bytes.ReplaceAll(ev, []byte(`application/json`), []byte(`text/html`)) // Accept: a browser's
	res := invoke(t, h, ev)
	body, _ := res["body"].(string)
	ct, _ := res["headers"].(map[string]any)["Content-Type"].(string)
	if res["statusCode"] != float64(422) || !strings.HasPrefix(ct, "text/html") {
		t.Fatalf("invalid form post: %v %q\n%s", res["statusCode"], ct, body)
	}
	if !strings.Contains(body, `value="Zed Quinn"`) || !strings.Contains(body, `id="f-phone-error"`) || fetched != 1 {
		t.Errorf("422 page did not keep what was typed (fetched %d):\n%s", fetched, body)
	}
	if len(fake.Emails()) != 0 {
		t.Errorf("an invalid enquiry was sent")
	}
}

// The rate limit sees the visitor's address from the event: one visitor is
// limited, another is not.
func TestRateLimitSeesEventClient(t *testing.T) {
	fake := resendtest.NewServer(t)
	env := testEnv(fake.URL(), fake.APIKey)
	env["ENQUIRY_RATE_PER_MINUTE"] = "1"
	env["ENQUIRY_RATE_BURST"] = "2"
	var h http.Handler
	if err := run(context.Background(), getenvFrom(env), new(bytes.Buffer), func(got http.Handler) { h = got }); err != nil {
		t.Fatal(err)
	}
	const bad = `{"kind":"suitability","lang":"en"}` // invalid: answered 422, nothing sent
	n := 0
	for name, event := range map[string]func(ip string) []byte{
		"netlify": func(ip string) []byte {
			return netlifyEvent(t, "POST", "/api/enquiry", "application/json", bad, ip)
		},
		"http-api": func(ip string) []byte {
			return v2Event(t, "POST", "/api/enquiry", "application/json", bad, false, ip)
		},
		"rest-api": func(ip string) []byte {
			return v1Event(t, "POST", "/api/enquiry", "application/json", bad, ip)
		},
	} {
		t.Run(name, func(t *testing.T) {
			n++                                                      // each platform's visitors are new to the limiter
			a, b := "198.51.100."+itoa(n), "2001:db8:"+itoa(n)+"::1" // another /64
			var codes []any
			for range 3 {
				codes = append(codes, invoke(t, h, event(a))["statusCode"])
			}
			if codes[0] != float64(422) || codes[1] != float64(422) || codes[2] != float64(429) {
				t.Errorf("three posts from one visitor: %v, want 422 422 429", codes)
			}
			res := invoke(t, h, event(a))
			if ra, _ := res["headers"].(map[string]any)["Retry-After"].(string); ra == "" {
				t.Errorf("429 without Retry-After: %v", res["headers"])
			}
			if got := invoke(t, h, event(b))["statusCode"]; got != float64(422) {
				t.Errorf("another visitor: %v, want 422 (not limited)", got)
			}
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// When Resend cannot take the enquiry (errors, or no answer at all), the
// function answers 503 within Netlify's 10 s limit: it has no disk to keep
// the enquiry on, and a cut-off function would give the visitor a bare 502.
func TestResendDownIs503(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
	}{{"errors", 500}, {"no answer", resendtest.Hang}} {
		t.Run(tc.name, func(t *testing.T) {
			if testing.Short() && tc.status == resendtest.Hang {
				t.Skip("waits for the send budget (6 s)")
			}
			fake := resendtest.NewServer(t)
			fake.Fail(tc.status, 100)
			env := testEnv(fake.URL(), fake.APIKey)
			var h http.Handler
			if err := run(context.Background(), getenvFrom(env), new(bytes.Buffer), func(got http.Handler) { h = got }); err != nil {
				t.Fatal(err)
			}
			body, _ := json.Marshal(appointmentJSON(t))
			start := time.Now()
			res := invoke(t, h, v2Event(t, "POST", "/api/enquiry", "application/json", string(body), false, "203.0.113.50"))
			took := time.Since(start)
			if res["statusCode"] != float64(503) || !strings.Contains(res["body"].(string), `"error"`) {
				t.Errorf("Resend down: %v %v, want 503 {\"error\":...}", res["statusCode"], res["body"])
			}
			if took > 9*time.Second {
				t.Errorf("took %v: longer than Netlify's 10 s function limit allows", took)
			}
			t.Logf("503 after %d calls to Resend in %v", fake.Calls(), took.Round(time.Millisecond))
		})
	}
}
