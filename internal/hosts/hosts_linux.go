//go:build linux

// Package hosts gives integration tests emulated NetBSD hosts: each Host is
// a Linux network namespace of the test's own, with nbwg's commands first
// on PATH and a private /etc/wg, so that tests run an administrator's
// commands verbatim.  Everything a test creates is removed when it ends,
// even when it fails: the namespaces, the processes in them (the emulated
// kernels), and the per-host files.
package hosts

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// CommandTimeout bounds every command a test runs on a host.
const CommandTimeout = 60 * time.Second

// Host is one emulated NetBSD host.
type Host struct {
	Name string // the test's name for it, e.g. "A"
	NS   string // the network namespace
	bin  string
	// Etc is this host's private /etc overlay: files under it appear in
	// /etc for commands run on the host (ip netns exec's /etc/netns).
	Etc string
}

// Skip ends t unless it can create hosts: it is an integration test
// (Integration: skipped under -short, needs root) and needs iproute2.
func Skip(t testing.TB) {
	t.Helper()
	Integration(t)
	LookPath(t, "ip", "iproute2")
}

// New creates a host.  Its /etc/wg is private (Etc/wg), so two hosts can
// each keep keys at /etc/wg/wg0 as wg(4)'s EXAMPLES do.  It calls Skip
// first: under -short it makes nothing.
func New(t testing.TB, name string) *Host {
	t.Helper()
	Skip(t)
	bin := Bin(t)
	var rnd [4]byte
	rand.Read(rnd[:])
	h := &Host{Name: name, NS: "nbwg-" + hex.EncodeToString(rnd[:]) + "-" + name, bin: bin}
	if out, err := exec.Command("ip", "netns", "add", h.NS).CombinedOutput(); err != nil {
		t.Fatalf("ip netns add %s: %v: %s", h.NS, err, out)
	}
	h.Etc = filepath.Join("/etc/netns", h.NS)
	t.Cleanup(func() { h.remove(t) })
	if err := addEtc(h.Etc); err != nil {
		t.Fatal(err)
	}
	h.MustRun(t, "ip link set lo up")
	return h
}

// Hosts of every test process share the machine's /etc/wg mount point
// and /etc/netns, so creating and removing them is serialized across
// processes with a lock file (go test runs packages in parallel).
const (
	hostsLock   = "/run/nbwg-test-hosts.lock"
	etcWgMarker = "/run/nbwg-test-made-etc-wg"
)

func withHostsLock(fn func() error) error {
	f, err := os.OpenFile(hostsLock, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		return err
	}
	defer syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	return fn()
}

// addEtc gives a host its private /etc and makes sure /etc/wg exists,
// so ip netns exec can mount the host's copy over it.  A /etc/wg the
// tests had to create is removed by removeEtc once no test host is left.
func addEtc(dir string) error {
	return withHostsLock(func() error {
		if err := os.MkdirAll(filepath.Join(dir, "wg"), 0o700); err != nil {
			return err
		}
		if _, err := os.Stat("/etc/wg"); errors.Is(err, os.ErrNotExist) {
			if err := os.Mkdir("/etc/wg", 0o700); err != nil {
				return err
			}
			return os.WriteFile(etcWgMarker, nil, 0o600)
		}
		return nil
	})
}

func removeEtc(dir string) error {
	return withHostsLock(func() error {
		if err := os.RemoveAll(dir); err != nil {
			return err
		}
		others, _ := filepath.Glob("/etc/netns/nbwg-*")
		if len(others) > 0 {
			return nil
		}
		if _, err := os.Stat(etcWgMarker); err == nil {
			os.Remove("/etc/wg") // only if still empty
			os.Remove(etcWgMarker)
		}
		return nil
	})
}

func (h *Host) remove(t testing.TB) {
	// The kernel's directory in /run/nbwg is named after the
	// namespace's inode; a kernel killed below cannot remove it.
	var st syscall.Stat_t
	runDir := ""
	if syscall.Stat(filepath.Join("/run/netns", h.NS), &st) == nil {
		runDir = filepath.Join("/run/nbwg", fmt.Sprintf("net-%d", st.Ino))
	}
	// SIGTERM first, so that a kernel halts as it does on shutdown and
	// takes away what it made outside the namespace (its userspace API
	// links in /var/run/wireguard and /etc, kernel/uapi); then SIGKILL
	// what is left, a stopped kernel among them.
	signalAll := func(sig syscall.Signal) bool {
		out, _ := exec.Command("ip", "netns", "pids", h.NS).Output()
		found := false
		for _, f := range strings.Fields(string(out)) {
			if pid, err := strconv.Atoi(f); err == nil && pid != os.Getpid() {
				syscall.Kill(pid, sig)
				found = true
			}
		}
		return found
	}
	if signalAll(syscall.SIGTERM) {
		for end := time.Now().Add(2 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
			out, _ := exec.Command("ip", "netns", "pids", h.NS).Output()
			if len(bytes.TrimSpace(out)) == 0 {
				break
			}
		}
	}
	signalAll(syscall.SIGKILL)
	// The kernel's TUN devices go with its process; give it a moment.
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		out, _ := exec.Command("ip", "netns", "pids", h.NS).Output()
		if len(bytes.TrimSpace(out)) == 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if out, err := exec.Command("ip", "netns", "del", h.NS).CombinedOutput(); err != nil {
		t.Errorf("ip netns del %s: %v: %s", h.NS, err, out)
	}
	if runDir != "" {
		os.RemoveAll(runDir)
	}
	os.RemoveAll(h.logDir())
	if err := removeEtc(h.Etc); err != nil {
		t.Errorf("remove %s: %v", h.Etc, err)
	}
}

// logDir is where the host's kernel writes its log (nbwgd(8)).
func (h *Host) logDir() string { return filepath.Join(os.TempDir(), "nbwg-test-log-"+h.NS) }

// Run runs a shell script on the host as root, with nbwg's commands first
// on PATH, and returns its output and exit status.
func (h *Host) Run(t testing.TB, script string) Result {
	t.Helper()
	return h.run(t, nil, script)
}

// RunAs runs a script on the host as another user (uid and gid).
func (h *Host) RunAs(t testing.TB, uid int, script string) Result {
	t.Helper()
	return h.run(t, &syscall.Credential{Uid: uint32(uid), Gid: uint32(uid)}, script)
}

func (h *Host) run(t testing.TB, cred *syscall.Credential, script string) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), CommandTimeout)
	defer cancel()
	path := h.bin + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	args := []string{"netns", "exec", h.NS, "env", "PATH=" + path, "HOME=/root", "LC_ALL=C",
		// The host's kernel logs where the host's other files are.
		"NBWG_LOGDIR=" + h.logDir()}
	if cred != nil {
		// ip netns exec needs root; drop privileges inside it.
		args = append(args, "setpriv", fmt.Sprintf("--reuid=%d", cred.Uid), fmt.Sprintf("--regid=%d", cred.Gid), "--clear-groups")
	}
	args = append(args, "sh", "-c", script)
	cmd := exec.CommandContext(ctx, "ip", args...)
	cmd.WaitDelay = 5 * time.Second
	r, err := Exec(cmd)
	if err != nil {
		t.Fatalf("%s: running %q: %v", h.Name, script, err)
	}
	if ctx.Err() != nil {
		t.Fatalf("%s: %q took longer than %v", h.Name, script, CommandTimeout)
	}
	return r
}

// MustRun runs a script and fails the test unless it exits 0.
func (h *Host) MustRun(t testing.TB, script string) string {
	t.Helper()
	r := h.Run(t, script)
	if r.Code != 0 {
		t.Fatalf("%s: %q exited %d\nstdout:\n%s\nstderr:\n%s", h.Name, script, r.Code, r.Stdout, r.Stderr)
	}
	return r.Stdout
}

// Link joins two hosts with a veth pair, named after the peer host, and
// gives each end its address (with prefix length); each host gets a
// route to the other's address over the link, so that addresses from
// different subnets (as in wg(4)'s EXAMPLES) reach each other.
func Link(t testing.TB, a *Host, aAddr string, b *Host, bAddr string) {
	t.Helper()
	aIf, bIf := "v"+b.Name, "v"+a.Name
	if out, err := exec.Command("ip", "link", "add", aIf, "netns", a.NS, "type", "veth", "peer", "name", bIf, "netns", b.NS).CombinedOutput(); err != nil {
		t.Fatalf("ip link add veth: %v: %s", err, out)
	}
	for _, side := range []struct {
		h         *Host
		ifname    string
		addr, dst string
	}{{a, aIf, aAddr, bAddr}, {b, bIf, bAddr, aAddr}} {
		fam := ""
		if strings.Contains(side.addr, ":") {
			fam = "-6 "
		}
		dst := side.dst[:strings.IndexByte(side.dst, '/')]
		side.h.MustRun(t, fmt.Sprintf("ip %saddr add %s dev %s nodad 2>/dev/null || ip %saddr add %s dev %s", fam, side.addr, side.ifname, fam, side.addr, side.ifname))
		side.h.MustRun(t, fmt.Sprintf("ip link set %s up && ip %sroute replace %s dev %s", side.ifname, fam, dst, side.ifname))
	}
}

// Ping pings addr from the host until a reply comes or timeout passes:
// the first packets through a tunnel wait for its handshake.  The error
// names the host and the address, with the last attempt's output.
func (h *Host) Ping(t testing.TB, addr string, timeout time.Duration) error {
	t.Helper()
	fam := ""
	if strings.Contains(addr, ":") {
		fam = "-6 "
	}
	var last Result
	err := Poll(timeout, func() error {
		last = h.Run(t, fmt.Sprintf("ping %s-n -c 1 -W 1 %s", fam, addr))
		if last.Code != 0 {
			return fmt.Errorf("exit status %d", last.Code)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s# ping %s: %v\n%s%s", h.Name, addr, err, last.Stdout, last.Stderr)
	}
	return nil
}

// WriteFile writes a file into the host's private /etc (path relative to
// /etc, e.g. "wg/wg0").
func (h *Host) WriteFile(t testing.TB, rel string, data []byte, perm os.FileMode) {
	t.Helper()
	p := filepath.Join(h.Etc, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, perm); err != nil {
		t.Fatal(err)
	}
}

// ReadFile returns the text of a file of the host's private /etc (path
// relative to /etc, e.g. "wg/wg0.pub").
func (h *Host) ReadFile(t testing.TB, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(h.Etc, rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Poll runs check until it returns nil or the timeout passes, and returns
// the last error.
func Poll(timeout time.Duration, check func() error) error {
	deadline := time.Now().Add(timeout)
	for {
		err := check()
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}
