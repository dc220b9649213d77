package main

import (
	"cmp"
	"log/slog"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"

	"github.com/bluetreeclinics/site/functions/internal/site"
)

// static serves the publish folder as Netlify would: index.html for
// folders, the site's 404.html for missing paths, the headers of the
// generated _headers file, long caching for fingerprinted assets.
type static struct {
	dir   string
	log   *slog.Logger
	rules atomic.Pointer[[]site.HeaderRule]
}

func newStatic(dir string, log *slog.Logger) *static {
	s := &static{dir: dir, log: log}
	s.reload()
	return s
}

// reload reads _headers again (after a rebuild).
func (s *static) reload() {
	b, err := os.ReadFile(filepath.Join(s.dir, "_headers"))
	if err != nil {
		s.log.Warn("the publish folder's _headers cannot be read: static files get no security headers", "error", err.Error())
	}
	rules := site.ParseHeaders(b)
	s.rules.Store(&rules)
}

// fingerprinted matches Hugo's fingerprinted assets (main.<hash>.css,
// enquiry.<hash>.js) and processed images (hero_hu_<hash>.webp).
var fingerprinted = regexp.MustCompile(`(?:\.|_hu_)[0-9a-f]{16,}\.[A-Za-z0-9]+$`)

// Cache-Control defaults; a Cache-Control in _headers wins.
const (
	cacheImmutable = "public, max-age=31536000, immutable"
	cacheHTML      = "public, max-age=0, must-revalidate"
	cacheOther     = "public, max-age=3600"
)

func (s *static) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		s.applyHeaders(w, r.URL.Path)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	urlPath := "/" + strings.TrimPrefix(r.URL.Path, "/")
	name := path.Clean(urlPath)
	if hidden(name) {
		s.notFound(w, r)
		return
	}
	root, err := os.OpenRoot(s.dir) // per request: a rebuild swaps the folder
	if err != nil {
		s.log.Error("publish folder", "error", err.Error())
		http.Error(w, "site not available", http.StatusServiceUnavailable)
		return
	}
	defer root.Close()
	if st, err := root.Stat(cmp.Or(strings.TrimPrefix(name, "/"), ".")); err == nil && st.IsDir() {
		if !strings.HasSuffix(urlPath, "/") {
			target := *r.URL // the query kept
			target.Path = urlPath + "/"
			http.Redirect(w, r, target.String(), http.StatusMovedPermanently)
			return
		}
		name = path.Join(name, "index.html")
	}
	f, err := root.Open(strings.TrimPrefix(name, "/"))
	if err != nil {
		s.notFound(w, r)
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.IsDir() {
		s.notFound(w, r)
		return
	}

	h := w.Header()
	switch {
	case fingerprinted.MatchString(name):
		h.Set("Cache-Control", cacheImmutable)
	case strings.HasSuffix(name, ".html"):
		h.Set("Cache-Control", cacheHTML)
	default:
		h.Set("Cache-Control", cacheOther)
	}
	s.applyHeaders(w, urlPath)
	http.ServeContent(w, r, name, st.ModTime(), f)
}

// hidden are files a CDN does not serve: Netlify's own config files and
// dot files.
func hidden(name string) bool {
	base := path.Base(name)
	return base == "_headers" || base == "_redirects" || strings.HasPrefix(base, ".")
}

func (s *static) notFound(w http.ResponseWriter, r *http.Request) {
	s.applyHeaders(w, r.URL.Path)
	w.Header().Set("Cache-Control", "no-cache")
	// Missing Arabic pages get the Arabic 404, as static/_redirects asks of
	// Netlify; everything else the English one.
	page, err := os.ReadFile(filepath.Join(s.dir, "404.html"))
	if strings.HasPrefix(r.URL.Path, "/ar/") {
		if ar, arErr := os.ReadFile(filepath.Join(s.dir, "ar", "404.html")); arErr == nil {
			page, err = ar, nil
		}
	}
	if err != nil {
		http.Error(w, "404 page not found", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusNotFound)
	w.Write(page) // net/http sends no body to a HEAD request
}

func (s *static) applyHeaders(w http.ResponseWriter, urlPath string) {
	for name, value := range site.HeadersFor(*s.rules.Load(), urlPath) {
		w.Header().Set(name, value)
	}
}
