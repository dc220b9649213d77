// Package api is the enquiry system's HTTP handler: POST /api/enquiry and
// GET /api/health, shared by every host (cmd/serve, Netlify, AWS Lambda).
// Replies follow docs/enquiry-contract.md.
package api

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/bluetreeclinics/site/functions/internal/config"
	"github.com/bluetreeclinics/site/functions/internal/delivery"
	"github.com/bluetreeclinics/site/functions/internal/enquiry"
	"github.com/bluetreeclinics/site/functions/internal/formpage"
	"github.com/bluetreeclinics/site/functions/internal/mail"
)

// Composer turns an enquiry into the emails to send, reception's first.
// *mail.Composer is one.
type Composer interface {
	Compose(*enquiry.Enquiry) ([]*mail.Message, error)
}

// Deps is everything the handler needs. Parser, Composer, Sender and
// SendTimeout are required; the rest have defaults.
type Deps struct {
	Parser   *enquiry.Parser
	Composer Composer
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
	// MaxClients bounds the rate limiter's memory; default 10000.
	MaxClients int
	// TrustProxy takes the client address from X-Nf-Client-Connection-Ip or
	// X-Forwarded-For instead of the connection.
	TrustProxy bool

	Now func() time.Time
	// Health adds to GET /api/health's reply (e.g. the spool depth); when
	// it reports false the reply is 503, for monitoring to see.
	Health func() (details map[string]any, ok bool)
	// SendTimeout bounds composing and sending one enquiry (required:
	// config.Config.SendTimeout).
	SendTimeout time.Duration
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

// Limits of the endpoint.
const (
	MaxBodyBytes      = 32 << 10
	defaultMaxClients = 10000
)

// New returns the handler with every route and the middleware chain.
func New(d Deps) http.Handler {
	if d.Parser == nil || d.Composer == nil || d.Sender == nil || d.SendTimeout <= 0 {
		panic("api: Deps.Parser, Composer, Sender and SendTimeout are required")
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.MaxClients <= 0 {
		d.MaxClients = defaultMaxClients
	}
	if d.Burst <= 0 {
		d.Burst = 1
	}
	s := &server{
		Deps:    d,
		origins: allowedOrigins(d.SiteURL, d.ExtraOrigins),
		limiter: newLimiter(d.RatePerMinute, d.Burst, d.MaxClients),
	}

	// Every route, in one place.
	mux := http.NewServeMux()
	mux.Handle("POST /api/enquiry", http.HandlerFunc(s.handleEnquiry))
	mux.Handle("GET /api/health", http.HandlerFunc(s.handleHealth))
	if d.Events.WebhookSecret != "" {
		s.events = newEventsHandler(s, d.Events)
		mux.Handle("POST /api/resend-events", s.events)
	}

	return chain(mux,
		requestLog(d.Logger),
		securityHeaders,
		recoverer(d.Logger),
	)
}

type server struct {
	Deps
	origins map[string]bool
	limiter *limiter
	events  *eventsHandler // nil without a webhook secret
}

func (s *server) handleHealth(w http.ResponseWriter, r *http.Request) {
	body, ok := map[string]any{}, true
	if s.Health != nil {
		var details map[string]any
		details, ok = s.Health()
		for k, v := range details {
			body[k] = v
		}
	}
	if s.events != nil {
		if a := s.events.last.Load(); a != nil {
			body["last_alert"] = a
		}
	}
	status, outcome := http.StatusOK, "ok"
	if !ok {
		status, outcome = http.StatusServiceUnavailable, "failing"
	}
	body["status"] = outcome
	infoFrom(r.Context()).outcome = outcome
	writeJSON(w, status, body)
}

// allowedOrigins is the set of "scheme://host[:port]" that may post.
func allowedOrigins(site *url.URL, extra []string) map[string]bool {
	m := map[string]bool{}
	if site != nil && site.Host != "" {
		m[site.Scheme+"://"+site.Host] = true
	}
	for _, o := range extra {
		if u, err := url.Parse(o); err == nil && u.Host != "" {
			m[u.Scheme+"://"+u.Host] = true
		}
	}
	return m
}
