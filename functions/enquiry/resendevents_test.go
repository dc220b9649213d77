package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bluetreeclinics/site/functions/internal/delivery/resendtest"
	"github.com/bluetreeclinics/site/functions/internal/mail"
)

// signedNetlifyEvent is Resend's webhook delivery as Netlify hands it to
// the function (the /api/* rewrite), signed at signedAt.
func signedNetlifyEvent(t *testing.T, body []byte, id string, signedAt time.Time) []byte {
	t.Helper()
	h := map[string]string{"host": "www.bluetreeclinics.example", "x-nf-client-connection-ip": "44.228.126.217", "user-agent": "Svix-Webhooks/1.0"}
	for k, v := range resendtest.SignWebhook(resendtest.WebhookSecret, id, signedAt, body) {
		h[http.CanonicalHeaderKey(k)] = v[0]
	}
	b, err := json.Marshal(map[string]any{
		"path": "/.netlify/functions/enquiry/resend-events", "httpMethod": "POST", "headers": h,
		"rawUrl": testSite + "/api/resend-events", "body": string(body), "isBase64Encoded": false,
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// tampered is event with its body changed after signing.
func tampered(t *testing.T, event []byte) []byte {
	var m map[string]any
	if err := json.Unmarshal(event, &m); err != nil {
		t.Fatal(err)
	}
	m["body"] = strings.Replace(m["body"].(string), "email.bounced", "email.complained", 1)
	b, _ := json.Marshal(m)
	return b
}

// Through the Lambda adapter: an enquiry's emails are tagged; the bounce of
// reception's email, as Resend reports it with those tags, sends the alert
// through Resend; a badly signed or stale delivery and a replay do nothing.
// The function keeps nothing between calls: each event carries what it needs.
func TestResendEventsThroughLambda(t *testing.T) {
	fake := resendtest.NewServer(t)
	env := testEnv(fake.URL(), fake.APIKey)
	env["RESEND_WEBHOOK_SECRET"] = resendtest.WebhookSecret
	env["ENQUIRY_ALERT_TO"] = "it@bluetreeclinics.example"
	env["ENQUIRY_ACK"] = "true"
	var h http.Handler
	var stderr bytes.Buffer
	if err := run(context.Background(), getenvFrom(env), &stderr, func(got http.Handler) { h = got }); err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	body, _ := json.Marshal(appointmentJSON(t))
	if res := invoke(t, h, v2Event(t, "POST", "/api/enquiry", "application/json", string(body), false, "203.0.113.9")); res["statusCode"] != float64(200) {
		t.Fatalf("enquiry: %v", res)
	}
	emails := fake.Emails()
	if len(emails) != 2 {
		t.Fatalf("%d emails, want reception's and the acknowledgement", len(emails))
	}
	rec, ack := emails[0], emails[1]
	if rec.Tags[mail.TagEmail] != mail.EmailReception || rec.Tags[mail.TagEnquiry] != rec.IdempotencyKey ||
		ack.Tags[mail.TagEmail] != mail.EmailAck || ack.Tags[mail.TagEnquiry] != rec.IdempotencyKey {
		t.Fatalf("tags: reception %v, acknowledgement %v", rec.Tags, ack.Tags)
	}
	id := rec.IdempotencyKey

	bounce := resendtest.Event("email.bounced", rec.ID, rec.Tags, rec.Received, time.Now(), false)
	for _, c := range []struct {
		name   string
		event  []byte
		status float64
		emails int
	}{
		{"badly signed (the body changed after signing)", tampered(t, signedNetlifyEvent(t, bounce, "msg_x", time.Now())), 401, 2},
		{"stale", signedNetlifyEvent(t, bounce, "msg_1", time.Now().Add(-6*time.Minute)), 401, 2},
		{"reception's email bounced", signedNetlifyEvent(t, bounce, "msg_1", time.Now()), 200, 3},
		{"replayed", signedNetlifyEvent(t, bounce, "msg_1", time.Now()), 200, 3},
		{"malformed", signedNetlifyEvent(t, []byte(`[1,2`), "msg_2", time.Now()), 400, 3},
		{"delivered", signedNetlifyEvent(t, resendtest.Event("email.delivered", rec.ID, rec.Tags, rec.Received, time.Now(), true), "msg_3", time.Now()), 200, 3},
		{"acknowledgement bounced", signedNetlifyEvent(t, resendtest.Event("email.bounced", ack.ID, ack.Tags, ack.Received, time.Now(), true), "msg_4", time.Now()), 200, 4},
	} {
		res := invoke(t, h, c.event)
		if res["statusCode"] != c.status || len(fake.Emails()) != c.emails {
			t.Errorf("%s: %v %v, %d emails; want %v and %d", c.name, res["statusCode"], res["body"], len(fake.Emails()), c.status, c.emails)
		}
	}
	all := fake.Emails()
	if len(all) == 4 {
		if a := all[2]; a.IdempotencyKey != id+"-alert-bounced" || a.To[0] != "it@bluetreeclinics.example" {
			t.Errorf("alert: %s to %v", a.IdempotencyKey, a.To)
		}
		if n := all[3]; n.IdempotencyKey != id+"-ack-bounced" || n.To[0] != "reception@bluetreeclinics.example" {
			t.Errorf("note: %s to %v", n.IdempotencyKey, n.To)
		}
	}
}
