package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"debug/elf"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

const binaryBudget = 12 * 1000 * 1000 // 12 MB

func (r *runner) functionSection(ctx context.Context) error {
	var b strings.Builder
	if err := r.startTimes(ctx, &b); err != nil {
		return err
	}
	var size strings.Builder
	if err := r.binarySize(ctx, &size); err != nil {
		return err
	}
	if err := r.lambdaColdStart(ctx, &b); err != nil {
		return err
	}
	b.WriteString(size.String())
	r.addSection("Function: start to first answer, Lambda binary size", b.String())
	return nil
}

// startTimes: process start to the first 200 from /api/health, for serve and
// for the bare server (the floor for a Go program here).
func (r *runner) startTimes(ctx context.Context, b *strings.Builder) error {
	dir, err := r.ensureSite(ctx)
	if err != nil {
		return err
	}
	fake, err := startFakeResend()
	if err != nil {
		return err
	}
	defer fake.close()
	runs := 9
	if r.quick {
		runs = 5
	}
	measure := func(name string, args []string, env []string) ([]float64, error) {
		var out []float64
		for range runs {
			port, err := freePort()
			if err != nil {
				return nil, err
			}
			addr := fmt.Sprintf("127.0.0.1:%d", port)
			full := append(append([]string{}, args...), addrArg(name, addr)...)
			c := exec.Command(full[0], full[1:]...)
			c.Dir = r.root
			c.Env = environ(env...)
			c.Stdout, c.Stderr = io.Discard, io.Discard
			start := time.Now()
			if err := c.Start(); err != nil {
				return nil, err
			}
			r.track(c)
			at, err := waitHealthy(ctx, "http://"+addr, 10*time.Second)
			stopProc(c)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			out = append(out, durMs(at.Sub(start)))
		}
		return out, nil
	}
	serveT, err := measure("serve", []string{r.serveBin, "-build=false", "-dir", dir}, serveEnv(fake.url))
	if err != nil {
		return err
	}
	bareT, err := measure("bare", []string{r.self}, nil)
	if err != nil {
		return err
	}
	b.WriteString("### Start to first answer\n\n")
	fmt.Fprintf(b, "Time from starting the process (`exec`) to the first `200` from `GET /api/health`, polled every 200 µs over new loopback connections; %d runs each. ", runs)
	b.WriteString("The bare server (`perf -bare-server`) is the floor: a Go program that only opens a socket.\n\n")
	b.WriteString("| Program | Median | Min – max | All runs (ms) | Command |\n|---|---:|---|---|---|\n")
	lo, hi := minMax(serveT)
	fmt.Fprintf(b, "| functions/cmd/serve | **%s** | %s – %s | %s | `%s -addr 127.0.0.1:PORT -build=false -dir %s` (env as under load) |\n",
		ms(median(serveT)), ms(lo), ms(hi), joinMs(serveT), r.rel(r.serveBin), r.rel(dir))
	lo, hi = minMax(bareT)
	fmt.Fprintf(b, "| bare net/http | %s | %s – %s | %s | `perf -bare-server 127.0.0.1:PORT` |\n", ms(median(bareT)), ms(lo), ms(hi), joinMs(bareT))
	r.serveStart = median(serveT)
	if t := r.initTrace(ctx, r.serveBin, "-h"); t != "" {
		b.WriteString("\nPackage initialisation before `main` (`GODEBUG=inittrace=1 " + r.rel(r.serveBin) + " -h`, one run): " + t + "\n")
	}
	r.addTarget(target{name: "Start to first answer: functions/cmd/serve", goal: "< 10 ms", measured: fmt.Sprintf("%s (bare Go server: %s)", ms(median(serveT)), ms(median(bareT))),
		status: passMiss(median(serveT) < 10), note: ifStr(median(serveT) >= 10, fmt.Sprintf("an empty Go server took %s in the same runs, so most of it is process start on this (loaded) machine; package initialisation adds a few ms (init trace below: mail templates, validator, goldmark)", ms(median(bareT))))})
	return nil
}

func addrArg(name, addr string) []string {
	if name == "bare" {
		return []string{"-bare-server", addr}
	}
	return []string{"-addr", addr}
}

func (r *runner) lambdaColdStart(ctx context.Context, b *strings.Builder) error {
	bootstrap := filepath.Join(r.out, "bin", "bootstrap")
	fake, err := startFakeResend()
	if err != nil {
		return err
	}
	defer fake.close()
	runs := 15
	if r.quick {
		runs = 5
	}
	env := []string{"RESEND_API_KEY=re_perf_test_key", "RESEND_BASE_URL=" + fake.url,
		"ENQUIRY_FROM=Blue Tree Clinics website <enquiries@bluetree.example>", "ENQUIRY_TO=reception@bluetree.example",
		"SITE_URL=https://www.bluetree.example", "LOG_LEVEL=warn"}
	var xs []float64
	for range runs {
		d, err := lambdaStartOnce(ctx, bootstrap, env)
		if err != nil {
			return err
		}
		xs = append(xs, d)
	}
	lo, hi := minMax(xs)
	b.WriteString("\n### Lambda cold start\n\n")
	fmt.Fprintf(b, "The deployed bootstrap binary (built as below; linux/amd64 runs here) started with only its configuration in the environment and `AWS_LAMBDA_RUNTIME_API` pointing at a fake Lambda runtime API in `perf` (loopback) holding one `GET /api/health` event (API Gateway v2 shape): the time from `exec` to the function's answer reaching the runtime API, %d starts, each with a new runtime API. ", runs)
	fmt.Fprintf(b, "Median **%s** (%s – %s; all: %s ms). The same approach as functions/enquiry's `BenchmarkColdStart` (`go test -run '^$' -bench '^BenchmarkColdStart$' -benchtime 10x ./functions/enquiry`, which reports the mean).\n", ms(median(xs)), ms(lo), ms(hi), joinMs(xs))
	if t := r.initTrace(ctx, bootstrap); t != "" {
		b.WriteString("\nPackage initialisation before `main` (`GODEBUG=inittrace=1 " + r.rel(bootstrap) + "`, one run): " + t + "\n")
	}
	r.lambdaStart = median(xs)
	r.addTarget(target{name: "Start to first answer: Lambda function", goal: "< 10 ms", measured: ms(median(xs)), status: passMiss(median(xs) < 10),
		note: ifStr(median(xs) >= 10, "package initialisation and the first request's work run before the answer; see the init trace in the Function section, and the load average")})
	return nil
}

// lambdaStartOnce times one start of the bootstrap to its first answer.
func lambdaStartOnce(ctx context.Context, bootstrap string, env []string) (float64, error) {
	replies := make(chan []byte, 1)
	served := make(chan struct{}, 1)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", func(w http.ResponseWriter, r *http.Request) {
		select {
		case served <- struct{}{}:
			w.Header().Set("Lambda-Runtime-Aws-Request-Id", "req-1")
			w.Header().Set("Lambda-Runtime-Deadline-Ms", fmt.Sprint(time.Now().Add(10*time.Second).UnixMilli()))
			w.Header().Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:me-central-1:123456789012:function:enquiry")
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"version":"2.0","rawPath":"/api/health","requestContext":{"http":{"method":"GET","sourceIp":"203.0.113.31"}}}`)
		default:
			<-r.Context().Done() // the second poll waits until the process ends
		}
	})
	reply := func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.WriteHeader(http.StatusAccepted)
		select {
		case replies <- append([]byte(r.URL.Path+" "), body...):
		default:
		}
	}
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", reply)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", reply)
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", reply)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	defer srv.Close()

	c := exec.CommandContext(ctx, bootstrap)
	c.Env = append(env, "AWS_LAMBDA_RUNTIME_API="+ln.Addr().String())
	var out bytes.Buffer
	c.Stdout, c.Stderr = &out, &out
	start := time.Now()
	if err := c.Start(); err != nil {
		return 0, err
	}
	defer func() { c.Process.Kill(); c.Wait() }()
	select {
	case b := <-replies:
		d := time.Since(start)
		if !bytes.Contains(b, []byte("/response ")) || !bytes.Contains(b, []byte(`"statusCode":200`)) {
			return 0, fmt.Errorf("lambda reply: %s\n%s", b, out.String())
		}
		return durMs(d), nil
	case <-time.After(20 * time.Second):
		return 0, fmt.Errorf("lambda: no reply within 20 s\n%s", out.String())
	}
}

// binarySize builds the Lambda bootstrap as deployed and breaks its size down.
func (r *runner) binarySize(ctx context.Context, b *strings.Builder) error {
	bin := filepath.Join(r.out, "bin")
	stripped := filepath.Join(bin, "bootstrap")
	syms := filepath.Join(bin, "bootstrap.symbols")
	env := []string{"CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64"}
	buildArgs := []string{"build", "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w", "-o", stripped, "./functions/enquiry"}
	if _, err := r.cmd(ctx, 10*time.Minute, env, "go", buildArgs...); err != nil {
		return err
	}
	if _, err := r.cmd(ctx, 10*time.Minute, env, "go", "build", "-tags", "lambda.norpc", "-trimpath", "-o", syms, "./functions/enquiry"); err != nil {
		return err
	}
	st, err := os.Stat(stripped)
	if err != nil {
		return err
	}
	size := st.Size()
	zipped, err := zipSize(stripped)
	if err != nil {
		return err
	}
	b.WriteString("\n### Lambda binary size\n\n")
	fmt.Fprintf(b, "`CGO_ENABLED=0 GOOS=linux GOARCH=amd64 go build -tags lambda.norpc -trimpath -ldflags='-s -w' -o bootstrap ./functions/enquiry`: **%s** (%d bytes, %.1f MB); zipped (deflate, as uploaded): %s.\n\n",
		mib(size), size, float64(size)/1e6, mib(zipped))

	// ELF sections of the deployed binary.
	if f, err := elf.Open(stripped); err == nil {
		b.WriteString("| ELF section | Size |\n|---|---:|\n")
		var ss []*elf.Section
		for _, s := range f.Sections {
			if s.Size > 64<<10 && s.Type != elf.SHT_NOBITS {
				ss = append(ss, s)
			}
		}
		sort.Slice(ss, func(i, j int) bool { return ss[i].Size > ss[j].Size })
		for _, s := range ss {
			fmt.Fprintf(b, "| `%s` | %s |\n", s.Name, mib(int64(s.Size)))
		}
		f.Close()
		b.WriteString("\n`.gopclntab` (function tables for stack traces and the GC) grows with the amount of code, `.rodata` holds constants, type data and embedded files.\n\n")
	}

	// Per package and per module, from the symbols of an unstripped build.
	res, err := r.cmd(ctx, 2*time.Minute, nil, "go", "tool", "nm", "-size", "-sort", "size", syms)
	if err != nil {
		return err
	}
	mods, err := r.binaryModules(ctx, stripped)
	if err != nil {
		return err
	}
	var bss [][2]uint64
	if f, err := elf.Open(syms); err == nil {
		for _, sec := range f.Sections {
			if sec.Type == elf.SHT_NOBITS {
				bss = append(bss, [2]uint64{sec.Addr, sec.Addr + sec.Size})
			}
		}
		f.Close()
	}
	inBSS := func(addr string) bool {
		a, err := strconv.ParseUint(addr, 16, 64)
		if err != nil {
			return false
		}
		for _, r := range bss {
			if a >= r[0] && a < r[1] {
				return true
			}
		}
		return false
	}
	pkgs := map[string]int64{}
	modSizes := map[string]int64{}
	var total int64
	type sym struct {
		name string
		size int64
	}
	var top []sym
	s := bufio.NewScanner(strings.NewReader(res.stdout))
	s.Buffer(make([]byte, 1<<20), 1<<20)
	for s.Scan() {
		f := strings.Fields(s.Text())
		if len(f) < 4 {
			continue
		}
		n, err := strconv.ParseInt(f[1], 10, 64)
		// Undefined, and BSS (zeroed at start, not in the file), don't count.
		if err != nil || f[2] == "U" || f[2] == "B" || f[2] == "b" || inBSS(f[0]) {
			continue
		}
		name := strings.Join(f[3:], " ")
		p := symPackage(name)
		pkgs[p] += n
		modSizes[moduleOf(p, mods)] += n
		total += n
		if len(top) < 12 {
			top = append(top, sym{name, n})
		}
	}
	type kv struct {
		k string
		v int64
	}
	sorted := func(m map[string]int64) []kv {
		var out []kv
		for k, v := range m {
			out = append(out, kv{k, v})
		}
		sort.Slice(out, func(i, j int) bool { return out[i].v > out[j].v })
		return out
	}
	fmt.Fprintf(b, "Symbol sizes from `go tool nm -size -sort size` of the same build without `-s -w` (%s in sized symbols in the file: code, read-only and initialised data; BSS, pclntab and padding are not attributed). ", mib(total))
	b.WriteString("Per module (first `go version -m bootstrap` module whose path prefixes the package; `std` = the standard library):\n\n")
	b.WriteString("| Module | Size | Share |\n|---|---:|---:|\n")
	r.binaryTop = nil
	for i, e := range sorted(modSizes) {
		if i >= 15 {
			break
		}
		fmt.Fprintf(b, "| `%s` | %s | %.1f%% |\n", e.k, mib(e.v), 100*float64(e.v)/float64(total))
		if i < 6 {
			r.binaryTop = append(r.binaryTop, fmt.Sprintf("%s %s", e.k, mib(e.v)))
		}
	}
	// What could go, by module.
	sum := func(prefixes ...string) int64 {
		var n int64
		for k, v := range modSizes {
			for _, p := range prefixes {
				if strings.HasPrefix(k, p) {
					n += v
				}
			}
		}
		return n
	}
	hasPhone := false
	for _, m := range mods {
		if m.path == "github.com/nyaruka/phonenumbers" {
			hasPhone = true
		}
	}
	b.WriteString("\nWhat makes it up, and options:\n\n")
	if hasPhone {
		fmt.Fprintf(b, "- `github.com/nyaruka/phonenumbers` is linked: %s of symbols plus libphonenumber's metadata, geocoding, carrier and time-zone files it embeds (`go:embed`), and it parses its metadata at start. Our own rules for UAE and foreign numbers would drop all of it.\n", mib(sum("github.com/nyaruka/phonenumbers")))
	} else {
		b.WriteString("- `github.com/nyaruka/phonenumbers` is no longer linked: commit 311b0d2 replaced libphonenumber (its embedded metadata, geocoding and carrier files, and the metadata parse at start) with our own phone rules, taking the binary from 14.8 MiB to 10.8 MiB (README, \"Decisions\"). That was the main reason for the 14.8 MiB.\n")
	}
	fmt.Fprintf(b, "- The standard library is most of the rest (runtime, net/http, crypto/tls and x509 for HTTPS to Resend, reflect, encoding/json, html/template): it stays whatever we do.\n")
	fmt.Fprintf(b, "- Validation: `go-playground/validator/v10` with `locales`, `universal-translator`, `go-urn` and `gabriel-vasile/mimetype` (pulled in by validator): %s of symbols, and their package init runs at every cold start (see the init trace above). The enquiry has about twenty fields with fixed rules; hand-written checks would drop these modules.\n",
		mib(sum("github.com/go-playground/", "github.com/leodido/go-urn", "github.com/gabriel-vasile/mimetype")))
	fmt.Fprintf(b, "- Email templates: `yuin/goldmark` (%s) renders the Markdown email templates, at start; rendering them at build time (`go generate` into HTML templates committed or embedded) would drop goldmark from the function.\n", mib(sum("github.com/yuin/goldmark")))
	b.WriteString("- Build flags already in use: `-s -w` (no symbol table or DWARF) and `-trimpath`; `-tags lambda.norpc` drops aws-lambda-go's RPC mode. UPX-style packing would shrink the file but costs start time, the other target.\n")

	b.WriteString("\nLargest packages:\n\n| Package | Size |\n|---|---:|\n")
	for i, e := range sorted(pkgs) {
		if i >= 20 {
			break
		}
		fmt.Fprintf(b, "| `%s` | %s |\n", e.k, mib(e.v))
	}
	b.WriteString("\nLargest symbols:\n\n| Symbol | Size |\n|---|---:|\n")
	for _, t := range top {
		fmt.Fprintf(b, "| `%s` | %s |\n", t.name, kb(t.size))
	}
	fmt.Fprintf(b, "\nCommands: `go tool nm -size -sort size %s`, `go version -m %s`.\n", r.rel(syms), r.rel(stripped))

	r.binarySize_ = size
	r.addTarget(target{name: "Lambda binary (linux/amd64, stripped)", goal: "< 12 MB", measured: fmt.Sprintf("%s (%.1f MB), zipped %s", mib(size), float64(size)/1e6, mib(zipped)),
		status: passMiss(size < binaryBudget), note: ifStr(size >= binaryBudget, "largest contributors: "+strings.Join(r.binaryTop, ", ")+"; options in the report")})
	return nil
}

// symPackage is the package path of a Go symbol name.
func symPackage(name string) string {
	for _, p := range []string{"type:.eq.", "type:.hash.", "type:*", "type:", "go:itab.*", "go:itab.", "go:info.", "go:cuinfo.", "go:string.", "go:"} {
		if strings.HasPrefix(name, p) {
			rest := name[len(p):]
			if p == "go:string." || p == "go:" {
				return "(strings and runtime data)"
			}
			name = rest
			break
		}
	}
	name = strings.TrimLeft(name, "*[]()")
	if i := strings.IndexByte(name, '['); i > 0 {
		name = name[:i] // generic instantiation: the function's own package
	}
	if strings.HasPrefix(name, "map.") || strings.HasPrefix(name, "func(") || strings.HasPrefix(name, "struct {") || strings.HasPrefix(name, "noalg.") {
		return "(compiler-generated types)"
	}
	slash := strings.LastIndex(name, "/")
	dot := strings.Index(name[slash+1:], ".")
	if dot < 0 {
		return name
	}
	return name[:slash+1+dot]
}

type module struct{ path, version string }

func (r *runner) binaryModules(ctx context.Context, bin string) ([]module, error) {
	res, err := r.cmd(ctx, time.Minute, nil, "go", "version", "-m", bin)
	if err != nil {
		return nil, err
	}
	var mods []module
	s := bufio.NewScanner(strings.NewReader(res.stdout))
	for s.Scan() {
		f := strings.Fields(s.Text())
		if len(f) >= 2 && (f[0] == "dep" || f[0] == "mod") {
			v := ""
			if len(f) >= 3 {
				v = f[2]
			}
			mods = append(mods, module{f[1], v})
		}
	}
	sort.Slice(mods, func(i, j int) bool { return len(mods[i].path) > len(mods[j].path) })
	return mods, nil
}

func moduleOf(pkg string, mods []module) string {
	if strings.HasPrefix(pkg, "(") {
		return pkg
	}
	for _, m := range mods {
		if pkg == m.path || strings.HasPrefix(pkg, m.path+"/") {
			if m.version != "" && m.version != "(devel)" {
				return m.path + "@" + m.version
			}
			return m.path
		}
	}
	first := strings.SplitN(pkg, "/", 2)[0]
	if !strings.Contains(first, ".") {
		return "std"
	}
	return pkg
}

func zipSize(path string) (int64, error) {
	var n countWriter
	zw := zip.NewWriter(&n)
	w, err := zw.CreateHeader(&zip.FileHeader{Name: "bootstrap", Method: zip.Deflate})
	if err != nil {
		return 0, err
	}
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	if _, err := io.Copy(w, f); err != nil {
		return 0, err
	}
	if err := zw.Close(); err != nil {
		return 0, err
	}
	return int64(n), nil
}

// initTrace runs bin with GODEBUG=inittrace=1 and summarises the package
// init times it prints.
func (r *runner) initTrace(ctx context.Context, bin string, args ...string) string {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	c := exec.CommandContext(ctx, bin, args...)
	c.Env = environ("GODEBUG=inittrace=1")
	out, _ := c.CombinedOutput()
	type ini struct {
		pkg string
		ms  float64
	}
	var all []ini
	var total float64
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		// init PKG @0.5 ms, 0.61 ms clock, 1234 bytes, 12 allocs
		if len(f) >= 7 && f[0] == "init" && f[6] == "clock," {
			if v, err := strconv.ParseFloat(f[4], 64); err == nil {
				all = append(all, ini{f[1], v})
				total += v
			}
		}
	}
	if len(all) == 0 {
		return ""
	}
	sort.Slice(all, func(i, j int) bool { return all[i].ms > all[j].ms })
	var parts []string
	for i, x := range all {
		if i >= 6 {
			break
		}
		parts = append(parts, fmt.Sprintf("`%s` %.2f ms", x.pkg, x.ms))
	}
	return fmt.Sprintf("%.1f ms in all over %d packages; the largest: %s.", total, len(all), strings.Join(parts, ", "))
}
