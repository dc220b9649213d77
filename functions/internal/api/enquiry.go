package api

import (
	"bytes"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bluetreeclinics/site/functions/internal/enquiry"
)

const (
	typeForm = "application/x-www-form-urlencoded"
	typeJSON = "application/json"
)

// handleEnquiry is POST /api/enquiry: origin, rate limit, type, body,
// honeypot, validation, compose and send; the reply as the contract says.
func (s *server) handleEnquiry(w http.ResponseWriter, r *http.Request) {
	info := infoFrom(r.Context())
	acceptLang := r.Header.Get("Accept-Language")
	rp := reply{json: prefersJSON(r.Header.Get("Accept")), lang: enquiry.Lang(nil, acceptLang)}

	mediaType, typeErr := requestType(r.Header.Get("Content-Type"))
	if mediaType == typeJSON {
		rp.json = true
	}
	if !s.originAllowed(r.Header.Get("Origin")) {
		s.writeError(w, r, rp, &Error{Kind: KindForbiddenOrigin})
		return
	}
	allowed, retryAfter := s.limiter.allow(clientKey(r, s.TrustProxy), s.Now())
	var values url.Values
	decodeErr := typeErr
	if typeErr == nil {
		values, decodeErr = decode(w, r, mediaType)
	}
	if values != nil {
		rp.values = values
		rp.lang = enquiry.Lang(values, acceptLang)
		rp.kind = values.Get(enquiry.FieldKind)
		if validKind(rp.kind) {
			info.kind = rp.kind
		}
	}
	info.lang = rp.lang

	if !allowed {
		// After reading the body, so the form page can come back filled in.
		s.writeError(w, r, rp, &Error{Kind: KindRateLimited, RetryAfter: retryAfter})
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
		if !validKind(kind) {
			kind = enquiry.KindAppointment
		}
		s.accepted(w, rp, kind, fakeID())
		return
	}

	enq, errs := s.Parser.ParseLang(values, acceptLang)
	if len(errs) > 0 || enq == nil {
		s.writeError(w, r, rp, &Error{Kind: KindInvalid, Fields: errs})
		return
	}
	info.id, info.kind, info.lang = enq.ID, enq.Kind, enq.Lang
	rp.lang, rp.kind = enq.Lang, enq.Kind
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
		return &Error{Kind: KindUnavailable, Err: fmt.Errorf("compose: %w", err)}
	}
	if len(msgs) == 0 {
		return &Error{Kind: KindInternal, Err: errors.New("compose: no message")}
	}
	ctx, cancel := s.sendContext(r)
	defer cancel()
	for i, m := range msgs {
		if err := s.Sender.Send(ctx, m); err != nil {
			if i == 0 {
				return &Error{Kind: KindUnavailable, Err: fmt.Errorf("send: %w", err)}
			}
			s.Logger.WarnContext(r.Context(), "acknowledgement not sent", "id", enq.ID, "kind", enq.Kind,
				"error", redact(err.Error(), rp.redact))
		}
	}
	return nil
}

// accepted answers a taken enquiry: 303 to the thank-you page, or its id.
func (s *server) accepted(w http.ResponseWriter, rp reply, kind, id string) {
	if rp.json {
		writeJSON(w, http.StatusOK, map[string]string{"id": id})
		return
	}
	w.Header().Set("Location", ThanksPath(rp.lang, kind))
	w.WriteHeader(http.StatusSeeOther)
}

// ThanksPath is the thank-you page of kind in lang.
func ThanksPath(lang, kind string) string {
	if lang == enquiry.LangArabic {
		return "/ar/enquire/" + kind + "/thanks/"
	}
	return "/enquire/" + kind + "/thanks/"
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
		return mt, &Error{Kind: KindUnsupportedType}
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") && !strings.EqualFold(cs, "utf8") {
		return mt, &Error{Kind: KindUnsupportedType}
	}
	return mt, nil
}

// decode reads the body (at most MaxBodyBytes) into values.
func decode(w http.ResponseWriter, r *http.Request, mediaType string) (url.Values, *Error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		if _, ok := errorAs[*http.MaxBytesError](err); ok {
			return nil, &Error{Kind: KindTooLarge}
		}
		return nil, &Error{Kind: KindMalformed}
	}
	if mediaType == typeJSON {
		v, err := enquiry.DecodeJSON(bytes.NewReader(body))
		switch {
		case errors.Is(err, enquiry.ErrTooLarge):
			return nil, &Error{Kind: KindTooLarge}
		case err != nil:
			return nil, &Error{Kind: KindMalformed}
		}
		return v, nil
	}
	v, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, &Error{Kind: KindMalformed}
	}
	for k, vs := range v {
		if !utf8.ValidString(k) {
			return nil, &Error{Kind: KindMalformed}
		}
		for _, s := range vs {
			if !utf8.ValidString(s) {
				return nil, &Error{Kind: KindMalformed}
			}
		}
	}
	return v, nil
}

// prefersJSON reports whether an Accept header ranks application/json above
// text/html. No header, or a tie, means HTML.
func prefersJSON(accept string) bool {
	if accept == "" {
		return false
	}
	qj, sj := quality(accept, "application", "json")
	qh, sh := quality(accept, "text", "html")
	return qj > qh || (qj == qh && qj > 0 && sj > sh)
}

// quality is the q of the most specific media range in accept matching
// typ/sub (0 when none does) and how specific it is (2 exact, 1 type/*,
// 0 */*, -1 none).
func quality(accept, typ, sub string) (float64, int) {
	best, bestSpec := 0.0, -1
	for i, part := range strings.Split(accept, ",") {
		if i >= 32 {
			break
		}
		mr, params, _ := strings.Cut(part, ";")
		t, st, _ := strings.Cut(strings.ToLower(strings.TrimSpace(mr)), "/")
		spec := -1
		switch {
		case t == typ && st == sub:
			spec = 2
		case t == typ && st == "*":
			spec = 1
		case t == "*" && st == "*":
			spec = 0
		}
		if spec < bestSpec || spec < 0 {
			continue
		}
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && f >= 0 && f <= 1 {
					q = f
				} else {
					q = 0
				}
			}
		}
		if spec > bestSpec || q > best {
			best, bestSpec = q, spec
		}
	}
	return best, bestSpec
}

var idEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// fakeID looks like an enquiry id ("enq_" and 26 characters) so a bot
// cannot tell the honeypot answer from a real one.
func fakeID() string {
	var b [16]byte
	rand.Read(b[:])
	return "enq_" + idEncoding.EncodeToString(b[:])
}
