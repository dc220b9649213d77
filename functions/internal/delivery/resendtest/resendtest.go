// Package resendtest is a fake of the Resend email API for tests (and for
// cmd/perf's load run): an httptest.Server that refuses what the real API
// refuses, answers as it does, and fails on demand. It also signs webhook
// deliveries (SignWebhook, Event) and reads the outbox's .eml files back (eml.go).
//
//	fake := resendtest.NewServer(t)
//	s := delivery.NewResend(delivery.ResendOptions{APIKey: fake.APIKey, BaseURL: fake.URL()})
//	... send ...
//	emails := fake.Emails() // accepted, de-duplicated emails
//
// Like Resend it answers errors as {"statusCode":N,"name":"...","message":"..."}
// (serve and decode list which), and the same Idempotency-Key with the same
// body returns the first answer and is not a new email; with another body,
// 409 invalid_idempotent_request. All methods are safe for concurrent use.
package resendtest

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
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

// Failures Fail takes besides HTTP statuses.
const (
	// Hang never answers, until the client gives up or the server closes.
	Hang = -1
	// CloseConnection drops the connection without an answer.
	CloseConnection = -2
	// DailyQuota and MonthlyQuota answer 429 daily_quota_exceeded and
	// monthly_quota_exceeded: a spent quota, not a rate limit.
	DailyQuota   = -3
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
	idem       map[string]answered
}

type failure struct{ status, n int }

// answered is what the first request with an idempotency key got.
type answered struct {
	sum [32]byte
	id  string
}

// NewServer starts a fake Resend and registers its Close with t.Cleanup.
func NewServer(t testing.TB) *Server {
	t.Helper()
	s := Start()
	t.Cleanup(s.Close)
	return s
}

// Start starts a fake Resend outside a test (cmd/perf); Close stops it.
func Start() *Server {
	s := &Server{APIKey: DefaultAPIKey, closing: make(chan struct{}), retryAfter: 1, idem: map[string]answered{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Close answers the calls still waiting with a dropped connection and stops
// the server.
func (s *Server) Close() {
	close(s.closing)
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// URL is the base URL to give the client, with its trailing "/".
func (s *Server) URL() string { return s.srv.URL + "/" }

// Fail makes the next n calls fail, before any check (the real API
// rate-limits before validating), with status (429 with a retry-after
// header, any 4xx or 5xx with Resend's error name for it) or one of Hang,
// CloseConnection, DailyQuota, MonthlyQuota. Calls queue up: Fail(429, 1);
// Fail(500, 1) fails the next call with 429, then one with 500.
func (s *Server) Fail(status, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n > 0 {
		s.fails = append(s.fails, failure{status, n})
	}
}

// Down makes every call drop its connection (Resend unreachable) until Up.
func (s *Server) Down() { s.mu.Lock(); s.down = true; s.mu.Unlock() }
func (s *Server) Up()   { s.mu.Lock(); s.down = false; s.mu.Unlock() }

// SetRetryAfter sets the retry-after seconds of 429 answers (default 1; 0:
// no header).
func (s *Server) SetRetryAfter(seconds int) { s.mu.Lock(); s.retryAfter = seconds; s.mu.Unlock() }

// SetLatency delays every answer by d.
func (s *Server) SetLatency(d time.Duration) { s.mu.Lock(); s.latency = d; s.mu.Unlock() }

// Calls is the number of HTTP requests received, failed ones included.
func (s *Server) Calls() int { s.mu.Lock(); defer s.mu.Unlock(); return s.calls }

// Emails returns the accepted emails, one per idempotency key, in the order
// they arrived.
func (s *Server) Emails() []Email {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Email(nil), s.emails...)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.calls++
	down, latency, retryAfter := s.down, s.latency, s.retryAfter
	fail := 0
	if len(s.fails) > 0 {
		fail = s.fails[0].status
		if s.fails[0].n--; s.fails[0].n == 0 {
			s.fails = s.fails[1:]
		}
	}
	s.mu.Unlock()

	if latency > 0 && !wait(s, r, time.After(latency)) {
		return
	}
	if down {
		fail = CloseConnection
	}
	if fail != 0 {
		s.failWith(w, r, fail, retryAfter)
		return
	}

	key := r.Header.Get("Idempotency-Key")
	auth := r.Header.Get("Authorization")
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case r.URL.Path != "/emails" || r.Method != http.MethodPost:
		writeError(w, http.StatusNotFound, "not_found", "The requested endpoint does not exist.")
		return
	case auth == "":
		writeError(w, http.StatusUnauthorized, "missing_api_key", "Missing API key in the authorization header.")
		return
	case auth != "Bearer "+s.APIKey:
		writeError(w, http.StatusForbidden, "invalid_api_key", "API key is invalid.")
		return
	case len(key) > 256:
		writeError(w, http.StatusBadRequest, "invalid_idempotency_key", "The key must be between 1-256 chars.")
		return
	case mediaType != "application/json":
		writeError(w, http.StatusUnprocessableEntity, "validation_error", "Content-Type must be application/json.")
		return
	}
	body, err := io.ReadAll(r.Body)
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
	defer s.mu.Unlock()
	if prev, ok := s.idem[key]; ok {
		if prev.sum != sum {
			writeError(w, http.StatusConflict, "invalid_idempotent_request",
				"Same idempotency key used with a different request payload. Change your idempotency key or payload.")
			return
		}
		writeOK(w, prev.id)
		return
	}
	e.ID, e.IdempotencyKey, e.Received = rand.Text(), key, time.Now()
	s.emails = append(s.emails, *e)
	if key != "" {
		s.idem[key] = answered{sum: sum, id: e.ID}
	}
	writeOK(w, e.ID)
}

// wait waits for c, and reports false when the client or the server gave
// up first.
func wait[T any](s *Server, r *http.Request, c <-chan T) bool {
	select {
	case <-c:
		return true
	case <-r.Context().Done():
	case <-s.closing:
	}
	return false
}

// errorNames are the names Resend gives the statuses tests ask Fail for.
var errorNames = map[int]string{
	http.StatusBadRequest:          "validation_error",
	http.StatusUnauthorized:        "missing_api_key",
	http.StatusForbidden:           "invalid_api_key",
	http.StatusUnprocessableEntity: "validation_error",
	http.StatusTooManyRequests:     "rate_limit_exceeded",
	http.StatusServiceUnavailable:  "service_unavailable",
	DailyQuota:                     "daily_quota_exceeded",
	MonthlyQuota:                   "monthly_quota_exceeded",
}

func (s *Server) failWith(w http.ResponseWriter, r *http.Request, fail, retryAfter int) {
	status, name := fail, errorNames[fail]
	switch {
	case fail == Hang:
		wait[struct{}](s, r, nil)
		return
	case fail == CloseConnection:
		panic(http.ErrAbortHandler) // the server drops the connection, unanswered
	case fail == DailyQuota || fail == MonthlyQuota:
		status = http.StatusTooManyRequests
	case fail == http.StatusTooManyRequests && retryAfter > 0:
		w.Header().Set("retry-after", strconv.Itoa(retryAfter))
	case name == "" && status >= 500:
		name = "internal_server_error"
	case name == "":
		name = "application_error"
	}
	writeError(w, status, name, "A failure the test asked for.")
}

func writeOK(w http.ResponseWriter, id string) {
	w.Header().Set("Content-Type", "application/json")
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
		From, Subject, HTML, Text string
		To                        json.RawMessage
		ReplyTo                   json.RawMessage `json:"reply_to"`
		Tags                      []struct{ Name, Value string }
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, "Invalid JSON body: " + err.Error()
	}
	e := &Email{From: req.From, Subject: req.Subject, HTML: req.HTML, Text: req.Text, Tags: map[string]string{}}
	var problem string
	if e.To, problem = addressList(req.To, "to"); problem == "" {
		e.ReplyTo, problem = addressList(req.ReplyTo, "reply_to")
	}
	switch {
	case strings.TrimSpace(req.From) == "":
		return nil, "Missing `from` field."
	case refused(req.From):
		return nil, "Invalid `from` field."
	case problem != "":
		return nil, problem
	case len(e.To) == 0 || len(e.To) > 50:
		return nil, "The `to` field needs 1 to 50 addresses."
	case strings.TrimSpace(req.Subject) == "" || strings.ContainsAny(req.Subject, "\r\n"):
		return nil, "Missing `subject` field, or it has a line break."
	case req.HTML == "" && req.Text == "":
		return nil, "Missing `html` or `text` field."
	}
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
	var list []string
	var one string
	if len(raw) == 0 || string(raw) == "null" {
		return nil, ""
	} else if json.Unmarshal(raw, &one) == nil {
		list = []string{one}
	} else if json.Unmarshal(raw, &list) != nil {
		return nil, "Invalid `" + field + "` field: a string or an array of strings."
	}
	for _, a := range list {
		if refused(a) {
			return nil, "Invalid `" + field + "` field: `email@example.com` or `Name <email@example.com>`, in ASCII, without line breaks."
		}
	}
	return list, ""
}

// refused reports whether Resend refuses a as an address: not one address,
// a line break, or what most mail systems cannot deliver: a local part
// that is not plain ASCII (a Cyrillic letter that looks Latin) or is
// quoted, and a domain not in its ASCII (punycode) form.
func refused(a string) bool {
	p, err := mail.ParseAddress(a)
	return err != nil || strings.ContainsAny(a, "\r\n") || strings.HasPrefix(p.Address, `"`) ||
		strings.ContainsFunc(p.Address, func(r rune) bool { return r > 0x7e })
}

// WebhookSecret is a signing secret in Resend's format ("whsec_" + base64).
var WebhookSecret = "whsec_" + base64.StdEncoding.EncodeToString([]byte("bluetree-test-webhook-secret-32b"))

// SignWebhook returns the headers Resend (through svix) sends with a
// webhook delivery: svix-id, svix-timestamp and svix-signature, the
// base64 HMAC-SHA256 of "id.timestamp.body" keyed with the secret's
// decoded bytes. Written from svix's description, independently of
// resend-go's Verify, so a test checks one against the other.
func SignWebhook(secret, id string, at time.Time, body []byte) http.Header {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		panic(err)
	}
	ts := fmt.Sprint(at.Unix())
	mac := hmac.New(sha256.New, key)
	fmt.Fprintf(mac, "%s.%s.%s", id, ts, body)
	h := http.Header{}
	h.Set("svix-id", id)
	h.Set("svix-timestamp", ts)
	h.Set("svix-signature", "v1,"+base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	h.Set("Content-Type", "application/json")
	return h
}

// Event is a Resend webhook payload for an email, shaped as Resend's
// reference shows it, with the tags as an array of {name, value}; asMap
// gives them as a name → value map instead, as some of its examples do.
// sent is when the email was accepted, at when the event happened.
func Event(typ, emailID string, tags map[string]string, sent, at time.Time, asMap bool) []byte {
	var t any = tags
	if !asMap {
		var list []map[string]string
		for k, v := range tags {
			list = append(list, map[string]string{"name": k, "value": v})
		}
		t = list
	}
	b, err := json.Marshal(map[string]any{
		"type":       typ,
		"created_at": at.UTC().Format(time.RFC3339Nano),
		"data": map[string]any{
			"email_id":   emailID,
			"created_at": sent.UTC().Format(time.RFC3339Nano),
			"from":       "Blue Tree Clinics website <enquiries@bluetree.example>",
			"to":         []string{"someone@example.org"},
			"subject":    "Appointment request: Private Name",
			"tags":       t,
			"bounce":     map[string]string{"message": "550 5.1.1 mailbox unavailable", "type": "Permanent"},
		},
	})
	if err != nil {
		panic(err)
	}
	return b
}
