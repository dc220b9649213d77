package site

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os/exec"
	"strings"
)

// hugoTool is the pinned Hugo's package, as go.mod's tool block names it.
const hugoTool = "github.com/gohugoio/hugo"

// PrepareHugo makes sure the pinned Hugo is compiled and returns the path of
// its binary, like HugoPath, reporting the compiling as it happens:
// compiling is called each time Go starts compiling one of
// Hugo's packages, with the number started so far. On a computer where Hugo
// was compiled before (Go's build cache has it), it is never called; the
// first time, once per package compiled: Hugo has about 500 besides the
// standard library (README.md, "First start", has the times measured).
//
// It asks `go list -x -export` for Hugo's compiled package: that compiles
// what is missing from the cache and prints each command as it starts, and
// `go tool -n hugo` (HugoPath) then only links. Watching the commands is
// the one cheap and reliable sign: timing `go tool -n hugo` would mistake a
// busy machine for a cold cache, and `go list`'s Stale looks at installed
// binaries, which tools never are.
func PrepareHugo(ctx context.Context, root string, compiling func(started int)) (string, error) {
	if p, ok := hugoPaths.Load(root); ok {
		return p.(string), nil
	}
	cmd := exec.CommandContext(ctx, "go", "list", "-x", "-export", "-f", "{{.Export}}", hugoTool)
	cmd.Dir = root
	cmd.Env = environ()
	stderr, err := cmd.StderrPipe()
	if err == nil {
		err = cmd.Start()
	}
	if err != nil {
		return "", fmt.Errorf("site: go list %s: %w", hugoTool, err)
	}
	var last []string // the last lines that are not compile commands, for an error
	sc := bufio.NewScanner(stderr)
	sc.Buffer(make([]byte, 64<<10), 1<<20) // a compile command names every file of its package
	for n := 0; sc.Scan(); {
		if line := sc.Text(); isCompile(line) {
			n++
			compiling(n)
		} else {
			last = append(last, line)
			last = last[max(len(last)-20, 0):]
		}
	}
	io.Copy(io.Discard, stderr) // a line over 1 MiB: read to the end all the same
	if err := cmd.Wait(); err != nil {
		return "", fmt.Errorf("site: go list -export %s (in %s): %w\n%s", hugoTool, root, err, strings.Join(last, "\n"))
	}
	return HugoPath(ctx, root)
}

// isCompile is a -x line that runs the Go compiler on a package.
func isCompile(line string) bool {
	cmd, _, _ := strings.Cut(line, " ")
	return strings.HasSuffix(cmd, "/compile") && strings.Contains(line, " -p ")
}
