package main

import (
	"encoding/binary"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"nbwg/kernel/sys"
)

// dumpLine is one line of sysctl.c's hex_dump for up to 16 bytes.
func dumpLine(offset, hex, text string) string {
	line := []byte(strings.Repeat(" ", 78))
	copy(line, offset)
	copy(line[9:], hex)
	line[58], line[77] = '|', '|'
	copy(line[60:], text)
	return string(line) + "\n"
}

func TestRead(t *testing.T) {
	raw32 := binary.NativeEndian.AppendUint32(nil, 5)
	for _, tc := range []struct {
		name string
		args []string
		want result
	}{
		{"leaf", []string{"net.wg.keepalive_timeout"}, ok("net.wg.keepalive_timeout = 10\n")},
		{"quad", []string{"net.wg.rekey_after_messages"}, ok("net.wg.rekey_after_messages = 1152921504606846976\n")},
		{"bool", []string{"net.wg.force_underload"}, ok("net.wg.force_underload = 0\n")},
		{"interior node", []string{"net.wg"}, ok(defaultListing)},
		{"trailing separator", []string{"net.wg."}, ok(defaultListing)},
		{"several", []string{"net.wg.debug", "net.wg.rekey_timeout"}, ok("net.wg.debug = 0\nnet.wg.rekey_timeout = 5\n")},
		{"-n", []string{"-n", "net.wg.rekey_timeout"}, ok("5\n")},
		{"-n node", []string{"-n", "net.wg"}, ok("1152921504606846976\n18446744073709543423\n120\n180\n5\n90\n10\n0\n0\n")},
		{"-e", []string{"-e", "net.wg.debug"}, ok("net.wg.debug=0\n")},
		{"-q", []string{"-q", "net.wg.debug"}, ok("")},
		{"slash separator", []string{"net/wg/debug"}, ok("net/wg/debug = 0\n")},
		{"leading separator", []string{"/net/wg/debug"}, ok("/net/wg/debug = 0\n")},
		{"leading dot", []string{".net.wg.debug"}, ok(".net.wg.debug = 0\n")},
		{"slash node", []string{"-e", "net/wg"}, ok(strings.ReplaceAll(strings.ReplaceAll(defaultListing, "net.wg.", "net/wg/"), " = ", "="))},
		{"-x int", []string{"-x", "net.wg.rekey_timeout"}, ok("net.wg.rekey_timeout = 0x00000005\n")},
		{"-x bool", []string{"-x", "net.wg.force_underload"}, ok("net.wg.force_underload = 0x00\n")},
		{"-x quad", []string{"-x", "net.wg.rekey_after_messages"}, ok("net.wg.rekey_after_messages = 0x1000000000000000\n")},
		{"-xx", []string{"-xx", "net.wg.rekey_timeout"}, ok("net.wg.rekey_timeout = \n" +
			dumpLine("0000000", "05 00 00 00", "....") + "0000004 bytes\n")},
		{"-xx quad", []string{"-x", "-x", "-n", "net.wg.rekey_after_messages"}, ok("\n" +
			dumpLine("0000000", "00 00 00 00 00 00 00 10", "........") + "0000008 bytes\n")},
		{"-r", []string{"-r", "net.wg.rekey_timeout"}, ok(string(raw32))},
		{"-b", []string{"-b", "net.wg.force_underload"}, ok("\x00")},
		{"-d leaf", []string{"-d", "net.wg.debug"}, ok("net.wg.debug: set debug flags 1=log 2=trace 4=dump 8=packet\n")},
		{"-d node", []string{"-d", "net.wg"}, ok(descriptions)},
		{"-dn", []string{"-dn", "net.wg.keepalive_timeout"}, ok("keepalive timeout\n")},
		{"-Ad node", []string{"-A", "-d", "net.wg"}, ok("net.wg: wg(4)\n" + descriptions)},
		{"-M", []string{"-M", "net.wg.debug"}, fails("sysctl: net.wg.debug: -M: Operation not supported\n")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHost(t)
			if tc.name == "-xx quad" && binary.NativeEndian.Uint16([]byte{1, 0}) != 1 {
				t.Skip("skipping: the dump is of a little-endian quad")
			}
			if tc.name == "-xx" && binary.NativeEndian.Uint16([]byte{1, 0}) != 1 {
				t.Skip("skipping: the dump is of a little-endian int")
			}
			if diff := cmp.Diff(tc.want, h.run(tc.args...)); diff != "" {
				t.Errorf("sysctl %s (-want +got):\n%s", strings.Join(tc.args, " "), diff)
			}
			if h.starts != 0 {
				t.Errorf("a read asked for a kernel start %d times", h.starts)
			}
		})
	}
}

// TestReadChanged reads values a write changed, in every type.
func TestReadChanged(t *testing.T) {
	h := newHost(t)
	h.params.RekeyAfterMessages.Store(1 << 63)
	h.params.ForceUnderload.Store(true)
	h.params.Debug.Store(-1)
	h.params.SetTimes(3, 4, 5, 6, 7)
	want := ok("net.wg.rekey_after_messages = 9223372036854775808\n" +
		"net.wg.reject_after_messages = 18446744073709543423\n" +
		"net.wg.rekey_after_time = 3\n" +
		"net.wg.reject_after_time = 4\n" +
		"net.wg.rekey_timeout = 6\n" +
		"net.wg.rekey_attempt_time = 5\n" +
		"net.wg.keepalive_timeout = 7\n" +
		"net.wg.force_underload = 1\n" +
		"net.wg.debug = -1\n")
	if diff := cmp.Diff(want, h.run("net.wg")); diff != "" {
		t.Errorf("sysctl net.wg (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(ok("net.wg.debug = 0xffffffff\n"), h.run("-x", "net.wg.debug")); diff != "" {
		t.Errorf("sysctl -x net.wg.debug (-want +got):\n%s", diff)
	}
}

// TestNoKernel reads with no kernel running: the defaults, and no kernel
// started.
func TestNoKernel(t *testing.T) {
	h := newHost(t)
	h.running = false
	h.params.Debug.Store(7) // a tree no kernel serves
	for _, tc := range []struct {
		args []string
		want result
	}{
		{[]string{"net.wg"}, ok(defaultListing)},
		{[]string{"-n", "net.wg.keepalive_timeout"}, ok("10\n")},
		{[]string{"-d", "net.wg.rekey_timeout"}, ok("net.wg.rekey_timeout: session handshake retry time\n")},
		{[]string{"net.wg.nope"}, fails("sysctl: third level name 'nope' in 'net.wg.nope' is invalid\n")},
	} {
		if diff := cmp.Diff(tc.want, h.run(tc.args...)); diff != "" {
			t.Errorf("sysctl %s (-want +got):\n%s", strings.Join(tc.args, " "), diff)
		}
	}
	if h.running || h.starts != 0 {
		t.Errorf("reads started a kernel (starts %d)", h.starts)
	}
}

func TestNameErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want result
	}{
		{"unknown leaf", []string{"net.wg.nope"}, fails("sysctl: third level name 'nope' in 'net.wg.nope' is invalid\n")},
		{"below a leaf", []string{"net.wg.debug.x"}, fails("sysctl: fourth level name 'x' in 'net.wg.debug.x' is invalid\n")},
		{"empty component", []string{"net.wg..debug"}, fails("sysctl: third level name '' in 'net.wg..debug' is invalid\n")},
		{"slashes", []string{"net/wg/nope"}, fails("sysctl: third level name 'nope' in 'net/wg/nope' is invalid\n")},
		{"with a value", []string{"-w", "net.wg.nope=1"}, fails("sysctl: third level name 'nope' in 'net.wg.nope' is invalid\n")},
		{"optional", []string{"-w", "net.wg.nope?=1"}, ok("")},
		{"optional without -w", []string{"net.wg.nope?=1"}, ok("")},
		{"-q", []string{"-q", "net.wg.nope"}, result{Code: 1}},
		// The first bad name ends the run (sysctl.c: EXIT).
		{"stops", []string{"net.wg.debug", "net.wg.nope", "net.wg.rekey_timeout"},
			result{Stdout: "net.wg.debug = 0\n", Stderr: "sysctl: third level name 'nope' in 'net.wg.nope' is invalid\n", Code: 1}},
		{"-A writes errors to stdout", []string{"-A", "net.wg.nope"}, result{Stdout: "sysctl: third level name 'nope' in 'net.wg.nope' is invalid\n", Code: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHost(t)
			if diff := cmp.Diff(tc.want, h.run(tc.args...)); diff != "" {
				t.Errorf("sysctl %s (-want +got):\n%s", strings.Join(tc.args, " "), diff)
			}
		})
	}
}

// TestKernelErrors reads through a kernel that refuses: errors that mean
// "not here" are soft, others plain; neither ends the run.
func TestKernelErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		fail sys.Errno
		args []string
		want result
	}{
		{"soft", sys.ENOENT, []string{"net.wg.debug", "net.wg.rekey_timeout"}, fails(
			"sysctl: net.wg.debug: the value is not available (No such file or directory)\n" +
				"sysctl: net.wg.rekey_timeout: the value is not available (No such file or directory)\n")},
		{"hard", sys.EIO, []string{"net.wg.debug"}, fails("sysctl: net.wg.debug: Input/output error\n")},
		{"node", sys.EIO, []string{"net.wg"}, fails("sysctl: net.wg: Input/output error\n")},
		// -a reports nothing unless -A, and exits 0 (then the host's).
		{"-a", sys.EIO, []string{"-a"}, ok("host: [-a]\n")},
		{"write", sys.EIO, []string{"-w", "net.wg.debug=1", "net.wg.rekey_timeout"}, fails("sysctl: net.wg.debug: Input/output error\n")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHost(t)
			h.fail = tc.fail
			if diff := cmp.Diff(tc.want, h.run(tc.args...)); diff != "" {
				t.Errorf("sysctl %s (-want +got):\n%s", strings.Join(tc.args, " "), diff)
			}
		})
	}
}

// TestBufferGrowth answers with less room than the listing needs: the
// request is asked again with the room the kernel asks for, up to the
// limit.
func TestBufferGrowth(t *testing.T) {
	defer func(f, m int) { firstRoom, maxRoom = f, m }(firstRoom, maxRoom)
	firstRoom = 8
	h := newHost(t)
	if diff := cmp.Diff(ok(defaultListing), h.run("net.wg")); diff != "" {
		t.Errorf("sysctl net.wg with 8 bytes first (-want +got):\n%s", diff)
	}
	maxRoom = 64
	want := fails("sysctl: net.wg: answer of 275 bytes: Cannot allocate memory\n")
	if diff := cmp.Diff(want, h.run("net.wg")); diff != "" {
		t.Errorf("sysctl net.wg over the limit (-want +got):\n%s", diff)
	}
}

func TestUsage(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want result
	}{
		{"no arguments", nil, fails(usageText)},
		{"flags only", []string{"-n"}, fails(usageText)},
		{"unknown flag", []string{"-z", "net.wg.debug"}, fails("sysctl: unknown option -- z\n" + usageText)},
		{"flag after a name", []string{"net.wg.debug", "-f"}, ok("net.wg.debug = 0\nhost: [-f]\n")},
		{"-x and -r", []string{"-x", "-r", "net.wg.debug"}, fails(usageText)},
		{"-a and -q", []string{"-aq"}, fails(usageText)},
		{"-A and -q", []string{"-A", "-q", "net.wg"}, fails(usageText)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHost(t)
			if diff := cmp.Diff(tc.want, h.run(tc.args...)); diff != "" {
				t.Errorf("sysctl %s (-want +got):\n%s", strings.Join(tc.args, " "), diff)
			}
		})
	}
}
