// Command serve runs the site and the enquiry handler locally or on a
// single self-hosted box: it builds the site with the pinned Hugo, serves
// the static files with the same headers Netlify sends (from the generated
// _headers), and mounts the enquiry API at /api/. Without RESEND_API_KEY
// each email is written to a local outbox folder as an .eml file. With it,
// each email is kept durably in an on-disk spool (SPOOL_DIR) before the
// visitor is answered, and a background worker sends it through Resend;
// SIGTERM stops it gracefully. Production use: docs/deploy.md.
//
//	go run ./functions/cmd/serve            # http://localhost:8080
//	go run ./functions/cmd/serve -watch     # rebuild when content changes
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	context.AfterFunc(ctx, stop) // a second Ctrl-C ends the program at once
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "serve:", err)
		os.Exit(1)
	}
}
