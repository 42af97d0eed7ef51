// Package klog is the emulated kernel's log(9): messages carry a syslog
// priority, go to a file the administrator can read, and are kept in a
// ring buffer for dmesg-like inspection.  Secrets are never passed to it.
package klog

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// Priorities, as syslog(3) numbers them.
const (
	LOG_ERR     = 3
	LOG_WARNING = 4
	LOG_NOTICE  = 5
	LOG_INFO    = 6
	LOG_DEBUG   = 7
)

// ringSize bounds the messages kept in memory.
const ringSize = 1024

// Logger writes kernel messages.  The zero value discards them; a nil
// *Logger does too.
type Logger struct {
	mu    sync.Mutex
	w     io.Writer
	level int // messages above this priority number are dropped
	ring  []string
	next  int
	now   func() time.Time
	tag   string // the program named in each line; "" is nbwgd
}

// New returns a logger writing messages up to level to w (which may be nil).
func New(w io.Writer, level int) *Logger {
	return &Logger{w: w, level: level, now: time.Now}
}

// SetTag names the program in each line (nbwgd unless set): nbwg-go
// logs with the kernel's own parts.
func (l *Logger) SetTag(tag string) {
	if l == nil {
		return
	}
	l.mu.Lock()
	l.tag = tag
	l.mu.Unlock()
}

// SetLevel changes the most verbose priority written.
func (l *Logger) SetLevel(level int) {
	if l == nil {
		return
	}
	l.mu.Lock()
	l.level = level
	l.mu.Unlock()
}

// Enabled reports whether messages of the given priority are kept, so
// callers can skip formatting debug messages nobody will read.
func (l *Logger) Enabled(pri int) bool {
	if l == nil {
		return false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return pri <= l.level
}

// Log formats and records one message, as log(9) does; a trailing newline
// is optional.
func (l *Logger) Log(pri int, format string, args ...any) {
	if l == nil {
		return
	}
	if !l.Enabled(pri) {
		return
	}
	// Formatted before the lock is taken: a caller's String methods
	// and a long message hold up no other logger.
	msg := strings.TrimSuffix(fmt.Sprintf(format, args...), "\n")
	l.mu.Lock()
	defer l.mu.Unlock()
	if pri > l.level {
		return // the level changed meanwhile
	}
	now := time.Now
	if l.now != nil {
		now = l.now
	}
	tag := l.tag
	if tag == "" {
		tag = "nbwgd"
	}
	line := fmt.Sprintf("%s %s[%s]: %s", now().Format(time.StampMilli), tag, priName[pri], msg)
	if len(l.ring) < ringSize {
		l.ring = append(l.ring, line)
	} else {
		l.ring[l.next] = line
		l.next = (l.next + 1) % ringSize
	}
	if l.w != nil {
		io.WriteString(l.w, line+"\n")
	}
}

// Messages returns the kept messages, oldest first.
func (l *Logger) Messages() []string {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]string, 0, len(l.ring))
	out = append(out, l.ring[l.next:]...)
	return append(out, l.ring[:l.next]...)
}

var priName = map[int]string{
	LOG_ERR: "err", LOG_WARNING: "warning", LOG_NOTICE: "notice",
	LOG_INFO: "info", LOG_DEBUG: "debug",
}
