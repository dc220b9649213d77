package browsertest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/bluetreeclinics/site/functions/internal/site"
	"github.com/bluetreeclinics/site/functions/internal/testlog"
)

// TestCMS drives the content editor (/admin/, Decap CMS) in Chromium against
// its local backend (decap-server) on a temporary copy of the site's sources,
// the way marketing uses it on their computer (docs/editing-content.md):
// it lists the six steps of a visit, creates an FAQ entry in English and
// Arabic side by side in one entry (content/faq/NAME.en.md and NAME.ar.md, as
// Hugo pairs translations) and a patient story without consent, checks the
// files the editor wrote, builds the copy with the pinned
// Hugo (the FAQ entry is on the questions page in both languages, the story is
// nowhere; the editor's front matter builds exactly like the archetype's), then
// writes "guaranteed" into the answer through the editor and checks that the
// build fails naming the file.
func TestCMS(t *testing.T) {
	need(t)
	src := t.TempDir()
	copySources(t, env.root, src)
	web, pub, backendPort := startEditor(t, src, "fs")

	// The page, its headers and its bundle.
	resp, err := http.Get(web + "/admin/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self' 'unsafe-eval'", fmt.Sprintf("http://127.0.0.1:%d", backendPort), "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("/admin/ CSP %q lacks %q", csp, want)
		}
	}
	if got := resp.Header.Get("X-Robots-Tag"); !strings.Contains(got, "noindex") {
		t.Errorf("/admin/ X-Robots-Tag = %q, want noindex", got)
	}

	// The bundle: cached for a year under its fingerprinted folder, and never
	// loaded by a public page.
	admin, _ := os.ReadFile(filepath.Join(pub, "admin", "index.html"))
	bundle := regexp.MustCompile(`src="(/admin/cms/[0-9a-f]{20}/decap-cms\.js)"`).FindSubmatch(admin)
	if bundle == nil {
		t.Fatalf("/admin/ does not load the fingerprinted bundle:\n%s", admin)
	}
	if resp, err := http.Get(web + string(bundle[1])); err != nil {
		t.Fatal(err)
	} else {
		resp.Body.Close()
		if cc := resp.Header.Get("Cache-Control"); resp.StatusCode != 200 || !strings.Contains(cc, "immutable") {
			t.Errorf("%s: status %d, Cache-Control %q, want 200 and a year, immutable", bundle[1], resp.StatusCode, cc)
		}
	}
	filepath.WalkDir(pub, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() && d.Name() == "admin" {
			return fs.SkipDir
		}
		if err == nil && (strings.HasSuffix(p, ".html") || d.Name() == "sitemap.xml") {
			if b, _ := os.ReadFile(p); bytes.Contains(b, []byte("decap-cms")) || bytes.Contains(b, []byte("/admin/")) {
				t.Errorf("%s (public) refers to the editor", p)
			}
		}
		return nil
	})

	tb := newTabWithin(t, viewports[1], true, 8*time.Minute)
	base := web + "/admin/"
	tb.cmsOpen(base)
	tb.clickText("button", "Login", 60*time.Second)
	tb.waitText("Steps of a visit", 30*time.Second)
	tb.waitText("What does it cost?", 30*time.Second) // the first collection's entries
	tb.shot("editor-collections")

	// The steps of a visit: every step in content/process/ is listed once (its
	// two files are one entry), and a step opens with its English and Arabic
	// side by side, its picture shown by name.
	steps, _ := filepath.Glob(filepath.Join(src, "content", "process", "[0-9]*.en.md"))
	if len(steps) != 6 {
		t.Errorf("content/process/ has %d English steps, want the clinic's six", len(steps))
	}
	tb.cmsOpen(base + "#/collections/process")
	titleLine := regexp.MustCompile(`(?m)^title: "(.+)"$`)
	titleOf := func(f string) string {
		t.Helper()
		b, _ := os.ReadFile(f)
		title := titleLine.FindSubmatch(b)
		if title == nil {
			t.Fatalf("%s has no title", f)
		}
		return string(title[1])
	}
	for _, f := range steps {
		tb.waitText(titleOf(f), 30*time.Second)
	}
	tb.waitJS(`document.querySelectorAll("a[href*='/collections/process/entries/']").length === 7`, "six steps and the folder's settings, each listed once", 10*time.Second)
	// The pages: each collection lists its pages once, both languages in one entry.
	for coll, n := range map[string]int{"pages": 4, "therapy": 1, "enquire": 5, "stories-page": 1} {
		tb.cmsOpen(base + "#/collections/" + coll)
		tb.waitJS(fmt.Sprintf(`document.querySelectorAll("a[href*='/collections/%s/entries/']").length === %d`, coll, n), fmt.Sprintf("%d entries in %s", n, coll), 30*time.Second)
	}
	tb.cmsOpen(base + "#/collections/process/entries/3-blood-sample")
	tb.waitText("A drop of blood", 30*time.Second)
	arTitle := titleOf(filepath.Join(src, "content", "process", "3-blood-sample.ar.md"))
	tb.waitJS(fmt.Sprintf(`[...document.querySelectorAll("input")].some((i) => i.value === %q)`, arTitle), "the step's Arabic title beside the English", 10*time.Second)
	tb.shot("editor-step")

	// The clinic's details open in the editor (data/clinic.yaml).
	tb.cmsOpen(base + "#/collections/clinic/entries/clinic")
	tb.waitText("WhatsApp number", 30*time.Second)
	tb.waitJS(`[...document.querySelectorAll("input")].some((i) => i.value === "971500000000")`, "the WhatsApp number from data/clinic.yaml", 10*time.Second)
	tb.shot("editor-clinic")
	tb.replaceIn("Phone", "+971 4 123 4567")
	tb.publish()
	checkSaved(t, filepath.Join(src, "data", "clinic.yaml"), "+971 4 123 4567", "whatsapp:", "opening:", "holidays:", "retention:", "sample:")

	// A page keeps the settings the editor does not show (menus, team), in
	// both languages: saving the entry writes both files.
	tb.cmsOpen(base + "#/collections/pages/entries/about")
	tb.typeInto("Description", " Call or WhatsApp the clinic to talk to the team.")
	tb.publish()
	checkSaved(t, filepath.Join(src, "content", "about.en.md"), "to talk to the team.",
		"menus:", "weight: 30", "talk: true", "## A team, not a single treatment", "{{< team >}}")
	checkSaved(t, filepath.Join(src, "content", "about.ar.md"), "ترعى عيادات بلو تري المرضى",
		"menus:", "weight: 30", "talk: true", "## فريق متكامل، لا علاج واحد", "{{< team >}}")

	// A question in English and Arabic, side by side in one entry: English on
	// the left, Arabic on the right; the order is set once, in English.
	tb.cmsOpen(base + "#/collections/faq/new")
	tb.waitText("Writing in AR", 30*time.Second)
	tb.typeInto("Question", "Can I travel after an injection?")
	tb.typeInto("Order", "95")
	tb.typeInto("Answer", "Most people can travel a day or two later. Ask your clinician what suits your plan.")
	tb.typeIntoPane(1, "Question", "هل يمكنني السفر بعد الحقنة؟")
	tb.typeIntoPane(1, "Answer", "يستطيع معظم الناس السفر بعد يوم أو يومين. اسأل طبيبك عمّا يناسب خطتك.")
	tb.shot("editor-new-question")
	tb.publish()

	// A patient story, consent and approval left off (the defaults), its Arabic
	// not written yet.
	tb.cmsOpen(base + "#/collections/testimonials/new")
	tb.typeInto("Internal name", "R. M.: knee")
	tb.typeInto("Initials", "R. M.")
	tb.typeInto("Condition", "Knee osteoarthritis")
	tb.typeInto("Story", "The team explained each step and I felt well looked after.")
	tb.scrollToLabel("Written consent on file")
	tb.shot("editor-new-story")
	tb.publish()

	// The file name comes from the English title; the two files share it.
	faqEN := filepath.Join(src, "content", "faq", "can-i-travel-after-an-injection.en.md")
	faqAR := filepath.Join(src, "content", "faq", "can-i-travel-after-an-injection.ar.md")
	story := filepath.Join(src, "content", "testimonials", "r-m-knee.en.md")
	checkFrontMatter(t, faqEN, map[string]string{"title": "Can I travel after an injection?", "weight": "95"}, "Most people can travel")
	checkFrontMatter(t, faqAR, map[string]string{"title": "هل يمكنني السفر بعد الحقنة؟", "weight": "95"}, "يستطيع معظم الناس")
	checkFrontMatter(t, story, map[string]string{"consent": "false", "approved": "false", "draft": "true", "initials": "R. M."}, "well looked after")
	// Whatever the editor wrote for the story's untranslated Arabic side, it keeps
	// the story back as the English does.
	if b, err := os.ReadFile(strings.Replace(story, ".en.md", ".ar.md", 1)); err == nil {
		for _, want := range []string{"draft: true", "consent: false", "approved: false"} {
			if !bytes.Contains(b, []byte(want)) {
				t.Errorf("the story's Arabic file lacks %q:\n%s", want, b)
			}
		}
	}

	// The build: the question on the therapy page in both languages, the story nowhere.
	os.RemoveAll(pub)
	if out, err := cmsBuild(src, pub, web); err != nil {
		t.Fatalf("building after the edits: %v\n%s", err, out)
	}
	if b, _ := os.ReadFile(filepath.Join(pub, "contact", "index.html")); !bytes.Contains(b, []byte("+971 4 123 4567")) {
		t.Error("the contact page does not show the phone number saved in the editor")
	}
	for _, page := range []string{"faq/index.html", "ar/faq/index.html"} { // the questions page
		b, err := os.ReadFile(filepath.Join(pub, page))
		if err != nil {
			t.Fatal(err)
		}
		want := "Can I travel after an injection?"
		if strings.HasPrefix(page, "ar/") {
			want = "هل يمكنني السفر بعد الحقنة؟"
		}
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("/%s does not show the new question %q", page, want)
		}
	}
	filepath.WalkDir(pub, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".html") {
			if b, _ := os.ReadFile(p); bytes.Contains(b, []byte("well looked after")) {
				t.Errorf("%s shows the story that has no consent", p)
			}
		}
		return nil
	})

	// The editor's front matter builds exactly like the archetype's: the same
	// entry written by hand (comments, quotes, the archetype's key order)
	// gives a byte-identical site.
	handPub := filepath.Join(t.TempDir(), "public")
	cmsWritten, _ := os.ReadFile(faqEN)
	hand := "---\n# One question in the \"Questions people ask\" list.\n" +
		"# The question, as a visitor would ask it.\n" +
		"title: \"Can I travel after an injection?\"\n" +
		"# Order in the list: smaller numbers first.\n" +
		"weight: 95\n---\n" +
		"Most people can travel a day or two later. Ask your clinician what suits your plan.\n"
	if err := os.WriteFile(faqEN, []byte(hand), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := cmsBuild(src, handPub, web); err != nil {
		t.Fatalf("building with the hand-written entry: %v\n%s", err, out)
	}
	compareTrees(t, pub, handPub)
	if err := os.WriteFile(faqEN, cmsWritten, 0o644); err != nil {
		t.Fatal(err)
	}

	// A forbidden claim saved through the editor stops the build, naming the file.
	tb.cmsOpen(base + "#/collections/faq/entries/can-i-travel-after-an-injection")
	tb.typeInto("Answer", " Results are guaranteed.")
	tb.shot("editor-guaranteed")
	tb.publish()
	waitFile(t, faqEN, "guaranteed")
	os.RemoveAll(pub)
	out, err := cmsBuild(src, pub, web)
	if err == nil {
		t.Fatal("the build succeeded with \"guaranteed\" in the answer; the content guard should have stopped it")
	}
	for _, want := range []string{"content guard", filepath.Join("content", "faq", "can-i-travel-after-an-injection.en.md"), `"guaranteed"`} {
		if !strings.Contains(err.Error()+out, want) {
			t.Errorf("the build's error does not mention %s:\n%v", want, err)
		}
	}
	tb.checkCSP()
}

// startEditor builds the copy of the sources at src and serves it the way
// `npm run editor` does: decap-server behind its guard (scripts/editor-backend.cjs;
// mode "fs" writes the files, "git" keeps drafts on branches) and the built site with functions/cmd/serve. It returns
// the site's address, the built folder and the backend's port.
func startEditor(t *testing.T, src, mode string) (web, pub string, backendPort int) {
	t.Helper()
	node, backend := cmsTools(t)
	backendPort, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	webPort, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	// The editor's page and its CSP name the backend's port (admin/publish.html).
	t.Setenv("HUGO_CMS_LOCAL_PORT", fmt.Sprint(backendPort))
	web = fmt.Sprintf("http://127.0.0.1:%d", webPort)
	pub = filepath.Join(t.TempDir(), "public")
	if out, err := cmsBuild(src, pub, web); err != nil {
		t.Fatalf("building the copy: %v\n%s", err, out)
	}
	startBackend(t, node, backend, src, mode, backendPort, webPort)
	startProcess(t, "serve", env.tmp, []string{
		"OUTBOX_DIR=" + filepath.Join(t.TempDir(), "outbox"), "ENQUIRY_RATE_PER_MINUTE=0", "LOG_LEVEL=warn",
	}, filepath.Join(env.tmp, "serve"), "-build=false", "-dir", pub, "-addr", fmt.Sprintf("127.0.0.1:%d", webPort))
	waitHTTP(t, web+"/api/health", "serve")
	return web, pub, backendPort
}

// startBackend runs the editor's backend as `npm run editor` does, for the
// site on webPort, and waits until it answers.
func startBackend(t *testing.T, node, backend, src, mode string, port, webPort int) {
	t.Helper()
	startProcess(t, "editor backend", src, []string{
		fmt.Sprintf("HUGO_CMS_LOCAL_PORT=%d", port), fmt.Sprintf("ADDR=127.0.0.1:%d", webPort),
		"MODE=" + mode, "GIT_REPO_DIRECTORY=" + src, "LOG_LEVEL=warn", "EDITOR_ANNOUNCE=0",
	}, node, backend)
	waitHTTP(t, fmt.Sprintf("http://127.0.0.1:%d/api/v1", port), "editor backend")
}

// cmsTools finds node, decap-server and its guard (the editor's backend);
// it skips (developer machine) or fails (CI) without them.
func cmsTools(t *testing.T) (node, backend string) {
	t.Helper()
	var missing []string
	node, err := exec.LookPath("node")
	if err != nil {
		missing = append(missing, "node is not installed")
	}
	backend = filepath.Join(env.root, "scripts", "editor-backend.cjs")
	for _, f := range []string{filepath.Join(env.root, "node_modules", "decap-server", "dist", "middlewares.js"), filepath.Join(env.root, "node_modules", "decap-cms", "dist", "decap-cms.js")} {
		if _, err := os.Stat(f); err != nil {
			missing = append(missing, filepath.ToSlash(strings.TrimPrefix(f, env.root+string(filepath.Separator)))+" is missing (run `npm ci`)")
		}
	}
	if len(missing) > 0 {
		msg := "content editor test: " + strings.Join(missing, "; ")
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return node, backend
}

// copySources copies what Hugo reads into dst; node_modules is linked.
func copySources(t *testing.T, root, dst string) {
	t.Helper()
	toml, err := os.ReadFile(filepath.Join(root, "hugo.toml"))
	if err == nil {
		err = os.WriteFile(filepath.Join(dst, "hugo.toml"), toml, 0o644)
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"content", "data", "themes", "static", "assets", "archetypes", "layouts", "i18n"} {
		from := filepath.Join(root, name)
		if _, err := os.Stat(from); errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err := os.CopyFS(filepath.Join(dst, name), os.DirFS(from)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Join(root, "node_modules"), filepath.Join(dst, "node_modules")); err != nil {
		t.Fatal(err)
	}
}

// cmsBuild builds the copy at src into dest and returns Hugo's output.
func cmsBuild(src, dest, baseURL string) (string, error) {
	var out bytes.Buffer
	err := site.Build(context.Background(), site.Options{
		Root: env.root, Source: src, Dest: dest, BaseURL: baseURL + "/",
		Timeout: 2 * time.Minute, Output: &out,
	})
	return out.String(), err
}

// startProcess runs a helper program until the test ends.
func startProcess(t *testing.T, name, dir string, extraEnv []string, bin string, args ...string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(cleanEnv(), extraEnv...)
	log := &testlog.Buffer{}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("%s output:\n%s", name, log.String())
		}
	})
}

// waitHTTP waits until url answers with anything but 503.
func waitHTTP(t *testing.T, url, name string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			// 503 is serve's "being built" answer: the site is not there yet.
			if resp.StatusCode != http.StatusServiceUnavailable {
				return
			}
			err = fmt.Errorf("%s", resp.Status)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not answer at %s in 30 s: %v", name, url, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// checkFrontMatter checks that the file the editor wrote has these front
// matter values (as YAML scalars, quoted or not) and the text in its body.
func checkFrontMatter(t *testing.T, file string, want map[string]string, body string) {
	t.Helper()
	b := waitFile(t, file, body)
	s := string(b)
	parts := strings.SplitN(s, "---\n", 3)
	if len(parts) != 3 || parts[0] != "" {
		t.Fatalf("%s has no front matter:\n%s", file, s)
	}
	fm := map[string]string{}
	for _, line := range strings.Split(parts[1], "\n") {
		k, v, ok := strings.Cut(line, ":")
		if ok && !strings.HasPrefix(line, " ") {
			fm[k] = strings.Trim(strings.TrimSpace(v), `"'`)
		}
	}
	for k, v := range want {
		if fm[k] != v {
			t.Errorf("%s: %s = %q, want %q\n%s", filepath.Base(file), k, fm[k], v, s)
		}
	}
	if !strings.Contains(parts[2], body) {
		t.Errorf("%s: the text lacks %q\n%s", filepath.Base(file), body, s)
	}
}

// checkSaved waits until the editor has saved text into file, and checks
// that the file still holds what the editor does not show.
func checkSaved(t *testing.T, file, text string, keep ...string) {
	t.Helper()
	b := waitFile(t, file, text)
	for _, k := range keep {
		if !bytes.Contains(b, []byte(k)) {
			t.Errorf("%s lost %q when saved in the editor:\n%s", file, k, b)
		}
	}
}

// waitFile waits until file exists and contains text (the backend writes
// after the editor's request returns).
func waitFile(t *testing.T, file, text string) []byte {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		b, err := os.ReadFile(file)
		if err == nil && bytes.Contains(b, []byte(text)) {
			return b
		}
		if time.Now().After(deadline) {
			t.Fatalf("the editor did not write %q into %s (err %v):\n%s", text, file, err, b)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// compareTrees fails when two built sites differ in any file.
func compareTrees(t *testing.T, a, b string) {
	t.Helper()
	n := 0
	filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(a, p)
		x, _ := os.ReadFile(p)
		y, err := os.ReadFile(filepath.Join(b, rel))
		if err != nil || !bytes.Equal(x, y) {
			t.Errorf("the editor's front matter builds %s differently from the archetype's", rel)
			n++
		}
		if n > 5 {
			return fs.SkipAll
		}
		return nil
	})
}

// --- driving the editor ---

// cmsOpen loads the editor at url afresh, as a person opening a link does
// (moving between entries inside the page can leave the previous entry's
// text in the rich-text editor).
func (tb *tab) cmsOpen(url string) {
	tb.t.Helper()
	if _, err := chromedp.Run(tb.ctx, chromedp.Navigate("about:blank")); err != nil {
		tb.t.Fatal(err)
	}
	if _, err := chromedp.Run(tb.ctx, chromedp.Navigate(url)); err != nil {
		tb.t.Fatalf("open %s: %v", url, err)
	}
}

// waitJS polls a JavaScript expression until it returns true.
func (tb *tab) waitJS(expr, what string, within time.Duration) {
	tb.t.Helper()
	deadline := time.Now().Add(within)
	for {
		ok, err := chromedp.Run(tb.ctx, js[bool](expr))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			body, _ := chromedp.Run(tb.ctx, js[string](`document.body ? document.body.innerText.slice(0, 2000) : ""`))
			tb.t.Fatalf("waiting for %s (%s): %v\npage text:\n%s\nconsole: %v", what, within, err, body, tb.consoleErrors())
		}
		time.Sleep(150 * time.Millisecond)
	}
}

func (tb *tab) waitText(text string, within time.Duration) {
	tb.t.Helper()
	tb.waitJS(fmt.Sprintf(`document.body.textContent.includes(%q)`, text), fmt.Sprintf("the text %q", text), within)
}

// clickText clicks the first visible element of tag whose text is text.
func (tb *tab) clickText(tag, text string, within time.Duration) {
	tb.t.Helper()
	tb.waitJS(fmt.Sprintf(`(() => {
  const el = [...document.querySelectorAll(%q)].find((e) => e.textContent.trim() === %q && e.offsetParent !== null);
  if (!el) return false;
  el.click();
  return true;
})()`, tag, text), fmt.Sprintf("a %s %q to click", tag, text), within)
}

// typeInto types text into the field whose label starts with label (appending
// to what is there), as a person would: focus, then type. In an entry with
// both languages side by side, it is the English (left) side's field.
func (tb *tab) typeInto(label, text string) { tb.t.Helper(); tb.enter(0, label, text, false) }

// typeIntoPane is typeInto in one side of an entry: 0 the English (left), 1
// the Arabic (right).
func (tb *tab) typeIntoPane(pane int, label, text string) {
	tb.t.Helper()
	tb.enter(pane, label, text, false)
}

// replaceIn types text into the field labelled label in place of its value.
func (tb *tab) replaceIn(label, text string) { tb.t.Helper(); tb.enter(0, label, text, true) }

func (tb *tab) enter(pane int, label, text string, replace bool) {
	tb.t.Helper()
	tb.waitJS(fmt.Sprintf(`(() => {
  const replace = %t;`+`
  // Side by side, each side lists the same labels: the nth one is the nth side's.
  const l = [...document.querySelectorAll("label")].filter((e) => e.textContent.trim().startsWith(%q) && e.offsetParent !== null)[%d];
  if (!l) return false;
  const box = l.closest("[class*=ControlContainer]") || l.parentElement.parentElement;
  const input = (l.htmlFor && document.getElementById(l.htmlFor)) || box.querySelector("input, textarea, [contenteditable=true]");
  if (!input || input.offsetParent === null) return false;
  input.focus();
  // Numbers replace the default; text is added at the end.
  try { input.type === "number" || replace ? input.select() : input.setSelectionRange(input.value.length, input.value.length); } catch (e) {}
  if (input.isContentEditable) { const sel = getSelection(); sel.selectAllChildren(input); sel.collapseToEnd(); }
  return document.activeElement === input || input.contains(document.activeElement);
})()`, replace, label, pane), fmt.Sprintf("the field %q (side %d)", label, pane), 20*time.Second)
	// Input.insertText, as an input method does: the same for Arabic text and
	// for the rich-text editor's contenteditable.
	if _, err := chromedp.Call(tb.ctx, input.InsertText, input.InsertTextParams{Text: text}); err != nil {
		tb.t.Fatalf("typing into %q: %v", label, err)
	}
}

// publish saves a new entry: "Publish" then "Publish now" (the local backend
// has no editorial workflow: it writes the working copy at once).
func (tb *tab) publish() {
	tb.t.Helper()
	tb.waitJS(`/unsaved changes/i.test(document.body.textContent)`, "the editor to see the changes", 10*time.Second)
	tb.clickText("span, button", "Publish", 10*time.Second)
	tb.clickText("[role=menuitem], li, button", "Publish now", 10*time.Second)
	tb.waitText("Entry saved", 30*time.Second)
	// The editor then reopens the saved entry at its own address: wait for it,
	// or the next cmsOpen races that navigation.
	tb.waitJS(`location.hash.includes("/entries/") && /changes saved/i.test(document.body.textContent)`, "the saved entry", 30*time.Second)
}

// scrollToLabel scrolls the field labelled label to the top of the window.
func (tb *tab) scrollToLabel(label string) {
	tb.t.Helper()
	tb.waitJS(fmt.Sprintf(`(() => {
  const l = [...document.querySelectorAll("label")].find((e) => e.textContent.trim().startsWith(%q));
  if (!l) return false;
  l.scrollIntoView({block: "start"});
  window.scrollBy(0, -90); // below the editor's fixed top bar
  return true;
})()`, label), fmt.Sprintf("the field %q", label), 10*time.Second)
}

// shot saves a screenshot for the docs in /screenshots/cms-NAME.png.
func (tb *tab) shot(name string) {
	tb.t.Helper()
	png, err := chromedp.Run(tb.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		tb.t.Logf("screenshot %s: %v", name, err)
		return
	}
	dir := filepath.Join(env.root, "screenshots")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "cms-"+name+".png"), png, 0o644)
}

// checkCSP fails the test if the editor's page broke its own CSP.
func (tb *tab) checkCSP() {
	tb.t.Helper()
	for _, m := range tb.consoleErrors() {
		if strings.Contains(m, "Content Security Policy") || strings.Contains(m, "Refused to") {
			tb.t.Errorf("the editor broke its CSP: %s", m)
		} else {
			tb.t.Logf("console: %s", m)
		}
	}
}
