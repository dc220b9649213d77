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
)

// Limits of DecodeJSON, far above what the forms send; the handler caps the
// body's bytes (api.MaxBodyBytes) before it gets here.
const (
	maxJSONFields = 100 // object members
	maxJSONValues = 200 // values in all, array elements included
)

var (
	// ErrMalformed is wrapped by every DecodeJSON error about the body's
	// shape: the handler answers 400.
	ErrMalformed = errors.New("enquiry: malformed request body")
	// ErrTooLarge is wrapped by DecodeJSON when the body has too many
	// fields or values: the handler answers 413.
	ErrTooLarge = errors.New("enquiry: request body too large")
)

// DecodeJSON reads the page script's JSON object into url.Values: strings as
// they are, numbers as integers or decimals, booleans as "true"/"false"
// (consent true becomes "yes"), arrays (for "tried") as several values, null
// members as absent. Nested objects or arrays, null inside an array, anything
// but one object at the top level, or trailing data are errors wrapping
// ErrMalformed. Unknown fields are kept; Validate ignores them.
func DecodeJSON(r io.Reader) (url.Values, error) {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	v := url.Values{}

	malformed := func(format string, args ...any) (url.Values, error) {
		return nil, fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...)
	}

	tok, err := dec.Token()
	if err != nil {
		return malformed("%v", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return malformed("want a JSON object")
	}
	fields, values := 0, 0
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return malformed("%v", err)
		}
		key, ok := tok.(string)
		if !ok {
			return malformed("want a member name")
		}
		if fields++; fields > maxJSONFields {
			return nil, fmt.Errorf("%w: more than %d fields", ErrTooLarge, maxJSONFields)
		}
		tok, err = dec.Token()
		if err != nil {
			return malformed("%v", err)
		}
		switch t := tok.(type) {
		case nil:
			// "field": null is an unanswered field.
		case json.Delim:
			if t != '[' {
				return malformed("field %q: nested objects are not accepted", key)
			}
			if _, ok := v[key]; !ok {
				v[key] = []string{} // present, even if empty
			}
			for dec.More() {
				tok, err := dec.Token()
				if err != nil {
					return malformed("%v", err)
				}
				s, ok := scalar(key, tok)
				if !ok {
					return malformed("field %q: arrays may hold only strings, numbers or booleans", key)
				}
				if values++; values > maxJSONValues {
					return nil, fmt.Errorf("%w: more than %d values", ErrTooLarge, maxJSONValues)
				}
				v[key] = append(v[key], s)
			}
			if _, err := dec.Token(); err != nil { // the closing ']'
				return malformed("%v", err)
			}
		default:
			s, ok := scalar(key, tok)
			if !ok {
				return malformed("field %q: unexpected value", key)
			}
			if values++; values > maxJSONValues {
				return nil, fmt.Errorf("%w: more than %d values", ErrTooLarge, maxJSONValues)
			}
			v.Add(key, s)
		}
	}
	if _, err := dec.Token(); err != nil { // the closing '}'
		return malformed("%v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			return malformed("data after the JSON object")
		}
		return malformed("%v", err)
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
