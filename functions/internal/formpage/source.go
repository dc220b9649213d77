// Package formpage gives the enquiry handler the site's own form pages, so
// that without JavaScript an invalid or failed submission is answered with
// the form itself: the visitor's values kept, the error summary and each
// field's error filled in (the markup slots of docs/enquiry-contract.md);
// or, where no form page can be had, with a small page of its own (Fallback);
// and the Content-Security-Policy each such page is sent with (Policy).
package formpage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"path"
	"sync"
	"time"

	"github.com/bluetreeclinics/site/functions/internal/enquiry"
)

// Source returns the built HTML of an enquiry form page.
type Source interface {
	Page(ctx context.Context, lang, kind string) ([]byte, error)
}

// ErrUnknownPage is returned for a kind or language the site has no page for.
var ErrUnknownPage = errors.New("formpage: no such form page")

// HomePath is the site's home page in lang: the Arabic edition lives
// under /ar/.
func HomePath(lang string) string {
	if lang == enquiry.LangArabic {
		return "/ar/"
	}
	return "/"
}

// PagePath is the site path of the form page of kind in lang, e.g.
// "/enquire/appointment/" or "/ar/enquire/suitability/".
func PagePath(lang, kind string) string { return HomePath(lang) + "enquire/" + kind + "/" }

// ThanksPath is the thank-you page of kind in lang.
func ThanksPath(lang, kind string) string { return PagePath(lang, kind) + "thanks/" }

func checkPage(lang, kind string) error {
	if !enquiry.IsChoice(enquiry.FieldLang, lang) || !enquiry.IsChoice(enquiry.FieldKind, kind) {
		return fmt.Errorf("%w: %q in %q", ErrUnknownPage, kind, lang)
	}
	return nil
}

// Dir reads the pages from a built site (the publish folder), afresh each
// time, so a rebuild in watch mode, which swaps the whole folder, shows at
// once. Only failed submissions ask for a page.
func Dir(fsys fs.FS) Source { return dirSource{fsys} }

type dirSource struct{ fsys fs.FS }

func (d dirSource) Page(_ context.Context, lang, kind string) ([]byte, error) {
	if err := checkPage(lang, kind); err != nil {
		return nil, err
	}
	return fs.ReadFile(d.fsys, path.Join(PagePath(lang, kind)[1:], "index.html"))
}

// HTTP fetches the pages from the deployed site (serverless hosts have no
// built site on disk) with client, whose timeout bounds each fetch, and keeps
// them in memory for cacheTTL. When the site cannot be reached, a page
// fetched earlier is used however old it is.
func HTTP(siteURL *url.URL, client *http.Client) Source {
	return &httpSource{site: siteURL, client: client, cache: map[string]cached{}, now: time.Now}
}

const (
	cacheTTL    = 10 * time.Minute
	maxPageSize = 1 << 20
)

type httpSource struct {
	site   *url.URL
	client *http.Client
	now    func() time.Time

	mu    sync.Mutex
	cache map[string]cached
}

type cached struct {
	page    []byte
	fetched time.Time
}

func (h *httpSource) Page(ctx context.Context, lang, kind string) ([]byte, error) {
	if err := checkPage(lang, kind); err != nil {
		return nil, err
	}
	p := PagePath(lang, kind)
	h.mu.Lock()
	c, ok := h.cache[p]
	h.mu.Unlock()
	if ok && h.now().Sub(c.fetched) < cacheTTL {
		return c.page, nil
	}
	page, err := h.fetch(ctx, p)
	if err != nil {
		if ok {
			return c.page, nil // stale beats nothing
		}
		return nil, err
	}
	h.mu.Lock()
	h.cache[p] = cached{page, h.now()}
	h.mu.Unlock()
	return page, nil
}

func (h *httpSource) fetch(ctx context.Context, p string) ([]byte, error) {
	u := h.site.ResolveReference(&url.URL{Path: p})
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "text/html")
	resp, err := h.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("formpage: fetching %s: %w", p, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("formpage: fetching %s: status %d", p, resp.StatusCode)
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != "text/html" {
		return nil, fmt.Errorf("formpage: fetching %s: content type %q", p, mt)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxPageSize+1))
	if err != nil {
		return nil, fmt.Errorf("formpage: fetching %s: %w", p, err)
	}
	if len(b) > maxPageSize {
		return nil, fmt.Errorf("formpage: fetching %s: page larger than %d bytes", p, maxPageSize)
	}
	return b, nil
}
