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
// never goes live); the English title keeps "I" a capital, and an Arabic
// file asks for Arabic instead of offering English.
func TestArchetypes(t *testing.T) {
	hugo, err := HugoPath(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, p := range []string{"hugo.toml", "data", "themes"} {
		copyTree(t, filepath.Join(root, p), filepath.Join(dir, p))
	}
	if err := os.Mkdir(filepath.Join(dir, "content"), 0o755); err != nil {
		t.Fatal(err)
	}
	// Both languages, side by side as the content editor writes them
	// (docs/editing-content.md gives these commands).
	wants := map[string][]string{
		"faq/can-i-drive-home-if-i-feel-fine.en.md": {`title: "Can I drive home if I feel fine?"`, "Write the answer here"},
		"faq/can-i-drive-home-if-i-feel-fine.ar.md": {`title: ""`, "اكتب الإجابة هنا"},
		"conditions/shoulder.ar.md":                 {`title: ""`, "\ndraft: true\n"},
		"process/7-follow-up.ar.md":                 {`title: ""`, "جملة واحدة واضحة"},
	}
	for name, want := range wants {
		file := filepath.Join("content", name)
		cmd := exec.Command(hugo, "new", "content", file)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("hugo new content %s: %v\n%s", file, err, out)
		}
		b, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(name, "faq/") {
			want = append(want, "\ndraft: true\n")
		}
		for _, want := range want {
			if !strings.Contains(string(b), want) {
				t.Errorf("the new FAQ entry %s lacks %q:\n%s", file, want, b)
			}
		}
	}
}
