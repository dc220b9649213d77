package api

// Benchmarks of the whole enquiry handler in-process (middleware, decode,
// validation, compose, a no-op sender, the reply), as cmd/serve mounts it.
// They run only with -bench:
//
//	go test -run '^$' -bench . -benchmem ./functions/internal/api
//
// go run ./functions/cmd/perf runs them with -count 5 and reports medians.

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/bluetreeclinics/site/functions/internal/enquiry"
	"github.com/bluetreeclinics/site/functions/internal/formpage"
	"github.com/bluetreeclinics/site/functions/internal/mail"
)

// benchNow is a fixed clock (10:00 in Dubai) so the preferred date stays valid.
var benchNow = time.Date(2026, 3, 10, 10, 0, 0, 0, enquiry.DubaiLocation())

// nopSender accepts every message at once, like a fast Resend.
type nopSender struct{}

func (nopSender) Send(context.Context, *mail.Message) error { return nil }

func benchHandler(b *testing.B) http.Handler {
	b.Helper()
	cmp, err := mail.NewComposer(mail.ComposerConfig{
		From:    "Blue Tree Clinics website <enquiries@bluetree.example>",
		To:      []string{"reception@bluetree.example"},
		SiteURL: "https://www.bluetree.example",
	})
	if err != nil {
		b.Fatal(err)
	}
	site, _ := url.Parse("https://www.bluetree.example")
	now := func() time.Time { return benchNow }
	return New(Deps{
		Parser:   enquiry.NewParser([]byte("bench-secret-0123456789"), now),
		Composer: cmp,
		Sender:   nopSender{},
		Pages:    formpage.Dir(os.DirFS("../../testdata/public")),
		// The same text log line per request as cmd/serve writes, discarded.
		Logger:        slog.New(slog.NewTextHandler(io.Discard, nil)),
		SiteURL:       site,
		RatePerMinute: 0, // off: one client posting as fast as it can
		Now:           now,
		SendTimeout:   8 * time.Second,
	})
}

func benchForm() url.Values {
	return url.Values{
		"kind":    {"appointment"},
		"lang":    {"en"},
		"name":    {"Aisha Rahman"},
		"phone":   {"050 123 4567"},
		"email":   {"aisha@example.com"},
		"contact": {"email"},
		"consent": {"yes"},
		"date":    {benchNow.AddDate(0, 0, 7).Format("2006-01-02")},
		"time":    {"morning"},
		"message": {"Knee pain when climbing stairs."},
		"website": {""},
	}
}

func benchWith(v url.Values, kv ...string) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out.Set(kv[i], kv[i+1])
	}
	return out
}

const benchJSON = `{"kind":"suitability","lang":"en","name":"Omar Haddad","phone":"+971 55 765 4321",` +
	`"email":"","contact":"whatsapp","consent":true,"website":"","area":"knee","condition":"osteoarthritis",` +
	`"duration":"1-5-years","pain":6,"tried":["physiotherapy","painkillers"],"thinners":"no","note":"Worse in the morning."}`

// BenchmarkHandler: one POST /api/enquiry per iteration through api.New's
// handler (httptest request and recorder, no network).
func BenchmarkHandler(b *testing.B) {
	h := benchHandler(b)
	cases := []struct {
		name, ctype, accept, body string
		want                      int
	}{
		{"form_valid", typeForm, "", benchForm().Encode(), http.StatusSeeOther},
		{"form_invalid", typeForm, "", benchWith(benchForm(), "phone", "050 123", "email", "bad", "date", "2020-01-01").Encode(), http.StatusUnprocessableEntity},
		{"form_honeypot", typeForm, "", benchWith(benchForm(), "website", "http://spam.example").Encode(), http.StatusSeeOther},
		{"json_valid", typeJSON, "application/json", benchJSON, http.StatusOK},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(c.body)))
			for b.Loop() {
				r := httptest.NewRequest(http.MethodPost, "/api/enquiry", strings.NewReader(c.body))
				r.Header.Set("Content-Type", c.ctype)
				if c.accept != "" {
					r.Header.Set("Accept", c.accept)
				}
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if w.Code != c.want {
					b.Fatalf("status %d, want %d: %s", w.Code, c.want, w.Body)
				}
			}
		})
	}
}
