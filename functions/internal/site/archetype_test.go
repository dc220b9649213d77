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
// never goes live) and its title keeps "I" a capital.
func TestFAQArchetype(t *testing.T) {
	hugo, err := HugoPath(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, p := range []string{"hugo.toml", "data", "themes"} {
		copyTree(t, filepath.Join(root, p), filepath.Join(dir, p))
	}
	for _, lang := range []string{"en", "ar"} {
		if err := os.MkdirAll(filepath.Join(dir, "content", lang, "faq"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	file := filepath.Join("content", "en", "faq", "can-i-drive-home-if-i-feel-fine.md")
	cmd := exec.Command(hugo, "new", "content", file)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("hugo new content: %v\n%s", err, out)
	}
	b, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`title: "Can I drive home if I feel fine?"`, "\ndraft: true\n"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("the new FAQ entry lacks %q:\n%s", want, b)
		}
	}
}
