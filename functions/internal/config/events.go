package config

import (
	"encoding/base64"
	"slices"
	"strings"
	"time"
)

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
