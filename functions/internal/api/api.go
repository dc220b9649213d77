// Package api is the enquiry system's HTTP handler: POST /api/enquiry,
// GET /api/health and, with a webhook secret, POST /api/resend-events,
// shared by every host (cmd/serve, Netlify, AWS Lambda). Replies follow
// docs/enquiry-contract.md.
package api

import (
	"cmp"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/bluetreeclinics/site/functions/internal/config"
	"github.com/bluetreeclinics/site/functions/internal/delivery"
	"github.com/bluetreeclinics/site/functions/internal/enquiry"
	"github.com/bluetreeclinics/site/functions/internal/formpage"
	"github.com/bluetreeclinics/site/functions/internal/mail"
)

// Deps is what the hosts give the handler. Parser, Composer, Sender and
// SendTimeout are required; the rest have defaults.
type Deps struct {
	Parser   *enquiry.Parser
	Composer *mail.Composer
	Sender   delivery.Sender
	// Pages gives the form pages for the no-JavaScript 422/429/503 replies;
	// nil means a small fallback page is used.
	Pages  formpage.Source
	Logger *slog.Logger

	// SiteURL's origin may post, and so may ExtraOrigins (e.g. the local
	// server's own URL). A request without Origin is allowed.
	SiteURL      *url.URL
	ExtraOrigins []string

	// RatePerMinute is each client's sustained rate of POSTs, with Burst
	// allowed at once. RatePerMinute 0 turns the limit off.
	RatePerMinute, Burst int
	// TrustProxy takes the client address from X-Nf-Client-Connection-Ip or
	// X-Forwarded-For instead of the connection.
	TrustProxy bool

	Now         func() time.Time
	SendTimeout time.Duration // bounds composing and sending one enquiry
	// Health adds to GET /api/health's reply (e.g. the spool depth); when
	// it reports false the reply is 503, for monitoring to see.
	Health func() (details map[string]any, ok bool)
	// Events turns on POST /api/resend-events when its WebhookSecret is
	// set (resendevents.go).
	Events Events
}

// FromConfig is the part of Deps every host reads alike from cfg: the
// parser, the composer (links to siteURL), the origins, the rate limit, the
// send budget and the events endpoint. The host adds its Sender, Pages,
// Logger, and TrustProxy and Health if it has them.
func FromConfig(cfg *config.Config, siteURL *url.URL) (Deps, error) {
	composer, err := mail.NewComposer(mail.ComposerConfig{From: cfg.From, To: cfg.To, Ack: cfg.Ack, SiteURL: siteURL.String()})
	if err != nil {
		return Deps{}, fmt.Errorf("email templates: %w", err)
	}
	return Deps{
		Parser:        enquiry.NewParser(cfg.IDSecret, nil),
		Composer:      composer,
		SiteURL:       siteURL,
		ExtraOrigins:  cfg.ExtraOrigins,
		RatePerMinute: cfg.RatePerMinute,
		Burst:         cfg.Burst,
		SendTimeout:   cfg.SendTimeout,
		Events:        Events{Events: cfg.Events, From: cfg.From, Reception: cfg.To},
	}, nil
}

// MaxBodyBytes bounds an enquiry's body.
const MaxBodyBytes = 32 << 10

// New returns the handler: the routes inside the middleware (the request
// log outermost, so it sees the status of a recovered panic too).
func New(d Deps) http.Handler {
	if d.Parser == nil || d.Composer == nil || d.Sender == nil || d.SendTimeout <= 0 {
		panic("api: Deps.Parser, Composer, Sender and SendTimeout are required")
	}
	d.Logger = cmp.Or(d.Logger, slog.New(slog.DiscardHandler))
	if d.Now == nil {
		d.Now = time.Now
	}
	// Each handler is given only what it uses.
	var lastAlert atomic.Pointer[Alert]
	gate := &gate{
		origins:    allowedOrigins(d.SiteURL, d.ExtraOrigins),
		limiter:    newLimiter(d.RatePerMinute, max(d.Burst, 1), 10000), // clients kept: bounded memory
		trustProxy: d.TrustProxy,
		now:        d.Now,
	}
	errs := errorWriter{log: d.Logger, pages: d.Pages}
	send := sendEnquiry(d.Logger, d.Composer, d.Sender, d.SendTimeout)
	mux := http.NewServeMux()
	mux.Handle("POST /api/enquiry", handleEnquiry(gate, d.Parser, send, errs))
	mux.Handle("GET /api/health", handleHealth(d.Health, &lastAlert))
	if d.Events.WebhookSecret != "" {
		mux.Handle("POST /api/resend-events", handleResendEvents(d.Logger, d.Events, d.Sender, d.SendTimeout, &lastAlert))
	}
	return requestLog(d.Logger, securityHeaders(recoverer(d.Logger, mux)))
}

// handleHealth is GET /api/health: the host's health details and the last
// delivery alert; 503 when the host reports a failure.
func handleHealth(health func() (map[string]any, bool), lastAlert *atomic.Pointer[Alert]) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := map[string]any{}, true
		if health != nil {
			var details map[string]any
			details, ok = health()
			maps.Copy(body, details)
		}
		if a := lastAlert.Load(); a != nil {
			body["last_alert"] = a
		}
		status, outcome := http.StatusOK, "ok"
		if !ok {
			status, outcome = http.StatusServiceUnavailable, "failing"
		}
		body["status"] = outcome
		infoFrom(r.Context()).outcome = outcome
		writeJSON(w, status, body)
	})
}
