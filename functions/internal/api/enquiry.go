package api

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"

	"github.com/bluetreeclinics/site/functions/internal/enquiry"
	"github.com/bluetreeclinics/site/functions/internal/formpage"
)

const (
	typeForm = "application/x-www-form-urlencoded"
	typeJSON = "application/json"
)

// handleEnquiry is POST /api/enquiry. The request walks forward once:
// read the body, work out the language, check the origin, take a rate-limit
// token, skip bots, validate, compose and send; the reply as the contract
// says. The body is read first so that every reply can speak the visitor's
// language and give the form back filled in (a 429 included).
func (s *server) handleEnquiry(w http.ResponseWriter, r *http.Request) {
	info := infoFrom(r.Context())
	mediaType, decodeErr := requestType(r.Header.Get("Content-Type"))
	var values url.Values
	if decodeErr == nil {
		values, decodeErr = decode(w, r, mediaType)
	}
	rp := reply{
		json:   mediaType == typeJSON || prefersJSON(headerList(r, "Accept")),
		lang:   enquiry.Lang(values, HeaderLang(headerList(r, "Accept-Language"))),
		kind:   values.Get(enquiry.FieldKind),
		values: values,
	}
	info.lang = rp.lang
	if enquiry.IsChoice(enquiry.FieldKind, rp.kind) {
		info.kind = rp.kind
	}

	if !s.originAllowed(r.Header.Get("Origin")) {
		s.writeError(w, r, rp, &Error{Reason: ReasonForbiddenOrigin})
		return
	}
	if ok, retryAfter := s.limiter.allow(clientKey(r, s.TrustProxy), s.Now()); !ok {
		s.writeError(w, r, rp, &Error{Reason: ReasonRateLimited, RetryAfter: retryAfter})
		return
	}
	if decodeErr != nil {
		s.writeError(w, r, rp, decodeErr)
		return
	}
	if enquiry.IsHoneypot(values) {
		// A bot: answered exactly as a person would be, nothing sent.
		info.outcome = "honeypot"
		kind := rp.kind
		if !enquiry.IsChoice(enquiry.FieldKind, kind) {
			kind = enquiry.KindAppointment
		}
		s.accepted(w, rp, kind, enquiry.RandomID())
		return
	}

	enq, errs := s.Parser.Parse(values, rp.lang)
	if len(errs) > 0 || enq == nil {
		s.writeError(w, r, rp, &Error{Reason: ReasonInvalid, Fields: errs})
		return
	}
	info.id, info.kind = enq.ID, enq.Kind
	rp.kind = enq.Kind
	rp.redact = []string{enq.Name, enq.Email, enq.Phone, values.Get(enquiry.FieldPhone)}

	if err := s.send(r, enq, rp); err != nil {
		s.writeError(w, r, rp, err)
		return
	}
	info.outcome = "sent"
	s.accepted(w, rp, enq.Kind, enq.ID)
}

// send composes the emails and sends them within SendTimeout. Only
// reception's email must go; a failed acknowledgement is logged.
func (s *server) send(r *http.Request, enq *enquiry.Enquiry, rp reply) *Error {
	info := infoFrom(r.Context())
	start := time.Now()
	defer func() { info.sendTime = time.Since(start) }()

	msgs, err := s.Composer.Compose(enq)
	if err != nil {
		return &Error{Reason: ReasonUnavailable, Err: fmt.Errorf("compose: %w", err)}
	}
	if len(msgs) == 0 {
		return &Error{Reason: ReasonInternal, Err: errors.New("compose: no message")}
	}
	ctx, cancel := sendContext(r.Context(), s.SendTimeout, time.Now())
	defer cancel()
	for i, m := range msgs {
		if err := s.Sender.Send(ctx, m); err != nil {
			if i == 0 {
				return &Error{Reason: ReasonUnavailable, Err: fmt.Errorf("send: %w", err)}
			}
			s.Logger.WarnContext(r.Context(), "acknowledgement not sent", "id", enq.ID, "kind", enq.Kind,
				"error", redact(err.Error(), rp.redact))
		}
	}
	return nil
}

// sendDeadlineMargin is kept free before the request's own deadline (a
// Lambda invocation's): after sending gives up there must still be time to
// render and return the 503 page, rather than be cut off by the platform.
const sendDeadlineMargin = 1500 * time.Millisecond

// sendContext bounds sending by timeout (Deps.SendTimeout) and, when the request has a
// deadline, by that deadline less sendDeadlineMargin. It is not cancelled
// with the request: a visitor closing the tab must not cut an email off
// half sent. Values (the request log's info) are kept.
func sendContext(parent context.Context, timeout time.Duration, now time.Time) (context.Context, context.CancelFunc) {
	deadline := now.Add(timeout)
	if dl, ok := parent.Deadline(); ok {
		if d := dl.Add(-sendDeadlineMargin); d.Before(deadline) {
			deadline = d
		}
	}
	return context.WithDeadline(context.WithoutCancel(parent), deadline)
}

// accepted answers a taken enquiry: 303 to the thank-you page, or its id.
func (s *server) accepted(w http.ResponseWriter, rp reply, kind, id string) {
	if rp.json {
		writeJSON(w, http.StatusOK, map[string]string{"id": id})
		return
	}
	w.Header().Set("Location", formpage.ThanksPath(rp.lang, kind))
	w.WriteHeader(http.StatusSeeOther)
}

func (s *server) originAllowed(origin string) bool {
	if origin == "" {
		return true // not a browser, or a browser that does not say
	}
	return s.origins[strings.ToLower(strings.TrimRight(origin, "/"))]
}

// requestType checks Content-Type: a form or JSON, UTF-8 if a charset is given.
func requestType(header string) (string, *Error) {
	mt, params, err := mime.ParseMediaType(header)
	if err != nil || (mt != typeForm && mt != typeJSON) {
		return mt, &Error{Reason: ReasonUnsupportedType}
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") && !strings.EqualFold(cs, "utf8") {
		return mt, &Error{Reason: ReasonUnsupportedType}
	}
	return mt, nil
}

// decode reads the body (at most MaxBodyBytes) into values.
func decode(w http.ResponseWriter, r *http.Request, mediaType string) (url.Values, *Error) {
	body, err := readBody(w, r, MaxBodyBytes)
	if err != nil {
		if _, ok := errorAs[*http.MaxBytesError](err); ok {
			return nil, &Error{Reason: ReasonTooLarge}
		}
		return nil, &Error{Reason: ReasonMalformed}
	}
	v, err := enquiry.Decode(body, mediaType == typeJSON)
	switch {
	case errors.Is(err, enquiry.ErrTooLarge):
		return nil, &Error{Reason: ReasonTooLarge}
	case err != nil:
		return nil, &Error{Reason: ReasonMalformed}
	}
	return v, nil
}

// headerList is a list header's values as one string, however many lines
// it came in (the Lambda adapter splits API Gateway v2's at the commas).
func headerList(r *http.Request, name string) string {
	return strings.Join(r.Header.Values(name), ",")
}

// prefersJSON reports whether an Accept header ranks application/json above
// text/html: for each, the q of the most specific media range matching it
// (exact, type/*, */*) counts, then how specific that range is. No header,
// or a tie, means HTML. Only the first 32 ranges of the first KiB are read;
// a q that is not 0 to 1 counts as 0.
func prefersJSON(accept string) bool {
	type match struct {
		q    float64
		spec int // 2 exact, 1 type/*, 0 */*, -1 none
	}
	forJSON, forHTML := match{0, -1}, match{0, -1}
	for i, part := range strings.Split(accept[:min(len(accept), 1024)], ",") {
		if i >= 32 {
			break
		}
		value, params, _ := strings.Cut(part, ";")
		typ, sub, _ := strings.Cut(strings.ToLower(strings.TrimSpace(value)), "/")
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			if k, v, ok := strings.Cut(strings.TrimSpace(p), "="); ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && f >= 0 && f <= 1 {
					q = f
				} else {
					q = 0
				}
			}
		}
		for _, m := range []struct {
			best     *match
			typ, sub string
		}{{&forJSON, "application", "json"}, {&forHTML, "text", "html"}} {
			spec := -1
			switch {
			case typ == m.typ && sub == m.sub:
				spec = 2
			case typ == m.typ && sub == "*":
				spec = 1
			case typ == "*" && sub == "*":
				spec = 0
			}
			if spec >= 0 && spec >= m.best.spec && (spec > m.best.spec || q > m.best.q) {
				*m.best = match{q, spec}
			}
		}
	}
	return forJSON.q > forHTML.q || (forJSON.q == forHTML.q && forJSON.q > 0 && forJSON.spec > forHTML.spec)
}

// HeaderLang is "ar" when Arabic has a higher weight than English in an
// Accept-Language header (earlier wins a tie; any "ar-…" tag counts), else
// "en". cmd/serve's "being built" page chooses its first language with it.
func HeaderLang(acceptLanguage string) string {
	tags, _, _ := language.ParseAcceptLanguage(acceptLanguage)
	for _, t := range tags {
		switch base, _ := t.Base(); base.String() {
		case enquiry.LangEnglish, enquiry.LangArabic:
			return base.String()
		}
	}
	return enquiry.LangEnglish
}
