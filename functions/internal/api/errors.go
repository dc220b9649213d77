package api

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/bluetreeclinics/site/data"
	"github.com/bluetreeclinics/site/functions/internal/enquiry"
	"github.com/bluetreeclinics/site/functions/internal/formpage"
)

// reason is why an enquiry was refused, as the visitor's reply sees it:
// its status, its message in the visitor's language (never quoting what the
// visitor sent), the outcome logged, and whether a form post gets the form
// page back (with the visitor's values) rather than a short page.
type reason struct {
	status   int
	text     data.Text
	outcome  string
	formPage bool
}

var (
	reasonMalformed       = &reason{http.StatusBadRequest, data.Text{En: "We could not read what was sent. Please try again.", Ar: "تعذّرت علينا قراءة البيانات المُرسلة. يُرجى المحاولة مرة أخرى."}, "malformed", false}
	reasonTooLarge        = &reason{http.StatusRequestEntityTooLarge, data.Text{En: "What you sent is too long. Please shorten your message and try again.", Ar: "البيانات المُرسلة أطول من المسموح. يُرجى اختصار رسالتك والمحاولة مرة أخرى."}, "too_large", false}
	reasonUnsupportedType = &reason{http.StatusUnsupportedMediaType, data.Text{En: "The form was sent in a way we cannot read. Please send it again from our website.", Ar: "أُرسل النموذج بطريقة لا يمكننا قراءتها. يُرجى إرساله مرة أخرى من موقعنا الإلكتروني."}, "unsupported_type", false}
	reasonForbiddenOrigin = &reason{http.StatusForbidden, data.Text{En: "This form can only be sent from our website.", Ar: "لا يمكن إرسال هذا النموذج إلا من موقعنا الإلكتروني."}, "forbidden_origin", false}
	reasonRateLimited     = &reason{http.StatusTooManyRequests, data.Text{En: "Too many enquiries have been sent from your connection. Please wait a few minutes and try again.", Ar: "أُرسل عدد كبير من الاستفسارات من اتصالك. يُرجى الانتظار بضع دقائق ثم المحاولة مرة أخرى."}, "rate_limited", true}
	reasonInvalid         = &reason{http.StatusUnprocessableEntity, data.Text{}, "invalid", true}
	reasonUnavailable     = &reason{http.StatusServiceUnavailable, data.Text{En: "We could not send your enquiry just now. Please try again in a few minutes, or call or WhatsApp us.", Ar: "تعذّر إرسال استفسارك الآن. يُرجى المحاولة مرة أخرى بعد بضع دقائق، أو الاتصال بنا أو مراسلتنا عبر واتساب."}, "unavailable", true} // mail could not be sent
	reasonInternal        = &reason{http.StatusInternalServerError, reasonUnavailable.text, "internal", true}
)

// refusal is a failed enquiry request.
type refusal struct {
	*reason
	err        error          // the cause, logged for reasonUnavailable and reasonInternal only
	fields     enquiry.Errors // reasonInvalid: problems by field
	retryAfter int            // seconds, reasonRateLimited
}

// requestFacts is what the handler learnt about the request that shapes
// every reply to it.
type requestFacts struct {
	json   bool       // answer with JSON
	lang   string     // visitor's language
	kind   string     // enquiry kind, if known
	values url.Values // what the visitor sent, for the form page
	redact []string   // personal values to keep out of logged errors
}

// errorWriter is the one place refusals reach the client.
type errorWriter struct {
	log   *slog.Logger
	pages formpage.Source
}

func (ew errorWriter) write(w http.ResponseWriter, r *http.Request, req requestFacts, e *refusal) {
	info := infoFrom(r.Context())
	info.outcome = e.outcome
	if e.reason == reasonUnavailable || e.reason == reasonInternal {
		// Only our own failures are logged in full (visitor mistakes are
		// counted by the request log's outcome).
		msg := "<nil>"
		if e.err != nil {
			msg = redact(e.err.Error(), req.redact)
		}
		ew.log.ErrorContext(r.Context(), "enquiry not sent", "id", info.id, "kind", info.kind, "outcome", e.outcome, "error", msg)
	}
	if e.retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(e.retryAfter))
	}

	fields, message := e.fields, e.text.In(req.lang)
	if e.reason != reasonInvalid || len(fields) == 0 {
		fields = enquiry.Errors{"": message}
	}
	if req.json {
		if e.reason == reasonInvalid {
			writeJSON(w, e.status, map[string]any{"errors": fields})
		} else {
			writeJSON(w, e.status, map[string]string{"error": message})
		}
		return
	}

	var page []byte
	if e.formPage && req.values != nil && ew.pages != nil && enquiry.IsChoice(enquiry.FieldKind, req.kind) {
		src, err := ew.pages.Page(r.Context(), req.lang, req.kind)
		if err == nil {
			page, err = formpage.Fill(src, req.values, fields, req.lang)
		}
		if err != nil {
			page = nil
			ew.log.WarnContext(r.Context(), "form page unavailable, using the fallback page", "kind", req.kind, "lang", req.lang, "error", err.Error())
		}
	}
	if page == nil {
		page = formpage.Fallback(req.lang, req.kind, fields)
	}
	writeHTML(w, e.status, page)
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
	w.Header().Set("Content-Security-Policy", formpage.Policy(page))
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
