package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/bluetreeclinics/site/data"
	"github.com/bluetreeclinics/site/functions/internal/enquiry"
	"github.com/bluetreeclinics/site/functions/internal/formpage"
)

// Reason is why an enquiry was refused, as the visitor's reply sees it
// (not to be confused with the enquiry's kind).
type Reason int

const (
	ReasonMalformed Reason = iota + 1
	ReasonTooLarge
	ReasonUnsupportedType
	ReasonForbiddenOrigin
	ReasonRateLimited
	ReasonInvalid
	ReasonUnavailable // mail could not be sent
	ReasonInternal
)

// The replies' messages, in the visitor's language: none quotes what the
// visitor sent.
var (
	textMalformed       = data.Text{En: "We could not read what was sent. Please try again.", Ar: "تعذّرت علينا قراءة البيانات المُرسلة. يُرجى المحاولة مرة أخرى."}
	textTooLarge        = data.Text{En: "What you sent is too long. Please shorten your message and try again.", Ar: "البيانات المُرسلة أطول من المسموح. يُرجى اختصار رسالتك والمحاولة مرة أخرى."}
	textUnsupportedType = data.Text{En: "The form was sent in a way we cannot read. Please send it again from our website.", Ar: "أُرسل النموذج بطريقة لا يمكننا قراءتها. يُرجى إرساله مرة أخرى من موقعنا الإلكتروني."}
	textRateLimited     = data.Text{En: "Too many enquiries have been sent from your connection. Please wait a few minutes and try again.", Ar: "أُرسل عدد كبير من الاستفسارات من اتصالك. يُرجى الانتظار بضع دقائق ثم المحاولة مرة أخرى."}
	// textUnavailable: mail could not be sent; try again, or phone / WhatsApp.
	textUnavailable     = data.Text{En: "We could not send your enquiry just now. Please try again in a few minutes, or call or WhatsApp us.", Ar: "تعذّر إرسال استفسارك الآن. يُرجى المحاولة مرة أخرى بعد بضع دقائق، أو الاتصال بنا أو مراسلتنا عبر واتساب."}
	textForbiddenOrigin = data.Text{En: "This form can only be sent from our website.", Ar: "لا يمكن إرسال هذا النموذج إلا من موقعنا الإلكتروني."}
)

// reasons maps each Reason to its status, its message, the
// outcome logged, and whether a form post gets the form page back (with the
// visitor's values) rather than a short page.
var reasons = map[Reason]struct {
	status   int
	text     data.Text
	outcome  string
	formPage bool
}{
	ReasonMalformed:       {http.StatusBadRequest, textMalformed, "malformed", false},
	ReasonTooLarge:        {http.StatusRequestEntityTooLarge, textTooLarge, "too_large", false},
	ReasonUnsupportedType: {http.StatusUnsupportedMediaType, textUnsupportedType, "unsupported_type", false},
	ReasonForbiddenOrigin: {http.StatusForbidden, textForbiddenOrigin, "forbidden_origin", false},
	ReasonRateLimited:     {http.StatusTooManyRequests, textRateLimited, "rate_limited", true},
	ReasonInvalid:         {http.StatusUnprocessableEntity, data.Text{}, "invalid", true},
	ReasonUnavailable:     {http.StatusServiceUnavailable, textUnavailable, "unavailable", true},
	ReasonInternal:        {http.StatusInternalServerError, textUnavailable, "internal", true},
}

// Error is a failed enquiry request.
type Error struct {
	Reason     Reason
	Err        error          // the cause, logged for Unavailable and Internal only
	Fields     enquiry.Errors // ReasonInvalid: problems by field
	RetryAfter int            // seconds, ReasonRateLimited
}

func (e *Error) Error() string {
	s := reasons[e.Reason].outcome
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// reply is what the error writer needs to know about the request.
type reply struct {
	json   bool       // answer with JSON
	lang   string     // visitor's language
	kind   string     // enquiry kind, if known
	values url.Values // what the visitor sent, for the form page
	redact []string   // personal values to keep out of logged errors
}

// writeError is the one place errors reach the client.
func (s *server) writeError(w http.ResponseWriter, r *http.Request, rp reply, e *Error) {
	k, ok := reasons[e.Reason]
	if !ok {
		k = reasons[ReasonInternal]
	}
	info := infoFrom(r.Context())
	info.outcome = k.outcome
	if e.Reason == ReasonUnavailable || e.Reason == ReasonInternal || !ok {
		// Only our own failures are logged in full (visitor mistakes are
		// counted by the request log's outcome).
		msg := "<nil>"
		if e.Err != nil {
			msg = redact(e.Err.Error(), rp.redact)
		}
		s.Logger.ErrorContext(r.Context(), "enquiry not sent", "id", info.id, "kind", info.kind, "outcome", k.outcome, "error", msg)
	}
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(e.RetryAfter))
	}

	fields := e.Fields
	message := k.text.In(rp.lang)
	if e.Reason != ReasonInvalid || len(fields) == 0 {
		fields = enquiry.Errors{"": message}
	}
	if rp.json {
		if e.Reason == ReasonInvalid {
			writeJSON(w, k.status, map[string]any{"errors": fields})
		} else {
			writeJSON(w, k.status, map[string]string{"error": message})
		}
		return
	}

	var page []byte
	if k.formPage && rp.values != nil && s.Pages != nil && enquiry.IsChoice(enquiry.FieldKind, rp.kind) {
		src, err := s.Pages.Page(r.Context(), rp.lang, rp.kind)
		if err == nil {
			page, err = formpage.Fill(src, rp.values, fields, rp.lang)
		}
		if err != nil {
			page = nil
			s.Logger.WarnContext(r.Context(), "form page unavailable, using the fallback page", "kind", rp.kind, "lang", rp.lang, "error", err.Error())
		}
	}
	if page == nil {
		page = formpage.Fallback(rp.lang, rp.kind, fields)
	}
	writeHTML(w, k.status, page)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"internal error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)+1))
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

func writeHTML(w http.ResponseWriter, status int, page []byte) {
	w.Header().Set("Content-Security-Policy", pagePolicy(page))
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(page)))
	w.WriteHeader(status)
	w.Write(page)
}

// redact removes personal values from an error message before it is
// logged: error texts from libraries can quote what they were given.
func redact(s string, values []string) string {
	for _, v := range values {
		if len(v) >= 3 {
			s = strings.ReplaceAll(s, v, "[redacted]")
		}
	}
	return s
}

// errorAs is errors.As for a target type, returning the match.
func errorAs[T error](err error) (T, bool) {
	var t T
	ok := errors.As(err, &t)
	return t, ok
}
