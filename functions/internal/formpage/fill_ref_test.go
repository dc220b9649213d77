package formpage

// The reference Fill: the page parsed on every call and searched, as Fill
// did before pages were cached (cache.go). The tests check that both give
// the same bytes.

import (
	"bytes"
	"context"
	"errors"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/bluetreeclinics/site/functions/internal/enquiry"
)

func refFill(page []byte, values url.Values, errs enquiry.Errors, lang string) ([]byte, error) {
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		return nil, err
	}
	form := find(doc, func(n *html.Node) bool { return n.DataAtom == atom.Form && hasAttr(n, "data-enquiry-form") })
	if form == nil {
		return nil, ErrNoForm
	}

	controls := findAll(form, func(n *html.Node) bool {
		return (n.DataAtom == atom.Input || n.DataAtom == atom.Select || n.DataAtom == atom.Textarea) && attr(n, "name") != ""
	})
	var order []string // field names in the form's order
	for _, c := range controls {
		if name := attr(c, "name"); !slices.Contains(order, name) {
			order = append(order, name)
		}
		setValue(c, values)
	}

	if len(errs) > 0 {
		for _, c := range controls {
			name := attr(c, "name")
			if _, bad := errs[name]; !bad || name == "" {
				continue
			}
			setAttr(c, "aria-invalid", "true")
			addToken(c, "aria-describedby", "f-"+name+"-error")
		}
		for field, msg := range errs {
			if field == "" {
				continue
			}
			if slot := byID(doc, "f-"+field+"-error"); slot != nil {
				setText(slot, msg)
				removeAttr(slot, "hidden")
			}
		}
		refFillSummary(doc, errs, order, lang)
		if t := find(doc, func(n *html.Node) bool { return n.DataAtom == atom.Title }); t != nil {
			setText(t, errorPrefix(lang)+textOf(t))
		}
	}

	var b bytes.Buffer
	if err := html.Render(&b, doc); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func refFillSummary(doc *html.Node, errs enquiry.Errors, order []string, lang string) {
	summary := byID(doc, "error-summary")
	if summary == nil {
		return
	}
	removeAttr(summary, "hidden")
	setAttr(summary, "autofocus", "")
	if h := find(summary, func(n *html.Node) bool {
		switch n.DataAtom {
		case atom.H2, atom.H3, atom.H4, atom.P:
			return true
		}
		return false
	}); h != nil && strings.TrimSpace(textOf(h)) == "" {
		setText(h, enquiry.Text(lang, "summary_heading"))
	}
	list := find(summary, func(n *html.Node) bool { return n.DataAtom == atom.Ul || n.DataAtom == atom.Ol })
	if list == nil {
		list = &html.Node{Type: html.ElementNode, Data: "ul", DataAtom: atom.Ul}
		summary.AppendChild(list)
	}
	for c := list.FirstChild; c != nil; {
		next := c.NextSibling
		list.RemoveChild(c)
		c = next
	}
	for _, p := range Ordered(errs, order) {
		li := &html.Node{Type: html.ElementNode, Data: "li", DataAtom: atom.Li}
		// A field the page has no focus target for gets a plain item.
		if p.Field != "" && byID(doc, "f-"+p.Field) != nil {
			a := &html.Node{Type: html.ElementNode, Data: "a", DataAtom: atom.A,
				Attr: []html.Attribute{{Key: "href", Val: "#f-" + p.Field}}}
			a.AppendChild(&html.Node{Type: html.TextNode, Data: p.Message})
			li.AppendChild(a)
		} else {
			li.AppendChild(&html.Node{Type: html.TextNode, Data: p.Message})
		}
		list.AppendChild(li)
	}
}

// Fill gives what the reference gives, for each fixture page and odd pages,
// with values and errors hostile or not, again and again (a Fill must not
// change the cached tree).
func TestFillMatchesReference(t *testing.T) {
	pages := map[string][]byte{
		"odd": []byte(`<!doctype html><title>T</title><form data-enquiry-form>
<p id="f-name-error" hidden><input id="f-phone" name="phone"></p>
<input name="name" id="f-name"><select name="time" multiple><option>morning<option value="evening" selected>Evening</select>
<textarea name="message">
old</textarea><div id="error-summary" hidden><h2></h2></div><div id="error-summary">second</div>
<input type="checkbox" name="tried" value="a" checked><input type="radio" name="contact">
</form><title>Second</title>`),
		"no-summary-list": []byte(`<html><head><title>X</title></head><body><div id="error-summary"><p>Fix:</p></div><form data-enquiry-form><input name="email"></form>`),
	}
	for _, lang := range []string{"en", "ar"} {
		for _, kind := range []string{"appointment", "suitability"} {
			if b, err := Dir(fixture(t)).Page(context.Background(), lang, kind); err == nil {
				pages[lang+"/"+kind] = b
			}
		}
	}
	values := []url.Values{
		nil,
		{"name": {`<script>alert(1)</script>`}, "phone": {`"><b>x`}, "email": {"a@b"}, "message": {"\nline\n</textarea><b>"},
			"time": {"evening"}, "tried": {"a", "physiotherapy"}, "contact": {"on"}, "website": {"bot"}, "kind": {"x"}},
	}
	errsets := []enquiry.Errors{
		nil,
		{"": "Whole form & <more>"},
		{"name": "Name <b>", "phone": "Phone", "email": "Email", "nosuch": "Other", "message": "Msg", "tried": "Tried", "time": "Time", "": "All"},
	}
	for name, pg := range pages {
		for round := range 2 {
			for vi, v := range values {
				for ei, e := range errsets {
					for _, lang := range []string{"en", "ar"} {
						want, werr := refFill(pg, v, e, lang)
						got, gerr := Fill(pg, v, e, lang)
						if (werr == nil) != (gerr == nil) || !bytes.Equal(got, want) {
							t.Fatalf("%s round %d values %d errors %d %s: Fill differs from the reference (%v / %v)\n--- got ---\n%s\n--- want ---\n%s",
								name, round, vi, ei, lang, gerr, werr, got, want)
						}
					}
				}
			}
		}
	}
	if _, err := Fill([]byte(`<p>no form`), nil, nil, "en"); !errors.Is(err, ErrNoForm) {
		t.Errorf("no form: %v", err)
	}
}

// Dir keeps a page and reads it again when the file changes, also when the
// folder is swapped for a rebuilt one (watch mode).
func TestDirReloadsChangedPage(t *testing.T) {
	root := t.TempDir()
	site := root + "/public"
	write := func(dir, body string) {
		if err := os.MkdirAll(dir+"/enquire/appointment", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dir+"/enquire/appointment/index.html", []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	src := Dir(os.DirFS(site))
	get := func() string {
		b, err := src.Page(context.Background(), "en", "appointment")
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	write(site, "one")
	if got := get(); got != "one" {
		t.Fatalf("got %q", got)
	}
	write(site, "two, longer")
	if got := get(); got != "two, longer" {
		t.Fatalf("after an edit: got %q", got)
	}
	// A rebuild: a new folder renamed into place, same size, later time.
	write(root+"/next", "thr, longer")
	later := time.Now().Add(2 * time.Second)
	os.Chtimes(root+"/next/enquire/appointment/index.html", later, later)
	if err := os.Rename(site, root+"/old"); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(root+"/next", site); err != nil {
		t.Fatal(err)
	}
	if got := get(); got != "thr, longer" {
		t.Fatalf("after a rebuild: got %q", got)
	}
}
