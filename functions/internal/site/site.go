// Package site builds the static site (hugo.toml, content/, themes/bluetree) with
// the Hugo version pinned in go.mod (`go tool hugo`), reads its Netlify
// _headers file (ParseHeaders, HeadersFor) and weighs its pages against the
// budgets (Weigh, HeaderBytes). The local server (functions/cmd/serve),
// cmd/perf, the browser and contract tests and this package's own tests call
// it, so the API is small and stable:
//
//	root, err := site.Root()
//	err = site.Build(ctx, site.Options{Root: root, Dest: dir})
//
// Build always passes --panicOnWarning, so a deprecation or a content warning
// fails the build as it does in CI, and the content guard (forbidden claims,
// unconsented testimonials, images without alt text) fails it with Hugo's
// message naming the file.
package site

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// DefaultTimeout bounds a build when Options.Timeout is zero. Hugo v0.165.0
// sometimes hangs after a template error instead of exiting; the timeout turns
// that into an error.
const DefaultTimeout = 2 * time.Minute

// Options configure one Hugo build. Only Dest is required.
type Options struct {
	// Root is the repository root (the folder holding go.mod): Hugo is run
	// there with `go tool hugo`. Empty: Root() is used.
	Root string
	// Source is the site's source folder (hugo.toml, content/, themes/).
	// Empty: Root. Tests point it at a copy with planted content.
	Source string
	// Dest is the output folder (hugo --destination). Required.
	Dest string
	// BaseURL overrides hugo.toml's baseURL when set (e.g. "http://localhost:8080/").
	BaseURL string
	// LiveSite builds the site as it goes live: the go-live check stops the
	// build while data/clinic.yaml marks a clinic detail as a sample value.
	// Otherwise (local serving, tests) the build sets HUGO_PARAMS_PREVIEW, as
	// Netlify's previews do, and every page shows a "sample details" notice
	// instead (layouts/_partials/golive/).
	LiveSite bool
	// Timeout bounds the build; zero means DefaultTimeout.
	Timeout time.Duration
	// Args are extra arguments for `hugo build`, e.g. "--cleanDestinationDir",
	// "--minify", "--buildDrafts".
	Args []string
	// Output, when set, receives Hugo's output (stdout and stderr) as it runs.
	Output io.Writer
}

// Root returns the repository root: the nearest folder, from the working
// directory up, that holds go.mod.
func Root() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("site: no go.mod found in the working directory or above it")
		}
		dir = parent
	}
}

// Build runs `hugo build` with the pinned Hugo from o.Root into o.Dest.
func Build(ctx context.Context, o Options) error {
	if o.Dest == "" {
		return errors.New("site: Options.Dest is required")
	}
	if o.Root == "" {
		root, err := Root()
		if err != nil {
			return err
		}
		o.Root = root
	}
	o.Source = cmp.Or(o.Source, o.Root)
	ctx, cancel := context.WithTimeout(ctx, cmp.Or(o.Timeout, DefaultTimeout))
	defer cancel()

	hugo, err := HugoPath(ctx, o.Root)
	if err != nil {
		return err
	}
	args := []string{"build",
		"--source", o.Source,
		"--destination", o.Dest,
		"--environment", "production", // fingerprinted assets with integrity, as deployed
		"--panicOnWarning",
		"--noBuildLock",
	}
	if o.BaseURL != "" {
		args = append(args, "--baseURL", o.BaseURL)
	}
	args = append(args, o.Args...)

	// Hugo's output, for the error: stdout and stderr share one writer, so
	// exec writes to it from one goroutine at a time.
	var out bytes.Buffer
	var w io.Writer = &out
	if o.Output != nil {
		w = io.MultiWriter(&out, o.Output)
	}
	cmd := exec.CommandContext(ctx, hugo, args...)
	cmd.Dir = o.Root
	cmd.Env = environ()
	if !o.LiveSite {
		cmd.Env = append(cmd.Env, "HUGO_PARAMS_PREVIEW=true")
	}
	cmd.Stdout, cmd.Stderr = w, w
	cmd.WaitDelay = 5 * time.Second // don't wait forever for pipes after a kill
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("%w (killed: Hugo did not finish in time)", ctx.Err())
		}
		tail := out.Bytes()[max(out.Len()-64<<10, 0):] // the end says what failed
		return fmt.Errorf("hugo %s: %w\n%s", strings.Join(args, " "), err, bytes.TrimSpace(tail))
	}
	return nil
}

var hugoPaths sync.Map // root -> path of the built hugo binary

// HugoPath returns the path of the Hugo binary pinned in root's go.mod
// (`go tool -n hugo`, which builds it into the Go cache the first time:
// about three minutes on two cores).
func HugoPath(ctx context.Context, root string) (string, error) {
	if p, ok := hugoPaths.Load(root); ok {
		return p.(string), nil
	}
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "go", "tool", "-n", "hugo")
	cmd.Dir = root
	cmd.Env = environ()
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("site: go tool -n hugo (in %s): %w\n%s", root, err, stderr.String())
	}
	p := strings.TrimSpace(string(out))
	hugoPaths.Store(root, p)
	return p, nil
}

// environ is the current environment with GOTOOLCHAIN=local unless set: the
// pinned tools build with the installed Go, never a downloaded one.
func environ() []string {
	env := os.Environ()
	if _, ok := os.LookupEnv("GOTOOLCHAIN"); !ok {
		env = append(env, "GOTOOLCHAIN=local")
	}
	return env
}
