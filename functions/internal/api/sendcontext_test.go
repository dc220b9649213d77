package api

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"
	"time"
)

func TestSendContextDeadline(t *testing.T) {
	now := time.Now()
	type key struct{}
	tests := []struct {
		name     string
		parent   time.Duration // the request's deadline from now; 0: none
		timeout  time.Duration
		wantLeft time.Duration
	}{
		{"no request deadline", 0, 8 * time.Second, 8 * time.Second},
		{"far request deadline", time.Minute, 8 * time.Second, 8 * time.Second},
		{"Lambda-like deadline", 6 * time.Second, 8 * time.Second, 6*time.Second - sendDeadlineMargin},
		{"deadline within the margin", time.Second, 8 * time.Second, time.Second - sendDeadlineMargin},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parent := context.WithValue(context.Background(), key{}, "v")
			if tt.parent > 0 {
				var cancel context.CancelFunc
				parent, cancel = context.WithDeadline(parent, now.Add(tt.parent))
				defer cancel()
			}
			ctx, cancel := sendContext(parent, tt.timeout, now)
			defer cancel()
			dl, ok := ctx.Deadline()
			if !ok {
				t.Fatal("no deadline")
			}
			if got := dl.Sub(now); got != tt.wantLeft {
				t.Errorf("deadline in %v, want %v", got, tt.wantLeft)
			}
			if ctx.Value(key{}) != "v" {
				t.Error("request values lost")
			}
			if tt.wantLeft <= 0 && ctx.Err() == nil {
				t.Error("a deadline already passed should leave an expired context")
			}
		})
	}
}

// The visitor going away (the request context cancelled) must not cancel
// a send in progress; the send's own deadline still applies.
func TestSendContextSurvivesClientDisconnect(t *testing.T) {
	parent, cancelReq := context.WithCancel(context.Background())
	r := httptest.NewRequest("POST", "/api/enquiry", nil).WithContext(parent)
	ctx, cancel := sendContext(r.Context(), 80*time.Millisecond, time.Now())
	defer cancel()
	cancelReq()
	select {
	case <-ctx.Done():
		t.Fatal("send context cancelled with the request")
	case <-time.After(20 * time.Millisecond):
	}
	select {
	case <-ctx.Done():
		if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
			t.Errorf("err %v", ctx.Err())
		}
	case <-time.After(2 * time.Second):
		t.Fatal("SendTimeout not applied")
	}
}

// A request deadline (a Lambda invocation's) is kept, less the margin.
func TestSendContextKeepsRequestDeadline(t *testing.T) {
	parent, cancelReq := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancelReq()
	r := httptest.NewRequest("POST", "/api/enquiry", nil).WithContext(parent)
	ctx, cancel := sendContext(r.Context(), 8*time.Second, time.Now())
	defer cancel()
	pdl, _ := parent.Deadline()
	dl, ok := ctx.Deadline()
	if !ok || !dl.Equal(pdl.Add(-sendDeadlineMargin)) {
		t.Errorf("deadline %v, want %v", dl, pdl.Add(-sendDeadlineMargin))
	}
}
