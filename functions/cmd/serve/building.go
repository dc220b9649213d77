package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// While the site is being built, the listening port answers at once with a
// short "being built" page (503, Retry-After, reloading itself) instead of
// holding connections that would hang until the build ends: the first build
// on a computer also compiles Hugo from source, about 3 minutes on 2 cores.

const buildingPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="10">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Building the site…</title></head>
<body style="font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5">
<h1>The site is being built</h1>
<p>This page reloads by itself when it is ready. The very first run on a computer also compiles Hugo, which takes about 3 minutes; later runs take seconds.</p>
</body></html>
`

// firstBuildNote tells the person at the terminal why nothing seems to happen.
const firstBuildNote = "(The first run on a computer also compiles Hugo from source: about 3 minutes on 2 cores. Later runs take seconds.)"

// serveWhileBuilding answers every request on ln with the building page
// until the returned stop is called; ln then stays open for the real server.
func serveWhileBuilding(ln net.Listener, stdout io.Writer) (stop func()) {
	fmt.Fprintln(stdout, firstBuildNote)
	tcp, ok := ln.(*net.TCPListener)
	if !ok {
		return func() {}
	}
	pl := &pausedListener{TCPListener: tcp}
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "10")
			w.Header().Set("Cache-Control", "no-store")
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, buildingPage)
		}),
		ReadHeaderTimeout: readHeaderTimeout,
	}
	done := make(chan struct{})
	go func() { defer close(done); srv.Serve(pl) }()
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		<-done
		tcp.SetDeadline(time.Time{}) // the real server accepts on it next
	}
}

// pausedListener lets an http.Server stop accepting on a listener without
// closing it: Close only wakes a pending Accept (a past deadline).
type pausedListener struct {
	*net.TCPListener
	mu     sync.Mutex
	closed bool
}

func (l *pausedListener) Accept() (net.Conn, error) {
	c, err := l.TCPListener.Accept()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		if c != nil {
			c.Close()
		}
		return nil, net.ErrClosed
	}
	if errors.Is(err, net.ErrClosed) {
		return nil, err
	}
	return c, err
}

func (l *pausedListener) Close() error {
	l.mu.Lock()
	l.closed = true
	l.mu.Unlock()
	return l.TCPListener.SetDeadline(time.Now())
}
