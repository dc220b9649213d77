package site

import (
	"context"
	"testing"
)

// Once Hugo is in Go's build cache, preparing it compiles nothing: the
// "first run" note of serve is not printed on later starts.
func TestPrepareHugoWarmCompilesNothing(t *testing.T) {
	built(t) // TestMain's build compiled Hugo if it was not yet
	hugoPaths.Delete(root)
	n := 0
	p, err := PrepareHugo(context.Background(), root, func(int) { n++ })
	if err != nil || p == "" {
		t.Fatalf("PrepareHugo: %q, %v", p, err)
	}
	if n > 0 {
		t.Errorf("%d packages compiled again with Hugo in the cache", n)
	}
}

func TestIsCompile(t *testing.T) {
	for line, want := range map[string]bool{
		`/usr/local/go/pkg/tool/linux_amd64/compile -o $WORK/b004/_pkg_.a -trimpath "$WORK/b004=>" -p internal/goarch -lang=go1.26 -std`: true,
		`mkdir -p $WORK/b004/`:                                  false,
		`cat >/tmp/go-build/b004/importcfg << 'EOF' # internal`: false,
		`/usr/local/go/pkg/tool/linux_amd64/compile -V=full`:    false,
	} {
		if isCompile(line) != want {
			t.Errorf("isCompile(%q) = %v", line, !want)
		}
	}
}
