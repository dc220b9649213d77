package config

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// .env.example at the repository root lists every variable this package
// reads, each with a comment saying what it is.
func TestEnvExampleListsEveryVariable(t *testing.T) {
	example, err := os.ReadFile(filepath.Join("..", "..", "..", ".env.example"))
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("*.go")
	read := regexp.MustCompile(`l\.(?:str|boolean|integer|duration|address|addressList)\("([A-Z0-9_]+)"|Var = "([A-Z0-9_]+)"`)
	n := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range read.FindAllStringSubmatch(string(src), -1) {
			name := m[1] + m[2]
			n++
			line := regexp.MustCompile(`(?m)^# .+\n(?:# .*\n)*` + name + `=`)
			if !line.Match(example) {
				t.Errorf(".env.example does not list %s under a comment saying what it is", name)
			}
		}
	}
	if n < 10 {
		t.Errorf("found only %d variables read in config: the pattern no longer matches the code", n)
	}
}
