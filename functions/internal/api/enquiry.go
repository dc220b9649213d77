package api

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"

	"github.com/bluetreeclinics/site/functions/internal/delivery"
	"github.com/bluetreeclinics/site/functions/internal/enquiry"
	"github.com/bluetreeclinics/site/functions/internal/formpage"
	"github.com/bluetreeclinics/site/functions/internal/mail"
)

const (
	typeForm = "application/x-www-form-urlencoded"
	typeJSON = "application/json"
)

// sendFunc composes and sends an enquiry's emails; redact lists the
// personal values to keep out of what it logs.
type sendFunc func(ctx context.Context, enq *enquiry.Enquiry, redact []string) *refusal

// handleEnquiry is POST /api/enquiry. The request walks forward once:
// read the body, work out the language, check the origin, take a rate-limit
// token, skip bots, parse, compose and send; the reply as the contract
// says. The body is read first so that every reply can speak the visitor's
// language and give the form back filled in (a 429 included).
func handleEnquiry(gate *gate, parser *enquiry.Parser, send sendFunc, errs errorWriter) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info := infoFrom(r.Context())
		mediaType, values, decodeErr := decode(w, r)
		req := requestFacts{
			json:   mediaType == typeJSON || prefersJSON(headerList(r, "Accept")),
			lang:   enquiry.Lang(values, HeaderLang(headerList(r, "Accept-Language"))),
			kind:   values.Get(enquiry.FieldKind),
			values: values,
		}
		info.lang = req.lang
		if enquiry.IsChoice(enquiry.FieldKind, req.kind) {
			info.kind = req.kind
		}

		if e := gate.admit(r); e != nil {
			errs.write(w, r, req, e)
			return
		}
		if decodeErr != nil {
			errs.write(w, r, req, decodeErr)
			return
		}
		if enquiry.IsHoneypot(values) {
			// A bot: answered exactly as a person would be, nothing sent.
			info.outcome = "honeypot"
			accepted(w, req, cmp.Or(info.kind, enquiry.KindAppointment), enquiry.RandomID())
			return
		}

		enq, fields := parser.Parse(values, req.lang)
		if len(fields) > 0 || enq == nil {
			errs.write(w, r, req, &refusal{reason: reasonInvalid, fields: fields})
			return
		}
		info.id, info.kind = enq.ID, enq.Kind
		req.kind = enq.Kind
		req.redact = []string{enq.Name, enq.Email, enq.Phone, values.Get(enquiry.FieldPhone)}

		if e := send(r.Context(), enq, req.redact); e != nil {
			errs.write(w, r, req, e)
			return
		}
		info.outcome = "sent"
		accepted(w, req, enq.Kind, enq.ID)
	})
}

// sendEnquiry composes the emails and sends them within timeout. Only
// reception's email must go; a failed acknowledgement is logged.
func sendEnquiry(log *slog.Logger, composer *mail.Composer, sender delivery.Sender, timeout time.Duration) sendFunc {
	return func(ctx context.Context, enq *enquiry.Enquiry, redactValues []string) *refusal {
		start := time.Now()
		defer func() { infoFrom(ctx).sendTime = time.Since(start) }()

		msgs, err := composer.Compose(enq)
		if err != nil {
			return &refusal{reason: reasonUnavailable, err: fmt.Errorf("compose: %w", err)}
		}
		sctx, cancel := sendContext(ctx, timeout, time.Now())
		defer cancel()
		for i, m := range msgs {
			if err := sender.Send(sctx, m); err != nil {
				if i == 0 {
					return &refusal{reason: reasonUnavailable, err: fmt.Errorf("send: %w", err)}
				}
				log.WarnContext(ctx, "acknowledgement not sent", "id", enq.ID, "kind", enq.Kind,
					"error", redact(err.Error(), redactValues))
			}
		}
		return nil
	}
}

// sendDeadlineMargin is kept free before the request's own deadline (a
// Lambda invocation's): after sending gives up there must still be time to
// render and return the 503 page, rather than be cut off by the platform.
const sendDeadlineMargin = 1500 * time.Millisecond

// sendContext bounds sending by timeout and, when the request has a
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
func accepted(w http.ResponseWriter, req requestFacts, kind, id string) {
	if req.json {
		writeJSON(w, http.StatusOK, map[string]string{"id": id})
		return
	}
	w.Header().Set("Location", formpage.ThanksPath(req.lang, kind))
	w.WriteHeader(http.StatusSeeOther)
}

// decode checks Content-Type (a form or JSON, UTF-8 if a charset is given)
// and reads the body (at most MaxBodyBytes) into values.
func decode(w http.ResponseWriter, r *http.Request) (mediaType string, values url.Values, e *refusal) {
	mediaType, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	cs, hasCharset := params["charset"]
	if err != nil || (mediaType != typeForm && mediaType != typeJSON) ||
		(hasCharset && !strings.EqualFold(cs, "utf-8") && !strings.EqualFold(cs, "utf8")) {
		return mediaType, nil, &refusal{reason: reasonUnsupportedType}
	}
	body, err := readBody(w, r, MaxBodyBytes)
	if err == nil {
		values, err = enquiry.Decode(body, mediaType == typeJSON)
	}
	switch {
	case tooLarge(err) || errors.Is(err, enquiry.ErrTooLarge):
		return mediaType, nil, &refusal{reason: reasonTooLarge}
	case err != nil:
		return mediaType, nil, &refusal{reason: reasonMalformed}
	}
	return mediaType, values, nil
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
// a range that does not parse is passed over, and a q that is not 0 to 1
// counts as 0.
func prefersJSON(accept string) bool {
	type match struct {
		q    float64
		spec int // 2 exact, 1 type/*, 0 */*, -1 none
	}
	forJSON, forHTML := match{0, -1}, match{0, -1}
	parts := strings.SplitN(accept[:min(len(accept), 1024)], ",", 33)
	for _, part := range parts[:min(len(parts), 32)] {
		mt, params, err := mime.ParseMediaType(part)
		if err != nil {
			continue
		}
		typ, sub, _ := strings.Cut(mt, "/")
		q := 1.0
		if v, ok := params["q"]; ok {
			if q, err = strconv.ParseFloat(v, 64); err != nil || q < 0 || q > 1 {
				q = 0
			}
		}
		rank := func(best *match, wantTyp, wantSub string) {
			spec := -1
			switch {
			case typ == wantTyp && sub == wantSub:
				spec = 2
			case typ == wantTyp && sub == "*":
				spec = 1
			case typ == "*" && sub == "*":
				spec = 0
			}
			if spec >= 0 && spec >= best.spec && (spec > best.spec || q > best.q) {
				*best = match{q, spec}
			}
		}
		rank(&forJSON, "application", "json")
		rank(&forHTML, "text", "html")
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
