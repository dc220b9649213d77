package main

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/bluetreeclinics/site/data"
	"github.com/bluetreeclinics/site/functions/internal/config"
	"github.com/bluetreeclinics/site/functions/internal/enquiry"
)

// Test events, built the way API Gateway and Netlify send them.

const testSite = "https://www.bluetreeclinics.example"

// testEnv is a complete Lambda configuration pointing at a fake Resend.
func testEnv(resendURL, apiKey string) map[string]string {
	return map[string]string{
		"RESEND_API_KEY":  apiKey,
		"RESEND_BASE_URL": resendURL,
		"ENQUIRY_FROM":    "Blue Tree Clinics website <enquiries@bluetreeclinics.example>",
		"ENQUIRY_TO":      "reception@bluetreeclinics.example",
		"SITE_URL":        testSite,
		"LOG_LEVEL":       "warn",
	}
}

func getenvFrom(env map[string]string) func(string) string {
	return func(k string) string { return env[k] }
}

// suitabilityForm is a valid suitability check as the no-JS form posts it.
func suitabilityForm() url.Values {
	return url.Values{
		"kind": {"suitability"}, "lang": {"en"}, "name": {"Amal Haddad"},
		"phone": {"050 123 4567"}, "contact": {"whatsapp"}, "consent": {"yes"},
		"area": {"knee"}, "condition": {"osteoarthritis"}, "duration": {"1-5-years"},
		"pain": {"6"}, "tried": {"physiotherapy", "prp"}, "thinners": {"no"},
		"note": {"Stairs hurt [x](http://evil)"}, "website": {""},
	}
}

// appointmentJSON is a valid appointment request as the page script posts it,
// for a day the clinic is open, a week or so ahead in Dubai.
func appointmentJSON(t *testing.T) map[string]any {
	t.Helper()
	return map[string]any{
		"kind": "appointment", "lang": "ar", "name": "سارة المنصوري",
		"phone": "+971 55 765 4321", "email": "sara@example.ae", "contact": "email",
		"consent": true, "date": data.ClinicDetails().Opening.OpenDay(time.Now().AddDate(0, 0, 7)).Format("2006-01-02"),
		"time": "morning", "message": "Knee pain after running.",
	}
}

// expectedID is the enquiry id the function gives values under env.
func expectedID(t *testing.T, env map[string]string, v url.Values) string {
	t.Helper()
	cfg, err := config.Load(getenvFrom(env), config.Lambda)
	if err != nil {
		t.Fatal(err)
	}
	e, errs := enquiry.NewParser(cfg.IDSecret, nil).Parse(v, enquiry.Lang(v, ""))
	if len(errs) > 0 {
		t.Fatalf("test enquiry is invalid: %v", errs)
	}
	return e.ID
}

func jsonValues(t *testing.T, m map[string]any) url.Values {
	t.Helper()
	b, _ := json.Marshal(m)
	v, err := enquiry.Decode(b, true)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// v2Event is an API Gateway HTTP API (payload 2.0) event.
func v2Event(t testing.TB, method, path, contentType, body string, b64 bool, ip string) []byte {
	t.Helper()
	h := map[string]string{
		"accept":            "text/html,application/xhtml+xml,*/*;q=0.8",
		"accept-language":   "en-GB,en;q=0.9",
		"host":              "abc123.execute-api.me-central-1.amazonaws.com",
		"user-agent":        "Mozilla/5.0 (e2e)",
		"x-forwarded-for":   ip,
		"x-forwarded-proto": "https",
	}
	if method == "POST" {
		h["origin"] = testSite
		h["content-type"] = contentType
	}
	if b64 {
		body = base64.StdEncoding.EncodeToString([]byte(body))
	}
	e := events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: "ANY /api/{proxy+}", RawPath: path, Headers: h,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey: "ANY /api/{proxy+}", AccountID: "123456789012", Stage: "$default",
			RequestID: "e2e-" + ip, APIID: "abc123",
			DomainName: "abc123.execute-api.me-central-1.amazonaws.com",
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method: method, Path: path, Protocol: "HTTP/1.1", SourceIP: ip, UserAgent: "Mozilla/5.0 (e2e)",
			},
			Time: time.Now().UTC().Format("02/Jan/2006:15:04:05 -0700"), TimeEpoch: time.Now().UnixMilli(),
		},
		Body: body, IsBase64Encoded: b64,
	}
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// netlifyEvent is what Netlify sends a Go function (payload 1.0 without
// requestContext, the visitor's address in x-nf-client-connection-ip).
func netlifyEvent(t *testing.T, method, path, contentType, body string, ip string) []byte {
	t.Helper()
	h := map[string]string{
		"accept":                    "application/json",
		"host":                      "www.bluetreeclinics.example",
		"x-forwarded-proto":         "https",
		"x-nf-client-connection-ip": ip,
	}
	if method == "POST" {
		h["origin"] = testSite
		h["content-type"] = contentType
	}
	mv := map[string][]string{}
	for k, v := range h {
		mv[k] = []string{v}
	}
	b, err := json.Marshal(map[string]any{
		"path": path, "httpMethod": method, "headers": h, "multiValueHeaders": mv,
		"queryStringParameters": map[string]string{}, "multiValueQueryStringParameters": map[string][]string{},
		"rawUrl": testSite + path, "rawQuery": "", "body": body, "isBase64Encoded": false,
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// v1Event is an API Gateway REST API (payload 1.0) event.
func v1Event(t *testing.T, method, path, contentType, body string, ip string) []byte {
	t.Helper()
	h := map[string]string{
		"Accept":            "application/json",
		"Host":              "xyz789.execute-api.me-central-1.amazonaws.com",
		"X-Forwarded-Proto": "https",
	}
	if method == "POST" {
		h["Origin"] = testSite
		h["Content-Type"] = contentType
	}
	mv := map[string][]string{}
	for k, v := range h {
		mv[k] = []string{v}
	}
	e := events.APIGatewayProxyRequest{
		Resource: "/api/{proxy+}", Path: path, HTTPMethod: method, Headers: h, MultiValueHeaders: mv,
		PathParameters: map[string]string{"proxy": strings.TrimPrefix(path, "/api/")},
		RequestContext: events.APIGatewayProxyRequestContext{
			AccountID: "123456789012", Stage: "prod", RequestID: "e2e-" + ip, Protocol: "HTTP/1.1",
			Identity: events.APIGatewayRequestIdentity{SourceIP: ip}, ResourcePath: "/api/{proxy+}",
			Path: "/prod" + path, HTTPMethod: method, APIID: "xyz789",
			DomainName: "xyz789.execute-api.me-central-1.amazonaws.com",
		},
		Body: body,
	}
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
