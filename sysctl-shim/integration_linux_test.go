//go:build linux

package main

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"nbwg/internal/hosts"
)

// The integration test runs the built sysctl in network namespaces
// (internal/hosts), each with a kernel (nbwgd) of its own once a write
// starts it.  It needs root and skips without it.

func TestMain(m *testing.M) { hosts.Main(m) }

// kernelRuns reports whether a process (the kernel) runs in the host's
// namespace.
func kernelRuns(t *testing.T, h *hosts.Host) bool {
	t.Helper()
	out, err := exec.Command("ip", "netns", "pids", h.NS).Output()
	if err != nil {
		t.Fatalf("ip netns pids %s: %v", h.NS, err)
	}
	return strings.TrimSpace(string(out)) != ""
}

func TestInNamespace(t *testing.T) {
	a, b := hosts.New(t, "A"), hosts.New(t, "B")
	expect := func(h *hosts.Host, script, want string) {
		t.Helper()
		if diff := cmp.Diff(want, h.MustRun(t, script)); diff != "" {
			t.Errorf("%s: %s (-want +got):\n%s", h.Name, script, diff)
		}
	}

	// Before any kernel runs, reads answer the defaults and start none.
	expect(a, "sysctl net.wg.rekey_after_time", "net.wg.rekey_after_time = 120\n")
	if kernelRuns(t, a) {
		t.Fatal("a read started the kernel")
	}
	// Nobody cannot write, and starts no kernel trying.
	want := hosts.Result{Stderr: "sysctl: net.wg.rekey_after_time: Operation not permitted\n", Code: 1}
	if diff := cmp.Diff(want, a.RunAs(t, 65534, "sysctl -w net.wg.rekey_after_time=3")); diff != "" {
		t.Errorf("nobody's write without a kernel (-want +got):\n%s", diff)
	}
	if kernelRuns(t, a) {
		t.Fatal("nobody's write started the kernel")
	}

	// Root's write starts the namespace's kernel, which keeps the value.
	expect(a, "sysctl -w net.wg.rekey_after_time=3", "net.wg.rekey_after_time: 120 -> 3\n")
	if !kernelRuns(t, a) {
		t.Fatal("the write started no kernel")
	}
	expect(a, "sysctl net.wg.rekey_after_time", "net.wg.rekey_after_time = 3\n")
	expect(a, "sysctl -n net.wg.keepalive_timeout", "10\n")
	if diff := cmp.Diff(want, a.RunAs(t, 65534, "sysctl -w net.wg.rekey_after_time=4")); diff != "" {
		t.Errorf("nobody's write (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(hosts.Result{Stdout: "3\n"}, a.RunAs(t, 65534, "sysctl -n net.wg.rekey_after_time")); diff != "" {
		t.Errorf("nobody's read (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(hosts.Result{Stderr: "sysctl: net.wg.rekey_timeout: Invalid argument\n", Code: 1},
		a.Run(t, "sysctl -w net.wg.rekey_timeout=0")); diff != "" {
		t.Errorf("refused value (-want +got):\n%s", diff)
	}

	// Other names are the host's sysctl's, answered as it answers them
	// in the namespace, alone or after names of ours.
	host := a.MustRun(t, "/sbin/sysctl kernel.ostype net.ipv4.ip_forward")
	if !strings.HasPrefix(host, "kernel.ostype = Linux\n") {
		t.Fatalf("the host's sysctl says %q", host)
	}
	expect(a, "sysctl kernel.ostype net.ipv4.ip_forward", host)
	expect(a, "sysctl net.wg.rekey_after_time kernel.ostype net.ipv4.ip_forward", "net.wg.rekey_after_time = 3\n"+host)
	if got := a.Run(t, "sysctl kernel.nope"); got.Code == 0 || got.Stderr == "" {
		t.Errorf("the host's sysctl found kernel.nope: %+v", got)
	}

	// Another namespace is another host, with its own values.
	expect(b, "sysctl -n net.wg.rekey_after_time", "120\n")
}
