package klog

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"
)

// A flood of one kind of message writes a burst per interval and then
// one line with the count of the rest; another kind is not held back by
// it.
func TestLogLimited(t *testing.T) {
	var buf bytes.Buffer
	l := New(&buf, LOG_DEBUG)
	now := time.Date(2026, 11, 25, 14, 0, 0, 0, time.UTC)
	l.now = func() time.Time { return now }
	lim := NewLimit(3, time.Second, func() time.Time { return now })
	for i := range 10_000 {
		l.LogLimited(lim, LOG_DEBUG, "wg0: ", "flood %d from %v", i, "198.51.100.7")
		if i == 5000 {
			l.LogLimited(lim, LOG_DEBUG, "wg0: ", "other %d", i)
		}
	}
	now = now.Add(time.Second)
	l.LogLimited(lim, LOG_DEBUG, "wg0: ", "flood %d from %v", 10_000, "198.51.100.7")
	want := []string{
		"wg0: flood 0 from 198.51.100.7",
		"wg0: flood 1 from 198.51.100.7",
		"wg0: flood 2 from 198.51.100.7",
		"wg0: other 5000",
		"wg0: 9997 messages like the next one suppressed",
		"wg0: flood 10000 from 198.51.100.7",
	}
	got := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(got) != len(want) {
		t.Fatalf("wrote %d lines, want %d:\n%s", len(got), len(want), buf.String())
	}
	for i := range want {
		if !strings.HasSuffix(got[i], "nbwgd[debug]: "+want[i]) {
			t.Errorf("line %d: %q, want it to end in %q", i, got[i], want[i])
		}
	}
}

// Held-back messages are not formatted: a flood costs a counter, not a
// Sprintf (and String methods of arguments are not called).
func TestLogLimitedDoesNotFormat(t *testing.T) {
	l := New(nil, LOG_DEBUG)
	lim := NewLimit(1, time.Hour, nil)
	var calls int
	arg := stringer(func() string { calls++; return "x" })
	for range 100 {
		l.LogLimited(lim, LOG_DEBUG, "", "%v", arg)
	}
	if calls != 1 {
		t.Errorf("argument formatted %d times, want 1", calls)
	}
	// A level that drops the message skips the limiter too.
	l.SetLevel(LOG_INFO)
	lim2 := NewLimit(1, time.Hour, nil)
	l.LogLimited(lim2, LOG_DEBUG, "", "%v", arg)
	if ok, _ := lim2.Allow("%v"); !ok {
		t.Error("a message below the level used up the limit")
	}
}

type stringer func() string

func (s stringer) String() string { return s() }

var _ fmt.Stringer = stringer(nil)
