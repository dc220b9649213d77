package api

import (
	"bytes"
	"net/http/httptest"
	"testing"
)

// FuzzHandler sends any body with any content type and Accept header: the
// handler must never panic nor answer 5xx (the sender works). The seed
// corpus in testdata/fuzz/FuzzHandler runs in every go test.
func FuzzHandler(f *testing.F) {
	f.Add(typeForm, "", []byte(validForm().Encode()))
	f.Add(typeJSON, "application/json", []byte(`{"kind":"suitability","lang":"ar","name":"عمر","phone":"٠٥٠١٢٣٤٥٦٧","contact":"phone","consent":"yes","area":"knee","condition":"unsure","duration":"1-5-years","pain":"11","tried":["prp","x"],"thinners":"no"}`))
	f.Add("text/plain", "*/*", []byte("hello"))
	f.Add(typeJSON, "", []byte(`{"tried":[[]],"pain":1e400}`))
	e := newEnv(f, &fakeSender{}, func(d *Deps) { d.RatePerMinute = 0 })
	f.Fuzz(func(t *testing.T, ctype, accept string, body []byte) {
		r := httptest.NewRequest("POST", "/api/enquiry", bytes.NewReader(body))
		r.Header.Set("Content-Type", ctype)
		r.Header.Set("Accept", accept)
		w := httptest.NewRecorder()
		e.h.ServeHTTP(w, r)
		if w.Code >= 500 {
			t.Fatalf("status %d for %q %q %q: %s", w.Code, ctype, accept, body, w.Body)
		}
		if w.Code == 422 && bytes.Contains(w.Body.Bytes(), []byte("<script>")) {
			t.Fatalf("markup echoed")
		}
	})
}
