package delivery

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/bluetreeclinics/site/functions/internal/mail"
)

// Retry sends through Next again while a failure is transient (not
// ErrPermanent) and the next attempt fits in the context's deadline. It is
// the Lambda path's retry policy; serve's spool retries by itself.
type Retry struct {
	Next        Sender
	Log         *slog.Logger
	MaxAttempts int           // default 4
	BaseDelay   time.Duration // first backoff, doubled per attempt; default 200ms
}

// retryMaxDelay caps one wait between attempts.
const retryMaxDelay = 5 * time.Second

func (r Retry) Send(ctx context.Context, m *mail.Message) error {
	log := cmp.Or(r.Log, slog.New(slog.DiscardHandler))
	maxAttempts, baseDelay := cmp.Or(r.MaxAttempts, 4), cmp.Or(r.BaseDelay, 200*time.Millisecond)
	start := time.Now()
	for attempt := 1; ; attempt++ {
		err := r.Next.Send(ctx, m)
		if err == nil || errors.Is(err, ErrPermanent) {
			return err
		}
		wait := Backoff(baseDelay, retryMaxDelay, attempt)
		se, ok := errors.AsType[*SendError](err)
		if ok {
			wait = max(wait, se.RetryAfter)
		}
		attrs := []any{"idempotency_key", m.IdempotencyKey, "attempt", attempt, "total", time.Since(start)}
		dl, hasDeadline := ctx.Deadline()
		switch {
		case ctx.Err() != nil:
			log.WarnContext(ctx, "send abandoned: time budget spent", attrs...)
			return err
		case attempt >= maxAttempts:
			log.WarnContext(ctx, "send failed: attempts exhausted", attrs...)
			return err
		case hasDeadline && time.Until(dl) < wait:
			log.WarnContext(ctx, "send failed: next retry would pass the deadline", append(attrs, "wait", wait)...)
			return err
		}
		log.WarnContext(ctx, "retrying the send", append(attrs, "wait", wait)...)
		select {
		case <-ctx.Done():
			if se != nil {
				se.Err = ctx.Err()
			}
			return err
		case <-time.After(wait):
		}
	}
}

// Backoff is base·2^(attempt-1) (attempt 0 counts as 1), capped at limit,
// with jitter: between half and all of it, so retries (of one email, or of
// many spooled ones) do not fall in lockstep.
func Backoff(base, limit time.Duration, attempt int) time.Duration {
	d := limit
	if n := max(attempt-1, 0); n < 32 {
		if b := base << n; b > 0 && b < limit {
			d = b
		}
	}
	return d/2 + rand.N(d/2+1)
}
