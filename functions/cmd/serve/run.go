package main

import (
	"cmp"
	"compress/gzip"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/klauspost/compress/gzhttp"

	"github.com/bluetreeclinics/site/functions/internal/api"
	"github.com/bluetreeclinics/site/functions/internal/config"
	"github.com/bluetreeclinics/site/functions/internal/delivery"
	"github.com/bluetreeclinics/site/functions/internal/formpage"
	"github.com/bluetreeclinics/site/functions/internal/mail"
	"github.com/bluetreeclinics/site/functions/internal/site"
	"github.com/bluetreeclinics/site/functions/internal/spool"
)

type options struct {
	addr  string
	dir   string
	build bool
	watch bool
}

func parseFlags(args []string, defAddr string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.addr, "addr", defAddr, "address to listen on (env ADDR, or PORT for \":PORT\")")
	fs.StringVar(&o.dir, "dir", "", "publish folder to serve (default: a temporary folder with -build, ./public without)")
	fs.BoolVar(&o.build, "build", true, "build the site with the pinned Hugo before serving")
	fs.BoolVar(&o.watch, "watch", false, "rebuild when content/, themes/, data/, static/, i18n/ or hugo.toml change")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: go run ./functions/cmd/serve [flags]\n\nServes the site and the enquiry API. Settings come from the environment\n(README.md, \"Trying it locally\"; every one in docs/operations.md).\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	if o.watch && !o.build {
		return nil, errors.New("-watch needs -build")
	}
	if _, port, err := net.SplitHostPort(o.addr); err != nil {
		return nil, fmt.Errorf("-addr %q: %v", o.addr, err)
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return nil, fmt.Errorf("-addr %q: bad port", o.addr)
	}
	return o, nil
}

// run is the whole program; main only wires the process to it.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := config.Load(getenv, config.Serve)
	if err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	o, err := parseFlags(args, cfg.Addr, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))

	tcp, err := listen(o.addr) // before anything slow: a port in use is told at once
	if err != nil {
		return err
	}
	perClient := cfg.MaxConnectionsPerClient
	if cfg.TrustProxy {
		perClient = 0 // every connection comes from the proxy
	}
	ln := limitConns(tcp, cfg.MaxConnections, perClient, logger)
	defer ln.Close()
	ownURL, ownOrigins := listenURL(o.addr, ln.Addr())
	siteURL := cmp.Or(cfg.SiteURL, ownURL)

	// One server from the start: until the site is built it answers every
	// request with the "being built" page (building.go).
	boot := newStartup()
	srv := newHTTPServer(ctx, boot, logger)
	srv.ConnState = ln.connState // idle connections give way to new visitors
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	serving := true
	defer func() {
		if serving { // returning before the site was served: a build failed or was stopped
			srv.Close()
			<-errc
		}
	}()
	if o.build {
		fmt.Fprintf(stdout, "Listening on %s/: until the site is built, a browser there sees a \"being built\" page.\n", ownURL)
	}

	dir := cmp.Or(o.dir, "public") // the publish folder
	if o.dir == "" && o.build {
		tmp, err := os.MkdirTemp("", "bluetree-site-*")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = filepath.Join(tmp, "public")
	}
	if dir, err = filepath.Abs(dir); err != nil {
		return err
	}

	sender, health, background, err := newSender(cfg, logger)
	if err != nil {
		return err
	}
	deps, err := api.FromConfig(cfg, siteURL)
	if err != nil {
		return err
	}

	if o.build {
		err := buildFirst(ctx, boot, dir, siteURL.String()+"/", stdout)
		if ctx.Err() != nil {
			fmt.Fprintln(stdout, "Stopped before the site was built.")
			return nil
		}
		if err != nil {
			return fmt.Errorf("building the site: %w", err)
		}
		fmt.Fprintf(stdout, "Built in %s.\n", time.Since(boot.began).Round(100*time.Millisecond))
	} else if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return fmt.Errorf("-dir %s: not a folder with a built site (run with -build, the default)", dir)
	}

	static := newStatic(dir, logger)
	deps.Sender, deps.Pages, deps.Logger, deps.Health = sender, formpage.Dir(os.DirFS(dir)), logger, health
	deps.ExtraOrigins = append(ownOrigins, deps.ExtraOrigins...)
	deps.TrustProxy = cfg.TrustProxy
	mux := http.NewServeMux()
	mux.Handle("/api/", api.New(deps))
	mux.Handle("/", compress(static))
	boot.ready(mux) // before "Open …" is printed: whoever reads it gets the site

	if o.watch {
		root, err := site.Root()
		if err != nil {
			return err
		}
		go watch(ctx, root, 500*time.Millisecond, func(ctx context.Context) error {
			err := rebuild(ctx, dir, siteURL.String()+"/")
			if err == nil {
				static.reload()
			}
			return err
		}, stdout, logger)
		fmt.Fprintf(stdout, "Watching %s for changes.\n", root)
	}

	if cfg.Outbox() {
		fmt.Fprintf(stdout, "Emails are written to %s (no RESEND_API_KEY set).\n", absOr(cfg.OutboxDir))
	} else {
		fmt.Fprintf(stdout, "Emails are kept in %s and sent with Resend to %v.\n", absOr(cfg.Spool.Dir), cfg.To)
	}
	fmt.Fprintf(stdout, "Serving %s\nOpen %s/ (Ctrl-C to stop)\n", dir, ownURL)
	logger.Info("listening", "url", ownURL.String(), "dir", dir, "outbox", cfg.Outbox())

	// The spool's worker runs until the server has stopped, so an enquiry
	// spooled by a request finishing during shutdown is still on disk, and
	// stops before run returns.
	if background != nil {
		wctx, stopWorker := context.WithCancel(context.WithoutCancel(ctx))
		workerDone := make(chan struct{})
		go func() { defer close(workerDone); background(wctx) }()
		defer func() {
			stopWorker()
			<-workerDone
			logger.Info("spool worker stopped")
		}()
	}

	select {
	case err := <-errc:
		serving = false
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down: finishing requests in flight")
	sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	serving = false
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	fmt.Fprintln(stdout, "Stopped.")
	return nil
}

// newHTTPServer is the production server: every phase of a connection has
// a timeout (a slow or stalled client cannot hold a connection for ever),
// and requests get a context that shutdown does not cancel, so an enquiry
// in flight at SIGTERM is finished (sent or spooled) and answered.
// WriteTimeout leaves room for the enquiry handler's send budget
// (config.ServeSendTimeout) and a slow client. An idle keep-alive
// connection is closed after 30 s: it holds a file and a connection slot.
func newHTTPServer(ctx context.Context, h http.Handler, logger *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       20 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       30 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
}

// listenURL is the URL to open and the origins the server answers on: a
// browser may use localhost or 127.0.0.1 for the same server.
func listenURL(flagAddr string, addr net.Addr) (*url.URL, []string) {
	host, _, _ := net.SplitHostPort(flagAddr)
	_, port, _ := net.SplitHostPort(addr.String())
	switch host {
	case "", "0.0.0.0", "::":
		host = "localhost"
	}
	u := &url.URL{Scheme: "http", Host: net.JoinHostPort(host, port)}
	origins := []string{u.String()}
	for _, h := range []string{"localhost", "127.0.0.1", "::1"} {
		if o := "http://" + net.JoinHostPort(h, port); o != u.String() {
			origins = append(origins, o)
		}
	}
	return u, origins
}

func absOr(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// spoolTuning is the spool's backoff and timing: its defaults, which tests
// shorten. The operator's settings come from config.
var spoolTuning spool.Options

// newSender chooses the delivery.Sender. Without a Resend key it is the outbox
// (writing the file is the delivery: nothing to spool). With a key it is the
// on-disk spool: a request only writes the email there, and background, which
// the caller runs until shutdown, sends it through Resend. health is added to
// GET /api/health.
func newSender(cfg *config.Config, logger *slog.Logger) (sender delivery.Sender, health func() (map[string]any, bool), background func(context.Context), err error) {
	if cfg.Outbox() {
		o, err := delivery.NewOutbox(cfg.OutboxDir, logger)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("OUTBOX_DIR: %w", err)
		}
		logger.Info("no RESEND_API_KEY: emails go to the outbox", "outbox", absOr(cfg.OutboxDir))
		return o, func() (map[string]any, bool) { return map[string]any{"sender": "outbox"}, true }, nil, nil
	}
	r := delivery.NewResend(delivery.ResendOptions{
		APIKey:  cfg.ResendAPIKey,
		BaseURL: cfg.ResendBaseURL,
		Logger:  logger,
	})
	o := spoolTuning
	o.Rate, o.MaxBytes, o.AlertAfter = float64(cfg.Spool.ResendRate), cfg.Spool.MaxBytes, cfg.Spool.AlertAfter
	var sp *spool.Spool
	o.Alert = func(p mail.DeliveryProblem) {
		// The alert for reception's email the spool set aside goes through the
		// spool itself: to ENQUIRY_ALERT_TO, else to reception (whose mailbox
		// is fine: only that one email was refused).
		to := cfg.Events.AlertTo
		if len(to) == 0 {
			to = cfg.To
		}
		if err := sp.Send(context.Background(), mail.Alert(cfg.From, to, p)); err != nil {
			logger.Error("the alert about a set-aside email could not be spooled", "id", p.EnquiryID, "error", err.Error())
		}
	}
	sp, err = spool.New(cfg.Spool.Dir, r, logger, o)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("SPOOL_DIR: %w", err)
	}
	logger.Info("emails are kept in the spool and sent with Resend in the background", "base_url", r.BaseURL(),
		"spool", absOr(cfg.Spool.Dir), "rate_per_second", cfg.Spool.ResendRate)
	health = func() (map[string]any, bool) {
		h, ok := sp.Health()
		return map[string]any{"sender": "resend", "spool": h}, ok
	}
	return sp, health, sp.Run, nil
}

// compress gzips the site's files at the best level: a page is sent far more
// often than it changes, and a few hundred bytes decide whether it arrives in
// the first round trip (14 KB). zstd at gzhttp's default (fastest) level came
// out about a fifth larger than gzip -9 on the pages, so it is off.
var compress = func() func(http.Handler) http.HandlerFunc {
	w, err := gzhttp.NewWrapper(gzhttp.CompressionLevel(gzip.BestCompression), gzhttp.EnableZstd(false))
	if err != nil {
		panic(err) // only for invalid options, which these are not
	}
	return w
}()

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
