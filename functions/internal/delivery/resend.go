package delivery

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/resend/resend-go/v2"

	"github.com/bluetreeclinics/site/functions/internal/mail"
)

// ResendOptions configures the Resend sender.
type ResendOptions struct {
	APIKey string // set: without one, serve uses the outbox and the Lambda does not start
	// BaseURL of the API. "" keeps resend-go's default, which resend-go reads
	// from the RESEND_BASE_URL environment variable at program start (else
	// https://api.resend.com/), so an operator's RESEND_BASE_URL keeps working.
	// A missing trailing "/" is added.
	BaseURL string
	// HTTPClient to use; nil means NewHTTPClient(15*time.Second, 64). Its
	// Transport is wrapped to see what resend-go hides (statusRecorder).
	HTTPClient *http.Client
	Logger     *slog.Logger
}

// Resend sends messages through the Resend API, one attempt each: whoever
// calls it retries (the spool in serve, Retry on the Lambda path). Safe for
// concurrent use.
type Resend struct {
	client    *resend.Client
	log       *slog.Logger
	configErr error
}

// NewResend returns a Sender for the Resend API.
func NewResend(o ResendOptions) *Resend {
	r := &Resend{log: cmp.Or(o.Logger, slog.New(slog.DiscardHandler))}
	hc := o.HTTPClient
	if hc == nil {
		hc = NewHTTPClient(15*time.Second, 64)
	}
	wrapped := *hc // shallow copy: the caller's client stays untouched
	base := wrapped.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	wrapped.Transport = &statusRecorder{base: base}

	r.client = resend.NewCustomClient(&wrapped, strings.TrimSpace(o.APIKey))
	if o.BaseURL != "" { // config.Load has checked it is an absolute http(s) URL
		if u, err := url.Parse(strings.TrimSuffix(o.BaseURL, "/") + "/"); err != nil {
			r.configErr = fmt.Errorf("delivery: Resend base URL: %w", err)
		} else {
			r.client.BaseURL = u
		}
	}
	return r
}

// BaseURL is the API address in use (for start-up logs and tests).
func (r *Resend) BaseURL() string { return r.client.BaseURL.String() }

// NewHTTPClient is a client for Resend: each request bounded by timeout
// (connecting and the TLS handshake by a third of it), idleConns idle
// connections kept for the next bursts (resend-go's default keeps 2, which
// piles up TIME-WAIT sockets under load). An idle connection is dropped
// after 50 s: on a serverless host it may have been cut while the instance
// was frozen, and reusing it would fail the first attempt.
func NewHTTPClient(timeout time.Duration, idleConns int) *http.Client {
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: timeout / 3, KeepAlive: 30 * time.Second}).DialContext,
			ForceAttemptHTTP2:     true,
			TLSHandshakeTimeout:   timeout / 3,
			ResponseHeaderTimeout: timeout,
			ExpectContinueTimeout: time.Second,
			MaxIdleConns:          idleConns,
			MaxIdleConnsPerHost:   idleConns,
			IdleConnTimeout:       50 * time.Second,
		},
	}
}

// SendError is what Resend.Send returns when an email could not be sent.
// It never holds message content or addresses. errors.Is(err, ErrPermanent)
// tells whether retrying later can help.
type SendError struct {
	Status     int           // last HTTP status; 0 when no response came
	Name       string        // Resend's error name, e.g. "validation_error"
	Kind       error         // nil (transient), ErrPermanent, ErrRefused or ErrQuota
	RetryAfter time.Duration // Resend's Retry-After, if it sent one
	Err        error         // the last transport or context error, if any
}

func (e *SendError) Error() string {
	what := "failed"
	if e.Status != 0 {
		what = strings.TrimSpace(fmt.Sprintf("status %d %s", e.Status, e.Name))
	} else if e.Err != nil {
		what = e.Err.Error()
	}
	if e.Kind != nil {
		what = "rejected: " + what
	}
	return "delivery: resend: " + what
}

func (e *SendError) Unwrap() []error {
	return slices.DeleteFunc([]error{e.Kind, e.Err}, func(err error) bool { return err == nil })
}

// Send makes one attempt to deliver m; a failure that can succeed later
// (429 rate limits, 5xx, timeouts, connection errors) is a *SendError that
// is not ErrPermanent. The idempotency key makes retries (and a repeated
// submission) one email at Resend.
//
// When Resend refuses reception's email for its content (the visitor's
// address as reply-to), it is sent again at once without it
// (mail.WithoutReplyTo): reception gets every enquiry. A refused
// acknowledgement, or reception's email refused even so, is ErrRefused:
// that one email can never be sent as it is.
func (r *Resend) Send(ctx context.Context, m *mail.Message) error {
	if r.configErr != nil {
		r.log.ErrorContext(ctx, "resend rejected the email: configuration error",
			"idempotency_key", m.IdempotencyKey, "error", r.configErr.Error())
		return &SendError{Kind: ErrPermanent, Err: r.configErr}
	}
	for {
		rec := &callResult{}
		t0 := time.Now()
		resp, err := r.client.Emails.SendWithOptions(context.WithValue(ctx, callKey{}, rec), toRequest(m),
			&resend.SendEmailOptions{IdempotencyKey: m.IdempotencyKey})
		attrs := []any{"idempotency_key", m.IdempotencyKey, "status", rec.status, "duration", time.Since(t0)}
		switch {
		case err == nil:
			r.log.InfoContext(ctx, "resend accepted the email", append(attrs, "resend_id", resp.Id)...)
			return nil
		case rec.status/100 == 2:
			// A 2xx whose body we could not read is still a sent email:
			// retrying would only be deduplicated by the idempotency key.
			r.log.WarnContext(ctx, "resend accepted the email; unreadable answer", attrs...)
			return nil
		case rec.status == http.StatusConflict && rec.name == "invalid_idempotent_request":
			// Resend already accepted an email under this key (the same
			// enquiry submitted again: double click, reload, retry) and the
			// new body differs only in details such as the received time.
			// Reception has its email; this one is a duplicate by design.
			r.log.InfoContext(ctx, "resend already has an email with this idempotency key", attrs...)
			return nil
		}
		attrs = append(attrs, "name", rec.name)
		last := &SendError{Status: rec.status, Name: rec.name, RetryAfter: rec.retryAfter}
		if rec.status == 0 {
			last.Err = cmp.Or(ctx.Err(), err)
		}
		if transient(rec) {
			r.log.WarnContext(ctx, "resend attempt failed", attrs...)
			return last
		}
		last.Kind = ErrPermanent
		switch {
		case refusedContent(rec) && m.ReplyTo != "" && !m.IsAcknowledgement():
			r.log.WarnContext(ctx, "resend refused reception's email for its content; sending it without the visitor's reply-to address", attrs...)
			m = mail.WithoutReplyTo(m)
			continue
		case refusedContent(rec) && m.IsAcknowledgement():
			last.Kind = ErrRefused
			r.log.WarnContext(ctx, "resend refused the acknowledgement for its content (the visitor's address)", attrs...)
		case refusedContent(rec):
			// Reception's email, refused even without the visitor's
			// address: this email can never be sent as it is, but the
			// configuration is fine, so the others must go on.
			last.Kind = ErrRefused
			r.log.ErrorContext(ctx, "resend refused reception's email for its content, even without the visitor's reply-to address", attrs...)
		case rec.status == http.StatusTooManyRequests:
			last.Kind = ErrQuota
			r.log.WarnContext(ctx, "resend refused the email: sending quota exceeded", attrs...)
		default:
			r.log.ErrorContext(ctx, "resend rejected the email: configuration error", attrs...)
		}
		return last
	}
}

// transient reports whether a failed attempt may succeed later.
func transient(rec *callResult) bool {
	switch {
	case rec.status == 0: // timeout, connection refused or reset
		return true
	case rec.status == http.StatusTooManyRequests:
		return rec.name != "daily_quota_exceeded" && rec.name != "monthly_quota_exceeded"
	case rec.status == http.StatusConflict && rec.name == "concurrent_idempotent_requests":
		return true // the first request with this key is still running
	case rec.status == http.StatusRequestTimeout:
		return true
	default: // 5xx; other 4xx: our request or configuration is wrong
		return rec.status >= 500
	}
}

// refusedContent reports whether Resend refused the email for what it
// holds (an address it will not take) rather than for the configuration
// (key, sender domain: 401, 403, invalid_from_address).
func refusedContent(rec *callResult) bool {
	if rec.status != http.StatusUnprocessableEntity && rec.status != http.StatusBadRequest {
		return false
	}
	switch rec.name {
	case "validation_error", "invalid_parameter", "":
		return true
	}
	return false
}

func toRequest(m *mail.Message) *resend.SendEmailRequest {
	req := &resend.SendEmailRequest{
		From:    m.From,
		To:      m.To,
		ReplyTo: m.ReplyTo,
		Subject: mail.SanitizeSubject(m.Subject), // no-op for composed messages
		Html:    m.HTML,
		Text:    m.Text,
	}
	for _, k := range slices.Sorted(maps.Keys(m.Tags)) { // a stable body keeps the idempotency check happy
		req.Tags = append(req.Tags, resend.Tag{Name: k, Value: m.Tags[k]})
	}
	return req
}

// callResult is filled by statusRecorder for one attempt. resend-go hides
// what we decide on: it returns the status only for 429 (as
// *resend.RateLimitError, whose RetryAfter we read) and never the error's
// name (quota exceeded, idempotency conflicts); the transport sees both.
type callResult struct {
	status     int
	name       string
	retryAfter time.Duration // the Retry-After header in seconds, if any
}

type callKey struct{}

type statusRecorder struct{ base http.RoundTripper }

func (s *statusRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := s.base.RoundTrip(req)
	rec, _ := req.Context().Value(callKey{}).(*callResult)
	if err != nil || rec == nil {
		return resp, err
	}
	rec.status = resp.StatusCode
	if s, err := strconv.ParseFloat(strings.TrimSpace(resp.Header.Get("Retry-After")), 64); err == nil && s > 0 && s < 86400 {
		rec.retryAfter = time.Duration(s * float64(time.Second))
	}
	if resp.StatusCode >= 400 && resp.Body != nil {
		body, rerr := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		if rerr != nil {
			return nil, rerr
		}
		var e struct {
			Name string `json:"name"`
		}
		if json.Unmarshal(body, &e) == nil && e.Name != "" {
			rec.name = mail.TagSafe(e.Name)
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
	}
	return resp, nil
}
