package main

// End-to-end tests of the deployable binary: they build `bootstrap` exactly as
// docs/deploy.md says, then run it
//   - under the AWS Lambda Runtime Interface Emulator (the Go module
//     github.com/aws/aws-lambda-runtime-interface-emulator, built from the
//     module cache), invoked with API Gateway and Netlify events, against a
//     fake Resend; and
//   - against a tiny fake Lambda Runtime API, to time process start to first
//     answered event without the emulator's own start-up in the figure.
// They log the binary size and the cold start. Skipped with -short.

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bluetreeclinics/site/functions/internal/delivery/resendtest"
	"github.com/bluetreeclinics/site/functions/internal/site"
	"github.com/bluetreeclinics/site/functions/internal/testlog"
)

const rieModule = "github.com/aws/aws-lambda-runtime-interface-emulator"

var (
	binDir string // holds the binaries built once for all tests

	bootstrapOnce sync.Once
	bootstrapPath string
	bootstrapErr  error

	rieOnce sync.Once
	riePath string
	rieErr  error
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "enquiry-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func skipUnlessE2E(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end: builds binaries; skipped with -short")
	}
	if runtime.GOOS != "linux" {
		t.Skipf("end-to-end: the bootstrap binary and the emulator run on Linux only, not %s", runtime.GOOS)
	}
}

func goTool(t testing.TB) string {
	t.Helper()
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	p := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("no go command in PATH or GOROOT")
	}
	return p
}

// moduleRoot is the directory of this repository's go.mod.
func moduleRoot(t testing.TB) string {
	t.Helper()
	root, err := site.Root()
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// buildBootstrap builds the function as docs/deploy.md says (for
// this machine's architecture, so it can run here).
func buildBootstrap(t testing.TB) string {
	t.Helper()
	bootstrapOnce.Do(func() {
		out := filepath.Join(binDir, "bootstrap")
		cmd := exec.Command(goTool(t), "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w", "-o", out, "./functions/enquiry")
		cmd.Dir = moduleRoot(t)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH, "GOWORK=off")
		start := time.Now()
		if b, err := cmd.CombinedOutput(); err != nil {
			bootstrapErr = fmt.Errorf("go build bootstrap: %v\n%s", err, b)
			return
		}
		bootstrapPath = out
		took := time.Since(start)
		if fi, err := os.Stat(out); err == nil {
			t.Logf("bootstrap: %.1f MiB (%d bytes), %.1f MiB zipped; built in %v with CGO_ENABLED=0 GOOS=linux GOARCH=%s go build -tags lambda.norpc -trimpath -ldflags='-s -w'",
				float64(fi.Size())/(1<<20), fi.Size(), float64(zippedSize(t, out))/(1<<20), took.Round(time.Millisecond), runtime.GOARCH)
		}
	})
	if bootstrapErr != nil {
		t.Fatal(bootstrapErr)
	}
	return bootstrapPath
}

// zippedSize is the size of the deployment package (zip -j enquiry.zip bootstrap).
func zippedSize(t testing.TB, path string) int64 {
	t.Helper()
	var n countWriter
	zw := zip.NewWriter(&n)
	w, err := zw.CreateHeader(&zip.FileHeader{Name: "bootstrap", Method: zip.Deflate})
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := io.Copy(w, f); err != nil {
		t.Fatal(err)
	}
	zw.Close()
	return int64(n)
}

type countWriter int64

func (c *countWriter) Write(p []byte) (int, error) { *c += countWriter(len(p)); return len(p), nil }

// buildRIE builds the emulator, pinned in go.mod as a Go tool
// (`go tool aws-lambda-rie`), so its version and dependencies are ours and
// `go mod tidy` keeps them. The only reason to skip: it cannot be built here
// (its modules cannot be downloaded) on a developer's machine; in CI that is
// a failure, never a skip.
func buildRIE(t testing.TB) string {
	t.Helper()
	rieOnce.Do(func() {
		out := filepath.Join(binDir, "aws-lambda-rie")
		cmd := exec.Command(goTool(t), "build", "-o", out, rieModule+"/cmd/aws-lambda-rie")
		cmd.Dir = moduleRoot(t)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOWORK=off")
		if b, err := cmd.CombinedOutput(); err != nil {
			rieErr = fmt.Errorf("go build %s/cmd/aws-lambda-rie: %v\n%s", rieModule, err, b)
			return
		}
		riePath = out
	})
	if rieErr != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("cannot build the AWS Lambda Runtime Interface Emulator: %v", rieErr)
		}
		t.Skipf("cannot build the AWS Lambda Runtime Interface Emulator, so the emulator test cannot run: %v", rieErr)
	}
	return riePath
}

func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// envList turns the function's settings into a process environment, with
// nothing of the test process's own environment but PATH and HOME.
func envList(env map[string]string) []string {
	out := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	slices.Sort(out)
	return out
}

// lambdaReply is the function's reply as the platform reads it.
type lambdaReply struct {
	raw     map[string]json.RawMessage
	Status  int
	Headers map[string]string
	Body    string
}

func decodeReply(t *testing.T, b []byte) lambdaReply {
	t.Helper()
	var r lambdaReply
	if err := json.Unmarshal(b, &r.raw); err != nil {
		t.Fatalf("reply is not a JSON object: %v\n%s", err, b)
	}
	if err := json.Unmarshal(r.raw["statusCode"], &r.Status); err != nil {
		t.Fatalf("statusCode: %v\n%s", err, b)
	}
	// Single-value headers only: every value a string (Netlify ignores
	// multiValueHeaders, so none may hide there).
	if err := json.Unmarshal(r.raw["headers"], &r.Headers); err != nil {
		t.Errorf("headers are not single strings: %v\n%s", err, r.raw["headers"])
	}
	if mv, ok := r.raw["multiValueHeaders"]; ok && string(mv) != "null" {
		t.Errorf("reply has multiValueHeaders: %s", mv)
	}
	var b64 bool
	json.Unmarshal(r.raw["isBase64Encoded"], &b64)
	if b64 {
		t.Errorf("text reply sent base64")
	}
	json.Unmarshal(r.raw["body"], &r.Body)
	return r
}

// TestEmulator runs the bootstrap binary under the AWS Lambda Runtime
// Interface Emulator, as Lambda runs it, and posts enquiries through it.
func TestEmulator(t *testing.T) {
	skipUnlessE2E(t)
	bootstrap := buildBootstrap(t)
	rie := buildRIE(t)

	fake := resendtest.NewServer(t)
	env := testEnv(fake.URL(), fake.APIKey)
	env["LOG_LEVEL"] = "info"
	env["AWS_LAMBDA_FUNCTION_TIMEOUT"] = "15"
	env["AWS_LAMBDA_FUNCTION_NAME"] = "enquiry"
	env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = "256"

	addr, apiAddr := freeAddr(t), freeAddr(t)
	var out testlog.Buffer
	cmd := exec.Command(rie,
		"--runtime-interface-emulator-address", addr,
		"--runtime-api-address", apiAddr,
		"--log-level", "warn",
		bootstrap)
	cmd.Dir = t.TempDir()
	cmd.Env = envList(env)
	cmd.Stdout, cmd.Stderr = &out, &out

	started := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("emulator and function output:\n%s", out.String())
		}
	})

	url := "http://" + addr + "/2015-03-31/functions/function/invocations"
	client := &http.Client{Timeout: 30 * time.Second}
	invokeRIE := func(event []byte) lambdaReply {
		t.Helper()
		res, err := client.Post(url, "application/json", bytes.NewReader(event))
		if err != nil {
			t.Fatalf("invoke: %v", err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("emulator answered %s: %s", res.Status, b)
		}
		return decodeReply(t, b)
	}

	// Cold start: the first event is answered once the emulator listens and
	// the function has started (the emulator starts it on the first invoke).
	var first lambdaReply
	health := netlifyEvent(t, "GET", "/.netlify/functions/enquiry/health", "", "", "203.0.113.10")
	for {
		res, err := client.Post(url, "application/json", bytes.NewReader(health))
		if err != nil {
			if time.Since(started) > 20*time.Second {
				t.Fatalf("emulator not answering after 20s: %v", err)
			}
			time.Sleep(2 * time.Millisecond)
			continue
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("emulator answered %s: %s", res.Status, b)
		}
		first = decodeReply(t, b)
		break
	}
	cold := time.Since(started)
	if first.Status != http.StatusOK {
		t.Fatalf("GET health (Netlify path): %d %s", first.Status, first.Body)
	}
	warmStart := time.Now()
	invokeRIE(v2Event(t, "GET", "/api/health", "", "", false, "203.0.113.11"))
	warm := time.Since(warmStart)
	t.Logf("cold start under the emulator: %v from starting the emulator to the first answered event (emulator start-up included); a warm event: %v",
		cold.Round(time.Microsecond), warm.Round(time.Microsecond))

	// A suitability check from the no-JS form, via an HTTP API (v2) event
	// with a base64 body: 303 to the thank-you page, one email.
	form := suitabilityForm()
	r := invokeRIE(v2Event(t, "POST", "/api/enquiry", "application/x-www-form-urlencoded", form.Encode(), true, "203.0.113.12"))
	if r.Status != http.StatusSeeOther || !strings.HasSuffix(r.Headers["Location"], "/enquire/suitability/thanks/") {
		t.Errorf("form post: %d Location %q, want 303 to /enquire/suitability/thanks/; body %s", r.Status, r.Headers["Location"], r.Body)
	}
	formID := expectedID(t, env, form)
	emails := fake.Emails()
	if len(emails) != 1 {
		t.Fatalf("after the form post: %d emails, want 1", len(emails))
	}
	e := emails[0]
	if e.IdempotencyKey != formID {
		t.Errorf("Idempotency-Key = %q, want the enquiry id %q", e.IdempotencyKey, formID)
	}
	if !slices.Equal(e.To, []string{env["ENQUIRY_TO"]}) || e.From != env["ENQUIRY_FROM"] {
		t.Errorf("email from %q to %q", e.From, e.To)
	}
	if !strings.Contains(e.Subject, "Amal Haddad") || !strings.Contains(e.Text, formID) {
		t.Errorf("email subject %q / text without the name or the id %s", e.Subject, formID)
	}
	if strings.Contains(e.HTML, `href="http://evil"`) {
		t.Errorf("visitor-typed Markdown became a link in the email")
	}

	// An appointment from the page script, via a REST API (v1) event with a
	// JSON body: 200 {"id"}, one more email; the same post again (a double
	// click) gives the same id and no new email.
	appt := appointmentJSON(t)
	body, _ := json.Marshal(appt)
	apptID := expectedID(t, env, jsonValues(t, appt))
	for i := range 2 {
		r = invokeRIE(v1Event(t, "POST", "/api/enquiry", "application/json", string(body), "198.51.100.20"))
		var got struct{ ID string }
		if r.Status != http.StatusOK || json.Unmarshal([]byte(r.Body), &got) != nil || got.ID != apptID {
			t.Errorf("JSON post %d: %d %s, want 200 {\"id\":%q}", i+1, r.Status, r.Body, apptID)
		}
		if !strings.HasPrefix(r.Headers["Content-Type"], "application/json") {
			t.Errorf("JSON reply Content-Type = %q", r.Headers["Content-Type"])
		}
	}
	emails = fake.Emails()
	if len(emails) != 2 || emails[1].IdempotencyKey != apptID {
		keys := []string{}
		for _, e := range emails {
			keys = append(keys, e.IdempotencyKey)
		}
		t.Errorf("after two identical JSON posts: emails with keys %q, want [%q %q]", keys, formID, apptID)
	}

	// An invalid enquiry: 422 with every problem keyed by field, no email.
	r = invokeRIE(v2Event(t, "POST", "/api/enquiry", "application/json", `{"kind":"suitability","lang":"en","name":"A","pain":11}`, false, "203.0.113.13"))
	var bad struct{ Errors map[string]string }
	if r.Status != http.StatusUnprocessableEntity || json.Unmarshal([]byte(r.Body), &bad) != nil {
		t.Fatalf("invalid enquiry: %d %s, want 422 JSON", r.Status, r.Body)
	}
	for _, f := range []string{"name", "phone", "consent", "pain", "area"} {
		if bad.Errors[f] == "" {
			t.Errorf("422 errors have no %q: %v", f, bad.Errors)
		}
	}
	if n := len(fake.Emails()); n != 2 {
		t.Errorf("after the invalid enquiry: %d emails, want still 2", n)
	}

	// The function's logs: JSON lines with the enquiry id, never the
	// visitor's name, phone or email.
	logs := out.String()
	for _, secret := range []string{"Amal", "Haddad", "sara@example.ae", "1234567", "7654321"} {
		if strings.Contains(logs, secret) {
			t.Errorf("logs contain visitor data %q", secret)
		}
	}
	if !strings.Contains(logs, formID) {
		t.Logf("note: logs do not mention enquiry id %s", formID)
	}
}

// TestBootstrapRefusesToStartWithoutKey: the process exits non-zero at once,
// naming the missing variable.
func TestBootstrapRefusesToStartWithoutKey(t *testing.T) {
	skipUnlessE2E(t)
	bootstrap := buildBootstrap(t)
	env := testEnv("", "")
	delete(env, "RESEND_API_KEY")
	env["AWS_LAMBDA_RUNTIME_API"] = freeAddr(t) // nothing listens: it must not get that far
	cmd := exec.Command(bootstrap)
	cmd.Env = envList(env)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() == 0 {
		t.Fatalf("bootstrap without RESEND_API_KEY: %v, want a non-zero exit\n%s", err, out)
	}
	if !strings.Contains(string(out), "RESEND_API_KEY") {
		t.Errorf("the message does not name RESEND_API_KEY:\n%s", out)
	}
}

// fakeRuntimeAPI is the part of the Lambda Runtime API a Go function uses:
// it hands out events and collects replies.
type fakeRuntimeAPI struct {
	srv     *httptest.Server
	events  chan []byte
	replies chan []byte
}

func newFakeRuntimeAPI() *fakeRuntimeAPI {
	f := &fakeRuntimeAPI{events: make(chan []byte, 1), replies: make(chan []byte, 1)}
	mux := http.NewServeMux()
	var n int
	var mu sync.Mutex
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", func(w http.ResponseWriter, r *http.Request) {
		select {
		case ev := <-f.events:
			mu.Lock()
			n++
			id := fmt.Sprintf("req-%d", n)
			mu.Unlock()
			w.Header().Set("Lambda-Runtime-Aws-Request-Id", id)
			w.Header().Set("Lambda-Runtime-Deadline-Ms", fmt.Sprint(time.Now().Add(10*time.Second).UnixMilli()))
			w.Header().Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:me-central-1:123456789012:function:enquiry")
			w.Header().Set("Content-Type", "application/json")
			w.Write(ev)
		case <-r.Context().Done():
		}
	})
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.WriteHeader(http.StatusAccepted)
		f.replies <- b
	})
	fail := func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.WriteHeader(http.StatusAccepted)
		f.replies <- append([]byte("ERROR "), b...)
	}
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", fail)
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", fail)
	f.srv = httptest.NewServer(mux)
	return f
}

func (f *fakeRuntimeAPI) close() { f.srv.CloseClientConnections(); f.srv.Close() }

// coldStart starts the function process and times it until its reply to
// one health event reaches the runtime API. Each run gets its own runtime
// API, so a killed process's pending request cannot take the next event.
func coldStart(t testing.TB, bootstrap string, env map[string]string, event []byte) time.Duration {
	t.Helper()
	rt := newFakeRuntimeAPI()
	defer rt.close()
	env = maps(env)
	env["AWS_LAMBDA_RUNTIME_API"] = strings.TrimPrefix(rt.srv.URL, "http://")
	cmd := exec.Command(bootstrap)
	cmd.Env = envList(env)
	var out testlog.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	rt.events <- event
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }() // runs before rt.close
	select {
	case b := <-rt.replies:
		d := time.Since(start)
		if !bytes.Contains(b, []byte(`"statusCode":200`)) {
			t.Fatalf("reply: %s\noutput:\n%s", b, out.String())
		}
		return d
	case <-time.After(20 * time.Second):
		t.Fatalf("no reply within 20s; output:\n%s", out.String())
	}
	return 0
}

func maps(m map[string]string) map[string]string {
	c := make(map[string]string, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// TestColdStart times process start to first answered event, five times.
func TestColdStart(t *testing.T) {
	skipUnlessE2E(t)
	bootstrap := buildBootstrap(t)
	fake := resendtest.NewServer(t)
	env := testEnv(fake.URL(), fake.APIKey)
	event := v2Event(t, "GET", "/api/health", "", "", false, "203.0.113.30")
	var ds []time.Duration
	for range 5 {
		ds = append(ds, coldStart(t, bootstrap, env, event))
	}
	slices.Sort(ds)
	t.Logf("cold start (process start to first answered event, fake runtime API): median %v, min %v, max %v over %d runs",
		ds[len(ds)/2].Round(time.Microsecond), ds[0].Round(time.Microsecond), ds[len(ds)-1].Round(time.Microsecond), len(ds))
	if fake.Calls() != 0 {
		t.Errorf("starting the function called Resend %d times", fake.Calls())
	}
}

// BenchmarkColdStart: go test -run=^$ -bench=ColdStart ./functions/enquiry
func BenchmarkColdStart(b *testing.B) {
	skipUnlessE2E(b)
	bootstrap := buildBootstrap(b)
	fake := resendtest.NewServer(b)
	env := testEnv(fake.URL(), fake.APIKey)
	event := []byte(`{"version":"2.0","rawPath":"/api/health","requestContext":{"http":{"method":"GET","sourceIp":"203.0.113.31"}}}`)
	b.ResetTimer()
	for b.Loop() {
		coldStart(b, bootstrap, env, event)
	}
}
