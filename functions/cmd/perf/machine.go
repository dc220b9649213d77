package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"
)

type machineInfo struct {
	date      time.Time
	cores     int
	cpuModel  string
	memTotal  string
	kernel    string
	goVersion string
	commit    string
	loadStart string
	loadEnd   string
}

func readMachine(ctx context.Context, root string) machineInfo {
	m := machineInfo{date: time.Now(), cores: runtime.NumCPU(), loadStart: readLoadAvg()}
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		s := bufio.NewScanner(f)
		for s.Scan() {
			if k, v, ok := strings.Cut(s.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				m.cpuModel = strings.TrimSpace(v)
				break
			}
		}
		f.Close()
	}
	if f, err := os.Open("/proc/meminfo"); err == nil {
		s := bufio.NewScanner(f)
		for s.Scan() {
			if k, v, ok := strings.Cut(s.Text(), ":"); ok && k == "MemTotal" {
				fs := strings.Fields(v)
				if n, err := strconv.ParseFloat(fs[0], 64); err == nil {
					m.memTotal = fmt.Sprintf("%.1f GiB", n/(1<<20))
				}
				break
			}
		}
		f.Close()
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.kernel = "Linux " + strings.TrimSpace(string(b))
	}
	if out, err := exec.CommandContext(ctx, "go", "version").Output(); err == nil {
		m.goVersion = strings.TrimSpace(string(out))
	} else {
		m.goVersion = runtime.Version()
	}
	c := exec.CommandContext(ctx, "git", "describe", "--always", "--dirty", "--abbrev=12")
	c.Dir = root
	if out, err := c.Output(); err == nil {
		m.commit = strings.TrimSpace(string(out))
	}
	return m
}

// readLoadAvg is the 1, 5 and 15 minute load averages.
func readLoadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "n/a"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "n/a"
	}
	return strings.Join(f[:3], " ")
}

func (m machineInfo) summary() string {
	return fmt.Sprintf("%d cores (%s), %s RAM, %s, %s, load average %s", m.cores, m.cpuModel, m.memTotal, m.kernel, m.goVersion, m.loadStart)
}
