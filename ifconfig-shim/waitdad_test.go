package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// nbwg performs no duplicate address detection on wg: -w returns at
// once.  -W waits, for a while, for addresses to stop being DETACHED,
// which on wg happens when a peer brings the link up.
func TestWaitDAD(t *testing.T) {
	tests := []struct {
		name   string
		setup  func(h *host)
		args   []string
		want   result
		sleeps int // 10 ms each
	}{{
		name: "no interfaces",
		args: []string{"-w", "5"},
	}, {
		name:  "addresses never tentative",
		setup: func(h *host) { h.must("wg0", "create", "inet6", "fd00::1/64") },
		args:  []string{"-w", "5"},
	}, {
		name:  "for ever: still no waiting",
		setup: func(h *host) { h.must("wg0", "create", "inet6", "fd00::1/64") },
		args:  []string{"-w", "0", "-W", "3"},
	}, {
		name:   "-W: detached addresses on an up interface until -W runs out",
		setup:  func(h *host) { h.must("wg0", "create", "inet6", "fd00::1/64") },
		args:   []string{"-w", "5", "-W", "1"},
		sleeps: 100,
	}, {
		name:   "-W longer than -w: timed out",
		setup:  func(h *host) { h.must("wg0", "create", "inet6", "fd00::1/64") },
		args:   []string{"-W", "5", "-w", "1"},
		want:   result{Stderr: "ifconfig: timed out\n", Code: 1},
		sleeps: 101,
	}, {
		name: "-W: a down interface is not waited for",
		setup: func(h *host) {
			h.must("wg0", "create", "inet6", "fd00::1/64")
			h.must("wg0", "down")
		},
		args: []string{"-w", "5", "-W", "5"},
	}, {
		name: "-W: nothing detached once a peer is there",
		setup: func(h *host) {
			h.must("wg0", "create", "inet6", "fd00::1/64")
			h.addPeer("wg0", 1)
		},
		args: []string{"-w", "5", "-W", "5"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHost(t)
			if tt.setup != nil {
				tt.setup(h)
			}
			if diff := cmp.Diff(tt.want, h.run(tt.args...)); diff != "" {
				t.Errorf("ifconfig %q (-want +got):\n%s", tt.args, diff)
			}
			if h.sleeps != tt.sleeps {
				t.Errorf("slept %d times, want %d", h.sleeps, tt.sleeps)
			}
		})
	}
}
