package formpage

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/bluetreeclinics/site/functions/internal/enquiry"
)

func fixture(t *testing.T) fs.FS {
	t.Helper()
	return os.DirFS("../../testdata/public")
}

func page(t *testing.T, lang, kind string) []byte {
	t.Helper()
	b, err := Dir(fixture(t)).Page(context.Background(), lang, kind)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func parse(t *testing.T, b []byte) *html.Node {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func mustID(t *testing.T, doc *html.Node, id string) *html.Node {
	t.Helper()
	n := byID(doc, id)
	if n == nil {
		t.Fatalf("no element #%s", id)
	}
	return n
}

func TestFillValuesAndErrors(t *testing.T) {
	values := url.Values{
		"kind":    {"suitability"}, // must not change the hidden input
		"lang":    {"ar"},
		"name":    {`Zed "<b>bold</b>" O'Neil`},
		"phone":   {"050 123"},
		"email":   {""},
		"contact": {"whatsapp"},
		"time":    {"evening"},
		"message": {"</textarea><script>alert(1)</script>"},
		"consent": {"yes"},
		"website": {"http://spam.example"},
		"unknown": {"ignored"},
	}
	errs := enquiry.Errors{
		"phone":   "Enter a phone number, like 050 123 4567",
		"date":    "Enter a date <today>",
		"email":   "Enter an email",
		"":        "Something went wrong as a whole",
		"mystery": "A field the page has not",
	}
	out, err := Fill(page(t, "en", "appointment"), values, errs, "en")
	if err != nil {
		t.Fatal(err)
	}
	doc := parse(t, out)

	if got := attr(mustID(t, doc, "f-name"), "value"); got != values.Get("name") {
		t.Errorf("name value = %q", got)
	}
	if hasAttr(mustID(t, doc, "f-contact-email"), "checked") || !hasAttr(mustID(t, doc, "f-contact-whatsapp"), "checked") {
		t.Error("contact radio not set to whatsapp")
	}
	if !hasAttr(mustID(t, doc, "f-time-evening"), "checked") || !hasAttr(mustID(t, doc, "f-consent"), "checked") {
		t.Error("time / consent not checked")
	}
	if got := textOf(mustID(t, doc, "f-message")); got != values.Get("message") {
		t.Errorf("message = %q", got)
	}
	if got := attr(mustID(t, doc, "f-website"), "value"); got != "" {
		t.Errorf("honeypot echoed: %q", got)
	}
	for _, in := range findAll(doc, func(n *html.Node) bool { return attr(n, "type") == "hidden" }) {
		if (attr(in, "name") == "kind" && attr(in, "value") != "appointment") || (attr(in, "name") == "lang" && attr(in, "value") != "en") {
			t.Errorf("hidden input changed: %v", in.Attr)
		}
	}
	if bytes.Contains(out, []byte("<script>")) || bytes.Contains(out, []byte("<b>bold")) || bytes.Contains(out, []byte("<today>")) {
		t.Errorf("visitor text became markup:\n%s", out)
	}
	if bytes.Contains(out, []byte("ignored")) || bytes.Contains(out, []byte("spam.example")) {
		t.Error("unknown field or honeypot echoed")
	}

	// Error slots, aria.
	slot := mustID(t, doc, "f-phone-error")
	if hasAttr(slot, "hidden") || textOf(slot) != errs["phone"] {
		t.Errorf("phone error slot: hidden=%v text=%q", hasAttr(slot, "hidden"), textOf(slot))
	}
	phone := mustID(t, doc, "f-phone")
	if attr(phone, "aria-invalid") != "true" || attr(phone, "aria-describedby") != "f-phone-hint f-phone-error" {
		t.Errorf("phone aria: %v", phone.Attr)
	}
	if hasAttr(mustID(t, doc, "f-name"), "aria-invalid") {
		t.Error("valid field marked invalid")
	}
	if !hasAttr(mustID(t, doc, "f-name-error"), "hidden") {
		t.Error("valid field's error slot unhidden")
	}

	// Summary: unhidden, autofocus, one item per error in the form's order.
	sum := mustID(t, doc, "error-summary")
	if hasAttr(sum, "hidden") || !hasAttr(sum, "autofocus") {
		t.Errorf("summary attrs: %v", sum.Attr)
	}
	var items []string
	for _, li := range findAll(sum, func(n *html.Node) bool { return n.Data == "li" }) {
		if a := find(li, func(n *html.Node) bool { return n.Data == "a" }); a != nil {
			items = append(items, attr(a, "href")+" "+textOf(a))
		} else {
			items = append(items, textOf(li))
		}
	}
	want := []string{
		errs[""],
		"#f-phone " + errs["phone"],
		"#f-email " + errs["email"],
		"#f-date " + errs["date"],
		errs["mystery"],
	}
	if strings.Join(items, "\n") != strings.Join(want, "\n") {
		t.Errorf("summary items:\n%s\nwant:\n%s", strings.Join(items, "\n"), strings.Join(want, "\n"))
	}
	title := find(doc, func(n *html.Node) bool { return n.Data == "title" })
	if got := textOf(title); got != "Error: Book an appointment | Blue Tree Clinics" {
		t.Errorf("title = %q", got)
	}
}

func TestFillArabicTitle(t *testing.T) {
	out, err := Fill(page(t, "ar", "appointment"), url.Values{}, enquiry.Errors{"name": "x"}, "ar")
	if err != nil {
		t.Fatal(err)
	}
	title := find(parse(t, out), func(n *html.Node) bool { return n.Data == "title" })
	if !strings.HasPrefix(textOf(title), "خطأ: ") {
		t.Errorf("title = %q", textOf(title))
	}
}

func TestFillWithoutErrorsKeepsSummaryHidden(t *testing.T) {
	out, err := Fill(page(t, "en", "appointment"), url.Values{"name": {"Ann"}}, nil, "en")
	if err != nil {
		t.Fatal(err)
	}
	doc := parse(t, out)
	if !hasAttr(mustID(t, doc, "error-summary"), "hidden") {
		t.Error("summary shown without errors")
	}
	if strings.HasPrefix(textOf(find(doc, func(n *html.Node) bool { return n.Data == "title" })), "Error") {
		t.Error("title prefixed without errors")
	}
}

func TestFillSelectCheckboxes(t *testing.T) {
	values := url.Values{"area": {"knee"}, "tried": {"physiotherapy", "prp"}, "pain": {"7"}, "note": {"line1\nline2"}}
	out, err := Fill(page(t, "en", "suitability"), values, enquiry.Errors{"tried": "Pick", "area": "Area?"}, "en")
	if err != nil {
		t.Fatal(err)
	}
	doc := parse(t, out)
	sel := mustID(t, doc, "f-area")
	for _, o := range findAll(sel, func(n *html.Node) bool { return n.Data == "option" }) {
		if hasAttr(o, "selected") != (attr(o, "value") == "knee") {
			t.Errorf("option %q selected=%v", attr(o, "value"), hasAttr(o, "selected"))
		}
	}
	for id, want := range map[string]bool{"f-tried": true, "f-tried-prp": true, "f-tried-surgery": false} {
		n := mustID(t, doc, id)
		if hasAttr(n, "checked") != want {
			t.Errorf("%s checked = %v", id, !want)
		}
		if attr(n, "aria-invalid") != "true" || attr(n, "aria-describedby") != "f-tried-error" {
			t.Errorf("%s aria: %v", id, n.Attr)
		}
	}
	if attr(mustID(t, doc, "f-pain"), "value") != "7" || textOf(mustID(t, doc, "f-note")) != "line1\nline2" {
		t.Error("pain / note not kept")
	}
}

func TestFillNoForm(t *testing.T) {
	if _, err := Fill([]byte("<p>hello"), nil, nil, "en"); !errors.Is(err, ErrNoForm) {
		t.Errorf("err = %v, want ErrNoForm", err)
	}
}

func TestDirUnknownPage(t *testing.T) {
	for _, c := range [][2]string{{"en", "../../etc"}, {"fr", "appointment"}, {"en", ""}} {
		if _, err := Dir(fixture(t)).Page(context.Background(), c[0], c[1]); !errors.Is(err, ErrUnknownPage) {
			t.Errorf("%v: err = %v", c, err)
		}
	}
}

func TestFallback(t *testing.T) {
	out := Fallback("ar", "suitability", enquiry.Errors{"": "<b>x</b>", "pain": "ألم"})
	s := string(out)
	for _, want := range []string{`lang="ar"`, `dir="rtl"`, `href="/ar/enquire/suitability/"`, "&lt;b&gt;x&lt;/b&gt;", "ألم", "خطأ"} {
		if !strings.Contains(s, want) {
			t.Errorf("fallback lacks %q:\n%s", want, s)
		}
	}
	if s := string(Fallback("en", "bogus", enquiry.Errors{"": "m"})); !strings.Contains(s, `href="/"`) || !strings.Contains(s, `lang="en"`) {
		t.Errorf("fallback for unknown kind:\n%s", s)
	}
}

func TestHTTPSourceCaches(t *testing.T) {
	var hits atomic.Int32
	up := atomic.Bool{}
	up.Store(true)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if !up.Load() {
			http.Error(w, "down", 502)
			return
		}
		if r.URL.Path != "/ar/enquire/appointment/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte("<form data-enquiry-form></form>"))
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	src := HTTP(u, srv.Client()).(*httpSource)
	ctx := context.Background()
	for range 3 {
		if b, err := src.Page(ctx, "ar", "appointment"); err != nil || !bytes.Contains(b, []byte("data-enquiry-form")) {
			t.Fatalf("page: %q %v", b, err)
		}
	}
	if hits.Load() != 1 {
		t.Errorf("fetched %d times, want 1 (cached)", hits.Load())
	}
	if _, err := src.Page(ctx, "en", "appointment"); err == nil {
		t.Error("404 page: want an error")
	}
	// Expired and the site down: the stale copy is used.
	up.Store(false)
	src.now = func() time.Time { return time.Now().Add(time.Hour) }
	if _, err := src.Page(ctx, "ar", "appointment"); err != nil {
		t.Errorf("stale copy not used: %v", err)
	}
}
