package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bluetreeclinics/site/data"
	"github.com/bluetreeclinics/site/functions/internal/config"
	"github.com/bluetreeclinics/site/functions/internal/delivery/resendtest"
)

// resendEnv is the environment of a serve that sends through a fake Resend
// at baseURL and spools into spoolDir.
func resendEnv(baseURL, spoolDir string) map[string]string {
	return map[string]string{
		"RESEND_API_KEY":          resendtest.DefaultAPIKey,
		"RESEND_BASE_URL":         baseURL,
		"ENQUIRY_FROM":            "Blue Tree Clinics <enquiries@bluetree.example>",
		"ENQUIRY_TO":              "reception@bluetree.example",
		"SPOOL_DIR":               spoolDir,
		"ENQUIRY_RATE_PER_MINUTE": "0",
	}
}

func appointmentForm(name, ref string) url.Values {
	return url.Values{
		"kind": {"appointment"}, "lang": {"en"}, "name": {name}, "phone": {"050 111 2233"},
		"email": {""}, "contact": {"whatsapp"}, "consent": {"yes"}, "website": {""},
		"date":    {data.ClinicDetails().Opening.OpenDay(time.Now().AddDate(0, 0, 7)).Format("2006-01-02")},
		"time":    {"any"},
		"message": {"ref " + ref},
	}
}

// postForm posts an enquiry as a browser without JavaScript does.
func postForm(c *http.Client, base string, form url.Values) (int, error) {
	resp, _, err := post(c, base, form)
	if err != nil {
		return 0, err
	}
	return resp.StatusCode, nil
}

// post is postForm with the whole reply.
func post(c *http.Client, base string, form url.Values) (*http.Response, []byte, error) {
	req, _ := http.NewRequest("POST", base+"/api/enquiry", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	resp, err := c.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

// postJSON posts as the page's script does and returns the enquiry id.
func postJSON(c *http.Client, base string, form url.Values) (int, string, error) {
	obj := map[string]string{}
	for k := range form {
		obj[k] = form.Get(k)
	}
	body, _ := json.Marshal(obj)
	req, _ := http.NewRequest("POST", base+"/api/enquiry", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Origin", base)
	resp, err := c.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	var reply struct {
		ID string `json:"id"`
	}
	json.NewDecoder(resp.Body).Decode(&reply)
	return resp.StatusCode, reply.ID, nil
}

type healthReply struct {
	code   int
	Status string `json:"status"`
	Sender string `json:"sender"`
	Spool  *struct {
		Depth         int    `json:"depth"`
		OldestSeconds int    `json:"oldest_seconds"`
		Writable      bool   `json:"writable"`
		Paused        string `json:"paused"`
	} `json:"spool"`
}

// health is GET /api/health, which must answer 200.
func health(t testing.TB, base string) healthReply {
	t.Helper()
	h := healthAny(t, base)
	if h.code != 200 {
		t.Fatalf("health: %d %+v", h.code, h)
	}
	return h
}

// healthAny is GET /api/health whatever its status.
func healthAny(t testing.TB, base string) healthReply {
	t.Helper()
	resp, body := get(t, base+"/api/health", nil)
	var h healthReply
	if err := json.Unmarshal(body, &h); err != nil || h.Spool == nil {
		t.Fatalf("health: %d %s %v", resp.StatusCode, body, err)
	}
	h.code = resp.StatusCode
	return h
}

// fastSpool shortens the spool's backoff for the test.
func fastSpool(t *testing.T) {
	saved := spoolTuning
	spoolTuning.MinBackoff, spoolTuning.MaxBackoff, spoolTuning.Interval = 20*time.Millisecond, 200*time.Millisecond, 20*time.Millisecond
	t.Cleanup(func() { spoolTuning = saved })
}

// stop ends a server started with start and waits for run to return.
func (s *server) stop(t *testing.T) {
	t.Helper()
	s.cancel()
	select {
	case err := <-s.done:
		s.done <- err // for start's cleanup
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("server did not stop")
	}
}

func spoolFiles(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// Resend down: the visitor is answered at once, the enquiry kept; stop
// the server; start it again with Resend up: one email per enquiry.
func TestResendDownSpoolRestartSendsOnce(t *testing.T) {
	fake := resendtest.NewServer(t)
	fake.Down()
	spoolDir := filepath.Join(t.TempDir(), "spool")
	env := resendEnv(fake.URL(), spoolDir)

	s := start(t, fixtureArgs(), env)
	if !strings.Contains(s.stdout.String(), spoolDir) {
		t.Errorf("stdout does not name the spool:\n%s", s.stdout)
	}
	if h := health(t, s.url); h.Status != "ok" || h.Sender != "resend" || h.Spool.Depth != 0 || !h.Spool.Writable {
		t.Errorf("health before: %+v", h)
	}
	for _, ref := range []string{"A1", "A2"} {
		begin := time.Now()
		status, err := postForm(client(), s.url, appointmentForm("Mariam Saeed", ref))
		if err != nil || status != http.StatusSeeOther {
			t.Fatalf("enquiry with Resend down: %d %v\n%s", status, err, s.stderr)
		}
		if took := time.Since(begin); took > time.Second {
			t.Errorf("the visitor waited %v with Resend down", took)
		}
	}
	h := health(t, s.url)
	if h.Spool.Depth != 2 || h.Spool.OldestSeconds < 0 || h.Spool.OldestSeconds > 60 {
		t.Errorf("health after: %+v", *h.Spool)
	}
	files := spoolFiles(t, spoolDir)
	if len(files) != 2 {
		t.Fatalf("spool files: %v", files)
	}
	if st, err := os.Stat(files[0]); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("spool file mode: %v %v", st.Mode(), err)
	}
	if st, err := os.Stat(spoolDir); err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("spool folder mode: %v %v", st.Mode(), err)
	}
	waitUntil(t, "the worker to try", 10*time.Second, func() bool { return fake.Calls() >= 1 })
	s.stop(t)
	if !strings.Contains(s.stderr.String(), "spool worker stopped") {
		t.Errorf("worker stop not logged:\n%s", s.stderr)
	}
	if files := spoolFiles(t, spoolDir); len(files) != 2 {
		t.Fatalf("spool after stop: %v", files)
	}
	if n := len(fake.Emails()); n != 0 {
		t.Fatalf("%d emails while Resend was down", n)
	}
	for _, secret := range []string{"Mariam", "501112233"} {
		if strings.Contains(s.stderr.String(), secret) {
			t.Errorf("the log holds personal data %q", secret)
		}
	}

	fake.Up()
	s2 := start(t, fixtureArgs(), env)
	waitUntil(t, "the spool to drain", 20*time.Second, func() bool { return health(t, s2.url).Spool.Depth == 0 })
	emails := fake.Emails()
	if len(emails) != 2 {
		t.Fatalf("%d emails after the restart, want 2", len(emails))
	}
	for _, ref := range []string{"ref A1", "ref A2"} {
		n := 0
		for _, e := range emails {
			if strings.Contains(e.Text, ref) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s: %d emails", ref, n)
		}
	}
	if files := spoolFiles(t, spoolDir); len(files) != 0 {
		t.Errorf("spool not emptied: %v", files)
	}
	t.Logf("restart: 2 enquiries kept while Resend was down, %d emails after the restart, spool empty; %d Resend calls in all", len(emails), fake.Calls())
}

func waitUntil(t testing.TB, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// flakyResend stands in front of the fake Resend and fails half of the
// calls with random 500s and 503s; a quarter of those are passed on first
// (Resend took the email, its answer was lost). It counts the 200
// answers per idempotency key: a key answered twice is a resend that
// Resend deduplicated.
type flakyResend struct {
	proxy    *httputil.ReverseProxy
	calls    atomic.Int64
	failed   atomic.Int64
	mu       sync.Mutex
	accepted map[string]map[string]int // key -> Resend id -> 200 answers
}

func newFlakyResend(t *testing.T, fake *resendtest.Server) (*flakyResend, *httptest.Server) {
	t.Helper()
	target, _ := url.Parse(strings.TrimSuffix(fake.URL(), "/"))
	f := &flakyResend{proxy: httputil.NewSingleHostReverseProxy(target), accepted: map[string]map[string]int{}}
	f.proxy.ModifyResponse = func(resp *http.Response) error {
		if resp.StatusCode != http.StatusOK {
			return nil
		}
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			return err
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
		var ok struct {
			ID string `json:"id"`
		}
		json.Unmarshal(body, &ok)
		key := resp.Request.Header.Get("Idempotency-Key")
		f.mu.Lock()
		if f.accepted[key] == nil {
			f.accepted[key] = map[string]int{}
		}
		f.accepted[key][ok.ID]++
		f.mu.Unlock()
		return nil
	}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *flakyResend) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.calls.Add(1)
	if rand.N(2) == 0 {
		f.failed.Add(1)
		if rand.N(4) == 0 {
			// Resend took the email but the answer was lost: the sender
			// retries, and the Idempotency-Key must make that one email.
			f.proxy.ServeHTTP(httptest.NewRecorder(), r)
		}
		io.Copy(io.Discard, r.Body)
		status, name := http.StatusInternalServerError, "internal_server_error"
		if rand.N(2) == 0 {
			status, name = http.StatusServiceUnavailable, "service_unavailable"
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"statusCode":%d,"name":%q,"message":"flaky"}`, status, name)
		return
	}
	f.proxy.ServeHTTP(w, r)
}

// Load on loopback with Resend failing half of the calls: every enquiry
// the visitor was told is taken arrives exactly once.
//
//	go test ./functions/cmd/serve -run TestLoadHalfFailing -v
func TestLoadHalfFailing(t *testing.T) {
	if testing.Short() {
		t.Skip("load test")
	}
	const (
		enquiries = 400
		workers   = 20
		budget    = 60 * time.Second
	)
	fastSpool(t)
	fake := resendtest.NewServer(t)
	fr, front := newFlakyResend(t, fake)
	spoolDir := filepath.Join(t.TempDir(), "spool")
	env := resendEnv(front.URL+"/", spoolDir)
	env["RESEND_RATE_PER_SECOND"] = "200" // loopback: drain within the test's budget
	s := start(t, fixtureArgs(), env)

	type result struct {
		ref    string
		status int
		id     string // JSON posts only
		err    error
	}
	results := make([]result, enquiries)
	next := atomic.Int64{}
	c := &http.Client{
		Timeout:       30 * time.Second,
		Transport:     &http.Transport{MaxIdleConnsPerHost: workers},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	ctx, cancel := context.WithTimeout(context.Background(), budget)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= enquiries {
					return
				}
				ref := fmt.Sprintf("L%04d", i)
				form := appointmentForm("Load Visitor", ref)
				r := result{ref: ref}
				if i%2 == 0 { // half as the page's script, half as a plain form
					r.status, r.id, r.err = postJSON(c, s.url, form)
				} else {
					r.status, r.err = postForm(c, s.url, form)
				}
				results[i] = r
			}
		}()
	}
	wg.Wait()
	posted := time.Since(start)
	if ctx.Err() != nil {
		t.Fatalf("posting %d enquiries took longer than %v", enquiries, budget)
	}
	peak := health(t, s.url).Spool.Depth
	waitUntil(t, "the spool to drain", budget-posted, func() bool { return health(t, s.url).Spool.Depth == 0 })
	drained := time.Since(start)

	emails := fake.Emails()
	byRef := map[string][]string{} // ref -> idempotency keys of emails holding it
	refPattern := regexp.MustCompile(`ref (L\d{4})`)
	for _, e := range emails {
		if m := refPattern.FindStringSubmatch(e.Text); m != nil {
			byRef[m[1]] = append(byRef[m[1]], e.IdempotencyKey)
		}
	}
	var acked, refused, lost, duplicated int
	for _, r := range results {
		switch {
		case r.err != nil:
			t.Errorf("%s: %v", r.ref, r.err)
			continue
		case r.status == http.StatusOK || r.status == http.StatusSeeOther:
			acked++
		default:
			refused++ // told to try again: not a loss, the form was kept
			t.Errorf("%s: status %d", r.ref, r.status)
			continue
		}
		keys := byRef[r.ref]
		switch {
		case len(keys) == 0:
			lost++
			t.Errorf("%s acknowledged but no email arrived", r.ref)
			continue
		case len(keys) > 1:
			duplicated++
			t.Errorf("%s: %d emails", r.ref, len(keys))
		}
		if r.id != "" && keys[0] != r.id {
			t.Errorf("%s: reply id %s, email key %s", r.ref, r.id, keys[0])
		}
	}
	// Resend's answers per key: more than one id for a key would be two emails.
	fr.mu.Lock()
	replays := 0
	for key, ids := range fr.accepted {
		if len(ids) > 1 {
			t.Errorf("key %s accepted as %d different emails", key, len(ids))
		}
		for _, n := range ids {
			replays += n - 1
		}
	}
	fr.mu.Unlock()
	if len(emails) != acked {
		t.Errorf("%d emails for %d acknowledged enquiries", len(emails), acked)
	}
	if len(spoolFiles(t, spoolDir)) != 0 {
		t.Error("spool folder not empty")
	}
	t.Logf("load: %d enquiries from %d clients in %v (drained after %v); acknowledged %d, refused %d; peak spool depth %d, lost %d, duplicated %d; Resend calls %d (%d failed on purpose), resends absorbed by the Idempotency-Key %d",
		enquiries, workers, posted.Round(time.Millisecond), drained.Round(time.Millisecond), acked, refused,
		peak, lost, duplicated, fr.calls.Load(), fr.failed.Load(), replays)
}

func TestServerTimeouts(t *testing.T) {
	srv := newHTTPServer(context.Background(), http.NotFoundHandler(), discardLogger())
	if srv.ReadHeaderTimeout <= 0 || srv.ReadTimeout <= 0 || srv.WriteTimeout <= 0 || srv.IdleTimeout <= 0 {
		t.Errorf("timeouts: header %v read %v write %v idle %v", srv.ReadHeaderTimeout, srv.ReadTimeout, srv.WriteTimeout, srv.IdleTimeout)
	}
	// The enquiry handler's send budget (and the spool write) must fit in
	// the write timeout, or a slow Resend would cut the visitor's answer.
	if srv.WriteTimeout < config.ServeSendTimeout+5*time.Second {
		t.Errorf("WriteTimeout %v leaves too little room for the send budget %v", srv.WriteTimeout, config.ServeSendTimeout)
	}
}

// A wrong API key: the enquiry is kept (the visitor answered), the log
// says so at ERROR, and /api/health answers 503 for monitoring.
func TestConfigurationErrorAlerts(t *testing.T) {
	fastSpool(t)
	fake := resendtest.NewServer(t)
	fake.APIKey = "re_other"
	spoolDir := filepath.Join(t.TempDir(), "spool")
	s := start(t, fixtureArgs(), resendEnv(fake.URL(), spoolDir))
	if status, err := postForm(client(), s.url, appointmentForm("Mariam Saeed", "C1")); err != nil || status != http.StatusSeeOther {
		t.Fatalf("enquiry: %d %v", status, err)
	}
	waitUntil(t, "the health to fail", 10*time.Second, func() bool { return healthAny(t, s.url).code == 503 })
	h := healthAny(t, s.url)
	if h.Status != "failing" || h.Spool.Paused != "configuration_error" || h.Spool.Depth != 1 {
		t.Errorf("health %+v %+v", h, *h.Spool)
	}
	if !regexp.MustCompile(`level=ERROR msg="mail service rejected the configuration`).MatchString(s.stderr.String()) {
		t.Errorf("no ERROR:\n%s", s.stderr)
	}
	if len(spoolFiles(t, spoolDir)) != 1 {
		t.Error("the enquiry was not kept")
	}
}

// The spool folder deleted while the server runs is made again; one that
// cannot be made (a file in its place) gets 503 with the form kept, never
// an acknowledgement, and /api/health fails after SPOOL_ALERT_AFTER.
func TestSpoolFolderGone(t *testing.T) {
	fastSpool(t)
	fake := resendtest.NewServer(t)
	fake.Down()
	spoolDir := filepath.Join(t.TempDir(), "spool")
	env := resendEnv(fake.URL(), spoolDir)
	env["SPOOL_ALERT_AFTER"] = "1s"
	s := start(t, fixtureArgs(), env)

	os.RemoveAll(spoolDir)
	if status, err := postForm(client(), s.url, appointmentForm("Mariam Saeed", "G1")); err != nil || status != http.StatusSeeOther {
		t.Fatalf("enquiry after the folder was deleted: %d %v", status, err)
	}
	if st, err := os.Stat(spoolDir); err != nil || st.Mode().Perm() != 0o700 || len(spoolFiles(t, spoolDir)) != 1 {
		t.Fatalf("folder not made again with the enquiry: %v %v", st, err)
	}

	// A file where the folder was; the server's writability probe may make
	// the folder again between the two calls, so try until the file is there.
	for i := 0; ; i++ {
		os.RemoveAll(spoolDir)
		err := os.WriteFile(spoolDir, nil, 0o600)
		if err == nil {
			break
		}
		if i == 100 {
			t.Fatal(err)
		}
	}
	resp, body, err := post(client(), s.url, appointmentForm("Mariam Saeed", "G2"))
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "ref G2") {
		t.Errorf("enquiry with no spool: %d, form kept: %v", resp.StatusCode, strings.Contains(string(body), "ref G2"))
	}
	waitUntil(t, "the health to fail", 10*time.Second, func() bool { return healthAny(t, s.url).code == 503 })
	if h := healthAny(t, s.url); h.Spool.Writable {
		t.Errorf("health %+v", *h.Spool)
	}
}
