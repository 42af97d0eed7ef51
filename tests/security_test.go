//go:build linux

package tests

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"nbwg/internal/hosts"
)

// The emulated kernel's socket is a trust boundary that every local user
// can reach (nbwgd(8) "The socket").  These tests play the hostile user,
// nobody, with tests/internal/rawcarrier.

func rawcarrier(t *testing.T) string {
	t.Helper()
	return hosts.Tool(t, "./tests/internal/rawcarrier")
}

// nsDir is the host's kernel directory, /run/nbwg/net-INODE.
func nsDir(t *testing.T, h *hosts.Host) string {
	t.Helper()
	var st syscall.Stat_t
	if err := syscall.Stat(filepath.Join("/run/netns", h.NS), &st); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("/run/nbwg/net-%d", st.Ino)
}

// readBytes sums the "read N" lines of a squatter.
func readBytes(out string) int {
	n := 0
	for _, m := range regexp.MustCompile(`read (\d+)`).FindAllStringSubmatch(out, -1) {
		k, _ := strconv.Atoi(m[1])
		n += k
	}
	return n
}

// TestSquatterOnLegacyAddress: nobody binds the abstract name the kernel
// used to listen on before anything runs.  Root's commands do not go
// there: they work, and the squatter receives nothing.
func TestSquatterOnLegacyAddress(t *testing.T) {
	hosts.Integration(t)
	h := hosts.New(t, "S")
	squatter := h.Start(t, nobody, 0, rawcarrier(t)+" squat @nbwg/kernel")
	squatter.WaitFor(t, "listening", 10*time.Second)
	h.WriteFile(t, "wg/wg0", []byte(newKeyPair(t).priv+"\n"), 0o600)
	quiet(t, h, "ifconfig wg0 create")
	quiet(t, h, "wgconfig wg0 set private-key /etc/wg/wg0")
	if got := squatter.Stop(); readBytes(got.Stdout) != 0 {
		t.Errorf("the squatter received %d bytes", readBytes(got.Stdout))
	}
}

// TestSquatterOnKernelDirectory: the kernel's directory exists but is
// not root's (made by an administrator's mistake, or on a system whose
// /run others can write), and nobody listens where the kernel would.
// Root's commands refuse to talk to it and say so; the squatter receives
// no byte of any key; nbwgd refuses to start and names the cause.
func TestSquatterOnKernelDirectory(t *testing.T) {
	hosts.Integration(t)
	h := hosts.New(t, "S")
	dir := nsDir(t, h)
	if err := os.MkdirAll("/run/nbwg", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chown(dir, nobody, nobody); err != nil {
		t.Fatal(err)
	}
	squatter := h.Start(t, nobody, 0, rawcarrier(t)+" squat "+dir+"/kernel.sock")
	squatter.WaitFor(t, "listening", 10*time.Second)
	h.WriteFile(t, "wg/wg0", []byte(newKeyPair(t).priv+"\n"), 0o600)

	want := "someone else holds the nbwg kernel's address " + dir + ": the directory belongs to uid 65534, not root; refusing to use it (remove it)"
	for _, script := range []string{"ifconfig wg0 create", "wgconfig wg0 set private-key /etc/wg/wg0", "wgconfig wg0"} {
		r := h.Run(t, script)
		if r.Code == 0 || !strings.Contains(r.Stderr, want) {
			t.Errorf("%s: %+v, want a failure saying %q", script, r, want)
		}
	}
	r := h.Run(t, "nbwgd")
	if r.Code != 1 || !strings.Contains(r.Stderr, want) {
		t.Errorf("nbwgd: %+v, want exit 1 saying %q", r, want)
	}
	if got := squatter.Stop(); readBytes(got.Stdout) != 0 {
		t.Errorf("the squatter received %d bytes", readBytes(got.Stdout))
	}
}

// TestSquatterOnChosenAddress: at an address NBWG_SOCKET names, which has
// no directory to protect it, the client checks who listens: a process
// of nobody's is refused before anything is sent, and nbwgd reports it.
func TestSquatterOnChosenAddress(t *testing.T) {
	hosts.Integration(t)
	h := hosts.New(t, "S")
	squatter := h.Start(t, nobody, 0, rawcarrier(t)+" squat @nbwg-squat-test")
	squatter.WaitFor(t, "listening", 10*time.Second)
	h.WriteFile(t, "wg/wg0", []byte(newKeyPair(t).priv+"\n"), 0o600)
	want := "someone else holds the nbwg kernel's address @nbwg-squat-test: it is held by uid 65534, pid "
	for _, script := range []string{"ifconfig wg0 create", "wgconfig wg0 set private-key /etc/wg/wg0"} {
		r := h.Run(t, "NBWG_SOCKET=@nbwg-squat-test "+script)
		if r.Code == 0 || !strings.Contains(r.Stderr, want) || !strings.Contains(r.Stderr, "rawcarrier") {
			t.Errorf("%s: %+v, want a failure saying %q", script, r, want)
		}
	}
	r := h.Run(t, "NBWG_SOCKET=@nbwg-squat-test nbwgd")
	if r.Code != 1 || !strings.Contains(r.Stderr, want) {
		t.Errorf("nbwgd: %+v, want exit 1 saying %q", r, want)
	}
	if got := squatter.Stop(); readBytes(got.Stdout) != 0 {
		t.Errorf("the squatter received %d bytes", readBytes(got.Stdout))
	}
}

// kernelPID is the pid of the host's kernel, from its directory.
func kernelPID(t *testing.T, h *hosts.Host) int {
	t.Helper()
	b, err := os.ReadFile(nsDir(t, h) + "/kernel")
	if err != nil {
		t.Fatal(err)
	}
	var pid int
	fmt.Sscanf(string(b), "pid %d", &pid)
	if pid == 0 {
		t.Fatalf("no pid in %q", b)
	}
	return pid
}

// rssKB is a process's resident set, in KiB.
func rssKB(t *testing.T, pid int) int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`VmRSS:\s+(\d+) kB`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("no VmRSS in /proc/%d/status", pid)
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

// TestConnectionFlood: nobody opens 20,000 connections to the kernel as
// fast as it can and holds them.  The kernel keeps its interfaces and
// keeps serving root, and stays the same process.
func TestConnectionFlood(t *testing.T) {
	hosts.Integration(t)
	a := newHostA(t)
	before := a.state(t)
	pid := kernelPID(t, a.Host)
	flood := a.Start(t, nobody, 0, rawcarrier(t)+" flood 20000 20")
	flood.WaitFor(t, "opened", 30*time.Second)
	if diff := cmp.Diff(before, a.state(t)); diff != "" {
		t.Errorf("during the flood (-before +during):\n%s", diff)
	}
	quiet(t, a.Host, "ifconfig wg1 create")
	quiet(t, a.Host, "ifconfig wg1 destroy")
	if got := kernelPID(t, a.Host); got != pid {
		t.Errorf("the kernel changed: pid %d, was %d", got, pid)
	}
	t.Logf("flood: %s", strings.TrimSpace(flood.Stop().Stdout))
	if diff := cmp.Diff(before, a.state(t)); diff != "" {
		t.Errorf("after the flood (-before +after):\n%s", diff)
	}
}

// maxHeaderGrowthKB is the documented bound on what 12 connections
// announcing 64 MiB buffers may cost the kernel: each keeps at most
// sys.MaxCopyIn (4 KiB for nobody) of a request.
const maxHeaderGrowthKB = 16 << 10

// TestBigHeaders: nobody announces 64 MiB buffers on 12 connections and
// sends them slowly.  The kernel does not allocate them: its resident
// set grows by less than maxHeaderGrowthKB, and it serves root meanwhile.
func TestBigHeaders(t *testing.T) {
	hosts.Integration(t)
	a := newHostA(t)
	before := a.state(t)
	pid := kernelPID(t, a.Host)
	rss0 := rssKB(t, pid)
	p := a.Start(t, nobody, 0, rawcarrier(t)+" bigheader 12 3")
	p.WaitFor(t, "sent", 10*time.Second)
	peak := rss0
	for range 30 {
		peak = max(peak, rssKB(t, pid))
		time.Sleep(100 * time.Millisecond)
	}
	if diff := cmp.Diff(before, a.state(t)); diff != "" {
		t.Errorf("during (-before +during):\n%s", diff)
	}
	p.Stop()
	t.Logf("kernel RSS %d KiB before, %d KiB at most during", rss0, peak)
	if peak-rss0 > maxHeaderGrowthKB {
		t.Errorf("the kernel grew by %d KiB for 12 headers announcing 64 MiB; the bound is %d KiB", peak-rss0, maxHeaderGrowthKB)
	}
}

// TestStalledClientDoesNotBlock: a connection stopped in the middle of a
// request holds up nobody else.
func TestStalledClientDoesNotBlock(t *testing.T) {
	hosts.Integration(t)
	a := newHostA(t)
	p := a.Start(t, nobody, 0, rawcarrier(t)+" stall 30")
	p.WaitFor(t, "stalled", 10*time.Second)
	check(t, a.Host, "NBWG_TIMEOUT=5 wgconfig wg0", out(showAll("wg0", "1234", a.b)))
	quiet(t, a.Host, "NBWG_TIMEOUT=5 wgconfig wg0 set listen-port 1235")
}

// TestRawSetRequests: every request that changes the kernel, sent raw by
// nobody, is refused with EPERM (a routing message with EACCES, as
// NetBSD's routing socket refuses it) and changes nothing; every GET
// nobody makes omits the keys.  The same requests from root change the
// state, so the refusals are about who asks.
func TestRawSetRequests(t *testing.T) {
	hosts.Integration(t)
	a := newHostA(t)
	tool := rawcarrier(t)
	state := func() string { return a.state(t) + a.MustRun(t, "sysctl net.wg; route -n show; ip route") }
	before := state()
	r := a.RunAs(t, nobody, tool+" set wg0")
	if r.Code != 0 {
		t.Fatalf("rawcarrier set as nobody: %+v", r)
	}
	lines := strings.Split(strings.TrimSpace(r.Stdout), "\n")
	if len(lines) < 19 {
		t.Fatalf("only %d requests made:\n%s", len(lines), r.Stdout)
	}
	for _, l := range lines {
		want := " 1"
		if strings.HasPrefix(l, "route ") {
			want = " 13"
		}
		if !strings.HasSuffix(l, want) {
			t.Errorf("as nobody: %s, want errno%s", l, want)
		}
	}
	if diff := cmp.Diff(before, state()); diff != "" {
		t.Errorf("nobody's requests changed the state (-before +after):\n%s", diff)
	}
	xml := a.RunAs(t, nobody, tool+" get wg0")
	if xml.Code != 0 || !strings.Contains(xml.Stdout, "<key>public_key</key>") {
		t.Fatalf("rawcarrier get as nobody: %+v", xml)
	}
	for _, secret := range []string{"private_key", "preshared_key"} {
		if strings.Contains(xml.Stdout, secret) {
			t.Errorf("nobody's GET holds %s:\n%s", secret, xml.Stdout)
		}
	}
	if root := a.MustRun(t, tool+" get wg0"); !strings.Contains(root, "private_key") || !strings.Contains(root, "preshared_key") {
		t.Errorf("root's GET lacks the keys (the check above proves nothing):\n%s", root)
	}

	// Root, as the control: the same requests are not refused (they
	// destroy wg0 and create wg7, among others).
	r = a.Run(t, tool+" set wg0")
	for _, l := range strings.Split(strings.TrimSpace(r.Stdout), "\n") {
		if strings.HasSuffix(l, " 1") {
			t.Errorf("as root: %s", l)
		}
	}
	for _, want := range []string{"WG_IOCTL_SET_LISTEN_PORT 0", "route add 0", "route change 0", "route delete 0", "SIOCIFCREATE 0", "SIOCIFDESTROY 0", "sysctl -w net.wg.debug 0"} {
		if !strings.Contains(r.Stdout, want) {
			t.Errorf("as root: no %q in\n%s", want, r.Stdout)
		}
	}
}
