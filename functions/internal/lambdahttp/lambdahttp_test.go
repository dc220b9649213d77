package lambdahttp

import (
	"context"
	"encoding/base64"
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
	RequestURI    string
	Host          string
	RemoteAddr    string
	ContentLength int64
	TLS           bool
	Header        http.Header
	Body          string
	Form          url.Values // parsed form, for form posts
}

// echoHandler answers with a JSON description of the request it got, and
// with headers that have several values, as the real handler's may.
func echoHandler(t *testing.T) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("read body: %v", err)
		}
		e := echoed{
			Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery, RequestURI: r.RequestURI,
			Host: r.Host, RemoteAddr: r.RemoteAddr, ContentLength: r.ContentLength,
			TLS: r.TLS != nil, Header: r.Header, Body: string(body),
		}
		if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
			e.Form, _ = url.ParseQuery(string(body))
		}
		w.Header().Add("Vary", "Accept")
		w.Header().Add("Vary", "Accept-Language")
		w.Header().Add("Set-Cookie", "a=1; Path=/")
		w.Header().Add("Set-Cookie", "b=2; Path=/")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusAccepted)
		json.NewEncoder(w).Encode(e)
	})
}

func invoke(t *testing.T, h http.Handler, raw []byte) *Response {
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
	var back Response
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
		file      string
		version   Version
		method    string
		path      string
		query     string
		host      string
		remote    string
		tls       bool
		body      string            // exact body, when not empty
		form      url.Values        // selected form values, for form posts
		header    map[string]string // selected request headers (joined)
		noHeaders []string          // headers that must not reach the handler
	}{
		{
			file: "v2-form-base64.json", version: V2, method: "POST", path: "/api/enquiry",
			query: "utm_source=leaflet&x=1&x=2", host: "abc123.execute-api.me-central-1.amazonaws.com",
			remote: "94.200.12.34:0", tls: true, body: suitabilityForm,
			form: url.Values{"kind": {"suitability"}, "tried": {"physiotherapy", "prp"}, "note": {"Stairs hurt [x](http://evil)"}, "phone": {"050 123 4567"}},
			header: map[string]string{
				"Content-Type":    "application/x-www-form-urlencoded",
				"Origin":          "https://www.bluetreeclinics.ae",
				"Cookie":          "consent=1; theme=light",
				"Accept-Language": "en-GB,en;q=0.9,ar;q=0.8",
			},
			noHeaders: []string{"Host"},
		},
		{
			file: "v2-json-stage.json", version: V2, method: "POST", path: "/api/enquiry",
			host: "api.bluetreeclinics.ae", remote: "[2001:db8::7]:0", tls: true,
			body:   `{"kind":"appointment","name":"سارة","tried":["prp","surgery"]}`,
			header: map[string]string{"Content-Type": "application/json", "Accept": "application/json"},
		},
		{
			file: "v2-health-get.json", version: V2, method: "GET", path: "/api/health",
			host: "abc123.execute-api.me-central-1.amazonaws.com", remote: "203.0.113.9:0", tls: true,
			noHeaders: []string{"Content-Length"},
		},
		{
			file: "v1-rest-json.json", version: V1, method: "POST", path: "/api/enquiry",
			query: "ref=home+page&tag=a&tag=b", host: "xyz789.execute-api.me-central-1.amazonaws.com",
			// On AWS the gateway's sourceIp wins over a client-sent x-nf-* header.
			remote: "198.51.100.23:0", tls: true,
			body: `{"kind":"suitability","lang":"en","name":"Amal Haddad","pain":6,"tried":["physiotherapy","prp"]}`,
			header: map[string]string{
				"Content-Type":    "application/json",
				"Accept-Language": "ar-AE, en;q=0.5", // multiValueHeaders kept
			},
		},
		{
			file: "v1-netlify-form.json", version: V1, method: "POST", path: "/api/enquiry",
			host: "bluetreeclinics.netlify.app", remote: "185.93.1.77:0", tls: true,
			form:   url.Values{"kind": {"appointment"}, "lang": {"ar"}, "name": {"سارة"}, "phone": {"٠٥٠ 123 4567"}, "website": {""}},
			header: map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Accept-Language": "ar"},
		},
		{
			file: "v1-netlify-rewritten-base64.json", version: V1, method: "POST", path: "/api/enquiry",
			query: "lang=en", host: "www.bluetreeclinics.ae", remote: "[2a02:2478::15]:0", tls: true,
			body:   `{"kind":"suitability","lang":"en","name":"Amal Haddad","pain":6,"tried":["physiotherapy","prp"]}`,
			header: map[string]string{"Content-Type": "application/json; charset=utf-8"},
		},
		{
			file: "v1-netlify-health.json", version: V1, method: "GET", path: "/api/health",
			host: "www.bluetreeclinics.ae", remote: "203.0.113.50:0", tls: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			raw := fixture(t, tt.file)

			_, v, err := Request(context.Background(), raw)
			if err != nil {
				t.Fatal(err)
			}
			if v != tt.version {
				t.Errorf("version = %d, want %d", v, tt.version)
			}

			res := invoke(t, echoHandler(t), raw)
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
			if got.Method != tt.method || got.Path != tt.path || got.RawQuery != tt.query {
				t.Errorf("request line = %s %s ? %q, want %s %s ? %q", got.Method, got.Path, got.RawQuery, tt.method, tt.path, tt.query)
			}
			if got.Host != tt.host {
				t.Errorf("Host = %q, want %q", got.Host, tt.host)
			}
			if got.RemoteAddr != tt.remote {
				t.Errorf("RemoteAddr = %q, want %q", got.RemoteAddr, tt.remote)
			}
			if got.TLS != tt.tls {
				t.Errorf("TLS = %v, want %v", got.TLS, tt.tls)
			}
			if got.ContentLength != int64(len(got.Body)) {
				t.Errorf("ContentLength = %d, body has %d bytes", got.ContentLength, len(got.Body))
			}
			if got.Method == "POST" && got.Header.Get("Content-Length") != strings.TrimSpace(itoa(len(got.Body))) {
				t.Errorf("Content-Length header = %q, body has %d bytes", got.Header.Get("Content-Length"), len(got.Body))
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
			for _, k := range tt.noHeaders {
				if _, ok := got.Header[k]; ok {
					t.Errorf("header %s reached the handler: %q", k, got.Header[k])
				}
			}

			// Reply: single-value headers, cookies where the format wants them.
			if g := res.Headers["Vary"]; g != "Accept, Accept-Language" {
				t.Errorf("Vary = %q, want the values joined", g)
			}
			if g := res.Headers["Content-Type"]; g != "application/json" {
				t.Errorf("Content-Type = %q", g)
			}
			switch tt.version {
			case V2:
				if !reflect.DeepEqual(res.Cookies, []string{"a=1; Path=/", "b=2; Path=/"}) {
					t.Errorf("cookies = %q", res.Cookies)
				}
				if _, ok := res.Headers["Set-Cookie"]; ok {
					t.Errorf("v2 reply has Set-Cookie in headers")
				}
				if res.MultiValueHeaders != nil {
					t.Errorf("v2 reply has multiValueHeaders: %v", res.MultiValueHeaders)
				}
			case V1:
				if res.Headers["Set-Cookie"] != "a=1; Path=/" {
					t.Errorf("v1 Set-Cookie = %q", res.Headers["Set-Cookie"])
				}
				if len(res.MultiValueHeaders["Set-Cookie"]) != 2 || len(res.MultiValueHeaders) != 1 {
					t.Errorf("v1 multiValueHeaders = %v, want only both cookies", res.MultiValueHeaders)
				}
				if len(res.Cookies) != 0 {
					t.Errorf("v1 reply has cookies")
				}
			}
		})
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

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
	if _, ok := m["multiValueHeaders"]; ok {
		t.Errorf("multiValueHeaders present: %s", b)
	}
	if _, ok := m["cookies"]; ok {
		t.Errorf("cookies present: %s", b)
	}
	if m["body"] != "" || m["isBase64Encoded"] != false {
		t.Errorf("body = %v, isBase64Encoded = %v", m["body"], m["isBase64Encoded"])
	}
}

func TestBinaryReplyIsBase64(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe")
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write(png)
	})
	res := invoke(t, h, fixture(t, "v2-health-get.json"))
	if !res.IsBase64Encoded {
		t.Fatalf("binary reply not base64")
	}
	got, err := base64.StdEncoding.DecodeString(res.Body)
	if err != nil || string(got) != string(png) {
		t.Errorf("body = %q (%v), want the PNG bytes", got, err)
	}
	if res.StatusCode != 200 {
		t.Errorf("status = %d", res.StatusCode)
	}
}

func TestHeadHasNoBody(t *testing.T) {
	raw := strings.Replace(string(fixture(t, "v2-health-get.json")), `"method": "GET"`, `"method": "HEAD"`, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodHead {
			t.Errorf("method = %s", r.Method)
		}
		w.Write([]byte("ok\n"))
	})
	res := invoke(t, h, []byte(raw))
	if res.Body != "" {
		t.Errorf("HEAD body = %q", res.Body)
	}
}

func TestBadBase64Is400(t *testing.T) {
	raw := strings.Replace(string(fixture(t, "v2-form-base64.json")), `"body": "a2lu`, `"body": "!!!a2lu`, 1)
	called := false
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { called = true })
	res := invoke(t, h, []byte(raw))
	if res.StatusCode != http.StatusBadRequest || called {
		t.Errorf("status = %d, handler called = %v; want 400 without the handler", res.StatusCode, called)
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
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = r.Context().Value(key{}) })
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
		"":                                    "/",
		"/netlify/functions/enquiry":          "/netlify/functions/enquiry",
	} {
		if got := MapPath(in); got != want {
			t.Errorf("MapPath(%q) = %q, want %q", in, got, want)
		}
	}
}
