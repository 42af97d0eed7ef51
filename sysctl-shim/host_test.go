package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"nbwg/kernel/sys"
)

// TestHandOff checks which names go to the host's sysctl (the fake
// prints its arguments), with which arguments, and whether it takes over
// the process (exec) or runs as a child after errors of ours.
func TestHandOff(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want result
		exec bool
	}{
		{"host name", []string{"kernel.hostname"}, ok("host: [kernel.hostname]\n"), true},
		{"flags unchanged", []string{"-n", "net.ipv4.ip_forward", "kernel.ostype"}, ok("host: [-n] [net.ipv4.ip_forward] [kernel.ostype]\n"), true},
		{"Linux flags", []string{"-p", "/etc/sysctl.conf"}, ok("host: [-p] [/etc/sysctl.conf]\n"), true},
		{"Linux long flag", []string{"--system"}, ok("host: [--system]\n"), true},
		{"-f without a file", []string{"-f"}, ok("host: [-f]\n"), true},
		{"net alone", []string{"net"}, ok("host: [net]\n"), true},
		{"net.wgx", []string{"net.wgx.debug"}, ok("host: [net.wgx.debug]\n"), true},
		{"double separator", []string{"//create=net.wg.x"}, ok("host: [//create=net.wg.x]\n"), true},
		{"host status", []string{"kernel.nope"}, result{Stdout: "host: [kernel.nope]\n", Stderr: "sysctl: cannot stat /proc/sys/kernel/nope\n", Code: 3}, true},
		{"mixed", []string{"-n", "kernel.a", "net.wg.debug", "kernel.b", "net.wg.rekey_timeout"},
			ok("0\n5\nhost: [-n] [kernel.a] [kernel.b]\n"), true},
		{"mixed write", []string{"-w", "net.ipv4.ip_forward=1", "net.wg.debug=1"},
			ok("net.wg.debug: 0 -> 1\nhost: [-w] [net.ipv4.ip_forward=1]\n"), true},
		{"mixed, host fails", []string{"net.wg.debug", "kernel.nope"},
			result{Stdout: "net.wg.debug = 0\nhost: [kernel.nope]\n", Stderr: "sysctl: cannot stat /proc/sys/kernel/nope\n", Code: 3}, true},
		// A fatal error of ours ends the run before the host's turn.
		{"mixed, fatal error", []string{"kernel.a", "net.wg.nope"},
			fails("sysctl: third level name 'nope' in 'net.wg.nope' is invalid\n"), false},
		{"-a", []string{"-a"}, ok(defaultListing + "host: [-a]\n"), true},
		{"-A", []string{"-A"}, ok(defaultListing + "host: [-A]\n"), true},
		{"-an", []string{"-an", "kernel.x"}, ok("1152921504606846976\n18446744073709543423\n120\n180\n5\n90\n10\n0\n0\n" +
			"host: [-an] [kernel.x]\n"), true},
		{"-ae", []string{"-a", "-e"}, ok(strings.ReplaceAll(defaultListing, " = ", "=") + "host: [-a] [-e]\n"), true},
		// Linux's sysctl has no descriptions, reads -d as -h and -r
		// as a pattern, and has no MIB for -M.
		{"-d alone", []string{"-d"}, ok(descriptions), false},
		{"-a -d", []string{"-a", "-d"}, ok(descriptions), false},
		{"-M alone", []string{"-M"}, ok(""), false},
		{"-ar", []string{"-ar", "-n"}, ok("\x00\x00\x00\x00\x00\x00\x00\x10\xff\xdf\xff\xff\xff\xff\xff\xff" +
			"\x78\x00\x00\x00\xb4\x00\x00\x00\x05\x00\x00\x00\x5a\x00\x00\x00\x0a\x00\x00\x00\x00\x00\x00\x00\x00"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHost(t)
			if tc.name == "-ar" && !littleEndian() {
				t.Skip("skipping: the raw values are little-endian")
			}
			if diff := cmp.Diff(tc.want, h.run(tc.args...)); diff != "" {
				t.Errorf("sysctl %s (-want +got):\n%s", strings.Join(tc.args, " "), diff)
			}
			if got := h.execs == 1; got != tc.exec {
				t.Errorf("host sysctl took over the process: %v, want %v", got, tc.exec)
			}
		})
	}
}

// TestHandOffAfterError runs the host's sysctl as a child after a
// non-fatal error of ours, and fails whatever it returns.
func TestHandOffAfterError(t *testing.T) {
	h := newHost(t)
	h.fail = sys.EIO
	want := result{Stdout: "host: [kernel.a]\n", Stderr: "sysctl: net.wg.debug: Input/output error\n", Code: 1}
	if diff := cmp.Diff(want, h.run("net.wg.debug", "kernel.a")); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if h.execs != 0 {
		t.Errorf("host sysctl took over the process after an error")
	}
}

func littleEndian() bool { return rawBytes(0, 1)[0] == 1 }

// TestFindHostSysctl finds the host's sysctl in the directories and on
// $PATH, skipping this program itself.
func TestFindHostSysctl(t *testing.T) {
	oldPath, oldDirs := hostSysctlPath, hostSysctlDirs
	defer func() { hostSysctlPath, hostSysctlDirs = oldPath, oldDirs }()
	hostSysctlPath = ""
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	mine, empty, notExec, theirs, onPath := filepath.Join(tmp, "mine"), filepath.Join(tmp, "empty"),
		filepath.Join(tmp, "noexec"), filepath.Join(tmp, "theirs"), filepath.Join(tmp, "path")
	for _, d := range []string{mine, empty, notExec, theirs, onPath} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// This program, installed as sysctl (a link to the test binary).
	if err := os.Symlink(self, filepath.Join(mine, "sysctl")); err != nil {
		t.Fatal(err)
	}
	write := func(path string, mode os.FileMode) {
		if err := os.WriteFile(path, []byte(fakeScript), mode); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(notExec, "sysctl"), 0o644)
	write(filepath.Join(theirs, "sysctl"), 0o755)
	write(filepath.Join(onPath, "sysctl"), 0o755)

	for _, tc := range []struct {
		name string
		dirs []string
		path string
		want string
	}{
		{"first that is not this one", []string{mine, empty, notExec, theirs}, onPath, filepath.Join(theirs, "sysctl")},
		{"then $PATH", []string{mine}, mine + ":" + onPath, filepath.Join(onPath, "sysctl")},
		{"none", []string{mine, notExec}, mine, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hostSysctlDirs = tc.dirs
			t.Setenv("PATH", tc.path)
			got, err := findHostSysctl()
			if tc.want == "" {
				if err == nil {
					t.Errorf("found %s, want none", got)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("found %q, %v; want %q", got, err, tc.want)
			}
		})
	}

	// With none found, sysctl says so.
	hostSysctlDirs = []string{mine}
	t.Setenv("PATH", mine)
	h := newHost(t) // points hostSysctlPath at a fake: undo that
	hostSysctlPath = ""
	want := fails("sysctl: no sysctl of the host's (other than this one) in /sbin, /usr/sbin or $PATH\n")
	if diff := cmp.Diff(want, h.run("kernel.ostype")); diff != "" {
		t.Errorf("no host sysctl (-want +got):\n%s", diff)
	}
}
