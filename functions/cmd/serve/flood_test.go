package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bluetreeclinics/site/functions/internal/config"
)

// The probe's flood: 17 addresses each holding the per-client cap of idle
// keep-alive connections (17 × 64 > MAX_CONNECTIONS 1,024, the defaults).
// Another visitor must still be served at once: idle connections give way
// to new ones. Before, the visitor waited for the idle timeout (30 s),
// longer than this test's client allows (10 s).
func TestIdleFloodDoesNotLockOthersOut(t *testing.T) {
	total, perClient := config.DefaultMaxConnections, config.DefaultMaxConnectionsPerClient
	addresses := total/perClient + 1
	outbox := t.TempDir()
	s := start(t, fixtureArgs(), map[string]string{"OUTBOX_DIR": outbox, "ENQUIRY_RATE_PER_MINUTE": "0"})
	host := strings.TrimPrefix(s.url, "http://")

	// Each flood connection sends one request and then idles, as a
	// browser's keep-alive connection does.
	var (
		mu    sync.Mutex
		conns []net.Conn
		wg    sync.WaitGroup
		sem   = make(chan struct{}, 64)
	)
	t.Cleanup(func() {
		for _, c := range conns {
			c.Close()
		}
	})
	for a := range addresses {
		local := &net.TCPAddr{IP: net.IPv4(127, 0, 1, byte(10+a))}
		for range perClient {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				c, err := (&net.Dialer{LocalAddr: local, Timeout: 5 * time.Second}).Dial("tcp", host)
				if err != nil {
					return
				}
				c.SetDeadline(time.Now().Add(5 * time.Second))
				fmt.Fprintf(c, "GET /api/health HTTP/1.1\r\nHost: %s\r\n\r\n", host)
				resp, err := http.ReadResponse(bufio.NewReader(c), nil)
				if err != nil {
					c.Close()
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				c.SetDeadline(time.Time{})
				mu.Lock()
				conns = append(conns, c)
				mu.Unlock()
			}()
		}
	}
	wg.Wait()
	if len(conns) < total*9/10 {
		t.Fatalf("the flood holds only %d connections; it should hold about %d", len(conns), total)
	}

	// Another visitor, from an address of its own.
	visitor := &http.Client{
		Timeout: 10 * time.Second,
		Transport: &http.Transport{DialContext: (&net.Dialer{
			LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 2, 1)},
		}).DialContext},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	t0 := time.Now()
	resp, err := visitor.Get(s.url + "/api/health")
	if err != nil {
		t.Fatalf("health check during the flood: %v", err)
	}
	resp.Body.Close()
	healthTook := time.Since(t0)
	visitor.CloseIdleConnections() // the form post needs a new connection too
	t0 = time.Now()
	code, err := postForm(visitor, s.url, appointmentForm("Flood Visitor", "flood"))
	if err != nil || code != http.StatusSeeOther {
		t.Fatalf("form post during the flood: %d %v", code, err)
	}
	t.Logf("%d addresses × %d idle connections (%d held, limit %d): health %d in %v, form post %d in %v",
		addresses, perClient, len(conns), total, resp.StatusCode, healthTook.Round(time.Millisecond),
		code, time.Since(t0).Round(time.Millisecond))
}

// A 5 MB post gets its 413, not a connection reset: the server reads and
// drops the rest of the body before closing. The client writes the whole
// body before reading, as simple clients (and the probe) do; with the
// rest left unread, the server's close reset the connection under it.
func TestHugePostGets413(t *testing.T) {
	s := start(t, fixtureArgs(), map[string]string{"OUTBOX_DIR": t.TempDir(), "ENQUIRY_RATE_PER_MINUTE": "0"})
	host := strings.TrimPrefix(s.url, "http://")
	const size = 5 << 20
	for _, chunked := range []bool{false, true} {
		c, err := net.Dial("tcp", host)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(60 * time.Second))
		head := "POST /api/enquiry HTTP/1.1\r\nHost: " + host + "\r\nOrigin: " + s.url +
			"\r\nContent-Type: application/x-www-form-urlencoded\r\n"
		body := "name=" + strings.Repeat("x", size)
		if chunked {
			head += "Transfer-Encoding: chunked\r\n\r\n"
			body = fmt.Sprintf("%x\r\n%s\r\n0\r\n\r\n", len(body), body)
		} else {
			head += fmt.Sprintf("Content-Length: %d\r\n\r\n", len(body))
		}
		if _, err := io.WriteString(c, head+body); err != nil {
			t.Fatalf("chunked=%v: sending the body: %v (want a 413 after it)", chunked, err)
		}
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("chunked=%v: %v (want a 413)", chunked, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("chunked=%v: %d, want 413", chunked, resp.StatusCode)
		}
	}
}
