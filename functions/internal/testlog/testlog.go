// Package testlog holds what several packages' tests share to read logs.
package testlog

import (
	"bytes"
	"sync"
)

// Buffer collects log lines or a process's output, safe for concurrent
// writes while a test reads it.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
