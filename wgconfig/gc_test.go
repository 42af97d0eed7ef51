package main

import (
	"runtime/debug"
	"testing"
)

// TestGCForOneCommand: the collector is off below the limit unless the
// environment says otherwise.
func TestGCForOneCommand(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))

	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	gcForOneCommand()
	if p := debug.SetGCPercent(100); p != -1 {
		t.Errorf("GC percent %d, want -1 (off)", p)
	}
	if l := debug.SetMemoryLimit(-1); l != gcMemoryLimit {
		t.Errorf("memory limit %d, want %d", l, gcMemoryLimit)
	}

	for _, env := range []string{"GOGC", "GOMEMLIMIT"} {
		t.Setenv(env, "50")
		debug.SetGCPercent(100)
		gcForOneCommand()
		if p := debug.SetGCPercent(100); p != 100 {
			t.Errorf("with %s set: GC percent %d, want it left at 100", env, p)
		}
		t.Setenv(env, "")
	}
}
