package browsertest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCMSEditorialWorkflow checks the review steps the editor gives on Netlify
// (docs/editing-content.md, "On Netlify: review, then publish") with
// decap-server in git mode, which offers the editorial workflow as the GitHub
// backend does: saving a new question makes a draft on its own branch and
// leaves the live branch as it was; the draft moves to "In review" and shows
// on the Workflow board.
func TestCMSEditorialWorkflow(t *testing.T) {
	need(t)
	cmsTools(t) // skip or fail before setting up a repository
	git, err := exec.LookPath("git")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("git is not installed")
		}
		t.Skip("git is not installed")
	}

	src := t.TempDir()
	copySources(t, env.root, src)
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(git, args...)
		cmd.Dir = src
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	run("init", "-q", "-b", "main")
	// decap-server commits the drafts: give the throwaway repository an author
	// (a CI machine may have no git identity).
	run("config", "user.name", "Content editor test")
	run("config", "user.email", "editor@localhost")
	run("add", "-A")
	run("commit", "-qm", "the site")

	web, _, _ := startEditor(t, src, "git")

	tb := newTab(t, viewports[1], true)
	base := web + "/admin/"
	tb.cmsOpen(base)
	tb.clickText("button", "Login", 60*time.Second)
	tb.waitText("Workflow", 30*time.Second)

	tb.cmsOpen(base + "#/collections/faq/new")
	tb.typeInto("Question", "Can I travel after an injection?")
	tb.typeInto("Answer", "Most people can travel a day or two later. Ask your clinician what suits your plan.")
	tb.clickText("button, span", "Save", 10*time.Second)
	tb.waitText("Entry saved", 30*time.Second)
	tb.clickText("button, span", "Status: Draft", 20*time.Second)
	tb.shot("workflow-status-menu")
	tb.clickText("[role=menuitem], li, span", "In review", 10*time.Second)
	tb.waitText("Status: In review", 20*time.Second)

	// The draft is a branch of its own; the live branch has not changed.
	if branches := run("branch", "--list", "cms/*"); !strings.Contains(branches, "cms/faq/can-i-travel-after-an-injection") {
		t.Errorf("no draft branch for the new question; branches:\n%s", branches)
	}
	if _, err := os.Stat(filepath.Join(src, "content", "faq", "can-i-travel-after-an-injection.en.md")); err == nil {
		t.Error("saving a draft wrote the question into the live branch's working copy")
	}
	if log := run("log", "--oneline", "main"); strings.Count(log, "\n") != 1 {
		t.Errorf("saving a draft changed the live branch:\n%s", log)
	}

	tb.cmsOpen(base + "#/workflow")
	tb.waitJS(`/1 entry waiting for review/i.test(document.body.textContent) && document.body.textContent.includes("Can I travel after an injection?")`, "the question on the Workflow board, in review", 30*time.Second)
	tb.shot("workflow-board")
	tb.checkCSP()
}
