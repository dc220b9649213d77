package enquiry

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limits of decodeJSON, far above what the forms send; the handler caps the
// body's bytes (api.MaxBodyBytes) before it gets here.
const (
	maxJSONFields = 100 // object members
	maxJSONValues = 200 // values in all, array elements included
)

var (
	// ErrMalformed is wrapped by every Decode error about the body's
	// shape: the handler answers 400.
	ErrMalformed = errors.New("enquiry: malformed request body")
	// ErrTooLarge is wrapped by Decode when a JSON body has too many
	// fields or values: the handler answers 413.
	ErrTooLarge = errors.New("enquiry: request body too large")
)

// Decode reads a submission's body, a form post (application/x-www-form-
// urlencoded) or, when isJSON, the page script's JSON object (decodeJSON),
// into url.Values. Bytes that are not UTF-8 are refused (ErrMalformed) in
// both: encoding/json would turn them into U+FFFD silently.
func Decode(body []byte, isJSON bool) (url.Values, error) {
	if isJSON {
		if !utf8.Valid(body) {
			return nil, fmt.Errorf("%w: not UTF-8", ErrMalformed)
		}
		return decodeJSON(strings.NewReader(string(body)))
	}
	v, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	for k, vs := range v {
		if !utf8.ValidString(k) || !utf8.ValidString(strings.Join(vs, "")) {
			return nil, fmt.Errorf("%w: not UTF-8", ErrMalformed)
		}
	}
	return v, nil
}

// decodeJSON reads the page script's JSON object into url.Values: strings as
// they are, numbers as integers or decimals, booleans as "true"/"false"
// (consent true becomes "yes"), arrays (for "tried") as several values, null
// members as absent. Nested objects or arrays, null inside an array, a
// member given twice, anything but one object at the top level, or
// trailing data are errors wrapping ErrMalformed. Unknown fields are kept; Parse ignores them.
func decodeJSON(r io.Reader) (url.Values, error) {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	v := url.Values{}
	fields, values := 0, 0
	var bad error // the first problem; reading stops there
	token := func() json.Token {
		tok, err := dec.Token()
		if err != nil && bad == nil {
			bad = fmt.Errorf("%w: %v", ErrMalformed, err)
		}
		return tok
	}
	fail := func(limit error, format string, args ...any) {
		if bad == nil {
			bad = fmt.Errorf("%w: "+format, append([]any{limit}, args...)...)
		}
	}
	// add appends a string, number or boolean to key's values.
	add := func(key string, tok json.Token) {
		if s, ok := scalar(key, tok); !ok {
			fail(ErrMalformed, "field %q: want a string, number or boolean", key)
		} else if values++; values > maxJSONValues {
			fail(ErrTooLarge, "more than %d values", maxJSONValues)
		} else {
			v[key] = append(v[key], s)
		}
	}

	if d, ok := token().(json.Delim); !ok || d != '{' {
		fail(ErrMalformed, "want a JSON object")
	}
	seen := map[string]bool{}
	for bad == nil && dec.More() {
		key, ok := token().(string)
		fields++
		switch {
		case !ok:
			fail(ErrMalformed, "want a member name")
		case fields > maxJSONFields:
			fail(ErrTooLarge, "more than %d fields", maxJSONFields)
		case seen[key]:
			// Which one would count? {"consent":true,"consent":false} must
			// not be read as consent: refuse rather than guess.
			fail(ErrMalformed, "field %q given twice", key)
		}
		seen[key] = true
		switch tok := token(); tok {
		case nil: // "field": null is an unanswered field (or an error, kept in bad)
		case json.Delim('['):
			v[key] = []string{} // present, even if empty
			for bad == nil && dec.More() {
				add(key, token())
			}
			token() // the closing ']'
		default:
			add(key, tok)
		}
	}
	token() // the closing '}'
	if _, err := dec.Token(); bad == nil && err != io.EOF {
		fail(ErrMalformed, "data after the JSON object")
	}
	if bad != nil {
		return nil, bad
	}
	return v, nil
}

// scalar formats a JSON string, number or boolean as a form value.
func scalar(key string, tok json.Token) (string, bool) {
	switch t := tok.(type) {
	case string:
		return t, true
	case bool:
		if key == FieldConsent {
			if t {
				return "yes", true
			}
			return "", true
		}
		return strconv.FormatBool(t), true
	case json.Number:
		return formatNumber(string(t)), true
	}
	return "", false
}

// formatNumber writes a JSON number as a person would: 7, 7.0 and 7e0 as "7",
// 7.5 as "7.5". A number out of float64 range keeps its JSON spelling.
func formatNumber(s string) string {
	if !strings.ContainsAny(s, ".eE") {
		return s
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return s
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}
