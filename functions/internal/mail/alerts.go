package mail

import (
	"fmt"
	"strings"
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

// problemText says what happened to reception's email, for the alert.
var problemText = map[string]string{
	"bounced":    "Reception's mailbox refused the email for enquiry %s (it bounced).",
	"complained": "Reception's mail system marked the email for enquiry %s as spam: later enquiries may land in the spam folder or be refused.",
	"failed":     "Resend could not send the email for enquiry %s to reception.",
	"delayed":    "The email for enquiry %s has not reached reception's mailbox after %s: the receiving mail server keeps deferring it.",
	"refused":    "Resend refused the email for enquiry %s, even without the visitor's address as reply-to. It was set aside so that the other enquiries keep going out.",
}

// ProblemKnown reports whether What is one Alert can describe.
func ProblemKnown(what string) bool { _, ok := problemText[what]; return ok }

// Alert is the email to alertTo when reception's email of an enquiry did
// not arrive: what happened and what to do. Its key makes a repeated event
// one email.
func Alert(from string, alertTo []string, p DeliveryProblem) *Message {
	format, ok := problemText[p.What]
	if !ok {
		format = "Something went wrong with the email for enquiry %s (" + TagSafe(p.What) + ")."
	}
	var b strings.Builder
	if p.What == "delayed" {
		fmt.Fprintf(&b, format, p.EnquiryID, aboutDuration(p.Delay))
	} else {
		fmt.Fprintf(&b, format, p.EnquiryID)
	}
	b.WriteString("\n\nReception may not have this enquiry, and the visitor is waiting to be called. What to do:\n\n")
	if p.What == "refused" {
		fmt.Fprintf(&b, "1. Find the enquiry in the server's spool folder: the file %s.json.refused holds it. Pass it to reception by hand, then delete the file (it holds health details).\n", p.EnquiryID)
		b.WriteString("2. Tell the website's developer: Resend's log (https://resend.com/emails) shows why it was refused.\n")
	} else {
		if p.ResendID != "" {
			fmt.Fprintf(&b, "1. Open the email in Resend's log, https://resend.com/emails/%s, and pass the enquiry to reception.\n", p.ResendID)
		} else {
			fmt.Fprintf(&b, "1. Find the email in Resend's log (https://resend.com/emails) by the enquiry id %s, and pass the enquiry to reception.\n", p.EnquiryID)
		}
		b.WriteString("2. Check reception's mailbox: is it full, moved, or is the address in ENQUIRY_TO misspelt? Check its spam folder too.\n")
	}
	fmt.Fprintf(&b, "\nEnquiry id: %s\n", p.EnquiryID)
	if p.ResendID != "" {
		fmt.Fprintf(&b, "Resend email id: %s\n", p.ResendID)
	}
	if !p.At.IsZero() {
		fmt.Fprintf(&b, "Reported: %s\n", formatReceived(p.At))
	}
	b.WriteString("\nThis alert comes from the website's enquiry system. It holds no personal details: those are only in the enquiry itself.\n")
	return &Message{
		IdempotencyKey: p.EnquiryID + "-alert-" + TagSafe(p.What),
		From:           from,
		To:             append([]string(nil), alertTo...),
		Subject:        fmt.Sprintf("Alert: reception's email for enquiry %s %s", p.EnquiryID, subjectVerb[p.What]),
		Text:           b.String(),
		Tags:           map[string]string{TagEnquiry: p.EnquiryID, TagEmail: EmailAlert},
	}
}

var subjectVerb = map[string]string{
	"bounced":    "bounced",
	"complained": "was marked as spam",
	"failed":     "failed",
	"delayed":    "is delayed",
	"refused":    "was refused by Resend",
}

// AckBounced is the short note to reception when the visitor's
// acknowledgement bounced: their email address does not work, so the
// clinic must call or message them.
func AckBounced(from string, reception []string, p DeliveryProblem) *Message {
	text := fmt.Sprintf("Enquiry %s: the visitor's email address bounced.\n\n"+
		"The short acknowledgement we emailed the visitor came back: the address they typed does not accept mail (perhaps a typing mistake). "+
		"Phone or WhatsApp them instead, using the number in the enquiry email; a reply by email will not reach them.\n\n"+
		"Enquiry id: %s\n", p.EnquiryID, p.EnquiryID)
	return &Message{
		IdempotencyKey: p.EnquiryID + "-ack-bounced",
		From:           from,
		To:             append([]string(nil), reception...),
		Subject:        fmt.Sprintf("Enquiry %s: the visitor's email address bounced; phone them instead", p.EnquiryID),
		Text:           text,
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
