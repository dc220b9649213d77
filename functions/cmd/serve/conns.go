package main

import (
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bluetreeclinics/site/functions/internal/api"
)

// connLimit caps the connections the server holds open: total in all, so
// the process never runs out of files whatever the clients do, and
// perClient from one address (counted as api.Client counts), so one client
// cannot take the slots of the others. perClient 0 means no per-client cap:
// behind a proxy every connection comes from the proxy.
//
// When all total slots are taken, a new connection does not wait behind
// them: the one idle longest (a keep-alive connection between requests, or
// one that has sent nothing yet) is closed to admit it. Idle connections
// cost a client nothing to hold, so without this a few addresses keeping
// their share of idle connections open would lock every other visitor out.
// Only when every connection is busy with a request does a new one wait,
// and the server's read and write timeouts bound that wait.
//
// The server must report connection states to it: http.Server.ConnState =
// connLimit.connState.
type connLimit struct {
	net.Listener
	perClient int
	slots     chan struct{}
	closed    chan struct{}
	closeOnce sync.Once
	log       *slog.Logger

	mu   sync.Mutex
	idle map[*limitedConn]time.Time // idle (or new) since
	open map[netip.Addr]int         // connections by client

	refused, evicted             atomic.Int64
	refusedLogged, evictedLogged atomic.Int64 // unix seconds
}

func limitConns(ln net.Listener, total, perClient int, log *slog.Logger) *connLimit {
	return &connLimit{
		Listener:  ln,
		perClient: perClient,
		slots:     make(chan struct{}, total),
		closed:    make(chan struct{}),
		log:       log,
		idle:      map[*limitedConn]time.Time{},
		open:      map[netip.Addr]int{},
	}
}

func (l *connLimit) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		lc := &limitedConn{Conn: c, l: l}
		if ap, err := netip.ParseAddrPort(c.RemoteAddr().String()); err == nil {
			lc.client = api.Client(ap.Addr())
		}
		l.mu.Lock()
		atLimit := l.perClient > 0 && l.open[lc.client] >= l.perClient
		if !atLimit {
			l.open[lc.client]++
		}
		l.mu.Unlock()
		if atLimit {
			c.Close()
			l.warn(&l.refusedLogged, "connections refused: a client holds its limit of open connections",
				"limit", l.perClient, "refused_so_far", l.refused.Add(1))
			continue
		}
		select {
		case l.slots <- struct{}{}:
		default:
			l.evictOldestIdle()
			select {
			case l.slots <- struct{}{}:
			case <-l.closed:
				l.release(lc.client)
				c.Close()
				return nil, net.ErrClosed
			}
		}
		l.mu.Lock()
		l.idle[lc] = time.Now() // counts as idle until its first request starts
		l.mu.Unlock()
		return lc, nil
	}
}

func (l *connLimit) Close() error {
	l.closeOnce.Do(func() { close(l.closed) })
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
	if s == http.StateIdle {
		l.idle[lc] = time.Now()
	} else { // active, hijacked, closed
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
	l.warn(&l.evictedLogged, "connection limit reached: closing idle connections to admit new ones",
		"limit", cap(l.slots), "closed_so_far", l.evicted.Add(1))
}

// warn logs at most one line per 10 s for each kind: a flood must not
// flood the log.
func (l *connLimit) warn(last *atomic.Int64, msg string, args ...any) {
	if now := time.Now().Unix(); now-last.Load() >= 10 {
		last.Store(now)
		l.log.Warn(msg, args...)
	}
}

func (l *connLimit) release(client netip.Addr) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open[client]--; l.open[client] <= 0 {
		delete(l.open, client)
	}
}

// limitedConn gives its slots back once, on the first Close.
type limitedConn struct {
	net.Conn
	l      *connLimit
	client netip.Addr
	once   sync.Once
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		c.l.mu.Lock()
		delete(c.l.idle, c)
		c.l.mu.Unlock()
		c.l.release(c.client)
		<-c.l.slots
	})
	return err
}
