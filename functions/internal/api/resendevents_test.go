package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/bluetreeclinics/site/functions/internal/config"
	"github.com/bluetreeclinics/site/functions/internal/delivery/resendtest"
	"github.com/bluetreeclinics/site/functions/internal/mail"
)

const (
	testEnquiry = "enq_2026-03-10_abc123"
	alertTo     = "it@bluetree.example"
	reception   = "reception@bluetree.example"
)

func eventsEnv(t *testing.T, sender *fakeSender) *env {
	return newEnv(t, sender, func(d *Deps) {
		d.Events = Events{
			Events:    config.Events{WebhookSecret: resendtest.WebhookSecret, AlertTo: []string{alertTo}, DelayAlertAfter: time.Hour},
			From:      "Blue Tree Clinics website <enquiries@bluetree.example>",
			Reception: []string{reception},
		}
	})
}

var eventSeq int

// postEvent sends body signed as Resend signs it, at signedAt, under a
// new svix-id unless id is given.
func postEvent(e *env, body []byte, id string, signedAt time.Time) *httptest.ResponseRecorder {
	if id == "" {
		eventSeq++
		id = "msg_test" + string(rune('a'+eventSeq%26)) + time.Now().Format("150405.000000000")
	}
	r := httptest.NewRequest("POST", "/api/resend-events", bytes.NewReader(body))
	for k, v := range resendtest.SignWebhook(resendtest.WebhookSecret, id, signedAt, body) {
		r.Header[k] = v
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	return w
}

func receptionTags() map[string]string {
	return map[string]string{"kind": "appointment", "lang": "en", mail.TagEnquiry: testEnquiry, mail.TagEmail: mail.EmailReception}
}

func TestResendEventsAlertAndNote(t *testing.T) {
	sent := time.Now().Add(-2 * time.Minute)
	ackTags := map[string]string{"kind": "ack", "lang": "ar", mail.TagEnquiry: testEnquiry, mail.TagEmail: mail.EmailAck}
	for _, c := range []struct {
		name    string
		typ     string
		tags    map[string]string
		asMap   bool
		sent    time.Time
		outcome string
		key     string // the alert or note sent; "" for none
		to      string
	}{
		{"reception bounced", "email.bounced", receptionTags(), false, sent, "alerted", testEnquiry + "-alert-bounced", alertTo},
		{"reception complained, tags as a map", "email.complained", receptionTags(), true, sent, "alerted", testEnquiry + "-alert-complained", alertTo},
		{"reception failed", "email.failed", receptionTags(), false, sent, "alerted", testEnquiry + "-alert-failed", alertTo},
		{"reception delayed a little", "email.delivery_delayed", receptionTags(), false, sent, "delay_below_threshold", "", ""},
		{"reception delayed past the threshold", "email.delivery_delayed", receptionTags(), false, time.Now().Add(-3 * time.Hour), "alerted", testEnquiry + "-alert-delayed", alertTo},
		{"reception delivered", "email.delivered", receptionTags(), false, sent, "ignored", "", ""},
		{"reception opened", "email.opened", receptionTags(), true, sent, "ignored", "", ""},
		{"acknowledgement bounced", "email.bounced", ackTags, false, sent, "alerted", testEnquiry + "-ack-bounced", reception},
		{"acknowledgement delivered", "email.delivered", ackTags, false, sent, "ignored", "", ""},
		{"an alert's own bounce", "email.bounced", map[string]string{mail.TagEnquiry: testEnquiry, mail.TagEmail: mail.EmailAlert}, false, sent, "ignored", "", ""},
		{"no tags", "email.bounced", nil, false, sent, "ignored", "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			sender := &fakeSender{}
			e := eventsEnv(t, sender)
			body := resendtest.Event(c.typ, "4ef9a417-02e9-4d39-ad75-9611e0fcc33c", c.tags, c.sent, time.Now(), c.asMap)
			w := postEvent(e, body, "", time.Now())
			if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"status":"`+c.outcome+`"`) {
				t.Fatalf("%d %s, want 200 %s", w.Code, w.Body, c.outcome)
			}
			msgs := sender.sent()
			if c.key == "" {
				if len(msgs) != 0 {
					t.Errorf("sent %d emails, want none", len(msgs))
				}
				return
			}
			if len(msgs) != 1 || msgs[0].IdempotencyKey != c.key || msgs[0].To[0] != c.to || msgs[0].Tags[mail.TagEmail] != mail.EmailAlert {
				t.Fatalf("sent %+v, want one email %s to %s", msgs, c.key, c.to)
			}
			m := msgs[0]
			if !strings.Contains(m.Text, testEnquiry) || !strings.Contains(m.Subject, testEnquiry) {
				t.Errorf("the email does not name the enquiry:\n%s\n%s", m.Subject, m.Text)
			}
			// Nothing personal from the event reaches the email or the log.
			logs := e.log.String()
			for _, s := range []string{"someone@example.org", "Private Name", "mailbox unavailable"} {
				if strings.Contains(m.Text+m.Subject, s) || strings.Contains(logs, s) {
					t.Errorf("%q leaked into the email or the log", s)
				}
			}
			if c.to == alertTo {
				if !strings.Contains(logs, `"level":"ERROR"`) || !strings.Contains(logs, `"id":"`+testEnquiry+`"`) {
					t.Errorf("no ERROR line with the enquiry id:\n%s", logs)
				}
				// /api/health shows the last alert.
				hw := httptest.NewRecorder()
				e.h.ServeHTTP(hw, httptest.NewRequest("GET", "/api/health", nil))
				var h struct {
					LastAlert *Alert `json:"last_alert"`
				}
				json.Unmarshal(hw.Body.Bytes(), &h)
				if h.LastAlert == nil || h.LastAlert.Enquiry != testEnquiry || h.LastAlert.Email != mail.EmailReception {
					t.Errorf("health %s", hw.Body)
				}
			}
			t.Logf("%s\nSubject: %s\nTo: %s\n\n%s", c.name, m.Subject, strings.Join(m.To, ", "), m.Text)
		})
	}
}

func TestResendEventsRefused(t *testing.T) {
	sender := &fakeSender{}
	e := eventsEnv(t, sender)
	body := resendtest.Event("email.bounced", "re_1", receptionTags(), time.Now(), time.Now(), false)

	// Unsigned.
	r := httptest.NewRequest("POST", "/api/resend-events", bytes.NewReader(body))
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	if w.Code != http.StatusUnauthorized {
		t.Errorf("unsigned: %d", w.Code)
	}
	// Badly signed: the signature of another body.
	r = httptest.NewRequest("POST", "/api/resend-events", bytes.NewReader(body))
	for k, v := range resendtest.SignWebhook(resendtest.WebhookSecret, "msg_bad", time.Now(), []byte(`{"type":"email.delivered"}`)) {
		r.Header[k] = v
	}
	w = httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	if w.Code != http.StatusUnauthorized {
		t.Errorf("bad signature: %d", w.Code)
	}
	// Signed with another secret.
	r = httptest.NewRequest("POST", "/api/resend-events", bytes.NewReader(body))
	for k, v := range resendtest.SignWebhook("whsec_b3RoZXItc2VjcmV0", "msg_other", time.Now(), body) {
		r.Header[k] = v
	}
	w = httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	if w.Code != http.StatusUnauthorized {
		t.Errorf("another secret: %d", w.Code)
	}
	// Stale: signed ten minutes ago (the tolerance is five).
	if w := postEvent(e, body, "msg_stale", time.Now().Add(-10*time.Minute)); w.Code != http.StatusUnauthorized {
		t.Errorf("stale: %d", w.Code)
	}
	if n := len(sender.sent()); n != 0 {
		t.Fatalf("%d emails sent for refused deliveries", n)
	}
	// Malformed, though signed.
	if w := postEvent(e, []byte(`{"type":`), "msg_malformed", time.Now()); w.Code != http.StatusBadRequest {
		t.Errorf("malformed: %d", w.Code)
	}
	// Too large.
	big := append([]byte(`{"type":"email.bounced","pad":"`), bytes.Repeat([]byte("x"), MaxEventBytes)...)
	if w := postEvent(e, append(big, `"}`...), "msg_big", time.Now()); w.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("too large: %d", w.Code)
	}
	// A replay of a delivery already acted on: acknowledged, no second alert.
	if w := postEvent(e, body, "msg_once", time.Now()); w.Code != http.StatusOK {
		t.Fatalf("first delivery: %d %s", w.Code, w.Body)
	}
	if w := postEvent(e, body, "msg_once", time.Now()); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "already handled") {
		t.Errorf("replay: %d %s", w.Code, w.Body)
	}
	if n := len(sender.sent()); n != 1 {
		t.Errorf("%d alerts after a replay, want 1", n)
	}
	if strings.Contains(e.log.String(), "someone@example.org") {
		t.Error("an address reached the log")
	}
}

// When the alert cannot be sent, Resend is asked to deliver the event
// again (503), and the retry, same svix-id, is acted on.
func TestResendEventsRetriedWhenAlertFails(t *testing.T) {
	sender := &fakeSender{err: errors.New("resend down")}
	e := eventsEnv(t, sender)
	body := resendtest.Event("email.bounced", "re_2", receptionTags(), time.Now(), time.Now(), false)
	if w := postEvent(e, body, "msg_retry", time.Now()); w.Code != http.StatusServiceUnavailable {
		t.Fatalf("alert not sent: %d", w.Code)
	}
	sender.mu.Lock()
	sender.err = nil
	sender.mu.Unlock()
	if w := postEvent(e, body, "msg_retry", time.Now()); w.Code != http.StatusOK || len(sender.sent()) != 1 {
		t.Errorf("retry: %d %s, %d alerts", w.Code, w.Body, len(sender.sent()))
	}
}

// Without a secret the endpoint does not exist.
func TestResendEventsOffWithoutSecret(t *testing.T) {
	e := newEnv(t, &fakeSender{}, nil)
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, httptest.NewRequest("POST", "/api/resend-events", strings.NewReader("{}")))
	if w.Code != http.StatusNotFound {
		t.Errorf("%d", w.Code)
	}
}
