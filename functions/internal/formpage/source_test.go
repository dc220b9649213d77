package formpage

import (
	"context"
	"os"
	"testing"
	"time"
)

// Dir keeps a page and reads it again when the file changes, also when the
// folder is swapped for a rebuilt one (watch mode).
func TestDirReloadsChangedPage(t *testing.T) {
	root := t.TempDir()
	site := root + "/public"
	write := func(dir, body string) {
		if err := os.MkdirAll(dir+"/enquire/appointment", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dir+"/enquire/appointment/index.html", []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	src := Dir(os.DirFS(site))
	get := func() string {
		b, err := src.Page(context.Background(), "en", "appointment")
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	write(site, "one")
	if got := get(); got != "one" {
		t.Fatalf("got %q", got)
	}
	write(site, "two, longer")
	if got := get(); got != "two, longer" {
		t.Fatalf("after an edit: got %q", got)
	}
	// A rebuild: a new folder renamed into place, same size, later time.
	write(root+"/next", "thr, longer")
	later := time.Now().Add(2 * time.Second)
	os.Chtimes(root+"/next/enquire/appointment/index.html", later, later)
	if err := os.Rename(site, root+"/old"); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(root+"/next", site); err != nil {
		t.Fatal(err)
	}
	if got := get(); got != "thr, longer" {
		t.Fatalf("after a rebuild: got %q", got)
	}
}
