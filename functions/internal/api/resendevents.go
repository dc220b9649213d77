package api

// POST /api/resend-events: Resend's delivery events (a webhook, signed as
// svix signs). The guarantee "no enquiry lost" otherwise ends where Resend
// says "accepted": this is how the clinic learns that reception's email
// bounced, was marked as spam, failed or is late (an alert to AlertTo), or
// that a visitor's acknowledgement bounced (a note to reception: phone them).
//
// Everything the endpoint needs comes from the event itself (Lambda keeps
// nothing between calls): the email's tags name the enquiry and which email
// it was (mail.TagEnquiry, mail.TagEmail). Every effect is idempotent: the
// alert's key is the enquiry id and the event, so Resend drops a repeat.
// Nothing personal is read or logged: not the addresses, not the subject.

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"
	"github.com/resend/resend-go/v2"

	"github.com/bluetreeclinics/site/functions/internal/config"
	"github.com/bluetreeclinics/site/functions/internal/delivery"
	"github.com/bluetreeclinics/site/functions/internal/mail"
)

// Events configures the endpoint; an empty WebhookSecret leaves it out.
type Events struct {
	config.Events          // the secret, AlertTo and DelayAlertAfter
	From          string   // the sender of the alerts (ENQUIRY_FROM)
	Reception     []string // where the acknowledgement-bounced note goes (ENQUIRY_TO)
}

// MaxEventBytes bounds one event: Resend's are a few KiB (a bounce carries
// the receiving server's message).
const MaxEventBytes = 256 << 10

// replayWindow is how long a delivery's svix-id is remembered: twice the
// signature's timestamp tolerance, past which Verify refuses it anyway.
const replayWindow = 2 * resend.DefaultWebhookToleranceSeconds * time.Second

// Alert is the last alert raised, shown by /api/health. No personal data.
type Alert struct {
	At      time.Time `json:"at"`
	Enquiry string    `json:"enquiry"`
	Problem string    `json:"problem"` // mail.DeliveryProblem.What
	Email   string    `json:"email"`   // mail.EmailReception or mail.EmailAck
}

// event is the part of Resend's event the endpoint reads.
type event struct {
	Type      string    `json:"type"`
	CreatedAt time.Time `json:"created_at"`
	Data      struct {
		EmailID   string          `json:"email_id"`
		CreatedAt time.Time       `json:"created_at"`
		Tags      json.RawMessage `json:"tags"`
	} `json:"data"`
}

// tags reads data.tags: Resend's reference gives an array of {name, value},
// some of its examples a name → value map; both are accepted.
func (e *event) tags() map[string]string {
	m := map[string]string{}
	if json.Unmarshal(e.Data.Tags, &m) == nil {
		return m
	}
	var list []struct{ Name, Value string }
	if json.Unmarshal(e.Data.Tags, &list) == nil {
		for _, t := range list {
			m[t.Name] = t.Value
		}
	}
	return m
}

// problems maps an event on reception's email to what the alert says.
var problems = map[string]string{
	resend.EventEmailBounced:         "bounced",
	resend.EventEmailComplained:      "complained",
	resend.EventEmailFailed:          "failed",
	resend.EventEmailDeliveryDelayed: "delayed",
}

// handleResendEvents is POST /api/resend-events; the alerts it raises are
// stored in lastAlert for /api/health.
func handleResendEvents(log *slog.Logger, cfg Events, sender delivery.Sender, timeout time.Duration, lastAlert *atomic.Pointer[Alert]) http.Handler {
	verifier := resend.NewClient("").Webhooks
	// The svix-ids acted on within replayWindow; Resend sends a few events
	// an hour, so a thousand cover it many times over.
	seen := expirable.NewLRU[string, bool](1000, nil, replayWindow)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info := infoFrom(r.Context())
		info.kind = "resend_event"
		answer := func(status int, outcome, key, text string) {
			info.outcome = outcome
			writeJSON(w, status, map[string]string{key: text})
		}
		body, err := readBody(w, r, MaxEventBytes)
		switch {
		case tooLarge(err):
			answer(http.StatusRequestEntityTooLarge, "too_large", "error", "event too large")
			return
		case err != nil:
			answer(http.StatusBadRequest, "bad_body", "error", "unreadable body")
			return
		}
		id := r.Header.Get("svix-id")
		if err := verifier.Verify(&resend.VerifyWebhookOptions{
			Payload:       string(body),
			WebhookSecret: cfg.WebhookSecret,
			Headers: resend.WebhookHeaders{
				Id:        id,
				Timestamp: r.Header.Get("svix-timestamp"),
				Signature: r.Header.Get("svix-signature"),
			},
		}); err != nil {
			// Verify's message says which check failed (no payload in it).
			log.WarnContext(r.Context(), "resend event refused: not signed by Resend", "reason", err.Error())
			answer(http.StatusUnauthorized, "bad_signature", "error", "signature not valid")
			return
		}
		if _, ok := seen.Get(id); ok {
			// A retry of a delivery already acted on, or a replay: no second effect.
			answer(http.StatusOK, "replay", "status", "already handled")
			return
		}
		var ev event
		if err := json.Unmarshal(body, &ev); err != nil || ev.Type == "" {
			answer(http.StatusBadRequest, "malformed", "error", "not a Resend event")
			return
		}
		m, alert, outcome := notice(r.Context(), log, cfg, &ev)
		if m != nil {
			sctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), timeout)
			err := sender.Send(sctx, m)
			cancel()
			if err != nil {
				// 503: Resend delivers the event again later.
				log.ErrorContext(r.Context(), "the delivery alert could not be sent; Resend will deliver the event again",
					"id", alert.Enquiry, "problem", alert.Problem, "error", err.Error())
				answer(http.StatusServiceUnavailable, "alert_not_sent", "status", "alert_not_sent")
				return
			}
			lastAlert.Store(alert)
		}
		seen.Add(id, true)
		answer(http.StatusOK, outcome, "status", outcome)
	})
}

// notice decides what an event calls for: the alert or the note to send,
// with the Alert /api/health shows once it is sent, or nothing and why.
func notice(ctx context.Context, log *slog.Logger, cfg Events, ev *event) (*mail.Message, *Alert, string) {
	tags := ev.tags()
	enq, which := tags[mail.TagEnquiry], tags[mail.TagEmail]
	if !mail.ValidKey(enq) || (which != mail.EmailReception && which != mail.EmailAck) {
		return nil, nil, "ignored" // not an enquiry's email (or an alert's own event)
	}
	infoFrom(ctx).id = enq
	p := mail.DeliveryProblem{EnquiryID: enq, ResendID: mail.TagSafe(ev.Data.EmailID), At: ev.CreatedAt}
	var m *mail.Message
	switch {
	case which == mail.EmailReception && problems[ev.Type] != "":
		p.What = problems[ev.Type]
		if p.What == "delayed" {
			if ev.CreatedAt.IsZero() || ev.Data.CreatedAt.IsZero() {
				return nil, nil, "ignored"
			}
			if p.Delay = ev.CreatedAt.Sub(ev.Data.CreatedAt); p.Delay < cfg.DelayAlertAfter {
				return nil, nil, "delay_below_threshold"
			}
		}
		m = mail.Alert(cfg.From, cfg.AlertTo, p)
		log.ErrorContext(ctx, "reception's email did not arrive: alerting", "id", enq,
			"problem", p.What, "resend_id", p.ResendID, "alert_key", m.IdempotencyKey)
	case which == mail.EmailAck && (ev.Type == resend.EventEmailBounced || ev.Type == resend.EventEmailFailed):
		p.What = "bounced"
		m = mail.AckBounced(cfg.From, cfg.Reception, p)
		log.WarnContext(ctx, "the visitor's acknowledgement bounced: telling reception to phone them", "id", enq,
			"resend_id", p.ResendID, "note_key", m.IdempotencyKey)
	default:
		return nil, nil, "ignored"
	}
	return m, &Alert{At: ev.CreatedAt.UTC(), Enquiry: enq, Problem: p.What, Email: which}, "alerted"
}
