package main

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/bluetreeclinics/site/functions/internal/site"
)

// rebuild builds into a fresh folder beside dir and swaps it in, so a failed
// build leaves the site being served as it was, and a good one replaces it
// whole (no stale files). baseURL: see buildFirst.
func rebuild(ctx context.Context, dir, baseURL string) error {
	next, err := os.MkdirTemp(filepath.Dir(dir), "."+filepath.Base(dir)+"-next-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(next)
	if err := site.Build(ctx, site.Options{Dest: next, BaseURL: baseURL}); err != nil {
		return err
	}
	if err := os.Chmod(next, 0o755); err != nil {
		return err
	}
	old := next + "-old"
	if err := os.Rename(dir, old); err != nil {
		return err
	}
	if err := os.Rename(next, dir); err != nil {
		os.Rename(old, dir) // put the old site back
		return err
	}
	return os.RemoveAll(old)
}

// watched are the site's sources under the repository root.
var watched = []string{"content", "themes", "data", "static", "i18n", "assets", "layouts", "archetypes", "hugo.toml"}

// fingerprint sums the names, sizes and modification times of every file
// under the watched paths: any edit, addition or removal changes it.
func fingerprint(root string) [32]byte {
	h := sha256.New()
	for _, w := range watched {
		filepath.WalkDir(filepath.Join(root, w), func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				if info, err := d.Info(); err == nil {
					fmt.Fprintf(h, "%s\x00%d\x00%d\n", p, info.Size(), info.ModTime().UnixNano())
				}
			}
			return nil
		})
	}
	return [32]byte(h.Sum(nil))
}

// watch polls the sources every interval and calls build once they have
// been quiet for one interval after a change. A failed build is reported
// and the old site kept.
func watch(ctx context.Context, root string, interval time.Duration, build func(context.Context) error, stdout io.Writer, logger *slog.Logger) {
	last := fingerprint(root)
	pending := false
	every(ctx, interval, func() {
		if fp := fingerprint(root); fp != last {
			last, pending = fp, true
			return // wait for the edits to settle
		}
		if !pending {
			return
		}
		pending = false
		fmt.Fprintln(stdout, "Change seen: rebuilding …")
		start := time.Now()
		if err := build(ctx); err != nil {
			if ctx.Err() == nil {
				fmt.Fprintf(stdout, "Build failed; still serving the previous site:\n%v\n", err)
				logger.Warn("rebuild failed", "error", err.Error())
			}
			return
		}
		fmt.Fprintf(stdout, "Rebuilt in %s.\n", time.Since(start).Round(time.Millisecond))
	})
}

// every calls f every d until ctx is done.
func every(ctx context.Context, d time.Duration, f func()) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			f()
		}
	}
}
