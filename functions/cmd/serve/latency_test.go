package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/bluetreeclinics/site/functions/internal/delivery/resendtest"
)

// BenchmarkEnquiryLatency measures what a visitor waits, from the POST to
// the 303, at 10 enquiries a second for 20 s (acknowledgements on: two
// emails kept per enquiry), while Resend answers after 250 ms (its round
// trip from Dubai) or hangs (held for the whole run, then released); then
// it checks that every enquiry was delivered exactly once. Goal: p99 ≤ 25 ms
// in both. One run takes about three minutes (the worker drains the 400
// emails at Resend's 5 calls/s):
//
//	go test ./functions/cmd/serve -run '^$' -bench EnquiryLatency -benchtime 1x
func BenchmarkEnquiryLatency(b *testing.B) {
	for _, mode := range []string{"resend-250ms", "resend-hangs"} {
		b.Run(mode, func(b *testing.B) {
			for range b.N {
				benchLatency(b, mode)
			}
		})
	}
}

func benchLatency(b *testing.B, mode string) {
	const (
		perSecond = 10
		duration  = 20 * time.Second
		n         = perSecond * int(duration/time.Second)
	)
	fake := resendtest.NewServer(b)
	resendURL, release := fake.URL(), make(chan struct{})
	if mode == "resend-hangs" {
		// Every call waits, unanswered, until release (or the spool gives
		// up on it), then reaches the fake.
		target, _ := url.Parse(fake.URL())
		proxy := httputil.NewSingleHostReverseProxy(target)
		proxy.ErrorHandler = func(http.ResponseWriter, *http.Request, error) {} // a call the spool gave up on
		held := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-release:
				proxy.ServeHTTP(w, r)
			case <-r.Context().Done():
			}
		}))
		b.Cleanup(held.Close)
		resendURL = held.URL + "/"
	} else {
		fake.SetLatency(250 * time.Millisecond)
	}
	env := resendEnv(resendURL, filepath.Join(b.TempDir(), "spool"))
	env["ENQUIRY_ACK"] = "true"
	s := start(b, fixtureArgs(), env)
	c := client()

	lat := make([]time.Duration, n)
	slowest := 0
	var wg sync.WaitGroup
	tick := time.NewTicker(time.Second / perSecond)
	defer tick.Stop()
	b.ResetTimer()
	for i := range n {
		<-tick.C
		wg.Add(1)
		go func() {
			defer wg.Done()
			form := appointmentForm("Bench Visitor", fmt.Sprintf("B%04d", i))
			form.Set("email", fmt.Sprintf("b%04d@example.com", i))
			start := time.Now()
			status, err := postForm(c, s.url, form)
			lat[i] = time.Since(start)
			if err != nil || status != http.StatusSeeOther {
				b.Errorf("B%04d: %d %v", i, status, err)
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	close(release)
	waitUntil(b, "the spool to drain", 3*time.Minute, func() bool { return health(b, s.url).Spool.Depth == 0 })

	byRef, acks := map[string]int{}, map[string]int{}
	ref := regexp.MustCompile(`ref (B\d{4})`)
	for _, e := range fake.Emails() {
		if e.Tags["kind"] == "ack" {
			acks[e.To[0]]++
		} else if m := ref.FindStringSubmatch(e.Text); m != nil {
			byRef[m[1]]++
		}
	}
	for i := range n {
		if r, a := byRef[fmt.Sprintf("B%04d", i)], acks[fmt.Sprintf("b%04d@example.com", i)]; r != 1 || a != 1 {
			b.Errorf("B%04d: %d emails to reception, %d acknowledgements (want 1 and 1)", i, r, a)
		}
	}
	for i := range lat {
		if lat[i] > lat[slowest] {
			slowest = i
		}
	}
	slices.Sort(lat)
	q := func(p float64) time.Duration { return lat[int(p*float64(n))-1] }
	b.ReportMetric(float64(q(0.50).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(q(0.99).Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(lat[n-1].Microseconds())/1000, "max-ms")
	disk := diskFloor(b, perSecond)
	b.ReportMetric(float64(disk.Microseconds())/1000, "disk-p99-ms")
	b.Logf("%s: %d enquiries at %d/s: POST→303 p50 %v, p99 %v, max %v (enquiry #%d); %d reception emails and %d acknowledgements, each once; %d Resend calls; the disk's own p99 for 4 durable writes (2 files, 2 folder syncs, as one enquiry with its acknowledgement) just after: %v",
		mode, n, perSecond, q(0.50), q(0.99), lat[n-1], slowest, len(byRef), len(acks), fake.Calls(), disk)
}

// diskFloor is the p99 of what the disk alone takes for one enquiry's
// durable writes (two files written, fsynced and renamed, the folder
// fsynced after each), 100 times at perSecond: the floor under the POST's
// latency on this machine at this moment.
func diskFloor(b *testing.B, perSecond int) time.Duration {
	dir := b.TempDir()
	var lat []time.Duration
	for i := range 100 {
		start := time.Now()
		for j := range 2 {
			f, err := os.CreateTemp(dir, ".tmp-")
			if err != nil {
				b.Fatal(err)
			}
			f.Write(make([]byte, 12<<10))
			f.Sync()
			f.Close()
			os.Rename(f.Name(), filepath.Join(dir, fmt.Sprintf("%d-%d.json", i, j)))
			d, _ := os.Open(dir)
			d.Sync()
			d.Close()
		}
		lat = append(lat, time.Since(start))
		time.Sleep(time.Second / time.Duration(perSecond))
	}
	slices.Sort(lat)
	return lat[98]
}
