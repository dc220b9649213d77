package site

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// A new FAQ entry made with `hugo new` is a draft (its placeholder answer
// never goes live); the English title keeps "I" a capital, and the Arabic
// file asks for an Arabic title and answer instead of offering English.
func TestFAQArchetype(t *testing.T) {
	hugo, err := HugoPath(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, p := range []string{"hugo.toml", "data", "themes"} {
		copyTree(t, filepath.Join(root, p), filepath.Join(dir, p))
	}
	if err := os.MkdirAll(filepath.Join(dir, "content", "faq"), 0o755); err != nil {
		t.Fatal(err)
	}
	// Both languages, side by side as the content editor writes them
	// (docs/editing-content.md gives these commands).
	wants := map[string][]string{
		"en": {`title: "Can I drive home if I feel fine?"`, "Write the answer here"},
		"ar": {`title: ""`, "اكتب الإجابة هنا"},
	}
	for lang, want := range wants {
		file := filepath.Join("content", "faq", "can-i-drive-home-if-i-feel-fine."+lang+".md")
		cmd := exec.Command(hugo, "new", "content", file)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("hugo new content %s: %v\n%s", file, err, out)
		}
		b, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range append(want, "\ndraft: true\n") {
			if !strings.Contains(string(b), want) {
				t.Errorf("the new FAQ entry %s lacks %q:\n%s", file, want, b)
			}
		}
	}
}
