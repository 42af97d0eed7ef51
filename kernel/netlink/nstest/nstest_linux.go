//go:build linux

package nstest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"nbwg/internal/hosts"
)

// cmdTimeout bounds every command the helper runs.
const cmdTimeout = 20 * time.Second

// Namespace is a network namespace created for one test.
type Namespace struct {
	name string
}

// New creates the namespace "nbwg-t-<random>", brings its loopback up and
// arranges for its removal when t ends.  A test that makes a namespace is
// an integration test: hosts.Integration skips it under -short, before
// anything is made, and decides what a missing root or ip(8) means, and
// a namespace that cannot be made: a failure as root or in CI
// (hosts.Missing), a skip elsewhere.
func New(t testing.TB) *Namespace {
	t.Helper()
	hosts.Integration(t)
	hosts.LookPath(t, "ip", "iproute2")
	var rnd [4]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		t.Fatalf("random namespace name: %v", err)
	}
	ns := &Namespace{name: "nbwg-t-" + hex.EncodeToString(rnd[:])}
	if out, err := run("ip", "netns", "add", ns.name); err != nil {
		// As root or in CI a broken namespace setup is a failure, not
		// a quiet skip of every TUN, UDP and netlink test.
		hosts.Missing(t, "a network namespace: ip netns add: %v: %s", err, bytes.TrimSpace(out))
	}
	t.Cleanup(func() { ns.remove(t) })
	ns.IP(t, "link", "set", "lo", "up")
	return ns
}

// remove kills whatever still runs in the namespace, then deletes it.
func (ns *Namespace) remove(t testing.TB) {
	out, err := run("ip", "netns", "pids", ns.name)
	if err != nil {
		t.Errorf("ip netns pids %s: %v: %s", ns.name, err, out)
	}
	for _, f := range strings.Fields(string(out)) {
		pid, err := strconv.Atoi(f)
		if err != nil || pid == os.Getpid() {
			continue
		}
		// Only the test started processes in its own namespace.
		if err := unix.Kill(pid, unix.SIGKILL); err != nil && err != unix.ESRCH {
			t.Errorf("kill %d in %s: %v", pid, ns.name, err)
		}
	}
	if out, err := run("ip", "netns", "del", ns.name); err != nil {
		t.Errorf("ip netns del %s: %v: %s", ns.name, err, out)
	}
}

// Enter locks the calling goroutine to its OS thread and moves that thread
// into the namespace. The goroutine stays locked, so when it ends the Go
// runtime destroys the thread instead of reusing it elsewhere. Call it from
// the test's own goroutine; subtests run on new goroutines and must call
// Enter again.
func (ns *Namespace) Enter(t testing.TB) {
	t.Helper()
	if err := ns.setns(); err != nil {
		t.Fatalf("enter namespace %s: %v", ns.name, err)
	}
}

// Do runs fn on a new goroutine whose OS thread is inside the namespace,
// waits for it and returns its error. The thread is discarded afterwards.
func (ns *Namespace) Do(fn func() error) error {
	done := make(chan error, 1)
	go func() {
		if err := ns.setns(); err != nil {
			done <- fmt.Errorf("enter namespace %s: %w", ns.name, err)
			return
		}
		done <- fn()
	}()
	return <-done
}

func (ns *Namespace) setns() error {
	runtime.LockOSThread() // never unlocked: see Enter
	f, err := os.Open("/run/netns/" + ns.name)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := unix.Setns(int(f.Fd()), unix.CLONE_NEWNET); err != nil {
		return fmt.Errorf("setns: %w", err)
	}
	return nil
}

// IP runs "ip -n <namespace> args..." and returns its standard output; it
// fails t when the command fails or takes longer than 20 seconds.
func (ns *Namespace) IP(t testing.TB, args ...string) []byte {
	t.Helper()
	out, err := run("ip", append([]string{"-n", ns.name}, args...)...)
	if err != nil {
		t.Fatalf("ip -n %s %s: %v: %s", ns.name, strings.Join(args, " "), err, out)
	}
	return out
}

// run runs name with args with a time bound and returns its output
// (stdout, with stderr appended on failure).
func run(name string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	defer cancel()
	c := exec.CommandContext(ctx, name, args...)
	var stderr strings.Builder
	c.Stderr = &stderr
	out, err := c.Output()
	if err != nil {
		return append(out, stderr.String()...), err
	}
	return out, nil
}
