package main

import (
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// connLimit caps the connections open at once at max. When all are taken,
// a new connection does not wait behind them: the one that has been idle
// longest (a keep-alive connection between requests, or one that has sent
// nothing yet) is closed to admit it. Idle connections cost a client
// nothing to hold, so without this a few addresses keeping their share of
// idle connections open would lock every other visitor out. Only when
// every connection is busy with a request does a new one wait, and the
// server's read and write timeouts bound that wait.
//
// The server must report connection states to it: http.Server.ConnState =
// connLimit.connState.
type connLimit struct {
	net.Listener
	slots  chan struct{}
	closed chan struct{}
	once   sync.Once
	log    *slog.Logger

	mu   sync.Mutex
	idle map[*limitedConn]time.Time // idle (or new) since

	evicted    atomic.Int64
	lastLogged atomic.Int64 // unix seconds
}

func newConnLimit(ln net.Listener, max int, log *slog.Logger) *connLimit {
	return &connLimit{
		Listener: ln,
		slots:    make(chan struct{}, max),
		closed:   make(chan struct{}),
		log:      log,
		idle:     map[*limitedConn]time.Time{},
	}
}

func (l *connLimit) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	select {
	case l.slots <- struct{}{}:
	default:
		l.evictOldestIdle()
		select {
		case l.slots <- struct{}{}:
		case <-l.closed:
			c.Close()
			return nil, net.ErrClosed
		}
	}
	lc := &limitedConn{Conn: c, l: l}
	l.mu.Lock()
	l.idle[lc] = time.Now() // counts as idle until its first request starts
	l.mu.Unlock()
	return lc, nil
}

func (l *connLimit) Close() error {
	l.once.Do(func() { close(l.closed) })
	return l.Listener.Close()
}

// connState is the http.Server's ConnState hook: it tells which
// connections are idle, and since when.
func (l *connLimit) connState(c net.Conn, s http.ConnState) {
	lc, ok := c.(*limitedConn)
	if !ok {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	switch s {
	case http.StateIdle:
		l.idle[lc] = time.Now()
	default: // active, hijacked, closed
		delete(l.idle, lc)
	}
}

// evictOldestIdle closes the connection idle longest, if any; its slot is
// free when this returns.
func (l *connLimit) evictOldestIdle() {
	l.mu.Lock()
	var oldest *limitedConn
	var since time.Time
	for c, t := range l.idle {
		if oldest == nil || t.Before(since) {
			oldest, since = c, t
		}
	}
	delete(l.idle, oldest)
	l.mu.Unlock()
	if oldest == nil {
		return
	}
	oldest.Close()
	l.evicted.Add(1)
	// One log line per 10 s at most: a flood must not flood the log.
	if now := time.Now().Unix(); now-l.lastLogged.Load() >= 10 {
		l.lastLogged.Store(now)
		l.log.Warn("connection limit reached: closing idle connections to admit new ones",
			"limit", cap(l.slots), "closed_so_far", l.evicted.Load())
	}
}

// limitedConn gives its slot back once, on the first Close.
type limitedConn struct {
	net.Conn
	l    *connLimit
	once sync.Once
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		c.l.mu.Lock()
		delete(c.l.idle, c)
		c.l.mu.Unlock()
		<-c.l.slots
	})
	return err
}
