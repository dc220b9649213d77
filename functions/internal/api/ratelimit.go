package api

import (
	"math"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiter is a token bucket per client, in a bounded map: when it is full,
// clients idle long enough to have a full bucket again are dropped (nothing
// is lost: they would start full anyway), and failing that the least
// recently seen one (which resets its bucket: the price of bounded memory).
type limiter struct {
	every rate.Limit
	burst int
	max   int
	idle  time.Duration // after this long unseen, a bucket is full again

	mu      sync.Mutex
	clients map[string]*bucket
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

func newLimiter(perMinute, burst, max int) *limiter {
	if perMinute <= 0 {
		return nil // no limit
	}
	every := rate.Limit(float64(perMinute) / 60)
	return &limiter{
		every:   every,
		burst:   burst,
		max:     max,
		idle:    time.Duration(float64(burst) / float64(every) * float64(time.Second)),
		clients: map[string]*bucket{},
	}
}

// allow takes a token for client at now; when there is none it reports how
// many whole seconds until there is.
func (l *limiter) allow(client string, now time.Time) (ok bool, retryAfter int) {
	if l == nil {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b, found := l.clients[client]
	if !found {
		if len(l.clients) >= l.max {
			l.evict(now)
		}
		b = &bucket{lim: rate.NewLimiter(l.every, l.burst)}
		l.clients[client] = b
	}
	b.seen = now
	r := b.lim.ReserveN(now, 1)
	if !r.OK() {
		return false, 60
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, max(1, int(math.Ceil(d.Seconds())))
	}
	return true, 0
}

func (l *limiter) evict(now time.Time) {
	var oldest string
	var oldestSeen time.Time
	for k, b := range l.clients {
		if now.Sub(b.seen) >= l.idle {
			delete(l.clients, k)
			continue
		}
		if oldest == "" || b.seen.Before(oldestSeen) {
			oldest, oldestSeen = k, b.seen
		}
	}
	if len(l.clients) >= l.max && oldest != "" {
		delete(l.clients, oldest)
	}
}

func (l *limiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.clients)
}

// clientKey is who the rate limit counts: the connection's address, or
// with trustProxy the address the proxy saw (Netlify's
// X-Nf-Client-Connection-Ip, else the last X-Forwarded-For entry, the one
// our proxy appended; earlier entries are the client's to forge), as Client
// groups it.
func clientKey(r *http.Request, trustProxy bool) string {
	if trustProxy {
		if a, err := netip.ParseAddr(strings.TrimSpace(r.Header.Get("X-Nf-Client-Connection-Ip"))); err == nil {
			return key(a)
		}
		if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
			parts := strings.Split(xff[len(xff)-1], ",")
			if a, err := netip.ParseAddr(strings.TrimSpace(parts[len(parts)-1])); err == nil {
				return key(a)
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if a, err := netip.ParseAddr(strings.TrimSpace(host)); err == nil {
		return key(a)
	}
	return host
}

func key(a netip.Addr) string { return Client(a).String() }

// Client is who a per-client limit counts an address as: an IPv4 address
// itself, an IPv6 address by its /64, which one subscriber usually holds
// whole. cmd/serve's connection limit counts the same way.
func Client(a netip.Addr) netip.Addr {
	a = a.Unmap().WithZone("")
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.Addr()
	}
	return a
}
