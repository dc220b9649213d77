package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bluetreeclinics/site/functions/internal/api"
	"github.com/bluetreeclinics/site/functions/internal/site"
)

// The server listens before anything is built: a port in use is reported at
// once, and while Hugo compiles (the first run on a computer) and the site
// builds, every request gets an honest "being built" page at once instead
// of hanging, and the console says what is happening.

// refreshEvery is how often the "being built" page reloads itself.
const refreshEvery = 5 * time.Second

// progressEvery is how often the console reports while building (the issue
// asks for at least every 15 s); a variable for its test.
var progressEvery = 10 * time.Second

// The phases of the first build.
const (
	phaseHugo      int32 = iota // go tool hugo: compiled on the first run, then found in Go's cache
	phaseCompiling              // Hugo's packages are being compiled
	phaseSite                   // Hugo builds the pages
)

// phaseNames are the phases as building.html names them.
var phaseNames = [...]string{phaseHugo: "prepare", phaseCompiling: "hugo", phaseSite: "site"}

// startup is the server's handler from the first moment: the "being built"
// reply until ready hands every request to the site.
type startup struct {
	began    time.Time
	phase    atomic.Int32
	compiled atomic.Int64 // Hugo's packages compiled so far
	site     atomic.Pointer[http.Handler]
}

func newStartup() *startup { return &startup{began: time.Now()} }

// ready hands every later request to h.
func (s *startup) ready(h http.Handler) { s.site.Store(&h) }

func (s *startup) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h := s.site.Load(); h != nil {
		(*h).ServeHTTP(w, r)
		return
	}
	h := w.Header()
	h.Set("Retry-After", strconv.Itoa(int(refreshEvery/time.Second)))
	h.Set("Cache-Control", "no-store")
	elapsed := time.Since(s.began)
	if strings.HasPrefix(r.URL.Path, "/api/") {
		// GET /api/health and the page script: building is not ok.
		h.Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		json.NewEncoder(w).Encode(map[string]any{"status": "building", "building_seconds": int(elapsed.Seconds())})
		return
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", "en, ar")
	w.WriteHeader(http.StatusServiceUnavailable) // net/http sends no body to a HEAD request
	buildingPage.Execute(w, map[string]any{
		"First":   api.HeaderLang(r.Header.Get("Accept-Language")),
		"Refresh": int(refreshEvery / time.Second),
		"Elapsed": clock(elapsed),
		"Phase":   phaseNames[s.phase.Load()],
	})
}

//go:embed building.html
var buildingHTML string

var buildingPage = template.Must(template.New("building").Parse(buildingHTML))

// clock writes a duration as minutes and seconds, "2:05": no plural to
// agree with in either language.
func clock(d time.Duration) string {
	s := int(d.Round(time.Second) / time.Second)
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// firstBuildNote is printed when Hugo turns out not to be compiled yet.
const firstBuildNote = "Compiling Hugo first: this computer has not compiled it before. It takes minutes, " +
	"half an hour on a busy 2-core machine (README.md, \"First start\"); later starts take seconds."

// buildFirst is the first build: the pinned Hugo (compiled if Go's cache
// lacks it) and then the site into dir, telling the console what happens
// at least every progressEvery. Compiling has no time bound (it took over
// 30 minutes on a shared 2-core machine): the console reports it, and
// Ctrl-C stops it. Tests replace it with a slow build.
var buildFirst = func(ctx context.Context, s *startup, dir, baseURL string, stdout io.Writer) error {
	root, err := site.Root()
	if err != nil {
		return fmt.Errorf("%w: run serve from the repository, or serve a built folder with -build=false -dir PATH", err)
	}
	var reporting sync.WaitGroup
	rctx, stop := context.WithCancel(ctx)
	reporting.Go(func() { s.report(rctx, stdout) })
	defer reporting.Wait() // no progress line after the build's own
	defer stop()
	var once sync.Once
	if _, err := site.PrepareHugo(ctx, root, func(n int) {
		once.Do(func() {
			s.phase.Store(phaseCompiling)
			fmt.Fprintln(stdout, firstBuildNote)
		})
		s.compiled.Store(int64(n))
	}); err != nil {
		return err
	}
	if s.phase.Load() == phaseCompiling {
		fmt.Fprintf(stdout, "Compiled Hugo in %s.\n", clock(time.Since(s.began)))
	}
	s.phase.Store(phaseSite)
	fmt.Fprintf(stdout, "Building the site into %s …\n", dir)
	// Within site.DefaultTimeout: Hugo can hang after a template error.
	// baseURL, the URL the site is opened at, makes Hugo's absolute links
	// (canonical, sitemap) point at this server.
	return site.Build(ctx, site.Options{Dest: dir, BaseURL: baseURL})
}

// report prints a line with the elapsed time every progressEvery until ctx
// is done.
func (s *startup) report(ctx context.Context, stdout io.Writer) {
	every(ctx, progressEvery, func() {
		what := "building the site"
		switch s.phase.Load() {
		case phaseHugo:
			what = "getting the pinned Hugo ready"
		case phaseCompiling:
			what = fmt.Sprintf("compiling Hugo (%d packages so far)", s.compiled.Load())
		}
		fmt.Fprintf(stdout, "  %s … %s\n", what, clock(time.Since(s.began)))
	})
}
