package klog

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestLogLevelsAndRing(t *testing.T) {
	var buf bytes.Buffer
	l := New(&buf, LOG_INFO)
	l.now = func() time.Time { return time.Date(2026, 11, 25, 14, 0, 0, 0, time.UTC) }
	l.Log(LOG_DEBUG, "wg0: hidden")
	l.Log(LOG_INFO, "wg0: shown\n")
	if got, want := buf.String(), "Nov 25 14:00:00.000 nbwgd[info]: wg0: shown\n"; got != want {
		t.Errorf("log output %q, want %q", got, want)
	}
	for i := range ringSize + 5 {
		l.Log(LOG_ERR, "m%d", i)
	}
	msgs := l.Messages()
	if len(msgs) != ringSize || !strings.HasSuffix(msgs[0], fmt.Sprintf("m%d", 5)) {
		t.Errorf("ring holds %d, first %q", len(msgs), msgs[0])
	}
	var nilLogger *Logger
	nilLogger.Log(LOG_ERR, "no panic")
	if nilLogger.Enabled(LOG_ERR) {
		t.Error("nil logger enabled")
	}
}
