// Package resendtest is a fake of the Resend email API for tests: an
// httptest.Server that checks what the real API checks and answers as it
// does, with knobs to make it fail.
//
// Use it with delivery.NewResend (or resend-go directly):
//
//	fake := resendtest.NewServer(t)
//	s := delivery.NewResend(delivery.ResendOptions{APIKey: fake.APIKey, BaseURL: fake.URL()})
//	... send ...
//	emails := fake.Emails() // accepted, de-duplicated emails
//
// What it checks, like Resend (status and error "name" in the JSON body
// {"statusCode":N,"name":"...","message":"..."}):
//   - only POST /emails (else 405 method_not_allowed or 404 not_found);
//   - Authorization: Bearer <APIKey> (missing: 401 missing_api_key; wrong:
//     403 invalid_api_key, as the real API answers);
//   - Content-Type application/json and a JSON object (else 422
//     validation_error);
//   - from: one address; to: a string or an array of 1 to 50 addresses;
//     subject non-empty; html or text present; reply_to (string or array)
//     valid addresses; no CR or LF in from, to, reply_to or subject; no
//     address with a non-ASCII character or a quoted local part (else 422
//     validation_error, as the real API refuses them);
//   - tags: name and value of 1 to 256 ASCII letters, digits, _ or - (else
//     422 validation_error);
//   - Idempotency-Key: 1 to 256 characters (else 400 invalid_idempotency_key).
//     The same key with the same body within 24 h returns the first answer
//     (same id) and is not a new email; the same key with another body gets
//     409 invalid_idempotent_request.
//
// Success is 200 {"id":"<uuid-like>"} with ratelimit-* headers.
//
// Failures on demand: Fail(status, n) makes the next n calls fail before any
// check (the real API rate-limits before validating): 429 (rate_limit_exceeded
// with ratelimit-limit/-remaining/-reset and retry-after headers), DailyQuota
// and MonthlyQuota (429 with daily_quota_exceeded / monthly_quota_exceeded),
// any 5xx ({"name":"internal_server_error"} etc.), any 4xx, Hang (no answer
// until the client gives up) and CloseConnection (the connection is dropped
// without an answer). Down() drops every call's connection until Up().
// Hold() keeps every call waiting until Release(), then answers it.
//
// All methods are safe for concurrent use.
package resendtest

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Special "statuses" for Fail.
const (
	// Hang accepts the request and never answers until the client gives up
	// (its context or timeout) or the server closes.
	Hang = -1
	// CloseConnection drops the connection without an answer.
	CloseConnection = -2
	// DailyQuota answers 429 with name daily_quota_exceeded (not retryable).
	DailyQuota = -3
	// MonthlyQuota answers 429 with name monthly_quota_exceeded.
	MonthlyQuota = -4
)

// DefaultAPIKey is the key NewServer expects unless Server.APIKey is changed.
const DefaultAPIKey = "re_test_key"

// Email is one accepted email, as the fake decoded it.
type Email struct {
	ID             string
	IdempotencyKey string
	From           string
	To             []string
	ReplyTo        []string
	Subject        string
	HTML           string
	Text           string
	Tags           map[string]string
	Header         http.Header // request headers (Authorization removed)
	Body           []byte      // the raw JSON
	Received       time.Time
}

// Server is the fake. Create it with NewServer; it closes itself at the end
// of the test.
type Server struct {
	// APIKey is the bearer key the fake accepts. Set it before sending.
	APIKey string

	srv     *httptest.Server
	closing chan struct{}

	mu         sync.Mutex
	calls      int
	emails     []Email
	fails      []failure
	down       bool
	latency    time.Duration
	retryAfter int
	held       chan struct{} // while not nil, calls wait for it to close (Hold)
	idem       map[string]idemEntry
}

type failure struct {
	status int
	n      int
}

type idemEntry struct {
	sum [32]byte
	id  string
	at  time.Time
}

// NewServer starts a fake Resend and registers its shutdown with t.Cleanup.
func NewServer(t testing.TB) *Server {
	t.Helper()
	s := &Server{
		APIKey:     DefaultAPIKey,
		closing:    make(chan struct{}),
		retryAfter: 1,
		idem:       map[string]idemEntry{},
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(func() {
		close(s.closing)
		s.srv.CloseClientConnections()
		s.srv.Close()
	})
	return s
}

// URL is the base URL to give the client, with its trailing "/".
func (s *Server) URL() string { return s.srv.URL + "/" }

// Client is an http.Client for the fake's server.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// Fail makes the next n calls fail with status (429, 4xx, 5xx) or one of
// Hang, CloseConnection, DailyQuota, MonthlyQuota. Calls to Fail queue up:
// Fail(429, 1); Fail(500, 1) fails the next call with 429, then one with 500.
func (s *Server) Fail(status, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n > 0 {
		s.fails = append(s.fails, failure{status, n})
	}
}

// Down makes every call drop its connection (Resend unreachable) until Up.
func (s *Server) Down() { s.mu.Lock(); s.down = true; s.mu.Unlock() }

// Up undoes Down.
func (s *Server) Up() { s.mu.Lock(); s.down = false; s.mu.Unlock() }

// Hold makes Resend hang: every call waits, unanswered, until Release (or
// the client gives up), then is answered as usual.
func (s *Server) Hold() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.held == nil {
		s.held = make(chan struct{})
	}
}

// Release answers the calls Hold kept waiting, and the next ones at once.
func (s *Server) Release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.held != nil {
		close(s.held)
		s.held = nil
	}
}

// SetRetryAfter sets the retry-after seconds of 429 answers (default 1).
func (s *Server) SetRetryAfter(seconds int) { s.mu.Lock(); s.retryAfter = seconds; s.mu.Unlock() }

// SetLatency delays every answer by d (for load and timeout tests).
func (s *Server) SetLatency(d time.Duration) { s.mu.Lock(); s.latency = d; s.mu.Unlock() }

// Calls is the number of HTTP requests received, failed ones included.
func (s *Server) Calls() int { s.mu.Lock(); defer s.mu.Unlock(); return s.calls }

// Emails returns the accepted emails, one per idempotency key (a replayed
// key is not a new email), in the order they arrived.
func (s *Server) Emails() []Email {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Email(nil), s.emails...)
}

// Reset forgets calls, emails, failures and idempotency keys.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls, s.emails, s.fails, s.down = 0, nil, nil, false
	s.idem = map[string]idemEntry{}
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.calls++
	down, latency, retryAfter, held := s.down, s.latency, s.retryAfter, s.held
	fail := 0
	if len(s.fails) > 0 {
		fail = s.fails[0].status
		if s.fails[0].n--; s.fails[0].n == 0 {
			s.fails = s.fails[1:]
		}
	}
	s.mu.Unlock()

	if latency > 0 {
		select {
		case <-time.After(latency):
		case <-r.Context().Done():
			return
		case <-s.closing:
			return
		}
	}
	if held != nil {
		select {
		case <-held:
		case <-r.Context().Done():
			return
		case <-s.closing:
			return
		}
	}
	if down {
		fail = CloseConnection
	}
	if fail != 0 {
		s.failWith(w, r, fail, retryAfter)
		return
	}

	if r.URL.Path != "/emails" {
		writeError(w, http.StatusNotFound, "not_found", "The requested endpoint does not exist.")
		return
	}
	if r.Method != http.MethodPost {
		writeError(w, http.StatusMethodNotAllowed, "method_not_allowed", "Method is not allowed for the requested path.")
		return
	}
	auth := r.Header.Get("Authorization")
	if auth == "" {
		writeError(w, http.StatusUnauthorized, "missing_api_key", "Missing API key in the authorization header.")
		return
	}
	if auth != "Bearer "+s.APIKey {
		writeError(w, http.StatusForbidden, "invalid_api_key", "API key is invalid.")
		return
	}
	key := r.Header.Get("Idempotency-Key")
	if _, set := r.Header["Idempotency-Key"]; set && (key == "" || len(key) > 256) {
		writeError(w, http.StatusBadRequest, "invalid_idempotency_key", "The key must be between 1-256 chars.")
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		writeError(w, http.StatusUnprocessableEntity, "validation_error", "Content-Type must be application/json.")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 40<<20))
	if err != nil {
		return
	}
	e, problem := decode(body)
	if problem != "" {
		writeError(w, http.StatusUnprocessableEntity, "validation_error", problem)
		return
	}

	sum := sha256.Sum256(body)
	s.mu.Lock()
	if key != "" {
		if prev, ok := s.idem[key]; ok && time.Since(prev.at) < 24*time.Hour {
			s.mu.Unlock()
			if prev.sum != sum {
				writeError(w, http.StatusConflict, "invalid_idempotent_request",
					"Same idempotency key used with a different request payload. Change your idempotency key or payload.")
				return
			}
			writeOK(w, prev.id)
			return
		}
	}
	e.ID = newID()
	e.IdempotencyKey = key
	e.Header = r.Header.Clone()
	e.Header.Del("Authorization")
	e.Body = body
	e.Received = time.Now()
	s.emails = append(s.emails, *e)
	if key != "" {
		s.idem[key] = idemEntry{sum: sum, id: e.ID, at: e.Received}
	}
	s.mu.Unlock()
	writeOK(w, e.ID)
}

func (s *Server) failWith(w http.ResponseWriter, r *http.Request, status, retryAfter int) {
	switch status {
	case Hang:
		select {
		case <-r.Context().Done():
		case <-s.closing:
		}
		return
	case CloseConnection:
		if hj, ok := w.(http.Hijacker); ok {
			if c, _, err := hj.Hijack(); err == nil {
				c.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	case DailyQuota:
		rateHeaders(w, 0)
		writeError(w, http.StatusTooManyRequests, "daily_quota_exceeded", "You have reached your daily email sending quota.")
	case MonthlyQuota:
		rateHeaders(w, 0)
		writeError(w, http.StatusTooManyRequests, "monthly_quota_exceeded", "You have reached your monthly email sending quota.")
	case http.StatusTooManyRequests:
		rateHeaders(w, retryAfter)
		writeError(w, status, "rate_limit_exceeded", "Too many requests. You can only make 5 requests per second.")
	case http.StatusUnprocessableEntity:
		writeError(w, status, "validation_error", "We found an error with one or more fields in the request.")
	case http.StatusBadRequest:
		writeError(w, status, "validation_error", "We found an error with one or more fields in the request.")
	case http.StatusUnauthorized:
		writeError(w, status, "missing_api_key", "Missing API key in the authorization header.")
	case http.StatusForbidden:
		writeError(w, status, "invalid_api_key", "API key is invalid.")
	case http.StatusServiceUnavailable:
		writeError(w, status, "service_unavailable", "Service temporarily unavailable.")
	default:
		name := "internal_server_error"
		if status < 500 {
			name = "application_error"
		}
		writeError(w, status, name, "An unexpected error occurred.")
	}
}

func rateHeaders(w http.ResponseWriter, retryAfter int) {
	h := w.Header()
	h.Set("ratelimit-limit", "5")
	h.Set("ratelimit-remaining", "0")
	h.Set("ratelimit-reset", strconv.Itoa(max(retryAfter, 1)))
	if retryAfter > 0 {
		h.Set("retry-after", strconv.Itoa(retryAfter))
	}
}

func writeOK(w http.ResponseWriter, id string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("ratelimit-limit", "5")
	w.Header().Set("ratelimit-remaining", "4")
	w.Header().Set("ratelimit-reset", "1")
	fmt.Fprintf(w, "{\"id\":%q}\n", id)
}

func writeError(w http.ResponseWriter, status int, name, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"statusCode": status, "name": name, "message": message})
}

var tagPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

// decode checks the email JSON as Resend does and returns what it holds,
// or a problem message.
func decode(body []byte) (*Email, string) {
	var req struct {
		From    *string         `json:"from"`
		To      json.RawMessage `json:"to"`
		Subject *string         `json:"subject"`
		HTML    string          `json:"html"`
		Text    string          `json:"text"`
		ReplyTo json.RawMessage `json:"reply_to"`
		Tags    []struct {
			Name  string `json:"name"`
			Value string `json:"value"`
		} `json:"tags"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&req); err != nil {
		return nil, "Invalid JSON body: " + err.Error()
	}
	e := &Email{Tags: map[string]string{}}
	if req.From == nil || strings.TrimSpace(*req.From) == "" {
		return nil, "Missing `from` field."
	}
	if bad := checkAddress(*req.From); bad != "" {
		return nil, "Invalid `from` field. " + bad
	}
	e.From = *req.From
	to, problem := addressList(req.To, "to")
	if problem != "" {
		return nil, problem
	}
	if len(to) == 0 {
		return nil, "Missing `to` field."
	}
	if len(to) > 50 {
		return nil, "Too many recipients in `to`: at most 50."
	}
	e.To = to
	if e.ReplyTo, problem = addressList(req.ReplyTo, "reply_to"); problem != "" {
		return nil, problem
	}
	if req.Subject == nil || strings.TrimSpace(*req.Subject) == "" {
		return nil, "Missing `subject` field."
	}
	if strings.ContainsAny(*req.Subject, "\r\n") {
		return nil, "Invalid `subject` field: line breaks are not allowed."
	}
	e.Subject = *req.Subject
	if req.HTML == "" && req.Text == "" {
		return nil, "Missing `html` or `text` field."
	}
	e.HTML, e.Text = req.HTML, req.Text
	for _, t := range req.Tags {
		if !tagPattern.MatchString(t.Name) || !tagPattern.MatchString(t.Value) {
			return nil, "Invalid `tags` field: names and values may only contain ASCII letters, numbers, underscores or dashes, up to 256 characters."
		}
		e.Tags[t.Name] = t.Value
	}
	return e, ""
}

// addressList accepts a JSON string or array of strings.
func addressList(raw json.RawMessage, field string) ([]string, string) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, ""
	}
	var list []string
	var one string
	if err := json.Unmarshal(raw, &one); err == nil {
		list = []string{one}
	} else if err := json.Unmarshal(raw, &list); err != nil {
		return nil, "Invalid `" + field + "` field: a string or an array of strings."
	}
	for _, a := range list {
		if bad := checkAddress(a); bad != "" {
			return nil, "Invalid `" + field + "` field. " + bad
		}
	}
	return list, ""
}

func checkAddress(a string) string {
	if strings.ContainsAny(a, "\r\n") {
		return "Line breaks are not allowed."
	}
	p, err := mail.ParseAddress(a)
	if err != nil {
		return "The email address needs to follow the `email@example.com` or `Name <email@example.com>` format."
	}
	// Resend refuses what most mail systems cannot deliver: a local part
	// that is not plain ASCII (a Cyrillic letter that looks Latin) or is
	// quoted, and a domain not in its ASCII (punycode) form.
	if strings.ContainsFunc(p.Address, func(r rune) bool { return r > 0x7e }) || strings.HasPrefix(p.Address, `"`) {
		return "Invalid email address: only ASCII characters are allowed and the local part may not be quoted."
	}
	return ""
}

func newID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
