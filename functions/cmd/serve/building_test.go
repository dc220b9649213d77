package main

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
)

// While the site builds, the port answers at once (503, "being built",
// Retry-After); then the same listener serves the site.
func TestServeWhileBuilding(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var out strings.Builder
	stop := serveWhileBuilding(ln, &out)
	if !strings.Contains(out.String(), "about 3 minutes") {
		t.Errorf("the terminal is not told how long the first build takes: %q", out.String())
	}
	url := "http://" + ln.Addr().String() + "/"
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" || !strings.Contains(string(body), "being built") {
		t.Errorf("while building: %d, Retry-After %q, %s", res.StatusCode, res.Header.Get("Retry-After"), body)
	}
	stop()

	go http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "the site") }))
	http.DefaultClient.CloseIdleConnections()
	res, err = http.Get(url)
	if err != nil {
		t.Fatalf("after the build the listener no longer serves: %v", err)
	}
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || string(body) != "the site" {
		t.Errorf("after the build: %d %s", res.StatusCode, body)
	}
}
