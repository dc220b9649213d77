package mail

import (
	"fmt"
	"strings"
	"text/template"
	"time"
)

// Tags every email carries so that Resend's delivery events map back to an
// enquiry without reading any personal data (api/resendevents.go).
const (
	TagEnquiry = "enquiry" // the enquiry id
	TagEmail   = "email"   // which email: one of the Email… values below

	EmailReception = "reception" // reception's email of an enquiry
	EmailAck       = "ack"       // the visitor's acknowledgement
	EmailAlert     = "alert"     // an alert or note about a delivery problem: its own events are ignored
)

// DeliveryProblem is what a delivery event, or the spool, tells about one
// email of an enquiry. It holds no personal data.
type DeliveryProblem struct {
	EnquiryID string        // the enquiry id
	What      string        // "bounced", "complained", "failed", "delayed", "refused"
	ResendID  string        // Resend's id of the email, when known
	At        time.Time     // when it was reported
	Delay     time.Duration // for "delayed": how late it is
}

// alerts is templates/alerts.txt, the wording of Alert and AckBounced.
var alerts = template.Must(template.New("alerts.txt").Option("missingkey=error").ParseFS(templateFS, "templates/alerts.txt"))

// Alert is the email to alertTo when reception's email of an enquiry did
// not arrive: what happened and what to do. Its key makes a repeated event
// one email.
func Alert(from string, alertTo []string, p DeliveryProblem) *Message {
	return alertMessage("alert", p.EnquiryID+"-alert-"+TagSafe(p.What), from, alertTo, p)
}

// AckBounced is the short note to reception when the visitor's
// acknowledgement bounced: their email address does not work, so the
// clinic must call or message them.
func AckBounced(from string, reception []string, p DeliveryProblem) *Message {
	return alertMessage("ack-bounced", p.EnquiryID+"-ack-bounced", from, reception, p)
}

func alertMessage(name, key, from string, to []string, p DeliveryProblem) *Message {
	v := struct {
		DeliveryProblem
		What, Late, Reported, Verb, First string
	}{DeliveryProblem: p, What: TagSafe(p.What), Late: aboutDuration(p.Delay)}
	if !p.At.IsZero() {
		v.Reported = formatReceived(p.At)
	}
	run := func(name string) string {
		var b strings.Builder
		if err := alerts.ExecuteTemplate(&b, name, v); err != nil {
			panic(err) // the templates are part of the program; the tests run each one
		}
		return b.String()
	}
	problem := "problem " + v.What
	if alerts.Lookup(problem) == nil {
		problem = "problem unknown"
	}
	v.Verb, v.First, _ = strings.Cut(run(problem), "\n")
	return &Message{
		IdempotencyKey: key,
		From:           from,
		To:             append([]string(nil), to...),
		Subject:        run(name + "-subject"),
		Text:           run(name),
		Tags:           map[string]string{TagEnquiry: p.EnquiryID, TagEmail: EmailAlert},
	}
}

// aboutDuration says d the way a person would: "75 minutes", "3 hours".
func aboutDuration(d time.Duration) string {
	if d < 2*time.Hour {
		return fmt.Sprintf("%d minutes", int(d.Round(time.Minute).Minutes()))
	}
	return fmt.Sprintf("%d hours", int(d.Round(time.Hour).Hours()))
}
