package site

// BenchmarkBuild times one full production build of the real site, as
// Netlify runs it (hugo build --gc --minify), with the pinned Hugo binary run
// directly (site.Build), into a fresh folder each time. Only with -bench:
//
//	go test -run '^$' -bench Build -benchtime 5x ./functions/internal/site
//
// go run ./functions/cmd/perf reports the same figure (median of several
// builds, Hugo's own time beside the wall time) and the growth with 1,000
// and 10,000 generated pages.

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
)

func BenchmarkBuild(b *testing.B) {
	r, err := Root()
	if err != nil {
		b.Fatal(err)
	}
	if _, err := HugoPath(context.Background(), r); err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	i := 0
	for b.Loop() {
		i++
		dest := filepath.Join(dir, fmt.Sprint(i))
		if err := Build(context.Background(), Options{Root: r, Dest: dest, Args: []string{"--gc", "--minify"}}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/build")
}
