package main

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"syscall"
)

// listen opens the server's port. When it cannot, the error says why in a
// line with what to do: another port, one that is free right now.
func listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err == nil {
		return ln, nil
	}
	host, port, _ := net.SplitHostPort(addr)
	try := "-addr " + net.JoinHostPort(host, freePortNear(host, port))
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		return nil, fmt.Errorf("another program uses port %s: run with %s", port, try)
	case errors.Is(err, syscall.EACCES):
		return nil, fmt.Errorf("port %s is refused to this program (ports below 1024 need administrator rights): run with %s", port, try)
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return nil, fmt.Errorf("%s is not an address of this computer: run with -addr localhost:%s", host, port)
	}
	return nil, fmt.Errorf("listen on %s: %w", addr, err)
}

// freePortNear is a port near port (8090 for 8080, then 8091 …) that host
// can listen on now, for the hint; 8090 if none of the first few is.
func freePortNear(host, port string) string {
	p, _ := strconv.Atoi(port)
	if p < 1024 {
		p = 8080 // a privileged port: suggest the usual unprivileged one
	}
	for _, c := range []int{p + 10, p + 11, p + 12, p + 13, p + 1} { // past 65535 Listen fails
		if ln, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(c))); err == nil {
			ln.Close()
			return strconv.Itoa(c)
		}
	}
	return "8090"
}
