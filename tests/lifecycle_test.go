//go:build linux

package tests

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"nbwg/internal/hosts"
)

// busyLoops occupies both CPUs for the rest of the test, as a loaded
// machine would, to widen the windows races hide in.
func busyLoops(t *testing.T, h *hosts.Host) {
	t.Helper()
	for range 2 {
		h.Start(t, 0, 0, "while :; do :; done")
	}
}

// TestCreateAfterDestroy: the last `ifconfig wg9 destroy` halts the
// kernel, and the `create` (or `ifconfig -C`) right after it races that
// halt.  Each round must succeed, and the interface made must be there
// after: a request is answered by the halting kernel, or by a new one,
// never lost.  200 rounds with both CPUs busy.
func TestCreateAfterDestroy(t *testing.T) {
	hosts.Integration(t)
	h := hosts.New(t, "R")
	busyLoops(t, h)
	round := `ifconfig wg9 create || { echo "round $i: create failed"; exit 1; }
	c=$(ifconfig -C) || { echo "round $i: ifconfig -C failed"; exit 1; }
	[ "$c" = wg ] || { echo "round $i: ifconfig -C: $c"; exit 1; }
	l=$(ifconfig -l) || { echo "round $i: ifconfig -l failed"; exit 1; }
	[ "$l" = wg9 ] || { echo "round $i: after create, ifconfig -l: '$l'"; exit 1; }
	ifconfig wg9 destroy || { echo "round $i: destroy failed"; exit 1; }`
	// 20 rounds a command, so that a slow machine stays within the
	// harness's bound on one command.
	for first := 1; first <= 200; first += 20 {
		script := fmt.Sprintf("for i in $(seq %d %d); do\n\t%s\ndone\necho done", first, first+19, round)
		if r := h.Run(t, script); r.Code != 0 || r.Stdout != "done\n" {
			t.Fatalf("%+v", r)
		}
	}
}

// TestHungKernel: a kernel that does not answer (stopped, here) makes
// every command fail after NBWG_TIMEOUT, naming the kernel's pid and log,
// instead of hanging; once it runs again, so do the commands.
func TestHungKernel(t *testing.T) {
	hosts.Integration(t)
	a := newHostA(t)
	pid := kernelPID(t, a.Host)
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	defer syscall.Kill(pid, syscall.SIGCONT)
	start := time.Now()
	r := a.Run(t, "NBWG_TIMEOUT=1 wgconfig wg0")
	took := time.Since(start)
	want := fmt.Sprintf("wgconfig: ioctl(SIOCGDRVSPEC): the nbwg kernel (pid %d, log ", pid)
	if r.Code != 1 || !strings.HasPrefix(r.Stderr, want) || !strings.Contains(r.Stderr, "did not answer within 1s") {
		t.Errorf("wgconfig wg0 with the kernel stopped: %+v\nwant exit 1 and %q...", r, want)
	}
	t.Logf("gave up after %v", took)
	syscall.Kill(pid, syscall.SIGCONT)
	check(t, a.Host, "wgconfig wg0", out(showAll("wg0", "1234", a.b)))
}

// killKernel SIGKILLs h's kernel and returns its pid once the process
// is gone.
func killKernel(t *testing.T, h *hosts.Host) int {
	t.Helper()
	pid := kernelPID(t, h)
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if err := hosts.Poll(10*time.Second, func() error {
		if err := syscall.Kill(pid, 0); err == nil {
			return fmt.Errorf("pid %d still there", pid)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return pid
}

// TestKilledKernel: after kill -9 the first command says once that the
// kernel died (pid, start, log); the next kernel logs it; no TUN device
// of the dead kernel is left beside the new one's; `nbwgd -s` and the
// rc.d script's status report it.
func TestKilledKernel(t *testing.T) {
	hosts.Integration(t)
	a := newHostA(t)
	pid := killKernel(t, a.Host)
	died := regexp.MustCompile(fmt.Sprintf(`^nbwgd: no kernel runs in this network namespace: the nbwg kernel of this network namespace \(pid %d, started [A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d\) died without halting, and its interfaces with it; see /\S+\.log\n$`, pid))
	if r := a.Run(t, "nbwgd -s"); r.Code != 1 || !died.MatchString(r.Stdout) {
		t.Errorf("nbwgd -s after the kill: %+v", r)
	}
	if r := a.Run(t, "ip -o link show wg0"); r.Code == 0 {
		t.Errorf("the dead kernel's TUN device is still there: %s", r.Stdout)
	}
	// The first command says so, once; the rest as NetBSD without the
	// interface.
	notice := fmt.Sprintf("wgconfig: the nbwg kernel of this network namespace (pid %d, started ", pid)
	r := a.Run(t, "wgconfig wg0")
	if r.Code != 1 || !strings.HasPrefix(r.Stderr, notice) || !strings.HasSuffix(r.Stderr, "\nwgconfig: ioctl(SIOCGDRVSPEC): Device not configured\n") {
		t.Errorf("first command after the kill: %+v", r)
	}
	check(t, a.Host, "wgconfig wg0", fails("wgconfig: ioctl(SIOCGDRVSPEC): Device not configured\n"))

	// Configured again, one wg0 (the new kernel's), and the new kernel
	// logged what happened.
	newHostAConfig(t, a)
	if n := strings.Count(a.MustRun(t, "ip -o link show"), ": wg0:"); n != 1 {
		t.Errorf("%d wg0 devices", n)
	}
	if newPID := kernelPID(t, a.Host); newPID == pid {
		t.Errorf("the kernel was not replaced")
	}
	logs, _ := filepath.Glob(filepath.Join(os.TempDir(), "nbwg-test-log-"+a.NS, "*.log"))
	var log []byte
	for _, f := range logs {
		b, _ := os.ReadFile(f)
		log = append(log, b...)
	}
	if want := fmt.Sprintf("the previous kernel of this namespace (pid %d, started ", pid); !strings.Contains(string(log), want) {
		t.Errorf("the new kernel's log does not say %q:\n%s", want, log)
	}
	if r := a.Run(t, "nbwgd -s"); r.Code != 0 || !strings.Contains(r.Stdout, " runs in this network namespace") {
		t.Errorf("nbwgd -s with a kernel running: %+v", r)
	}
}

// TestRecordOfAGoneNamespace: Linux gives a new network namespace the
// inode number of one that is gone, and so the kernel directory
// (/run/nbwg/net-INODE) that a killed kernel left.  Its record names
// the namespace by cookie (SO_NETNS_COOKIE, never given twice): a record
// of another namespace is not reported as this one's kernel dying, by
// the commands, nbwgd -s, or the next kernel's log.  (Seen when a test
// run that was killed left namespaces whose inodes the next run's got.)
func TestRecordOfAGoneNamespace(t *testing.T) {
	hosts.Integration(t)
	a := newHostA(t)
	pid := killKernel(t, a.Host)
	// The record as a kernel of another namespace with this inode left it.
	a.MustRun(t, `d=/run/nbwg/net-$(stat -L -c %i /proc/self/ns/net) && grep -q '^netns [1-9]' $d/kernel && sed -i 's/^netns .*/netns 1/' $d/kernel`)
	if r := a.Run(t, "nbwgd -s"); r.Code != 1 || r.Stdout != "nbwgd: no kernel runs in this network namespace\n" {
		t.Errorf("nbwgd -s: %+v", r)
	}
	check(t, a.Host, "wgconfig wg0", fails("wgconfig: ioctl(SIOCGDRVSPEC): Device not configured\n"))
	newHostAConfig(t, a)
	logs, _ := filepath.Glob(filepath.Join(os.TempDir(), "nbwg-test-log-"+a.NS, "*.log"))
	for _, f := range logs {
		if b, _ := os.ReadFile(f); strings.Contains(string(b), fmt.Sprintf("the previous kernel of this namespace (pid %d", pid)) {
			t.Errorf("the new kernel took the record of another namespace for its own:\n%s", b)
		}
	}
}

// TestRCStatusDeadKernel: the rc.d script's status names a kernel that
// died as the reason its interfaces are missing.
func TestRCStatusDeadKernel(t *testing.T) {
	hosts.Integration(t)
	a := newHostA(t)
	etc := t.TempDir()
	if err := os.WriteFile(filepath.Join(etc, "ifconfig.wg0"), []byte("up\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	script := fmt.Sprintf("NBWG_ETC=%s %s status", etc, filepath.Join(hosts.ModuleRoot(t), "rc.d", "network"))
	if diff := cmp.Diff(out("wg0 is up.\n"), a.Run(t, script)); diff != "" {
		t.Errorf("status with the kernel running (-want +got):\n%s", diff)
	}
	killKernel(t, a.Host)
	r := a.Run(t, script)
	if r.Code != 1 || !strings.HasPrefix(r.Stdout, "wg0 does not exist.\nnbwgd: no kernel runs in this network namespace: the nbwg kernel of this network namespace (pid ") {
		t.Errorf("status after the kernel died: %+v", r)
	}
}
