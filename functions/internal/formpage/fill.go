package formpage

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"maps"
	"net/url"
	"slices"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/bluetreeclinics/site/data"
	"github.com/bluetreeclinics/site/functions/internal/enquiry"
)

// ErrNoForm is returned by Fill when the page holds no enquiry form.
var ErrNoForm = errors.New("formpage: no <form data-enquiry-form> in the page")

// Fill returns page with the enquiry form filled in: every field set to what
// the visitor sent in values (never the honeypot, never hidden inputs such
// as kind and lang), and when errs is not empty the error summary and each
// field's error slot filled, the fields marked aria-invalid, and the title
// prefixed with "Error: ". Everything inserted is a text node or an
// attribute value: nothing the visitor typed can become markup.
func Fill(page []byte, values url.Values, errs enquiry.Errors, lang string) ([]byte, error) {
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
			if _, bad := errs[attr(c, "name")]; bad {
				setAttr(c, "aria-invalid", "true")
				addToken(c, "aria-describedby", "f-"+attr(c, "name")+"-error")
			}
		}
		for field, msg := range errs {
			if slot := byID(doc, "f-"+field+"-error"); field != "" && slot != nil {
				setText(slot, msg)
				removeAttr(slot, "hidden")
			}
		}
		fillSummary(doc, errs, order, lang)
		if t := find(doc, func(n *html.Node) bool { return n.DataAtom == atom.Title }); t != nil {
			setText(t, errorPrefix.In(lang)+textOf(t))
		}
	}

	var b bytes.Buffer
	if err := html.Render(&b, doc); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Policy is the Content-Security-Policy of a page the handler writes (Fill's
// or Fallback's): the site's own (data/csp.yaml, which the site's _headers
// sends too), with the page's inline <style>s and <script>s allowed by their
// hashes, as the site's are, and nothing else inline. A script with a src,
// or of a type the browser does not run (JSON-LD), needs no hash.
func Policy(page []byte) string {
	hashes := map[string][]string{}             // directive → 'sha256-…' sources, each once, in page order
	doc, _ := html.Parse(bytes.NewReader(page)) // a bytes.Reader does not fail
	for _, n := range findAll(doc, func(n *html.Node) bool { return n.DataAtom == atom.Style || n.DataAtom == atom.Script }) {
		directive := "style-src"
		if n.DataAtom == atom.Script {
			switch strings.ToLower(strings.TrimSpace(attr(n, "type"))) {
			case "", "text/javascript", "application/javascript", "module":
				directive = "script-src"
			default:
				continue
			}
			if hasAttr(n, "src") {
				continue
			}
		}
		sum := sha256.Sum256([]byte(textOf(n)))
		if h := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !slices.Contains(hashes[directive], h) {
			hashes[directive] = append(hashes[directive], h)
		}
	}
	var out []string
	for _, d := range data.PagePolicy() {
		name, _, _ := strings.Cut(d, " ")
		out = append(out, strings.Join(append([]string{d}, hashes[name]...), " "))
	}
	return strings.Join(out, "; ")
}

// Ordered returns the errors in the order of fields: first the message for
// the whole form (key ""), then the fields in order, then any others by name.
func Ordered(errs enquiry.Errors, order []string) []Problem {
	var out []Problem
	if msg, ok := errs[""]; ok {
		out = append(out, Problem{Message: msg})
	}
	seen := map[string]bool{"": true}
	for _, f := range order {
		if msg, ok := errs[f]; ok && !seen[f] {
			out = append(out, Problem{Field: f, Message: msg})
			seen[f] = true
		}
	}
	for _, f := range slices.Sorted(maps.Keys(errs)) {
		if !seen[f] {
			out = append(out, Problem{Field: f, Message: errs[f]})
		}
	}
	return out
}

// Problem is one error to show: Field is empty for the form as a whole.
type Problem struct {
	Field   string
	Message string
}

func fillSummary(doc *html.Node, errs enquiry.Errors, order []string, lang string) {
	summary := byID(doc, "error-summary")
	if summary == nil {
		return
	}
	removeAttr(summary, "hidden")
	setAttr(summary, "autofocus", "")
	isHeading := func(n *html.Node) bool {
		return slices.Contains([]atom.Atom{atom.H2, atom.H3, atom.H4, atom.P}, n.DataAtom)
	}
	if h := find(summary, isHeading); h != nil && strings.TrimSpace(textOf(h)) == "" {
		setText(h, summaryHeading(lang))
	}
	list := find(summary, func(n *html.Node) bool { return n.DataAtom == atom.Ul || n.DataAtom == atom.Ol })
	if list == nil {
		list = &html.Node{Type: html.ElementNode, Data: "ul", DataAtom: atom.Ul}
		summary.AppendChild(list)
	}
	setText(list, "")
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

// setValue puts the visitor's value(s) back into one form control.
func setValue(n *html.Node, values url.Values) {
	name := attr(n, "name")
	if name == enquiry.FieldHoneypot {
		return // a person never filled it; a bot gets nothing back
	}
	switch n.DataAtom {
	case atom.Textarea:
		setText(n, values.Get(name))
	case atom.Select:
		want := values[name]
		for _, o := range findAll(n, func(c *html.Node) bool { return c.DataAtom == atom.Option }) {
			v, ok := attrOK(o, "value")
			if !ok {
				v = strings.TrimSpace(textOf(o))
			}
			if slices.Contains(want, v) {
				setAttr(o, "selected", "")
			} else {
				removeAttr(o, "selected")
			}
		}
	case atom.Input:
		switch strings.ToLower(attr(n, "type")) {
		case "hidden", "submit", "button", "reset", "image", "file", "password":
			// kind and lang are the page's own; the rest carry no answer.
		case "radio", "checkbox":
			v, ok := attrOK(n, "value")
			if !ok {
				v = "on"
			}
			if slices.Contains(values[name], v) {
				setAttr(n, "checked", "")
			} else {
				removeAttr(n, "checked")
			}
		default:
			setAttr(n, "value", values.Get(name))
		}
	}
}

// --- small DOM helpers ---

func find(n *html.Node, match func(*html.Node) bool) *html.Node {
	for c := range n.Descendants() {
		if c.Type == html.ElementNode && match(c) {
			return c
		}
	}
	return nil
}

func findAll(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	for c := range n.Descendants() {
		if c.Type == html.ElementNode && match(c) {
			out = append(out, c)
		}
	}
	return out
}

func byID(doc *html.Node, id string) *html.Node {
	return find(doc, func(n *html.Node) bool { return attr(n, "id") == id })
}

func attrOK(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func attr(n *html.Node, key string) string { v, _ := attrOK(n, key); return v }

func hasAttr(n *html.Node, key string) bool { _, ok := attrOK(n, key); return ok }

func setAttr(n *html.Node, key, val string) {
	for i, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			n.Attr[i].Val = val
			return
		}
	}
	n.Attr = append(n.Attr, html.Attribute{Key: key, Val: val})
}

func removeAttr(n *html.Node, key string) {
	n.Attr = slices.DeleteFunc(n.Attr, func(a html.Attribute) bool { return a.Namespace == "" && a.Key == key })
}

func addToken(n *html.Node, key, token string) {
	tokens := strings.Fields(attr(n, key))
	if slices.Contains(tokens, token) {
		return
	}
	setAttr(n, key, strings.Join(append(tokens, token), " "))
}

func setText(n *html.Node, s string) {
	for n.FirstChild != nil {
		n.RemoveChild(n.FirstChild)
	}
	if s != "" {
		n.AppendChild(&html.Node{Type: html.TextNode, Data: s})
	}
}

func textOf(n *html.Node) string {
	var b strings.Builder
	for c := range n.Descendants() {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return b.String()
}
