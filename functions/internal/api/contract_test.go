package api

// The contract test: build the real site with the pinned Hugo, read each
// enquiry form from the built HTML, check its fields against the contract
// (docs/enquiry-contract.md) and the handler's option lists, then submit it
// the way a browser without JavaScript would and check the thank-you page
// and the email; and submit it invalid and check the 422 page.

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/bluetreeclinics/site/data"
	"github.com/bluetreeclinics/site/functions/internal/delivery"
	"github.com/bluetreeclinics/site/functions/internal/delivery/resendtest"
	"github.com/bluetreeclinics/site/functions/internal/enquiry"
	"github.com/bluetreeclinics/site/functions/internal/formpage"
	"github.com/bluetreeclinics/site/functions/internal/mail"
	"github.com/bluetreeclinics/site/functions/internal/site"
)

var (
	builtOnce sync.Once
	builtDir  string
	builtErr  error
)

// builtSite builds the site once for all tests of this package.
func builtSite(t *testing.T) string {
	t.Helper()
	builtOnce.Do(func() {
		dir, err := os.MkdirTemp("", "bluetree-contract-*")
		if err != nil {
			builtErr = err
			return
		}
		builtDir = filepath.Join(dir, "public")
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		builtErr = site.Build(ctx, site.Options{Dest: builtDir, Timeout: 10 * time.Minute})
	})
	if builtErr != nil {
		t.Fatalf("building the site: %v", builtErr)
	}
	return builtDir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if builtDir != "" {
		os.RemoveAll(filepath.Dir(builtDir))
	}
	os.Exit(code)
}

// contractFields are the field names of docs/enquiry-contract.md by kind.
var contractFields = map[string][]string{
	enquiry.KindAppointment: {"kind", "lang", "name", "phone", "email", "contact", "consent", "website", "date", "time", "message"},
	enquiry.KindSuitability: {"kind", "lang", "name", "phone", "email", "contact", "consent", "website", "area", "condition", "duration", "pain", "tried", "thinners", "note"},
}

// control is one named form control of the built page, in document order.
type control struct {
	node  *html.Node
	tag   string // input, select, textarea
	typ   string // input type
	name  string
	value string   // value attribute
	opts  []string // select: option values
	texts []string // select: what each option reads
}

func formControls(t *testing.T, doc *html.Node) (*html.Node, []control) {
	t.Helper()
	var form *html.Node
	for n := range doc.Descendants() {
		if n.Type == html.ElementNode && n.Data == "form" && hasA(n, "data-enquiry-form") {
			form = n
			break
		}
	}
	if form == nil {
		t.Fatal("no <form data-enquiry-form>")
	}
	var cs []control
	for n := range form.Descendants() {
		if n.Type != html.ElementNode || getA(n, "name") == "" {
			continue
		}
		switch n.Data {
		case "input", "select", "textarea":
		default:
			continue
		}
		c := control{node: n, tag: n.Data, typ: strings.ToLower(getA(n, "type")), name: getA(n, "name"), value: getA(n, "value")}
		if c.tag == "input" && c.typ == "" {
			c.typ = "text"
		}
		if c.tag == "select" {
			for o := range n.Descendants() {
				if o.Type == html.ElementNode && o.Data == "option" {
					c.opts = append(c.opts, getA(o, "value"))
					c.texts = append(c.texts, strings.TrimSpace(text(o)))
				}
			}
		}
		cs = append(cs, c)
	}
	return form, cs
}

func checkLabel(t *testing.T, field, value, shown, lang string) {
	t.Helper()
	if want := enquiry.Label(field, value, lang); shown != want {
		t.Errorf("%s=%s reads %q on the page, %q in the handler", field, value, shown, want)
	}
}

func getA(n *html.Node, k string) string {
	for _, a := range n.Attr {
		if a.Key == k {
			return a.Val
		}
	}
	return ""
}

func hasA(n *html.Node, k string) bool {
	for _, a := range n.Attr {
		if a.Key == k {
			return true
		}
	}
	return false
}

func byIDNode(doc *html.Node, id string) *html.Node {
	for n := range doc.Descendants() {
		if n.Type == html.ElementNode && getA(n, "id") == id {
			return n
		}
	}
	return nil
}

func text(n *html.Node) string {
	var b strings.Builder
	for c := range n.Descendants() {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return b.String()
}

// answers are valid answers by field for a browser-like submission.
func answers(kind string) map[string][]string {
	date := data.ClinicDetails().Opening.OpenDay(time.Now().AddDate(0, 0, 7)).Format("2006-01-02")
	a := map[string][]string{
		"name":    {"Contract Tester"},
		"phone":   {"050 765 4321"},
		"email":   {"contract.tester@example.com"},
		"contact": {"email"},
		"consent": {"yes"},
	}
	if kind == enquiry.KindAppointment {
		a["date"] = []string{date}
		a["time"] = []string{"afternoon"}
		a["message"] = []string{"Right knee, worse on stairs."}
	} else {
		a["area"] = []string{"shoulder"}
		a["condition"] = []string{"tendon-soft-tissue"}
		a["duration"] = []string{"3-12-months"}
		a["pain"] = []string{"7"}
		a["tried"] = []string{"physiotherapy", "prp"}
		a["thinners"] = []string{"unsure"}
		a["note"] = []string{"Hurts when lifting the arm."}
	}
	return a
}

// browserBody encodes the form as a browser does on submit: controls in
// document order; text fields always (empty too); checked radios and
// checkboxes only; the selected option of a select.
func browserBody(cs []control, a map[string][]string) string {
	var parts []string
	add := func(k, v string) { parts = append(parts, url.QueryEscape(k)+"="+url.QueryEscape(v)) }
	for _, c := range cs {
		want := a[c.name]
		switch {
		case c.tag == "select":
			v := c.opts[0]
			if len(want) > 0 {
				v = want[0]
			}
			add(c.name, v)
		case c.typ == "radio" || c.typ == "checkbox":
			if slices.Contains(want, c.value) {
				add(c.name, c.value)
			}
		case c.typ == "hidden":
			add(c.name, c.value)
		case c.typ == "submit" || c.typ == "button":
		default:
			v := ""
			if len(want) > 0 {
				v = want[0]
			}
			add(c.name, v)
		}
	}
	return strings.Join(parts, "&")
}

func TestContractWithBuiltSite(t *testing.T) {
	dir := builtSite(t)
	for _, lang := range []string{"en", "ar"} {
		for _, kind := range []string{enquiry.KindAppointment, enquiry.KindSuitability} {
			page := filepath.Join(dir, filepath.FromSlash(formpage.PagePath(lang, kind)), "index.html")
			if _, err := os.Stat(page); err != nil {
				t.Fatalf("%s %s form page missing: %v", lang, kind, err)
			}
			t.Run(lang+"/"+kind, func(t *testing.T) { checkForm(t, dir, page, lang, kind) })
		}
	}
}

func checkForm(t *testing.T, dir, pagePath, lang, kind string) {
	raw, err := os.ReadFile(pagePath)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := html.Parse(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	form, cs := formControls(t, doc)
	if getA(form, "method") != "post" || getA(form, "action") != "/api/enquiry" || !hasA(form, "novalidate") {
		t.Errorf("form attributes: %v", form.Attr)
	}

	// Names: every one the page sends is a contract field of this kind, and
	// every contract field of this kind is in the page.
	names := map[string][]control{}
	for _, c := range cs {
		names[c.name] = append(names[c.name], c)
	}
	for name := range names {
		if !slices.Contains(contractFields[kind], name) {
			t.Errorf("the form sends %q, not a field of the %s contract", name, kind)
		}
	}
	for _, f := range contractFields[kind] {
		if len(names[f]) == 0 {
			t.Errorf("contract field %q missing from the form", f)
		}
	}
	hidden := func(name, want string) {
		if c := names[name]; len(c) != 1 || c[0].typ != "hidden" || c[0].value != want {
			t.Errorf("hidden %s: %+v, want value %q", name, c, want)
		}
	}
	hidden("kind", kind)
	hidden("lang", lang)

	// Choices: the page's option values are exactly enquiry.Choices, and
	// each reads as its label there: both come from data/form_options.yaml.
	labels := map[string]string{} // input id -> its label's text
	for n := range doc.Descendants() {
		if n.Type == html.ElementNode && n.Data == "label" {
			labels[getA(n, "for")] = strings.TrimSpace(text(n))
		}
	}
	for name, group := range names {
		choices, isChoice := enquiry.Choices[name]
		if !isChoice || name == "kind" || name == "lang" {
			continue
		}
		var offered []string
		for _, c := range group {
			switch {
			case c.tag == "select":
				for i, o := range c.opts {
					if o != "" { // a "choose" placeholder
						offered = append(offered, o)
						checkLabel(t, name, o, c.texts[i], lang)
					}
				}
			case c.typ == "radio" || c.typ == "checkbox":
				offered = append(offered, c.value)
				checkLabel(t, name, c.value, labels[getA(c.node, "id")], lang)
			default:
				t.Errorf("%s is a choice but the page has a %s %s", name, c.tag, c.typ)
			}
		}
		var want []string
		for _, o := range choices {
			want = append(want, o.Value)
		}
		if name == enquiry.FieldTime {
			want = openTimes() // only the times the clinic is open (data/clinic.yaml)
		}
		sort.Strings(offered)
		sort.Strings(want)
		if !slices.Equal(offered, want) {
			t.Errorf("%s: the page offers %q, the handler knows %q", name, offered, want)
		}
	}
	if c := names["consent"]; len(c) != 1 || c[0].typ != "checkbox" || c[0].value != "yes" {
		t.Errorf("consent: want one checkbox with value yes, got %+v", c)
	}

	// Markup slots.
	if s := byIDNode(doc, "error-summary"); s == nil || !hasA(s, "data-error-summary") || getA(s, "tabindex") != "-1" || !hasA(s, "hidden") {
		t.Error("error summary slot missing or wrong")
	}
	for name := range names {
		if name == "kind" || name == "lang" || name == "website" {
			continue
		}
		if byIDNode(doc, "f-"+name) == nil {
			t.Errorf("no focus target #f-%s", name)
		}
		if e := byIDNode(doc, "f-"+name+"-error"); e == nil || !hasA(e, "hidden") {
			t.Errorf("no hidden error slot #f-%s-error", name)
		}
	}

	// Submit it valid, as a browser without JavaScript does.
	outboxDir := t.TempDir()
	outbox, err := delivery.NewOutbox(outboxDir, nil)
	if err != nil {
		t.Fatal(err)
	}
	h := contractHandler(t, dir, outbox)
	a := answers(kind)
	w := post(h, browserBody(cs, a))
	if w.Code != http.StatusSeeOther {
		t.Fatalf("valid submission: %d\n%s", w.Code, w.Body)
	}
	loc := w.Header().Get("Location")
	if loc != formpage.ThanksPath(lang, kind) {
		t.Errorf("Location %q, want %q", loc, formpage.ThanksPath(lang, kind))
	}
	if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(loc), "index.html")); err != nil {
		t.Errorf("the thank-you page %s is not in the built site: %v", loc, err)
	}
	msgs, err := resendtest.ReadOutbox(outboxDir)
	if err != nil {
		t.Fatal(err)
	}
	var reception *resendtest.Parsed
	for _, m := range msgs {
		if slices.Contains(m.To, "reception@bluetree.example") {
			reception = m
		}
	}
	if reception == nil {
		t.Fatalf("no email to reception in the outbox (%d files)", len(msgs))
	}
	wantText := []string{"Contract Tester", "+971507654321", "contract.tester@example.com", enquiry.Label("contact", "email", "en")}
	for f, vs := range a {
		if _, choice := enquiry.Choices[f]; choice {
			for _, v := range vs {
				wantText = append(wantText, enquiry.Label(f, v, "en"))
			}
		}
	}
	if kind == enquiry.KindAppointment {
		wantText = append(wantText, a["message"][0])
	} else {
		wantText = append(wantText, a["note"][0])
	}
	for _, want := range wantText {
		if !strings.Contains(reception.Text, want) {
			t.Errorf("the email's text lacks %q:\n%s", want, reception.Text)
		}
	}
	if reception.ReplyTo != "contract.tester@example.com" || !strings.Contains(reception.Subject, "Contract Tester") {
		t.Errorf("Reply-To %q, Subject %q", reception.ReplyTo, reception.Subject)
	}

	// Submit it invalid: the 422 page is the form, errors filled, values kept.
	bad := answers(kind)
	bad["phone"] = []string{"12"}
	bad["consent"] = nil
	w = post(h, browserBody(cs, bad))
	if w.Code != http.StatusUnprocessableEntity || w.Header().Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("invalid submission: %d %q", w.Code, w.Header().Get("Content-Type"))
	}
	got, err := html.Parse(w.Body)
	if err != nil {
		t.Fatal(err)
	}
	_, gotCs := formControls(t, got)
	title := ""
	for n := range got.Descendants() {
		if n.Type == html.ElementNode && n.Data == "title" {
			title = text(n)
			break
		}
	}
	prefix := "Error: "
	if lang == "ar" {
		prefix = "خطأ: "
	}
	if !strings.HasPrefix(title, prefix) {
		t.Errorf("title %q", title)
	}
	sum := byIDNode(got, "error-summary")
	if sum == nil || hasA(sum, "hidden") || !strings.Contains(renderNode(sum), `href="#f-phone"`) || !strings.Contains(renderNode(sum), `href="#f-consent"`) {
		t.Errorf("summary: %s", renderNode(sum))
	}
	// The messages speak the page's language (the form's hidden lang field).
	_, wantErrs := enquiry.NewParser([]byte("any"), nil).Parse(url.Values(bad), lang)
	for _, f := range []string{"phone", "consent"} {
		e := byIDNode(got, "f-"+f+"-error")
		if e == nil || hasA(e, "hidden") || strings.TrimSpace(text(e)) != wantErrs[f] {
			t.Errorf("error slot of %s: want %q", f, wantErrs[f])
		}
		if in := byIDNode(got, "f-"+f); in == nil || getA(in, "aria-invalid") != "true" || !strings.Contains(getA(in, "aria-describedby"), "f-"+f+"-error") {
			t.Errorf("%s not marked invalid", f)
		}
	}
	// Everything typed is still there.
	for _, c := range gotCs {
		want := bad[c.name]
		switch {
		case c.typ == "radio" || c.typ == "checkbox":
			if hasA(c.node, "checked") != slices.Contains(want, c.value) {
				t.Errorf("%s=%s checked=%v after 422", c.name, c.value, hasA(c.node, "checked"))
			}
		case c.tag == "textarea":
			if len(want) > 0 && text(c.node) != want[0] {
				t.Errorf("%s = %q after 422", c.name, text(c.node))
			}
		case c.tag == "select":
			for o := range c.node.Descendants() {
				if o.Type == html.ElementNode && o.Data == "option" && len(want) > 0 && hasA(o, "selected") != (getA(o, "value") == want[0]) {
					t.Errorf("%s option %s selected=%v after 422", c.name, getA(o, "value"), hasA(o, "selected"))
				}
			}
		case c.typ == "hidden":
		default:
			if len(want) > 0 && c.value != want[0] {
				t.Errorf("%s = %q after 422, want %q", c.name, c.value, want[0])
			}
		}
	}
}

func renderNode(n *html.Node) string {
	if n == nil {
		return "<nil>"
	}
	var b bytes.Buffer
	html.Render(&b, n)
	return b.String()
}

func contractHandler(t *testing.T, dir string, sender delivery.Sender) http.Handler {
	t.Helper()
	cmp, err := mail.NewComposer(mail.ComposerConfig{
		From:    "Blue Tree Clinics website <enquiries@bluetree.example>",
		To:      []string{"reception@bluetree.example"},
		SiteURL: siteOrigin,
	})
	if err != nil {
		t.Fatal(err)
	}
	site, _ := url.Parse(siteOrigin)
	return New(Deps{
		Parser:      enquiry.NewParser([]byte("contract-test-secret-0123"), nil),
		Composer:    cmp,
		Sender:      sender,
		Pages:       formpage.Dir(os.DirFS(dir)),
		Logger:      slog.New(slog.DiscardHandler),
		SiteURL:     site,
		SendTimeout: 8 * time.Second,
	})
}

func post(h http.Handler, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("POST", "/api/enquiry", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Origin", siteOrigin)
	r.Header.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// openTimes are the time-of-day choices the clinic is open at on some day
// (data/form_options.yaml "time", data/clinic.yaml "opening"): what the
// appointment form offers.
func openTimes() (out []string) {
	o := data.ClinicDetails().Opening
	for _, t := range data.Choices()["time"] {
		if slices.ContainsFunc([]time.Weekday{0, 1, 2, 3, 4, 5, 6}, func(d time.Weekday) bool { return o.On(d).OpenAt(t) }) {
			out = append(out, t.Value)
		}
	}
	return out
}
