package resendtest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

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
