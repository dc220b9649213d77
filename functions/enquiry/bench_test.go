package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/bluetreeclinics/site/functions/internal/delivery/resendtest"
	"github.com/bluetreeclinics/site/functions/internal/lambdahttp"
)

// BenchmarkLambdaAboveResend is the function's own time per enquiry, warm,
// above Resend's: the fake Resend answers after 250 ms, and the figure
// reported (above-resend-ms) is each invocation's time less 250 ms per
// Resend call. The function sends inside the request (it has no disk), so
// the visitor waits for both.
//
//	go test -run '^$' -bench LambdaAboveResend -benchtime 40x ./functions/enquiry
func BenchmarkLambdaAboveResend(b *testing.B) {
	const resendTime = 250 * time.Millisecond
	fake := resendtest.NewServer(b)
	fake.SetLatency(resendTime)
	env := testEnv(fake.URL(), fake.APIKey)
	env["ENQUIRY_RATE_PER_MINUTE"] = "0"
	var h http.Handler
	if err := run(context.Background(), getenvFrom(env), io.Discard, func(got http.Handler) { h = got }); err != nil {
		b.Fatal(err)
	}
	invoke := lambdahttp.Handler(h)
	var total time.Duration
	i := 0
	for b.Loop() {
		form := suitabilityForm()
		form.Set("note", fmt.Sprintf("bench %d", i)) // a new enquiry each time, not a replay
		i++
		event := v2Event(b, "POST", "/api/enquiry", "application/x-www-form-urlencoded", form.Encode(), true, "203.0.113.40")
		start := time.Now()
		res, err := invoke(context.Background(), event)
		total += time.Since(start)
		var reply struct {
			StatusCode int `json:"statusCode"`
		}
		raw, _ := json.Marshal(res)
		json.Unmarshal(raw, &reply)
		if err != nil || reply.StatusCode != http.StatusSeeOther {
			b.Fatalf("invoke: %v %s", err, raw)
		}
	}
	above := (total - time.Duration(fake.Calls())*resendTime) / time.Duration(i)
	b.ReportMetric(float64(above.Microseconds())/1000, "above-resend-ms/op")
	b.Logf("%d enquiries, %d Resend calls of 250 ms: the function's own time %v per enquiry on average", i, fake.Calls(), above)
}
