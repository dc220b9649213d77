package main

import (
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/net/netutil"

	"github.com/bluetreeclinics/site/functions/internal/api"
)

// limitConns caps the connections the server holds open: total in all (so
// the process never runs out of files, whatever the clients do), and
// perClient from one address (so one client holding idle connections
// cannot take the slots of the others). perClient 0 means no per-client
// cap: behind a proxy every connection comes from the proxy.
func limitConns(ln net.Listener, total, perClient int, log *slog.Logger) net.Listener {
	if perClient > 0 {
		ln = &clientLimit{Listener: ln, max: perClient, log: log, open: map[netip.Addr]int{}}
	}
	return netutil.LimitListener(ln, total)
}

// clientLimit closes at once a new connection from an address that holds
// max open ones already, counting addresses as api.Client does.
type clientLimit struct {
	net.Listener
	max int
	log *slog.Logger

	mu   sync.Mutex
	open map[netip.Addr]int

	refused    atomic.Int64
	lastLogged atomic.Int64 // unix seconds
}

func (l *clientLimit) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		client := clientOf(c.RemoteAddr())
		l.mu.Lock()
		n := l.open[client]
		if n < l.max {
			l.open[client] = n + 1
		}
		l.mu.Unlock()
		if n < l.max {
			return &clientConn{Conn: c, release: func() { l.release(client) }}, nil
		}
		c.Close()
		l.refused.Add(1)
		// One log line per 10 s at most: a flood must not flood the log.
		if now := time.Now().Unix(); now-l.lastLogged.Load() >= 10 {
			l.lastLogged.Store(now)
			l.log.Warn("connections refused: a client holds its limit of open connections",
				"limit", l.max, "refused_so_far", l.refused.Load())
		}
	}
}

func (l *clientLimit) release(client netip.Addr) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open[client]--; l.open[client] <= 0 {
		delete(l.open, client)
	}
}

func clientOf(a net.Addr) netip.Addr {
	ap, err := netip.ParseAddrPort(a.String())
	if err != nil {
		return netip.Addr{}
	}
	return api.Client(ap.Addr())
}

// clientConn gives its slot back once, on the first Close.
type clientConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *clientConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}
