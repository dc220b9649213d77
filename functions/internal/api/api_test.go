package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bluetreeclinics/site/functions/internal/delivery"
	"github.com/bluetreeclinics/site/functions/internal/delivery/resendtest"
	"github.com/bluetreeclinics/site/functions/internal/enquiry"
	"github.com/bluetreeclinics/site/functions/internal/formpage"
	"github.com/bluetreeclinics/site/functions/internal/mail"
	"github.com/bluetreeclinics/site/functions/internal/testlog"
)

// testNow is a fixed clock: 09:00 in Dubai.
var testNow = time.Date(2026, 3, 10, 9, 0, 0, 0, enquiry.DubaiLocation())

const siteOrigin = "https://www.bluetree.example"

// fakeSender records messages, or fails, or panics.
type fakeSender struct {
	mu    sync.Mutex
	msgs  []*mail.Message
	err   error
	panic bool
}

func (f *fakeSender) Send(ctx context.Context, m *mail.Message) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.panic {
		panic("sender exploded")
	}
	if f.err != nil {
		return f.err
	}
	f.msgs = append(f.msgs, m)
	return nil
}

func (f *fakeSender) sent() []*mail.Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*mail.Message(nil), f.msgs...)
}

type env struct {
	h     http.Handler
	log   *testlog.Buffer
	clock *clock
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newEnv(t testing.TB, sender delivery.Sender, mod func(*Deps)) *env {
	t.Helper()
	clk := &clock{t: testNow}
	var logs testlog.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cmp, err := mail.NewComposer(mail.ComposerConfig{
		From:    "Blue Tree Clinics website <enquiries@bluetree.example>",
		To:      []string{"reception@bluetree.example"},
		Ack:     true,
		SiteURL: siteOrigin,
	})
	if err != nil {
		t.Fatal(err)
	}
	site, _ := url.Parse(siteOrigin)
	d := Deps{
		Parser:        enquiry.NewParser([]byte("test-secret-0123456789"), clk.now),
		Composer:      cmp,
		Sender:        sender,
		Pages:         formpage.Dir(os.DirFS("../../testdata/public")),
		Logger:        logger,
		SiteURL:       site,
		ExtraOrigins:  []string{"http://localhost:8080"},
		RatePerMinute: 1000,
		Burst:         1000,
		Now:           clk.now,
		Health:        func() (map[string]any, bool) { return map[string]any{"spool": 0}, true },
		SendTimeout:   8 * time.Second,
	}
	if mod != nil {
		mod(&d)
	}
	return &env{h: New(d), log: &logs, clock: clk}
}

func validForm() url.Values {
	return url.Values{
		"kind":    {"appointment"},
		"lang":    {"en"},
		"name":    {"Aisha Rahman"},
		"phone":   {"050 123 4567"},
		"email":   {"aisha@example.com"},
		"contact": {"email"},
		"consent": {"yes"},
		"date":    {testNow.AddDate(0, 0, 7).Format("2006-01-02")},
		"time":    {"morning"},
		"message": {"Knee pain when climbing stairs."},
		"website": {""},
	}
}

func validJSON() map[string]any {
	return map[string]any{
		"kind": "suitability", "lang": "en", "name": "Omar Haddad", "phone": "+971 55 765 4321",
		"email": "", "contact": "whatsapp", "consent": true, "area": "knee", "condition": "osteoarthritis",
		"duration": "1-5-years", "pain": 6, "tried": []string{"physiotherapy", "painkillers"}, "thinners": "no",
		"note": "Worse in the morning.",
	}
}

type req struct {
	method, path, ctype, body string
	header                    map[string]string
}

func formReq(v url.Values) req {
	return req{method: "POST", path: "/api/enquiry", ctype: typeForm, body: v.Encode()}
}

func jsonReq(t testing.TB, v any) req {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return req{method: "POST", path: "/api/enquiry", ctype: typeJSON, body: string(b)}
}

func (e *env) do(t testing.TB, r req) *httptest.ResponseRecorder {
	t.Helper()
	method := r.method
	if method == "" {
		method = "POST"
	}
	path := r.path
	if path == "" {
		path = "/api/enquiry"
	}
	hr := httptest.NewRequest(method, path, strings.NewReader(r.body))
	if r.ctype != "" {
		hr.Header.Set("Content-Type", r.ctype)
	}
	for k, v := range r.header {
		hr.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, hr)
	return w
}

func with(v url.Values, k string, vals ...string) url.Values {
	out := url.Values{}
	for a, b := range v {
		out[a] = append([]string(nil), b...)
	}
	if vals == nil {
		delete(out, k)
	} else {
		out[k] = vals
	}
	return out
}

func jsonBody(t testing.TB, w *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	if ct := w.Header().Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type %q, want application/json; body %s", ct, w.Body)
	}
	var m map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
		t.Fatalf("body %q: %v", w.Body, err)
	}
	return m
}

var idPattern = regexp.MustCompile(`^enq_[a-z2-7]{26}$`)

func TestReplies(t *testing.T) {
	jsonAccept := map[string]string{"Accept": "application/json"}
	tests := []struct {
		name       string
		req        req
		status     int
		location   string
		wantJSON   string // substring of a JSON body
		wantHTML   string // substring of an HTML body
		sentEmails int
	}{
		{name: "form accepted", req: formReq(validForm()), status: 303, location: "/enquire/appointment/thanks/", sentEmails: 2},
		{name: "form accepted arabic", req: formReq(with(validForm(), "lang", "ar")), status: 303, location: "/ar/enquire/appointment/thanks/", sentEmails: 2},
		{name: "json accepted", req: jsonReq(t, validJSON()), status: 200, wantJSON: `"id":"enq_`, sentEmails: 1},
		{name: "json with charset", req: func() req {
			r := jsonReq(t, validJSON())
			r.ctype = "application/json; charset=UTF-8"
			return r
		}(), status: 200, sentEmails: 1},
		{name: "form asks for json", req: func() req {
			r := formReq(validForm())
			r.header = jsonAccept
			return r
		}(), status: 200, wantJSON: `"id":"enq_`, sentEmails: 2},
		{name: "form from the site origin", req: func() req {
			r := formReq(validForm())
			r.header = map[string]string{"Origin": siteOrigin}
			return r
		}(), status: 303, location: "/enquire/appointment/thanks/", sentEmails: 2},
		{name: "form from the local server", req: func() req {
			r := formReq(validForm())
			r.header = map[string]string{"Origin": "http://localhost:8080"}
			return r
		}(), status: 303, location: "/enquire/appointment/thanks/", sentEmails: 2},
		{name: "malformed json", req: req{ctype: typeJSON, body: `{"name":`}, status: 400, wantJSON: reasonMalformed.text.In("en")},
		{name: "json not an object", req: req{ctype: typeJSON, body: `[1,2]`}, status: 400, wantJSON: `"error"`},
		{name: "json nested", req: req{ctype: typeJSON, body: `{"name":{"a":1}}`}, status: 400},
		{name: "malformed form", req: req{ctype: typeForm, body: "name=%zz"}, status: 400, wantHTML: "We could not read"},
		{name: "form with invalid utf-8", req: req{ctype: typeForm, body: "name=%ff%fe"}, status: 400},
		{name: "too large form", req: req{ctype: typeForm, body: "message=" + strings.Repeat("a", MaxBodyBytes)}, status: 413, wantHTML: "too long"},
		{name: "too large json", req: req{ctype: typeJSON, body: `{"message":"` + strings.Repeat("a", MaxBodyBytes) + `"}`}, status: 413, wantJSON: reasonTooLarge.text.In("en")},
		{name: "text/plain", req: req{ctype: "text/plain", body: "hello"}, status: 415, wantHTML: "cannot read"},
		{name: "multipart", req: req{ctype: "multipart/form-data; boundary=x", body: "--x--"}, status: 415},
		{name: "no content type", req: req{body: "name=x"}, status: 415},
		{name: "bad content type", req: req{ctype: "application/json; charset", body: "{}"}, status: 415},
		{name: "latin-1 form", req: req{ctype: typeForm + "; charset=iso-8859-1", body: "name=x"}, status: 415},
		{name: "json 415 answered in json", req: req{ctype: "application/json; charset=latin1", body: "{}"}, status: 415, wantJSON: `"error"`},
		{name: "foreign origin", req: func() req {
			r := formReq(validForm())
			r.header = map[string]string{"Origin": "https://evil.example"}
			return r
		}(), status: 403, wantHTML: "only be sent from our website"},
		{name: "null origin", req: func() req {
			r := jsonReq(t, validJSON())
			r.header = map[string]string{"Origin": "null"}
			return r
		}(), status: 403, wantJSON: reasonForbiddenOrigin.text.In("en")},
		{name: "invalid json", req: jsonReq(t, map[string]any{"kind": "suitability", "lang": "en"}), status: 422, wantJSON: `"errors":{`},
		{name: "invalid form", req: formReq(with(validForm(), "phone", "12")), status: 422, wantHTML: `id="f-phone-error"`},
		{name: "empty form", req: req{ctype: typeForm}, status: 422},
		{name: "wrong method", req: req{method: "GET"}, status: 405},
		{name: "put", req: req{method: "PUT", ctype: typeForm}, status: 405},
		{name: "health", req: req{method: "GET", path: "/api/health"}, status: 200, wantJSON: `"status":"ok"`},
		{name: "health post", req: req{method: "POST", path: "/api/health"}, status: 405},
		{name: "unknown route", req: req{method: "GET", path: "/api/nope"}, status: 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &fakeSender{}
			e := newEnv(t, s, nil)
			w := e.do(t, tt.req)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d; body %s", w.Code, tt.status, w.Body)
			}
			if got := w.Header().Get("Location"); got != tt.location {
				t.Errorf("Location %q, want %q", got, tt.location)
			}
			if tt.wantJSON != "" {
				jsonBody(t, w)
				if !strings.Contains(w.Body.String(), tt.wantJSON) {
					t.Errorf("body %s lacks %s", w.Body, tt.wantJSON)
				}
			}
			if tt.wantHTML != "" {
				if ct := w.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
					t.Errorf("Content-Type %q", ct)
				}
				if !strings.Contains(w.Body.String(), tt.wantHTML) {
					t.Errorf("body lacks %q:\n%s", tt.wantHTML, w.Body)
				}
			}
			if n := len(s.sent()); n != tt.sentEmails {
				t.Errorf("%d emails sent, want %d", n, tt.sentEmails)
			}
			if tt.status == 200 && strings.Contains(tt.wantJSON, "id") {
				if id, _ := jsonBody(t, w)["id"].(string); !idPattern.MatchString(id) {
					t.Errorf("id %q", id)
				}
			}
			for k, v := range map[string]string{"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store", "Referrer-Policy": "strict-origin-when-cross-origin"} {
				if got := w.Header().Get(k); got != v && tt.status != 404 && tt.status != 405 {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
		})
	}
}

func TestInvalidFormPageKeepsValues(t *testing.T) {
	e := newEnv(t, &fakeSender{}, nil)
	v := with(validForm(), "phone", "12")
	v = with(v, "name", `<script>alert("x")</script>`)
	v = with(v, "evil_field", "UNKNOWN-XYZ-123")
	w := e.do(t, formReq(v))
	if w.Code != 422 {
		t.Fatalf("status %d", w.Code)
	}
	body := w.Body.String()
	for _, want := range []string{
		`value="&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"`, // name kept, escaped
		`value="12"`,                        // phone kept
		`value="aisha@example.com"`,         // email kept
		`Knee pain when climbing stairs.`,   // message kept
		`<title>Error: Book an appointment`, // title
		`href="#f-phone"`,                   // summary link
		`aria-invalid="true"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("422 page lacks %s", want)
		}
	}
	if strings.Contains(body, "UNKNOWN-XYZ-123") || strings.Contains(body, "evil_field") {
		t.Error("unknown field echoed")
	}
	if strings.Contains(body, `<script>alert`) {
		t.Error("visitor text became markup")
	}

	// JSON: only contract fields in errors, never the unknown one.
	m := map[string]any{"kind": "appointment", "lang": "en", "evil_field": "UNKNOWN-XYZ-123"}
	w = e.do(t, jsonReq(t, m))
	if w.Code != 422 || strings.Contains(w.Body.String(), "UNKNOWN") || strings.Contains(w.Body.String(), "evil") {
		t.Errorf("json 422: %d %s", w.Code, w.Body)
	}
}

func TestArabicErrors(t *testing.T) {
	e := newEnv(t, &fakeSender{}, nil)
	arabic := regexp.MustCompile(`\p{Arabic}`)

	w := e.do(t, jsonReq(t, map[string]any{"kind": "appointment", "lang": "ar", "name": "x"}))
	if w.Code != 422 {
		t.Fatalf("status %d", w.Code)
	}
	errs, _ := jsonBody(t, w)["errors"].(map[string]any)
	if len(errs) == 0 {
		t.Fatalf("no errors: %s", w.Body)
	}
	for f, msg := range errs {
		if !arabic.MatchString(msg.(string)) {
			t.Errorf("%s: %q is not Arabic", f, msg)
		}
	}

	w = e.do(t, formReq(with(with(validForm(), "lang", "ar"), "name", "")))
	if w.Code != 422 || !strings.Contains(w.Body.String(), "<title>خطأ: ") || !strings.Contains(w.Body.String(), `lang="ar"`) {
		t.Errorf("arabic form page: %d\n%s", w.Code, w.Body)
	}

	// Without a lang field, Accept-Language decides.
	r := req{ctype: typeJSON, body: `{"kind":"x"}`, header: map[string]string{"Accept-Language": "ar-AE,ar;q=0.9,en;q=0.5"}}
	w = e.do(t, r)
	if !arabic.MatchString(w.Body.String()) {
		t.Errorf("Accept-Language ar: %s", w.Body)
	}
	// Messages of the other statuses too.
	w = e.do(t, req{ctype: typeJSON, body: `{`, header: map[string]string{"Accept-Language": "ar"}})
	if w.Code != 400 || !strings.Contains(w.Body.String(), reasonMalformed.text.In("ar")) {
		t.Errorf("arabic 400: %s", w.Body)
	}
}

func TestRateLimit(t *testing.T) {
	e := newEnv(t, &fakeSender{}, func(d *Deps) { d.RatePerMinute, d.Burst = 6, 2 })
	r := jsonReq(t, validJSON())
	for i := range 2 {
		if w := e.do(t, r); w.Code != 200 {
			t.Fatalf("request %d: %d", i, w.Code)
		}
	}
	w := e.do(t, r)
	if w.Code != 429 || w.Header().Get("Retry-After") != "10" {
		t.Fatalf("third: %d Retry-After %q", w.Code, w.Header().Get("Retry-After"))
	}
	if jsonBody(t, w)["error"] != reasonRateLimited.text.In("en") {
		t.Errorf("body %s", w.Body)
	}
	// A form post gets the form back, filled in, with the message.
	w = e.do(t, formReq(validForm()))
	if w.Code != 429 || w.Header().Get("Retry-After") == "" {
		t.Fatalf("form: %d", w.Code)
	}
	if b := w.Body.String(); !strings.Contains(b, reasonRateLimited.text.In("en")) || !strings.Contains(b, `value="Aisha Rahman"`) {
		t.Errorf("429 page lacks the message or the values:\n%s", b)
	}
	// Another client is not limited.
	r2 := r
	r2.header = map[string]string{}
	hr := httptest.NewRequest("POST", "/api/enquiry", strings.NewReader(r.body))
	hr.Header.Set("Content-Type", typeJSON)
	hr.RemoteAddr = "203.0.113.9:1234"
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, hr)
	if rec.Code != 200 {
		t.Errorf("other client: %d", rec.Code)
	}
	// Ten seconds later one token is back.
	e.clock.add(10 * time.Second)
	if w := e.do(t, r); w.Code != 200 {
		t.Errorf("after waiting: %d", w.Code)
	}
}

func TestLimiterBounded(t *testing.T) {
	l := newLimiter(60, 1, 3)
	for i, c := range []string{"a", "b", "c", "d", "e"} {
		if ok, _ := l.allow(c, testNow.Add(time.Duration(i)*time.Millisecond)); !ok {
			t.Errorf("%s limited", c)
		}
	}
	if n := l.clients.Len(); n > 3 {
		t.Errorf("%d clients kept, max 3", n)
	}
	if newLimiter(0, 1, 1) != nil {
		t.Error("rate 0 must turn the limit off")
	}
}

func TestClientKey(t *testing.T) {
	tests := []struct {
		remote string
		header map[string]string
		trust  bool
		want   string
	}{
		{"192.0.2.1:5000", nil, false, "192.0.2.1"},
		{"192.0.2.1:5000", map[string]string{"X-Forwarded-For": "198.51.100.7"}, false, "192.0.2.1"},
		{"192.0.2.1:5000", map[string]string{"X-Forwarded-For": "6.6.6.6, 198.51.100.7"}, true, "198.51.100.7"},
		{"192.0.2.1:5000", map[string]string{"X-Nf-Client-Connection-Ip": "198.51.100.8", "X-Forwarded-For": "1.1.1.1"}, true, "198.51.100.8"},
		{"192.0.2.1:5000", map[string]string{"X-Forwarded-For": "garbage"}, true, "192.0.2.1"},
		{"[2001:db8:1:2:3:4:5:6]:443", nil, false, "2001:db8:1:2::"},
		{"[::ffff:192.0.2.3]:443", nil, false, "192.0.2.3"},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("POST", "/", nil)
		r.RemoteAddr = tt.remote
		for k, v := range tt.header {
			r.Header.Set(k, v)
		}
		if got := clientKey(r, tt.trust); got != tt.want {
			t.Errorf("%s %v trust=%v: %q, want %q", tt.remote, tt.header, tt.trust, got, tt.want)
		}
	}
}

func TestSenderFails(t *testing.T) {
	s := &fakeSender{err: errors.New("resend: status 500 after 4 attempt(s)")}
	e := newEnv(t, s, nil)

	w := e.do(t, jsonReq(t, validJSON()))
	if w.Code != 503 || jsonBody(t, w)["error"] != reasonUnavailable.text.In("en") {
		t.Errorf("json: %d %s", w.Code, w.Body)
	}
	w = e.do(t, formReq(validForm()))
	if w.Code != 503 {
		t.Fatalf("form: %d", w.Code)
	}
	b := w.Body.String()
	for _, want := range []string{reasonUnavailable.text.In("en"), `value="Aisha Rahman"`, `value="aisha@example.com"`, "Knee pain when climbing stairs.", `data-enquiry-form`} {
		if !strings.Contains(b, want) {
			t.Errorf("503 page lacks %q", want)
		}
	}
	if !strings.Contains(e.log.String(), `"outcome":"unavailable"`) || !strings.Contains(e.log.String(), "status 500") {
		t.Errorf("failure not logged:\n%s", e.log)
	}
}

// A sender that never answers: the reply comes within SendTimeout.
type slowSender struct{}

func (slowSender) Send(ctx context.Context, m *mail.Message) error {
	<-ctx.Done()
	return ctx.Err()
}

func TestSendTimeout(t *testing.T) {
	e := newEnv(t, slowSender{}, func(d *Deps) { d.SendTimeout = 50 * time.Millisecond })
	start := time.Now()
	w := e.do(t, jsonReq(t, validJSON()))
	if w.Code != 503 || time.Since(start) > 2*time.Second {
		t.Errorf("status %d after %v", w.Code, time.Since(start))
	}
}

// Acknowledgement failing does not fail the enquiry.
type failSecond struct{ n int }

func (f *failSecond) Send(ctx context.Context, m *mail.Message) error {
	f.n++
	if f.n > 1 {
		return errors.New("ack failed")
	}
	return nil
}

func TestAckFailureStillAccepted(t *testing.T) {
	e := newEnv(t, &failSecond{}, nil)
	if w := e.do(t, formReq(validForm())); w.Code != 303 {
		t.Errorf("status %d", w.Code)
	}
	if !strings.Contains(e.log.String(), "acknowledgement not sent") {
		t.Error("ack failure not logged")
	}
}

func TestPanicIs500(t *testing.T) {
	e := newEnv(t, &fakeSender{panic: true}, nil)
	w := e.do(t, jsonReq(t, validJSON()))
	if w.Code != 500 {
		t.Errorf("status %d", w.Code)
	}
	if l := e.log.String(); !strings.Contains(l, "sender exploded") || !strings.Contains(l, `"status":500`) {
		t.Errorf("panic not logged:\n%s", l)
	}
}

func TestHoneypot(t *testing.T) {
	s := &fakeSender{}
	e := newEnv(t, s, nil)
	w := e.do(t, formReq(with(validForm(), "website", "http://spam.example")))
	if w.Code != 303 || w.Header().Get("Location") != "/enquire/appointment/thanks/" {
		t.Errorf("form: %d %q", w.Code, w.Header().Get("Location"))
	}
	// Even invalid bot posts look accepted.
	m := map[string]any{"kind": "suitability", "website": "x", "lang": "ar"}
	w = e.do(t, jsonReq(t, m))
	if id, _ := jsonBody(t, w)["id"].(string); w.Code != 200 || !idPattern.MatchString(id) {
		t.Errorf("json: %d %s", w.Code, w.Body)
	}
	if len(s.sent()) != 0 {
		t.Errorf("%d emails sent for a bot", len(s.sent()))
	}
	if !strings.Contains(e.log.String(), `"outcome":"honeypot"`) {
		t.Errorf("log lacks outcome=honeypot:\n%s", e.log)
	}
}

func TestDoubleSubmissionOneEmail(t *testing.T) {
	dir := t.TempDir()
	outbox, err := delivery.NewOutbox(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, outbox, nil)
	v := with(validForm(), "email", "") // no acknowledgement: reception's email only
	v = with(v, "contact", "phone")
	for range 2 {
		if w := e.do(t, formReq(v)); w.Code != 303 {
			t.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
	// The JSON script sending the same answers is the same enquiry too.
	files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
	if len(files) != 1 {
		t.Fatalf("%d emails in the outbox, want 1: %v", len(files), files)
	}
	msgs, err := resendtest.ReadOutbox(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(msgs[0].Text, "Aisha Rahman") || msgs[0].EnquiryID == "" {
		t.Errorf("email: %+v", msgs[0])
	}
}

// The log never carries what the visitor typed: not on success, invalid
// input, nor failure.
func TestLogsHoldNoPersonalData(t *testing.T) {
	secret := url.Values{
		"kind": {"appointment"}, "lang": {"en"},
		"name":    {"Zebulon Quuxworth"},
		"phone":   {"050 987 6543"},
		"email":   {"zebulon.quux@private.example"},
		"contact": {"email"}, "consent": {"yes"},
		"date":    {testNow.AddDate(0, 0, 3).Format("2006-01-02")},
		"time":    {"afternoon"},
		"message": {"Flibbertigibbet secret knee story"},
	}
	forbidden := []string{"Zebulon", "Quuxworth", "050 987 6543", "0509876543", "+971509876543", "971509876543", "zebulon.quux", "private.example", "Flibbertigibbet", "192.0.2.1"}

	cases := map[string]struct {
		sender delivery.Sender
		v      url.Values
		status int
	}{
		"success":        {&fakeSender{}, secret, 303},
		"invalid":        {&fakeSender{}, with(secret, "date", "1999-01-01"), 422},
		"failure":        {&fakeSender{err: errors.New("failed for zebulon.quux@private.example +971509876543 Zebulon Quuxworth")}, secret, 503},
		"outbox success": {nil, secret, 303},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			var logs testlog.Buffer
			logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			sender := c.sender
			if sender == nil {
				o, err := delivery.NewOutbox(t.TempDir(), logger)
				if err != nil {
					t.Fatal(err)
				}
				sender = o
			}
			e := newEnv(t, sender, func(d *Deps) { d.Logger = logger })
			r := formReq(c.v)
			r.header = map[string]string{"X-Forwarded-For": "192.0.2.1"}
			if w := e.do(t, r); w.Code != c.status {
				t.Fatalf("status %d, want %d", w.Code, c.status)
			}
			// JSON too.
			m := map[string]any{}
			for k := range c.v {
				m[k] = c.v.Get(k)
			}
			e.do(t, jsonReq(t, m))
			out := logs.String()
			if out == "" {
				t.Fatal("nothing logged")
			}
			for _, f := range forbidden {
				if strings.Contains(out, f) {
					t.Errorf("log holds %q:\n%s", f, out)
				}
			}
			if !strings.Contains(out, `"kind":"appointment"`) {
				t.Errorf("log lacks the kind:\n%s", out)
			}
		})
	}
}

func TestPrefersJSON(t *testing.T) {
	tests := map[string]bool{
		"":                 false,
		"*/*":              false,
		"application/json": true,
		"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8": false,
		"application/json, text/plain, */*":                               true,
		"text/html;q=0.5, application/json":                               true,
		"application/json;q=0.1, text/html":                               false,
		"application/*":                                                   true,
	}
	for accept, want := range tests {
		if got := prefersJSON(accept); got != want {
			t.Errorf("%q: %v, want %v", accept, got, want)
		}
	}
}

func TestHeaderLang(t *testing.T) {
	for header, want := range map[string]string{
		"ar-AE,ar;q=0.9,en;q=0.8":          "ar",
		"AR-ae":                            "ar",
		"en-US,en;q=0.9,ar;q=0.8":          "en",
		"fr-FR,ar;q=0.5,en;q=0.3":          "ar",
		"fr-FR,en;q=0.5,ar;q=0.3":          "en",
		"ar;q=0":                           "en",
		"arz":                              "en", // Egyptian Arabic is another language tag; we do not guess
		"fr":                               "en",
		"":                                 "en",
		strings.Repeat("x,", 10000) + "ar": "en", // long headers are cut
	} {
		if got := HeaderLang(header); got != want {
			t.Errorf("HeaderLang(%.40q) = %q, want %q", header, got, want)
		}
	}
}

func TestPagesUnavailableUsesFallback(t *testing.T) {
	e := newEnv(t, &fakeSender{}, func(d *Deps) { d.Pages = formpage.Dir(os.DirFS(t.TempDir())) })
	w := e.do(t, formReq(with(validForm(), "name", "")))
	if w.Code != 422 || !strings.Contains(w.Body.String(), `href="/enquire/appointment/"`) {
		t.Errorf("fallback: %d\n%s", w.Code, w.Body)
	}
	_ = io.Discard
}
