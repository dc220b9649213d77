// Package config reads the enquiry system's settings from the environment,
// once, at start. Every bad value is an error that names its variable, so a
// misconfigured deploy fails at start instead of on a visitor's enquiry.
//
// The variables are listed in .env.example and docs/operations.md.
package config

import (
	"cmp"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/bluetreeclinics/site/data"
	"github.com/bluetreeclinics/site/functions/internal/mail"
)

// Mode says which program reads the configuration: the rules differ.
type Mode int

const (
	// Serve is functions/cmd/serve: without RESEND_API_KEY it writes emails
	// into a local outbox, and SITE_URL defaults to its own listen URL.
	Serve Mode = iota
	// Lambda is the serverless function: it has no disk to keep emails on,
	// so RESEND_API_KEY, ENQUIRY_FROM, ENQUIRY_TO and SITE_URL are required.
	Lambda
)

// Defaults used when a variable is not set.
const (
	DefaultOutboxTo                = "reception@localhost"
	DefaultRatePerMinute           = 10
	DefaultBurst                   = 5
	DefaultMaxConnections          = 1024
	DefaultMaxConnectionsPerClient = 64

	// The time budget of composing and sending one enquiry. Self-hosted,
	// sending is only writing the spool (Resend is called by its worker).
	// The serverless function has no spool: Netlify stops a synchronous function after 10 s
	// (AWS Lambda after its configured timeout, 15 s in docs/deploy.md), so sending,
	// with Resend's retries, must end in time to answer 503 with the form
	// page, which may need fetching, rather than be cut off with a bare 502.
	ServeSendTimeout  = 8 * time.Second
	LambdaSendTimeout = 6 * time.Second

	// devIDSecret keys enquiry ids in outbox mode. Outbox ids only need to be
	// stable on one machine; nothing secret is protected by them.
	devIDSecret = "bluetree-local-outbox-enquiry-id-secret"
)

// DefaultOutboxFrom is the sender of the emails in the local outbox.
var DefaultOutboxFrom = data.ClinicDetails().Name.En + " website <enquiries@localhost>"

// Config is the validated configuration.
type Config struct {
	// ResendAPIKey is empty in outbox mode (Serve only).
	ResendAPIKey string
	// ResendBaseURL overrides Resend's API URL (a proxy or a test server);
	// empty means the library default.
	ResendBaseURL string

	From string   // one address, may carry a display name
	To   []string // 1 to 50 addresses

	// SiteURL is the site's origin (scheme://host[:port], no path). Nil in
	// Serve mode when SITE_URL is unset: the server uses its own URL.
	SiteURL *url.URL
	// ExtraOrigins are further origins allowed to post (e.g. Netlify deploy
	// previews), from ENQUIRY_EXTRA_ORIGINS.
	ExtraOrigins []string

	Ack bool // send an acknowledgement to the visitor

	// IDSecret keys the enquiry id (an HMAC of the answers). It must be the
	// same in every instance of the function: the id is Resend's
	// Idempotency-Key, and a retry that lands on another Lambda instance must
	// produce the same id, or reception gets the enquiry twice. A random
	// per-process secret would break that, so the default is derived from
	// the API key (which every instance shares) and never random.
	IDSecret []byte

	RatePerMinute int // per client; 0 turns the limit off
	Burst         int

	OutboxDir string // Serve without a key: where .eml files go
	Spool     Spool  // Serve with a key
	Addr      string // Serve: where to listen (the -addr flag's default)

	// MaxConnections caps the open connections in all (Serve only),
	// MaxConnectionsPerClient those of one address (not applied with
	// TrustProxy, where every connection comes from the proxy).
	MaxConnections, MaxConnectionsPerClient int

	SendTimeout time.Duration // see ServeSendTimeout

	// TrustProxy takes the client address from X-Nf-Client-Connection-Ip or
	// X-Forwarded-For. Only safe behind a proxy that sets them.
	TrustProxy bool

	LogLevel slog.Level

	// Events: Resend's delivery events and the alerts they raise.
	Events Events
}

// Spool is the self-hosted server's on-disk spool of emails and the pace
// its worker sends them to Resend at.
type Spool struct {
	Dir string // SPOOL_DIR
	// ResendRate is the most calls per second the worker makes to Resend
	// (RESEND_RATE_PER_SECOND; Resend allows 5 per team by default).
	ResendRate int
	// MaxBytes is the spool's size limit (SPOOL_MAX_MB); past it,
	// enquiries are refused with 503 and the form kept.
	MaxBytes int64
	// AlertAfter is how long an email may wait unsent before /api/health
	// answers 503 (SPOOL_ALERT_AFTER, a Go duration such as "15m"); an
	// unwritable spool fails the health at once.
	AlertAfter time.Duration
}

// Outbox reports whether emails go to the local outbox instead of Resend.
func (c *Config) Outbox() bool { return c.ResendAPIKey == "" }

// Load reads and validates the configuration. All problems are reported
// together, each naming its variable.
func Load(getenv func(string) string, mode Mode) (*Config, error) {
	l := loader{getenv: getenv}
	c := &Config{}

	c.ResendAPIKey = l.str("RESEND_API_KEY")
	if strings.ContainsFunc(c.ResendAPIKey, unicode.IsSpace) {
		l.fail("RESEND_API_KEY", "contains spaces")
	}
	if mode == Lambda && c.ResendAPIKey == "" {
		l.fail("RESEND_API_KEY", "is required (the function has no outbox to write emails to)")
	}
	if v := l.str("RESEND_BASE_URL"); v != "" {
		if _, err := absoluteURL(v); err != nil {
			l.fail("RESEND_BASE_URL", "%v", err)
		} else {
			c.ResendBaseURL = v
		}
	}

	keyed := c.ResendAPIKey != ""
	c.From = l.address("ENQUIRY_FROM", keyed, DefaultOutboxFrom)
	c.To = l.addressList("ENQUIRY_TO", keyed, DefaultOutboxTo)

	if v := l.str("SITE_URL"); v != "" {
		u, err := ParseOrigin(v)
		if err != nil {
			l.fail("SITE_URL", "%v", err)
		}
		c.SiteURL = u
	} else if mode == Lambda {
		l.fail("SITE_URL", "is required (the site's address, e.g. https://www.example.ae)")
	}
	for _, o := range splitList(l.str("ENQUIRY_EXTRA_ORIGINS")) {
		if u, err := ParseOrigin(o); err != nil {
			l.fail("ENQUIRY_EXTRA_ORIGINS", "%v", err)
		} else {
			c.ExtraOrigins = append(c.ExtraOrigins, u.String())
		}
	}

	c.Ack = l.boolean("ENQUIRY_ACK", false)

	switch secret := l.str("ENQUIRY_ID_SECRET"); {
	case secret != "":
		if len(secret) < 16 {
			l.fail("ENQUIRY_ID_SECRET", "is too short (at least 16 characters)")
		}
		c.IDSecret = []byte(secret)
	case keyed:
		mac := hmac.New(sha256.New, []byte(c.ResendAPIKey))
		mac.Write([]byte("bluetree enquiry id v1"))
		c.IDSecret = mac.Sum(nil)
	default:
		c.IDSecret = []byte(devIDSecret)
	}

	c.RatePerMinute = l.integer("ENQUIRY_RATE_PER_MINUTE", DefaultRatePerMinute, 0, 100000)
	c.Burst = l.integer("ENQUIRY_RATE_BURST", DefaultBurst, 1, 100000)

	c.OutboxDir = cmp.Or(l.str("OUTBOX_DIR"), "outbox")
	c.Spool = Spool{
		Dir:        cmp.Or(l.str("SPOOL_DIR"), "spool"),
		ResendRate: l.integer("RESEND_RATE_PER_SECOND", 5, 1, 1000),
		MaxBytes:   int64(l.integer("SPOOL_MAX_MB", 100, 1, 1<<20)) << 20,
		AlertAfter: l.duration("SPOOL_ALERT_AFTER", 15*time.Minute, time.Second, 7*24*time.Hour, "1s to 168h, such as 15m"),
	}
	c.Addr = l.str("ADDR")
	if c.Addr == "" {
		c.Addr = "localhost:8080"
		if port := l.integer("PORT", -1, 0, 65535); port >= 0 {
			c.Addr = ":" + strconv.Itoa(port) // hosting platforms that set PORT expect every interface
		}
	}
	c.MaxConnections = l.integer("MAX_CONNECTIONS", DefaultMaxConnections, 16, 1<<20)
	c.MaxConnectionsPerClient = l.integer("MAX_CONNECTIONS_PER_CLIENT", DefaultMaxConnectionsPerClient, 1, 1<<20)
	c.SendTimeout = ServeSendTimeout
	if mode == Lambda {
		c.SendTimeout = LambdaSendTimeout
	}
	c.TrustProxy = l.boolean("TRUST_PROXY", false)
	c.Events = l.events(c.To)

	if v := l.str("LOG_LEVEL"); v != "" {
		if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil {
			l.fail("LOG_LEVEL", "%q is not one of debug, info, warn, error", v)
		}
	}

	l.liveSite(data.ClinicDetails(), c.SiteURL)

	if len(l.errs) > 0 {
		return nil, errors.Join(l.errs...)
	}
	return c, nil
}

// ParseOrigin accepts an absolute http(s) URL with no path beyond "/", no
// query, fragment or user info, and returns it as an origin.
func ParseOrigin(s string) (*url.URL, error) {
	u, err := absoluteURL(s)
	if err != nil {
		return nil, err
	}
	if u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return nil, fmt.Errorf("%q is not an origin (scheme and host only, no path)", s)
	}
	return &url.URL{Scheme: u.Scheme, Host: strings.ToLower(u.Host)}, nil
}

func absoluteURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("%q is not an absolute http(s) URL", s)
	}
	return u, nil
}

type loader struct {
	getenv func(string) string
	errs   []error
}

func (l *loader) fail(name, format string, args ...any) {
	l.errs = append(l.errs, fmt.Errorf("%s: %s", name, fmt.Sprintf(format, args...)))
}

func (l *loader) str(name string) string { return strings.TrimSpace(l.getenv(name)) }

func (l *loader) boolean(name string, def bool) bool {
	v := l.str(name)
	switch strings.ToLower(v) {
	case "":
		return def
	case "1", "t", "true", "yes", "y", "on":
		return true
	case "0", "f", "false", "no", "n", "off":
		return false
	}
	l.fail(name, "%q is not true or false", v)
	return def
}

func (l *loader) integer(name string, def, min, max int) int {
	return number(l, name, def, min, max, strconv.Atoi, fmt.Sprintf("a whole number from %d to %d", min, max))
}

// duration reads a Go duration from min to max; span says so in words.
func (l *loader) duration(name string, def, min, max time.Duration, span string) time.Duration {
	return number(l, name, def, min, max, time.ParseDuration, "a duration from "+span)
}

// number reads name with parse; unset, it is def, and a value that does not
// parse or is not from min to max is a failure that says what it must be.
func number[T int | time.Duration](l *loader, name string, def, min, max T, parse func(string) (T, error), what string) T {
	v := l.str(name)
	if v == "" {
		return def
	}
	n, err := parse(v)
	if err != nil || n < min || n > max {
		l.fail(name, "%q is not %s", v, what)
		return def
	}
	return n
}

func (l *loader) address(name string, required bool, def string) string {
	v := l.str(name)
	if v == "" {
		if required {
			l.fail(name, "is required when RESEND_API_KEY is set")
		}
		return def
	}
	if err := mail.CheckAddress(v); err != nil {
		l.fail(name, "%v", err)
	}
	return v
}

func (l *loader) addressList(name string, required bool, def string) []string {
	v := l.str(name)
	if v == "" {
		if required {
			l.fail(name, "is required when RESEND_API_KEY is set")
		}
		return []string{def}
	}
	list := splitList(v)
	if len(list) == 0 {
		l.fail(name, "%q holds no address", v)
		return nil
	}
	if len(list) > mail.MaxRecipients {
		l.fail(name, "has %d addresses, at most %d allowed", len(list), mail.MaxRecipients)
	}
	for _, a := range list {
		if err := mail.CheckAddress(a); err != nil {
			l.fail(name, "%v", err)
		}
	}
	return list
}

// splitList splits on commas outside double quotes, so a display name like
// "Reception, Dubai" <r@b.ae> stays whole.
func splitList(s string) []string {
	var out []string
	start, quoted := 0, false
	for i, r := range s + "," {
		switch {
		case r == '"':
			quoted = !quoted
		case r == ',' && !quoted:
			if t := strings.TrimSpace(s[start:min(i, len(s))]); t != "" {
				out = append(out, t)
			}
			start = i + 1
		}
	}
	if quoted { // an unclosed quote: the rest is one item
		if t := strings.TrimSpace(s[start:]); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// Events configures the endpoint for Resend's delivery events
// (/api/resend-events, functions/internal/api/resendevents.go).
type Events struct {
	// WebhookSecret is the endpoint's signing secret from Resend
	// (RESEND_WEBHOOK_SECRET, "whsec_…"); empty turns the endpoint off.
	WebhookSecret string
	// AlertTo receives the alert when reception's email bounced, was
	// marked as spam, failed or was delayed (ENQUIRY_ALERT_TO): not
	// reception's own mailbox, which is the one in trouble.
	AlertTo []string
	// DelayAlertAfter is how late reception's email may be before a
	// "delivery delayed" event raises an alert (RESEND_DELAY_ALERT_AFTER;
	// by default an hour: reception answers within a working day, and a few
	// minutes late is normal greylisting).
	DelayAlertAfter time.Duration
}

func (l *loader) events(to []string) Events {
	e := Events{WebhookSecret: l.str("RESEND_WEBHOOK_SECRET")}
	if e.WebhookSecret != "" {
		if _, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(e.WebhookSecret, "whsec_")); err != nil || !strings.HasPrefix(e.WebhookSecret, "whsec_") {
			l.fail("RESEND_WEBHOOK_SECRET", "is not a signing secret as Resend shows it (whsec_ followed by base64)")
		}
	}
	if v := l.str("ENQUIRY_ALERT_TO"); v != "" {
		e.AlertTo = l.addressList("ENQUIRY_ALERT_TO", false, "")
		for _, a := range e.AlertTo {
			if slices.ContainsFunc(to, func(r string) bool { return strings.EqualFold(a, r) }) {
				l.fail("ENQUIRY_ALERT_TO", "must differ from ENQUIRY_TO: the alert is about reception's mailbox")
			}
		}
	} else if e.WebhookSecret != "" {
		l.fail("ENQUIRY_ALERT_TO", "is required when RESEND_WEBHOOK_SECRET is set (where alerts about reception's mailbox go)")
	}
	e.DelayAlertAfter = l.duration("RESEND_DELAY_ALERT_AFTER", time.Hour, time.Minute, 72*time.Hour, "1m to 72h, such as 1h")
	return e
}
