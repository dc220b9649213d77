package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/bluetreeclinics/site/functions/internal/enquiry"
	"github.com/bluetreeclinics/site/functions/internal/formpage"
)

// Kind is what went wrong, as the visitor's reply sees it.
type Kind int

const (
	KindMalformed Kind = iota + 1
	KindTooLarge
	KindUnsupportedType
	KindForbiddenOrigin
	KindRateLimited
	KindInvalid
	KindUnavailable // mail could not be sent
	KindInternal
)

// kinds maps each Kind to its status, the message key of enquiry.Text, the
// outcome logged, and whether a form post gets the form page back (with the
// visitor's values) rather than a short page.
var kinds = map[Kind]struct {
	status   int
	text     string
	outcome  string
	formPage bool
}{
	KindMalformed:       {http.StatusBadRequest, "malformed", "malformed", false},
	KindTooLarge:        {http.StatusRequestEntityTooLarge, "too_large", "too_large", false},
	KindUnsupportedType: {http.StatusUnsupportedMediaType, "unsupported_type", "unsupported_type", false},
	KindForbiddenOrigin: {http.StatusForbidden, "forbidden_origin", "forbidden_origin", false},
	KindRateLimited:     {http.StatusTooManyRequests, "rate_limited", "rate_limited", true},
	KindInvalid:         {http.StatusUnprocessableEntity, "", "invalid", true},
	KindUnavailable:     {http.StatusServiceUnavailable, "unavailable", "unavailable", true},
	KindInternal:        {http.StatusInternalServerError, "unavailable", "internal", true},
}

// Error is a failed enquiry request.
type Error struct {
	Kind       Kind
	Err        error          // the cause, logged for Unavailable and Internal only
	Fields     enquiry.Errors // KindInvalid: problems by field
	RetryAfter int            // seconds, KindRateLimited
}

func (e *Error) Error() string {
	s := kinds[e.Kind].outcome
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
	k, ok := kinds[e.Kind]
	if !ok {
		k = kinds[KindInternal]
	}
	info := infoFrom(r.Context())
	info.outcome = k.outcome
	if e.Kind == KindUnavailable || e.Kind == KindInternal || !ok {
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
	message := enquiry.Text(rp.lang, k.text)
	if e.Kind != KindInvalid || len(fields) == 0 {
		fields = enquiry.Errors{"": message}
	}
	if rp.json {
		if e.Kind == KindInvalid {
			writeJSON(w, k.status, map[string]any{"errors": fields})
		} else {
			writeJSON(w, k.status, map[string]string{"error": message})
		}
		return
	}

	var page []byte
	if k.formPage && rp.values != nil && s.Pages != nil && validKind(rp.kind) {
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

func validKind(k string) bool { return k == enquiry.KindAppointment || k == enquiry.KindSuitability }

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
