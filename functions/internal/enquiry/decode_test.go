package enquiry

import (
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func TestDecodeJSON(t *testing.T) {
	tests := []struct {
		name, in string
		want     url.Values
	}{
		{"strings", `{"kind":"appointment","name":"Aisha"}`, url.Values{"kind": {"appointment"}, "name": {"Aisha"}}},
		{"integer", `{"pain":7}`, url.Values{"pain": {"7"}}},
		{"integer spelt as float", `{"pain":7.0}`, url.Values{"pain": {"7"}}},
		{"exponent", `{"pain":7e0}`, url.Values{"pain": {"7"}}},
		{"decimal", `{"pain":6.5}`, url.Values{"pain": {"6.5"}}},
		{"negative", `{"pain":-1}`, url.Values{"pain": {"-1"}}},
		{"huge number kept as spelt", `{"pain":1e999}`, url.Values{"pain": {"1e999"}}},
		{"consent true", `{"consent":true}`, url.Values{"consent": {"yes"}}},
		{"consent false", `{"consent":false}`, url.Values{"consent": {""}}},
		{"other booleans", `{"x":true,"y":false}`, url.Values{"x": {"true"}, "y": {"false"}}},
		{"array", `{"tried":["prp","surgery"]}`, url.Values{"tried": {"prp", "surgery"}}},
		{"empty array", `{"tried":[]}`, url.Values{"tried": {}}},
		{"null is absent", `{"email":null,"name":"A"}`, url.Values{"name": {"A"}}},
		{"unknown kept", `{"utm":"x"}`, url.Values{"utm": {"x"}}},
		{"empty object", `{}`, url.Values{}},
		{"whitespace around", " \n{\"a\":\"b\"}\n ", url.Values{"a": {"b"}}},
		{"escapes", `{"name":"A\u202eB\r\nC"}`, url.Values{"name": {"A\u202eB\r\nC"}}}, // Parse strips them
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeJSON(strings.NewReader(tt.in))
			if err != nil {
				t.Fatalf("error: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDecodeJSONErrors(t *testing.T) {
	tests := []struct {
		name, in string
		want     error
	}{
		{"empty", ``, ErrMalformed},
		{"not JSON", `name=Aisha`, ErrMalformed},
		{"top-level array", `[{"a":"b"}]`, ErrMalformed},
		{"top-level string", `"a"`, ErrMalformed},
		{"top-level null", `null`, ErrMalformed},
		{"nested object", `{"a":{"b":"c"}}`, ErrMalformed},
		{"nested array", `{"tried":[["prp"]]}`, ErrMalformed},
		{"object in array", `{"tried":[{"a":1}]}`, ErrMalformed},
		{"null in array", `{"tried":["prp",null]}`, ErrMalformed},
		{"deep nesting", `{"a":` + strings.Repeat("[", 100000), ErrMalformed},
		{"truncated", `{"a":"b"`, ErrMalformed},
		{"trailing data", `{"a":"b"}{"c":"d"}`, ErrMalformed},
		{"trailing garbage", `{"a":"b"} x`, ErrMalformed},
		{"bad literal", `{"a":tru}`, ErrMalformed},
		{"duplicate key", `{"a":"1","a":"2"}`, ErrMalformed},
		{"consent, then not", `{"consent":true,"consent":false}`, ErrMalformed},
		{"null, then a value", `{"a":null,"a":"x"}`, ErrMalformed},
		{"a member name that is not a string", `{1:"x"}`, ErrMalformed},
		{"too many fields", "{" + manyFields(maxJSONFields) + `"z":"b"}`, ErrTooLarge},
		{"too many values", `{"tried":[` + strings.Repeat(`"a",`, maxJSONValues) + `"z"]}`, ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := decodeJSON(strings.NewReader(tt.in))
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, %v; want %v", v, err, tt.want)
			}
			if v != nil {
				t.Errorf("values returned with an error: %v", v)
			}
		})
	}
}

// JSON and the form post of the same answers give the same enquiry.
func TestDecodeJSONThenParse(t *testing.T) {
	in := `{"kind":"suitability","lang":"ar","name":"عمر حداد","phone":"٠٥٥ ٧٦٥ ٤٣٢١","contact":"phone",
		"consent":true,"website":"","area":"knee","condition":"osteoarthritis","duration":"1-5-years",
		"pain":6,"tried":["prp","physiotherapy"],"thinners":"no","note":"","extra":"ignored"}`
	v, err := decodeJSON(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	p := testParser(testNow)
	fromJSON, errs := validate(p, v)
	if errs != nil {
		t.Fatalf("errors: %v", errs)
	}
	fromForm, errs := validate(p, with(validSuitability(), "lang", "ar", "name", "عمر حداد", "note", nil))
	if errs != nil {
		t.Fatalf("errors: %v", errs)
	}
	if !reflect.DeepEqual(fromJSON, fromForm) {
		t.Errorf("json %+v\nform %+v", fromJSON, fromForm)
	}
}

// manyFields is n distinct members, each followed by a comma.
func manyFields(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `"f%d":"b",`, i)
	}
	return b.String()
}
