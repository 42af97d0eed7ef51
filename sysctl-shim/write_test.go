package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestWrite(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want result
		// check reads the kernel's value afterwards.
		check func(h *host) int64
		value int64
	}{
		{"int", []string{"-w", "net.wg.rekey_after_time=3"}, ok("net.wg.rekey_after_time: 120 -> 3\n"),
			func(h *host) int64 { return int64(h.params.RekeyAfterTime().Seconds()) }, 3},
		{"hex", []string{"-w", "net.wg.debug=0x10"}, ok("net.wg.debug: 0 -> 16\n"),
			func(h *host) int64 { return h.params.Debug.Load() }, 16},
		{"octal", []string{"-w", "net.wg.debug=010"}, ok("net.wg.debug: 0 -> 8\n"),
			func(h *host) int64 { return h.params.Debug.Load() }, 8},
		{"white space and sign", []string{"-w", "net.wg.debug= +7"}, ok("net.wg.debug: 0 -> 7\n"),
			func(h *host) int64 { return h.params.Debug.Load() }, 7},
		{"negative", []string{"-w", "net.wg.debug=-1"}, ok("net.wg.debug: 0 -> -1\n"),
			func(h *host) int64 { return h.params.Debug.Load() }, -1},
		{"int wraps as C's", []string{"-w", "net.wg.debug=4294967295"}, ok("net.wg.debug: 0 -> -1\n"),
			func(h *host) int64 { return h.params.Debug.Load() }, -1},
		{"bool", []string{"-w", "net.wg.force_underload=5"}, ok("net.wg.force_underload: 0 -> 1\n"),
			func(h *host) int64 { return b2i(h.params.ForceUnderload.Load()) }, 1},
		{"quad", []string{"-w", "net.wg.rekey_after_messages=18446744073709551615"},
			ok("net.wg.rekey_after_messages: 1152921504606846976 -> 18446744073709551615\n"),
			func(h *host) int64 { return int64(h.params.RekeyAfterMessages.Load()) }, -1},
		{"-n", []string{"-nw", "net.wg.keepalive_timeout=25"}, ok("25\n"),
			func(h *host) int64 { return int64(h.params.KeepaliveTimeout().Seconds()) }, 25},
		{"-q", []string{"-q", "-w", "net.wg.rekey_timeout=3"}, ok(""),
			func(h *host) int64 { return int64(h.params.RekeyTimeout().Seconds()) }, 3},
		{"-e changes nothing", []string{"-ew", "net.wg.rekey_timeout=3"}, ok("net.wg.rekey_timeout: 5 -> 3\n"), nil, 0},
		{"-x", []string{"-xw", "net.wg.rekey_timeout=3"}, ok("net.wg.rekey_timeout: 0x00000005 -> 0x00000003\n"), nil, 0},
		{"-xx", []string{"-xxw", "net.wg.force_underload=1"}, ok("net.wg.force_underload: \n" +
			dumpLine("0000000", "00", ".") + "0000001 bytes\n" +
			dumpLine("0000000", "01", ".") + "0000001 bytes\n"), nil, 0},
		{"-r", []string{"-rw", "net.wg.force_underload=1"}, ok("\x01"), nil, 0},
		{"slashes", []string{"-w", "net/wg/debug=2"}, ok("net/wg/debug: 0 -> 2\n"), nil, 0},
		{"several", []string{"-w", "net.wg.debug=1", "net.wg.debug", "net.wg.debug=2"},
			ok("net.wg.debug: 0 -> 1\nnet.wg.debug = 1\nnet.wg.debug: 1 -> 2\n"),
			func(h *host) int64 { return h.params.Debug.Load() }, 2},
		{"optional", []string{"-w", "net.wg.debug?=3"}, ok("net.wg.debug: 0 -> 3\n"), nil, 0},
		// A value for net.wg lists it, under the name print_tree
		// builds by adding the node's name once more.
		{"interior node", []string{"-w", "net.wg=1"}, ok(strings.ReplaceAll(defaultListing, "net.wg.", "net.wg.wg.")), nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHost(t)
			if diff := cmp.Diff(tc.want, h.run(tc.args...)); diff != "" {
				t.Errorf("sysctl %s (-want +got):\n%s", strings.Join(tc.args, " "), diff)
			}
			if tc.check != nil {
				if got := tc.check(h); got != tc.value {
					t.Errorf("kernel holds %d, want %d", got, tc.value)
				}
			}
		})
	}
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func TestWriteErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want result
	}{
		{"not a number", []string{"-w", "net.wg.debug=abc"}, fails("sysctl: abc: not a number\n")},
		{"trailing junk", []string{"-w", "net.wg.debug=12x"}, fails("sysctl: 12x: not a number\n")},
		{"empty", []string{"-w", "net.wg.debug="}, fails("sysctl: : not a number\n")},
		{"bad octal", []string{"-w", "net.wg.debug=08"}, fails("sysctl: 08: not a number\n")},
		{"trailing space", []string{"-w", "net.wg.debug=1 "}, fails("sysctl: 1 : not a number\n")},
		{"too large", []string{"-w", "net.wg.rekey_after_messages=18446744073709551616"},
			fails("sysctl: 18446744073709551616: Result too large or too small\n")},
		{"too large for an int", []string{"-w", "net.wg.debug=4294967296"},
			fails("sysctl: 4294967296: Result too large or too small\n")},
		{"kernel refuses", []string{"-w", "net.wg.rekey_timeout=0"}, fails("sysctl: net.wg.rekey_timeout: Invalid argument\n")},
		{"kernel refuses a quad", []string{"-w", "net.wg.rekey_after_messages=0"},
			fails("sysctl: net.wg.rekey_after_messages: Invalid argument\n")},
		{"negative time", []string{"-w", "net.wg.keepalive_timeout=-5"}, fails("sysctl: net.wg.keepalive_timeout: Invalid argument\n")},
		{"without -w", []string{"net.wg.debug=1"}, fails("sysctl: Must specify -w to set variables\n")},
		// An error ends the run (sysctl.c: EXIT).
		{"stops", []string{"-w", "net.wg.debug=1", "net.wg.rekey_timeout=x", "net.wg.debug=2"},
			result{Stdout: "net.wg.debug: 0 -> 1\n", Stderr: "sysctl: x: not a number\n", Code: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHost(t)
			if diff := cmp.Diff(tc.want, h.run(tc.args...)); diff != "" {
				t.Errorf("sysctl %s (-want +got):\n%s", strings.Join(tc.args, " "), diff)
			}
		})
	}
}

// TestWritePrivilege writes as root and as nobody, with and without a
// kernel running: root's write starts one; nobody's fails as the kernel
// refuses an unprivileged caller, and starts nothing.
func TestWritePrivilege(t *testing.T) {
	for _, tc := range []struct {
		name        string
		running     bool
		asRoot      bool
		args        []string
		want        result
		wantRunning bool
		debug       int64
	}{
		{"root, kernel", true, true, []string{"-w", "net.wg.debug=1"}, ok("net.wg.debug: 0 -> 1\n"), true, 1},
		{"root, no kernel", false, true, []string{"-w", "net.wg.debug=1"}, ok("net.wg.debug: 0 -> 1\n"), true, 1},
		{"nobody, kernel", true, false, []string{"-w", "net.wg.debug=1"}, fails("sysctl: net.wg.debug: Operation not permitted\n"), true, 0},
		{"nobody, no kernel", false, false, []string{"-w", "net.wg.debug=1"}, fails("sysctl: net.wg.debug: Operation not permitted\n"), false, 0},
		{"nobody, optional", true, false, []string{"-w", "net.wg.debug?=1"}, ok(""), true, 0},
		{"nobody, optional, no kernel", false, false, []string{"-w", "net.wg.debug?=1", "net.wg.debug"}, ok("net.wg.debug = 0\n"), false, 0},
		// The value is checked before the kernel is asked.
		{"nobody, bad value", true, false, []string{"-w", "net.wg.debug=z"}, fails("sysctl: z: not a number\n"), true, 0},
		{"nobody, unknown name", false, false, []string{"-w", "net.wg.nope=1"}, fails("sysctl: third level name 'nope' in 'net.wg.nope' is invalid\n"), false, 0},
		{"nobody reads", true, false, []string{"net.wg.debug"}, ok("net.wg.debug = 0\n"), true, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHost(t)
			h.running = tc.running
			cred := nobody
			if tc.asRoot {
				cred = root
			}
			if diff := cmp.Diff(tc.want, h.runAs(cred, tc.args...)); diff != "" {
				t.Errorf("sysctl %s (-want +got):\n%s", strings.Join(tc.args, " "), diff)
			}
			if h.running != tc.wantRunning {
				t.Errorf("kernel running %v, want %v", h.running, tc.wantRunning)
			}
			if got := h.params.Debug.Load(); got != tc.debug {
				t.Errorf("net.wg.debug = %d, want %d", got, tc.debug)
			}
		})
	}
}

// TestDials checks that one run dials the kernel once, and once more
// only when a read found none running and a write follows.
func TestDials(t *testing.T) {
	for _, tc := range []struct {
		name          string
		running       bool
		args          []string
		dials, starts int
	}{
		{"reads", true, []string{"net.wg.debug", "net.wg"}, 1, 0},
		{"reads, no kernel", false, []string{"net.wg.debug", "net.wg"}, 1, 0},
		{"reads and writes", true, []string{"-w", "net.wg.debug", "net.wg.debug=1", "net.wg.debug=2", "net.wg.debug"}, 1, 0},
		{"reads and writes, no kernel", false, []string{"-w", "net.wg.debug", "net.wg.debug=1", "net.wg.debug=2", "net.wg.debug"}, 2, 1},
		{"writes, no kernel", false, []string{"-w", "net.wg.debug=1", "net.wg.debug=2"}, 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHost(t)
			h.running = tc.running
			if r := h.run(tc.args...); r.Code != 0 {
				t.Fatalf("sysctl %s: %+v", strings.Join(tc.args, " "), r)
			}
			if h.dials != tc.dials || h.starts != tc.starts {
				t.Errorf("dialled %d times (%d to start), want %d (%d)", h.dials, h.starts, tc.dials, tc.starts)
			}
			if !h.running && tc.starts > 0 {
				t.Errorf("no kernel started")
			}
		})
	}
}
