package lambdahttp

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// echoed is what echoHandler saw of the request.
type echoed struct {
	Method        string
	Path          string
	RawQuery      string
	RemoteAddr    string
	ContentLength int64
	Header        http.Header
	Body          string
	Form          url.Values // parsed form, for form posts
}

// echoHandler answers with a JSON description of the request it got, and
// with a header that has several values, as the real handler's may.
func echoHandler(t *testing.T) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("read body: %v", err)
		}
		e := echoed{
			Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery,
			RemoteAddr: r.RemoteAddr, ContentLength: r.ContentLength,
			Header: r.Header, Body: string(body),
		}
		if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
			e.Form, _ = url.ParseQuery(string(body))
		}
		w.Header().Add("Vary", "Accept")
		w.Header().Add("Vary", "Accept-Language")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusAccepted)
		json.NewEncoder(w).Encode(e)
	})
}

// reply is the function's reply as the platform reads it.
type reply struct {
	StatusCode        int                 `json:"statusCode"`
	Headers           map[string]string   `json:"headers"`
	MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
	Body              string              `json:"body"`
	IsBase64Encoded   bool                `json:"isBase64Encoded"`
}

func invoke(t *testing.T, h http.Handler, raw []byte) *reply {
	t.Helper()
	res, err := Handler(h)(context.Background(), raw)
	if err != nil {
		t.Fatalf("Handler: %v", err)
	}
	// The reply must survive the trip through JSON, as it does in Lambda.
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var back reply
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	return &back
}

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestEvents(t *testing.T) {
	suitabilityForm := "kind=suitability&lang=en&name=Amal+Haddad&phone=050+123+4567&contact=whatsapp&consent=yes&area=knee&condition=osteoarthritis&duration=1-5-years&pain=6&tried=physiotherapy&tried=prp&thinners=no&note=Stairs+hurt+%5Bx%5D%28http%3A%2F%2Fevil%29"
	tests := []struct {
		file   string
		method string
		path   string
		query  url.Values
		remote string
		body   string            // exact body, when not empty
		form   url.Values        // selected form values, for form posts
		header map[string]string // selected request headers (joined)
	}{
		{
			file: "v2-form-base64.json", method: "POST", path: "/api/enquiry",
			query:  url.Values{"utm_source": {"leaflet"}, "x": {"1", "2"}},
			remote: "94.200.12.34", body: suitabilityForm,
			form: url.Values{"kind": {"suitability"}, "tried": {"physiotherapy", "prp"}, "note": {"Stairs hurt [x](http://evil)"}, "phone": {"050 123 4567"}},
			header: map[string]string{
				"Content-Type":    "application/x-www-form-urlencoded",
				"Origin":          "https://www.bluetreeclinics.ae",
				"Cookie":          "consent=1, theme=light", // one Cookie line each
				"Accept-Language": "en-GB, en;q=0.9, ar;q=0.8",
			},
		},
		{
			file: "v2-json-stage.json", method: "POST", path: "/api/enquiry",
			remote: "2001:db8::7",
			body:   `{"kind":"appointment","name":"سارة","tried":["prp","surgery"]}`,
			header: map[string]string{"Content-Type": "application/json", "Accept": "application/json"},
		},
		{
			file: "v2-health-get.json", method: "GET", path: "/api/health",
			remote: "203.0.113.9",
		},
		{
			file: "v1-rest-json.json", method: "POST", path: "/api/enquiry",
			query: url.Values{"ref": {"home page"}, "tag": {"a", "b"}},
			// On AWS the gateway's sourceIp wins over a client-sent x-nf-* header.
			remote: "198.51.100.23",
			body:   `{"kind":"suitability","lang":"en","name":"Amal Haddad","pain":6,"tried":["physiotherapy","prp"]}`,
			header: map[string]string{
				"Content-Type":    "application/json",
				"Accept-Language": "ar-AE, en;q=0.5", // multiValueHeaders kept
			},
		},
		{
			file: "v1-netlify-form.json", method: "POST", path: "/api/enquiry",
			remote: "185.93.1.77",
			form:   url.Values{"kind": {"appointment"}, "lang": {"ar"}, "name": {"سارة"}, "phone": {"٠٥٠ 123 4567"}, "website": {""}},
			header: map[string]string{
				"Content-Type": "application/x-www-form-urlencoded", "Accept-Language": "ar",
				"X-Nf-Request-Id": "01HXYZABCDEF0123456789", // only in headers, not in multiValueHeaders
			},
		},
		{
			file: "v1-netlify-rewritten-base64.json", method: "POST", path: "/api/enquiry",
			query: url.Values{"lang": {"en"}}, remote: "2a02:2478::15",
			body:   `{"kind":"suitability","lang":"en","name":"Amal Haddad","pain":6,"tried":["physiotherapy","prp"]}`,
			header: map[string]string{"Content-Type": "application/json; charset=utf-8"},
		},
		{
			file: "v1-netlify-health.json", method: "GET", path: "/api/health",
			remote: "203.0.113.50",
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			res := invoke(t, echoHandler(t), fixture(t, tt.file))
			if res.StatusCode != http.StatusAccepted {
				t.Fatalf("status = %d, want 202; body %s", res.StatusCode, res.Body)
			}
			if res.IsBase64Encoded {
				t.Errorf("JSON reply sent as base64")
			}
			var got echoed
			if err := json.Unmarshal([]byte(res.Body), &got); err != nil {
				t.Fatalf("decode echo: %v\n%s", err, res.Body)
			}
			query, _ := url.ParseQuery(got.RawQuery)
			if len(query) == 0 {
				query = nil
			}
			if got.Method != tt.method || got.Path != tt.path || !reflect.DeepEqual(query, tt.query) {
				t.Errorf("request line = %s %s ? %q, want %s %s ? %q", got.Method, got.Path, got.RawQuery, tt.method, tt.path, tt.query)
			}
			if got.RemoteAddr != tt.remote {
				t.Errorf("RemoteAddr = %q, want %q", got.RemoteAddr, tt.remote)
			}
			if got.ContentLength != int64(len(got.Body)) {
				t.Errorf("ContentLength = %d, body has %d bytes", got.ContentLength, len(got.Body))
			}
			if tt.body != "" && got.Body != tt.body {
				t.Errorf("body = %q\nwant  %q", got.Body, tt.body)
			}
			for k, want := range tt.form {
				if g := got.Form[k]; !reflect.DeepEqual(g, want) {
					t.Errorf("form %s = %q, want %q", k, g, want)
				}
			}
			for k, want := range tt.header {
				if g := strings.Join(got.Header.Values(k), ", "); g != want {
					t.Errorf("header %s = %q, want %q", k, g, want)
				}
			}

			// Reply: one string per header, both values of Vary in it.
			if g := strings.ReplaceAll(res.Headers["Vary"], " ", ""); g != "Accept,Accept-Language" {
				t.Errorf("Vary = %q, want the values joined", res.Headers["Vary"])
			}
			if g := res.Headers["Content-Type"]; g != "application/json" {
				t.Errorf("Content-Type = %q", g)
			}
			if res.MultiValueHeaders != nil {
				t.Errorf("reply has multiValueHeaders: %v", res.MultiValueHeaders)
			}
		})
	}
}

// The raw JSON reply has the fields API Gateway and Netlify read, with one
// string per header.
func TestResponseJSONShape(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "/enquire/suitability/thanks/")
		w.Header().Add("Cache-Control", "no-store")
		w.WriteHeader(http.StatusSeeOther)
	})
	res, err := Handler(h)(context.Background(), fixture(t, "v1-netlify-form.json"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(res)
	var m map[string]any
	json.Unmarshal(b, &m)
	if m["statusCode"] != float64(303) {
		t.Errorf("statusCode = %v", m["statusCode"])
	}
	hs, ok := m["headers"].(map[string]any)
	if !ok {
		t.Fatalf("headers = %T", m["headers"])
	}
	for k, v := range hs {
		if _, ok := v.(string); !ok {
			t.Errorf("header %s is %T, want a string", k, v)
		}
	}
	if hs["Location"] != "/enquire/suitability/thanks/" {
		t.Errorf("Location = %v", hs["Location"])
	}
	if m["multiValueHeaders"] != nil {
		t.Errorf("multiValueHeaders present: %s", b)
	}
	if m["body"] != "" || m["isBase64Encoded"] == true {
		t.Errorf("body = %v, isBase64Encoded = %v", m["body"], m["isBase64Encoded"])
	}
}

func TestBadBase64FailsWithoutTheHandler(t *testing.T) {
	raw := strings.Replace(string(fixture(t, "v2-form-base64.json")), `"body": "a2lu`, `"body": "!!!a2lu`, 1)
	called := false
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { called = true })
	if _, err := Handler(h)(context.Background(), []byte(raw)); err == nil || called {
		t.Errorf("error = %v, handler called = %v; want an error without the handler", err, called)
	}
}

func TestNotAnHTTPEvent(t *testing.T) {
	for _, raw := range []string{`{"Records":[{"eventSource":"aws:sqs"}]}`, `[1,2]`, `"hello"`} {
		if _, err := Handler(http.NotFoundHandler())(context.Background(), json.RawMessage(raw)); err == nil {
			t.Errorf("%s: no error", raw)
		}
	}
}

func TestHandlerGetsContext(t *testing.T) {
	type key struct{}
	ctx := context.WithValue(context.Background(), key{}, "deadline-carrier")
	var got any
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Context().Value(key{})
		w.WriteHeader(http.StatusNoContent)
	})
	if _, err := Handler(h)(ctx, fixture(t, "v2-health-get.json")); err != nil {
		t.Fatal(err)
	}
	if got != "deadline-carrier" {
		t.Errorf("handler context lost the invocation's values")
	}
}

func TestMapPath(t *testing.T) {
	for in, want := range map[string]string{
		"/.netlify/functions/enquiry":         "/api/enquiry",
		"/.netlify/functions/enquiry/":        "/api/enquiry",
		"/.netlify/functions/enquiry/enquiry": "/api/enquiry",
		"/.netlify/functions/enquiry/health":  "/api/health",
		"/api/enquiry":                        "/api/enquiry",
		"/api/health":                         "/api/health",
		"/":                                   "/",
		"/netlify/functions/enquiry":          "/netlify/functions/enquiry",
	} {
		if got := MapPath(in); got != want {
			t.Errorf("MapPath(%q) = %q, want %q", in, got, want)
		}
	}
}
