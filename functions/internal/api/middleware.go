package api

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/bluetreeclinics/site/data"
)

// requestInfo is what the handler tells the request log. It holds no
// personal data by construction: ids, kinds, outcomes and timings.
type requestInfo struct {
	id, kind, lang, outcome string
	sendTime                time.Duration
}

type infoKey struct{}

func infoFrom(ctx context.Context) *requestInfo {
	if i, ok := ctx.Value(infoKey{}).(*requestInfo); ok {
		return i
	}
	return &requestInfo{} // outside the chain (tests): written, never read
}

// requestLog logs one line per request: method, path, status, outcome,
// enquiry id and kind, durations. Never names, emails, phones, messages,
// bodies, query strings or client addresses.
func requestLog(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &requestInfo{}
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), infoKey{}, info)))
		status := cmp.Or(sw.status, http.StatusOK) // nothing written: net/http sends 200
		path := r.URL.Path
		if len(path) > 64 {
			path = path[:64] + "…"
		}
		attrs := []slog.Attr{
			slog.String("method", r.Method),
			slog.String("path", path),
			slog.Int("status", status),
			slog.Float64("duration_ms", ms(time.Since(start))),
		}
		for _, a := range []slog.Attr{slog.String("outcome", info.outcome), slog.String("kind", info.kind),
			slog.String("lang", info.lang), slog.String("id", info.id)} {
			if a.Value.String() != "" {
				attrs = append(attrs, a)
			}
		}
		if info.sendTime > 0 {
			attrs = append(attrs, slog.Float64("send_ms", ms(info.sendTime)))
		}
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		}
		log.LogAttrs(r.Context(), level, "request", attrs...)
	})
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// securityHeaders sets the headers every API reply carries: the site's
// (data/csp.yaml: its policy with no inline source allowed, which an HTML
// reply replaces with its page's), and no-store, as the replies may hold
// what a visitor typed.
func securityHeaders(next http.Handler) http.Handler {
	// Built once; each reply's header shares the value slices, which
	// nothing changes in place (Set replaces, Add appends to a full slice).
	headers := http.Header{}
	for _, kv := range data.SecurityHeaders() {
		headers.Set(kv[0], kv[1])
	}
	headers.Set("Cache-Control", "no-store")
	headers.Set("Content-Security-Policy", strings.Join(data.PagePolicy(), "; "))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		maps.Copy(w.Header(), headers)
		next.ServeHTTP(w, r)
	})
}

// recoverer turns a panic into a 500 and logs it with its stack.
func recoverer(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			p := recover()
			if p == nil {
				return
			}
			if p == http.ErrAbortHandler {
				panic(p)
			}
			info := infoFrom(r.Context())
			info.outcome = "panic"
			log.ErrorContext(r.Context(), "panic", "id", info.id, "kind", info.kind, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			if sw, ok := w.(*statusWriter); !ok || sw.status == 0 {
				writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "internal error"})
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// statusWriter records the status written.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }
