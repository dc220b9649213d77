package config

import (
	"bytes"
	"log/slog"
	"slices"
	"strings"
	"testing"
)

func env(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

func TestLoadDefaultsServe(t *testing.T) {
	c, err := Load(env(nil), Serve)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Outbox() {
		t.Error("no key: want outbox mode")
	}
	if c.From != DefaultOutboxFrom || !slices.Equal(c.To, []string{DefaultOutboxTo}) {
		t.Errorf("from/to = %q %q", c.From, c.To)
	}
	if c.SiteURL != nil {
		t.Errorf("SiteURL = %v, want nil (serve fills in its own URL)", c.SiteURL)
	}
	if c.RatePerMinute != DefaultRatePerMinute || c.Burst != DefaultBurst {
		t.Errorf("rate = %d/%d", c.RatePerMinute, c.Burst)
	}
	if c.OutboxDir != "outbox" || c.TrustProxy || c.Ack || c.LogLevel != slog.LevelInfo {
		t.Errorf("defaults: %+v", c)
	}
	if string(c.IDSecret) != devIDSecret {
		t.Errorf("outbox mode: want the fixed dev id secret")
	}
}

func TestLoadFull(t *testing.T) {
	c, err := Load(env(map[string]string{
		"RESEND_API_KEY":          "re_123456789",
		"ENQUIRY_FROM":            "Blue Tree <enquiries@bluetree.ae>",
		"ENQUIRY_TO":              `a@bluetree.ae, "Reception, Dubai" <b@bluetree.ae>`,
		"SITE_URL":                "https://www.BlueTree.ae/",
		"ENQUIRY_EXTRA_ORIGINS":   "https://deploy-preview-1--bluetree.netlify.app",
		"ENQUIRY_ACK":             "yes",
		"ENQUIRY_RATE_PER_MINUTE": "30",
		"ENQUIRY_RATE_BURST":      "8",
		"TRUST_PROXY":             "true",
		"LOG_LEVEL":               "debug",
		"RESEND_BASE_URL":         "http://127.0.0.1:9999/",
	}), Lambda)
	if err != nil {
		t.Fatal(err)
	}
	if c.Outbox() || c.SiteURL.String() != "https://www.bluetree.ae" {
		t.Errorf("site = %v", c.SiteURL)
	}
	if !slices.Equal(c.To, []string{"a@bluetree.ae", `"Reception, Dubai" <b@bluetree.ae>`}) {
		t.Errorf("to = %q", c.To)
	}
	if !c.Ack || !c.TrustProxy || c.RatePerMinute != 30 || c.Burst != 8 || c.LogLevel != slog.LevelDebug {
		t.Errorf("%+v", c)
	}
	if len(c.ExtraOrigins) != 1 || c.ExtraOrigins[0] != "https://deploy-preview-1--bluetree.netlify.app" {
		t.Errorf("extra origins = %q", c.ExtraOrigins)
	}
	// Derived from the key: equal in every instance, not the dev secret.
	c2, _ := Load(env(map[string]string{"RESEND_API_KEY": "re_123456789", "ENQUIRY_FROM": "a@b.ae", "ENQUIRY_TO": "c@d.ae"}), Serve)
	if !bytes.Equal(c.IDSecret, c2.IDSecret) || string(c.IDSecret) == devIDSecret {
		t.Error("id secret must be derived from the key, the same in every instance")
	}
	c3, _ := Load(env(map[string]string{"RESEND_API_KEY": "re_other", "ENQUIRY_FROM": "a@b.ae", "ENQUIRY_TO": "c@d.ae"}), Serve)
	if bytes.Equal(c.IDSecret, c3.IDSecret) {
		t.Error("different keys gave the same id secret")
	}
}

func TestLoadErrors(t *testing.T) {
	keyed := map[string]string{"RESEND_API_KEY": "re_x", "ENQUIRY_FROM": "a@b.ae", "ENQUIRY_TO": "c@d.ae"}
	with := func(base map[string]string, k, v string) map[string]string {
		m := map[string]string{}
		for a, b := range base {
			m[a] = b
		}
		m[k] = v
		return m
	}
	many := strings.Repeat("x@y.ae,", 51)
	tests := []struct {
		name string
		env  map[string]string
		mode Mode
		want string
	}{
		{"lambda without key", map[string]string{"SITE_URL": "https://a.ae", "ENQUIRY_FROM": "a@b.ae", "ENQUIRY_TO": "c@d.ae"}, Lambda, "RESEND_API_KEY: is required"},
		{"lambda without site", keyed, Lambda, "SITE_URL: is required"},
		{"key without from", with(keyed, "ENQUIRY_FROM", ""), Serve, "ENQUIRY_FROM: is required when RESEND_API_KEY is set"},
		{"key without to", with(keyed, "ENQUIRY_TO", ""), Serve, "ENQUIRY_TO: is required when RESEND_API_KEY is set"},
		{"bad to", with(keyed, "ENQUIRY_TO", "x"), Serve, `ENQUIRY_TO: "x" is not an email address`},
		{"bad second to", with(keyed, "ENQUIRY_TO", "a@b.ae, nope"), Serve, `ENQUIRY_TO: "nope" is not an email address`},
		{"too many to", with(keyed, "ENQUIRY_TO", many), Serve, "ENQUIRY_TO: has 51 addresses, at most 50"},
		{"bad from", map[string]string{"ENQUIRY_FROM": "clinic"}, Serve, `ENQUIRY_FROM: "clinic" is not an email address`},
		{"from with newline", map[string]string{"ENQUIRY_FROM": "a@b.ae\nBcc: x@y.ae"}, Serve, "ENQUIRY_FROM:"},
		{"site not absolute", map[string]string{"SITE_URL": "bluetree.ae"}, Serve, `SITE_URL: "bluetree.ae" is not an absolute http(s) URL`},
		{"site ftp", map[string]string{"SITE_URL": "ftp://bluetree.ae"}, Serve, "SITE_URL:"},
		{"site with path", map[string]string{"SITE_URL": "https://bluetree.ae/en/"}, Serve, "SITE_URL: \"https://bluetree.ae/en/\" is not an origin"},
		{"extra origin bad", map[string]string{"ENQUIRY_EXTRA_ORIGINS": "https://a.ae, nope"}, Serve, "ENQUIRY_EXTRA_ORIGINS:"},
		{"ack", map[string]string{"ENQUIRY_ACK": "maybe"}, Serve, `ENQUIRY_ACK: "maybe" is not true or false`},
		{"trust proxy", map[string]string{"TRUST_PROXY": "2"}, Serve, "TRUST_PROXY:"},
		{"short secret", map[string]string{"ENQUIRY_ID_SECRET": "abc"}, Serve, "ENQUIRY_ID_SECRET: is too short"},
		{"rate word", map[string]string{"ENQUIRY_RATE_PER_MINUTE": "ten"}, Serve, `ENQUIRY_RATE_PER_MINUTE: "ten" is not a whole number`},
		{"rate negative", map[string]string{"ENQUIRY_RATE_PER_MINUTE": "-1"}, Serve, "ENQUIRY_RATE_PER_MINUTE:"},
		{"burst zero", map[string]string{"ENQUIRY_RATE_BURST": "0"}, Serve, "ENQUIRY_RATE_BURST:"},
		{"log level", map[string]string{"LOG_LEVEL": "loud"}, Serve, `LOG_LEVEL: "loud" is not one of`},
		{"key with space", map[string]string{"RESEND_API_KEY": "re_ x", "ENQUIRY_FROM": "a@b.ae", "ENQUIRY_TO": "c@d.ae"}, Serve, "RESEND_API_KEY: contains spaces"},
		{"resend base url", map[string]string{"RESEND_BASE_URL": "localhost:1"}, Serve, "RESEND_BASE_URL:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(env(tt.env), tt.mode)
			if err == nil {
				t.Fatalf("no error, config %+v", c)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q\nwant it to contain %q", err, tt.want)
			}
		})
	}
}

func TestLoadReportsEveryProblem(t *testing.T) {
	_, err := Load(env(map[string]string{"ENQUIRY_ACK": "x", "LOG_LEVEL": "y", "SITE_URL": "z"}), Serve)
	for _, v := range []string{"ENQUIRY_ACK", "LOG_LEVEL", "SITE_URL"} {
		if err == nil || !strings.Contains(err.Error(), v) {
			t.Errorf("error %v does not name %s", err, v)
		}
	}
}
