package formpage

import (
	"bytes"
	"sync"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// The same few form pages are filled again and again (every invalid post
// of a kind and language): each page is parsed once, with the places Fill
// looks up indexed, and each Fill works on a copy of its tree. The cache is
// keyed by the page's bytes, so a rebuilt or refetched page is parsed
// afresh, whatever the Source.

// maxParsed bounds the cache: 4 pages, and some room for rebuilds.
const maxParsed = 16

var parsedPages = struct {
	sync.RWMutex
	m map[string]*parsedPage
}{m: map[string]*parsedPage{}}

// parsedPage is a page's tree (never changed) and, by position in document
// order (the document node is 0), what Fill looks for in it.
type parsedPage struct {
	doc      *html.Node
	nodes    int // the document node and its descendants
	attrs    int // attributes of them all
	form     int // the first <form data-enquiry-form>, or -1
	controls []int
	ids      map[string]int // the first element with each id
	titleEl  int            // the first <title>, or -1
}

func parsed(page []byte) (*parsedPage, error) {
	parsedPages.RLock()
	p, ok := parsedPages.m[string(page)]
	parsedPages.RUnlock()
	if ok {
		return p, nil
	}
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		return nil, err
	}
	p = &parsedPage{doc: doc, form: -1, titleEl: -1, ids: map[string]int{}}
	i := 0
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		idx := i
		i++
		p.attrs += len(n.Attr)
		if n.Type == html.ElementNode {
			if p.form < 0 && n.DataAtom == atom.Form && hasAttr(n, "data-enquiry-form") {
				p.form = idx
			}
			if p.titleEl < 0 && n.DataAtom == atom.Title {
				p.titleEl = idx
			}
			if id, ok := attrOK(n, "id"); ok {
				if _, seen := p.ids[id]; !seen {
					p.ids[id] = idx
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	p.nodes = i
	if p.form >= 0 {
		// Controls are the form's descendants, which follow it in order.
		i = 0
		var form *html.Node
		walk = func(n *html.Node) {
			if i == p.form {
				form = n
			}
			i++
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
		}
		walk(doc)
		i = p.form + 1
		var controls func(n *html.Node)
		controls = func(n *html.Node) {
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				if c.Type == html.ElementNode && (c.DataAtom == atom.Input || c.DataAtom == atom.Select || c.DataAtom == atom.Textarea) && attr(c, "name") != "" {
					p.controls = append(p.controls, i)
				}
				i++
				controls(c)
			}
		}
		controls(form)
	}
	parsedPages.Lock()
	if len(parsedPages.m) >= maxParsed {
		clear(parsedPages.m) // old versions of rebuilt pages
	}
	parsedPages.m[string(page)] = p
	parsedPages.Unlock()
	return p, nil
}

// tree is one Fill's copy of a parsed page.
type tree struct {
	p     *parsedPage
	nodes []html.Node // in document order, as in parsedPage
}

func (t *tree) doc() *html.Node { return &t.nodes[0] }

// byID is the first element with id, as a search of the document would
// find it: the index is used when its element is still in the document.
func (t *tree) byID(id string) *html.Node {
	if i, ok := t.p.ids[id]; ok && t.attached(&t.nodes[i]) {
		return &t.nodes[i]
	} else if !ok {
		return nil
	}
	return byID(t.doc(), id)
}

func (t *tree) title() *html.Node {
	if t.p.titleEl < 0 {
		return nil
	}
	if n := &t.nodes[t.p.titleEl]; t.attached(n) {
		return n
	}
	return find(t.doc(), func(n *html.Node) bool { return n.DataAtom == atom.Title })
}

func (t *tree) attached(n *html.Node) bool {
	for ; n != nil; n = n.Parent {
		if n == t.doc() {
			return true
		}
	}
	return false
}

// clone deep-copies the page's tree: nodes and attribute lists, in two
// allocations, nodes in document order. Each node's attributes have their
// own capacity, so appending to one list never writes into the next.
func (p *parsedPage) clone() *tree {
	ns := make([]html.Node, 0, p.nodes)
	as := make([]html.Attribute, 0, p.attrs)
	var copyNode func(src *html.Node) *html.Node
	copyNode = func(src *html.Node) *html.Node {
		ns = append(ns, html.Node{Type: src.Type, DataAtom: src.DataAtom, Data: src.Data, Namespace: src.Namespace})
		dst := &ns[len(ns)-1]
		if len(src.Attr) > 0 {
			start := len(as)
			as = append(as, src.Attr...)
			dst.Attr = as[start:len(as):len(as)]
		}
		var prev *html.Node
		for c := src.FirstChild; c != nil; c = c.NextSibling {
			cc := copyNode(c)
			cc.Parent = dst
			if prev == nil {
				dst.FirstChild = cc
			} else {
				prev.NextSibling = cc
				cc.PrevSibling = prev
			}
			prev = cc
		}
		dst.LastChild = prev
		return dst
	}
	copyNode(p.doc)
	return &tree{p: p, nodes: ns}
}
