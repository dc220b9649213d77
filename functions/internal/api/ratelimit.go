package api

import (
	"math"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/golang-lru/v2/simplelru"
	"golang.org/x/time/rate"
)

// gate is the checks a post passes before its body counts: its origin and
// its client's rate limit.
type gate struct {
	origins    map[string]bool // "scheme://host[:port]" that may post
	limiter    *limiter
	trustProxy bool
	now        func() time.Time
}

func (g *gate) admit(r *http.Request) *refusal {
	// No Origin: not a browser, or a browser that does not say.
	if o := r.Header.Get("Origin"); o != "" && !g.origins[strings.ToLower(strings.TrimRight(o, "/"))] {
		return &refusal{reason: reasonForbiddenOrigin}
	}
	if ok, retryAfter := g.limiter.allow(clientKey(r, g.trustProxy), g.now()); !ok {
		return &refusal{reason: reasonRateLimited, retryAfter: retryAfter}
	}
	return nil
}

func allowedOrigins(site *url.URL, extra []string) map[string]bool {
	m := map[string]bool{}
	if site != nil && site.Host != "" {
		m[site.Scheme+"://"+site.Host] = true
	}
	for _, o := range extra {
		if u, err := url.Parse(o); err == nil && u.Host != "" {
			m[u.Scheme+"://"+u.Host] = true
		}
	}
	return m
}

// limiter is a token bucket per client, the max most recently seen clients
// kept: a client dropped starts again with a full bucket, which costs
// nothing when it has been idle long enough to have refilled (the least
// recently seen usually has) and is the price of bounded memory otherwise.
type limiter struct {
	every rate.Limit
	burst int

	mu      sync.Mutex
	clients *simplelru.LRU[string, *rate.Limiter]
}

func newLimiter(perMinute, burst, max int) *limiter {
	if perMinute <= 0 {
		return nil // no limit
	}
	clients, err := simplelru.NewLRU[string, *rate.Limiter](max, nil)
	if err != nil {
		panic(err) // only for a size below 1, which New never passes
	}
	return &limiter{every: rate.Limit(float64(perMinute) / 60), burst: burst, clients: clients}
}

// allow takes a token for client at now; when there is none it reports how
// many whole seconds until there is.
func (l *limiter) allow(client string, now time.Time) (ok bool, retryAfter int) {
	if l == nil {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	lim, found := l.clients.Get(client)
	if !found {
		lim = rate.NewLimiter(l.every, l.burst)
		l.clients.Add(client, lim)
	}
	r := lim.ReserveN(now, 1)
	if !r.OK() {
		return false, 60
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, max(1, int(math.Ceil(d.Seconds())))
	}
	return true, 0
}

// clientKey is who the rate limit counts: the connection's address, or
// with trustProxy the address the proxy saw (Netlify's
// X-Nf-Client-Connection-Ip, else the last X-Forwarded-For entry, the one
// our proxy appended; earlier entries are the client's to forge), as Client
// groups it.
func clientKey(r *http.Request, trustProxy bool) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	candidates := []string{host}
	if trustProxy {
		xff := headerList(r, "X-Forwarded-For")
		candidates = []string{r.Header.Get("X-Nf-Client-Connection-Ip"), xff[strings.LastIndexByte(xff, ',')+1:], host}
	}
	for _, c := range candidates { // the first that is an address
		if a, err := netip.ParseAddr(strings.TrimSpace(c)); err == nil {
			return Client(a).String()
		}
	}
	return host
}

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
