// Command enquiry is the serverless enquiry endpoint: the shared handler of
// functions/internal/api run as an AWS Lambda function, on Netlify Functions
// or on AWS Lambda behind API Gateway (docs/deploy.md).
//
// It reads its configuration once at start and refuses to start without a
// Resend key: a function has no disk to keep an email on. Start-up does no
// network calls, so a cold start costs little more than loading the binary.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/bluetreeclinics/site/functions/internal/api"
	"github.com/bluetreeclinics/site/functions/internal/config"
	"github.com/bluetreeclinics/site/functions/internal/delivery"
	"github.com/bluetreeclinics/site/functions/internal/formpage"
	"github.com/bluetreeclinics/site/functions/internal/lambdahttp"
)

func main() {
	if err := run(context.Background(), os.Getenv, os.Stderr, startLambda); err != nil {
		fmt.Fprintf(os.Stderr, "enquiry: %v\n", err)
		os.Exit(1)
	}
}

// startLambda hands the handler to the Lambda runtime; it returns only if
// the runtime API cannot be reached.
func startLambda(h http.Handler) { lambda.Start(lambdahttp.Handler(h)) }

// run reads the configuration, builds the handler and gives it to start.
// Tests pass their own getenv and start.
func run(ctx context.Context, getenv func(string) string, stderr io.Writer, start func(http.Handler)) error {
	cfg, err := config.Load(getenv, config.Lambda)
	if err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	d, err := api.FromConfig(cfg, cfg.SiteURL)
	if err != nil {
		return err
	}
	// No spool here: the request retries within its time budget.
	d.Sender = delivery.Retry{Log: log, Next: delivery.NewResend(delivery.ResendOptions{
		APIKey:  cfg.ResendAPIKey,
		BaseURL: cfg.ResendBaseURL, // "" keeps resend-go's default (RESEND_BASE_URL or api.resend.com)
		// One request at a time, frozen between requests: a few idle
		// connections suffice, and short timeouts keep the retries inside
		// the time budget.
		HTTPClient: delivery.NewHTTPClient(5*time.Second, 4),
		Logger:     log,
	})}
	// The 422/429/503 pages refill the site's own form page, fetched from
	// the CDN on first need and kept in memory while the instance lives.
	d.Pages = formpage.HTTP(cfg.SiteURL, &http.Client{Timeout: pageTimeout})
	d.Logger = log
	// TrustProxy stays off: the adapter sets RemoteAddr from the event (API
	// Gateway's source IP, Netlify's x-nf-client-connection-ip), so
	// forwarded headers, which a visitor could forge on AWS, are not trusted.
	log.LogAttrs(ctx, slog.LevelInfo, "enquiry function ready",
		slog.String("site", cfg.SiteURL.String()),
		slog.Int("recipients", len(cfg.To)),
		slog.Bool("ack", cfg.Ack),
		slog.Int("rate_per_minute", cfg.RatePerMinute))
	start(api.New(d))
	return nil
}

// pageTimeout bounds fetching a form page for a 422/429/503 reply, inside
// the function's time budget (config.LambdaSendTimeout).
const pageTimeout = 2 * time.Second
