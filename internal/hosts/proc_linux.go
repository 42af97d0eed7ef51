//go:build linux

package hosts

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Proc is a command running in the background on a host: a server, a
// capture, or a hostile local user.
type Proc struct {
	cmd  *exec.Cmd
	mu   sync.Mutex
	out  bytes.Buffer
	err  bytes.Buffer
	done chan struct{}
	res  Result
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// Start runs script on the host in the background, as uid (0: root) with
// nbwg's commands first on PATH, and ends it when the test ends.  nofile,
// when not 0, sets the command's descriptor limit first.
func (h *Host) Start(t testing.TB, uid int, nofile int, script string) *Proc {
	t.Helper()
	path := h.bin + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	args := []string{"netns", "exec", h.NS, "env", "PATH=" + path, "LC_ALL=C", "NBWG_LOGDIR=" + h.logDir()}
	if nofile > 0 {
		args = append(args, "prlimit", fmt.Sprintf("--nofile=%d:%d", nofile, nofile))
	}
	if uid != 0 {
		args = append(args, "setpriv", fmt.Sprintf("--reuid=%d", uid), fmt.Sprintf("--regid=%d", uid), "--clear-groups")
	}
	args = append(args, "sh", "-c", script)
	p := &Proc{cmd: exec.Command("ip", args...), done: make(chan struct{})}
	p.cmd.Stdout = lockedWriter{&p.mu, &p.out}
	p.cmd.Stderr = lockedWriter{&p.mu, &p.err}
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("%s: start %q: %v", h.Name, script, err)
	}
	go func() {
		err := p.cmd.Wait()
		p.mu.Lock()
		p.res = Result{Stdout: p.out.String(), Stderr: p.err.String()}
		if err != nil {
			p.res.Code = -1
			if ee, ok := err.(*exec.ExitError); ok {
				p.res.Code = ee.ExitCode()
			}
		}
		p.mu.Unlock()
		close(p.done)
	}()
	t.Cleanup(func() { p.Stop() })
	return p
}

// Stdout is what the command has written so far.
func (p *Proc) Stdout() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// WaitFor waits until the command's output contains s, or fails.
func (p *Proc) WaitFor(t testing.TB, s string, timeout time.Duration) {
	t.Helper()
	err := Poll(timeout, func() error {
		if strings.Contains(p.Stdout(), s) {
			return nil
		}
		select {
		case <-p.done:
			return fmt.Errorf("exited: %+v", p.res)
		default:
		}
		return fmt.Errorf("no %q yet in %q", s, p.Stdout())
	})
	if err != nil {
		t.Fatalf("waiting for %q: %v", s, err)
	}
}

// Wait waits for the command to end by itself, up to timeout.
func (p *Proc) Wait(timeout time.Duration) (Result, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	select {
	case <-p.done:
		return p.res, nil
	case <-ctx.Done():
		return Result{}, fmt.Errorf("still running after %v", timeout)
	}
}

// Interrupt sends SIGINT to the command (its whole process group), as ^C
// would, so that it can finish what it was doing (a capture prints what
// it has), and waits up to timeout for it to end.  Only this command's
// processes are signalled: the process group is the one Start made.
func (p *Proc) Interrupt(timeout time.Duration) (Result, error) {
	p.signal(syscall.SIGINT)
	return p.Wait(timeout)
}

// Signal sends sig to the command's process group (a helper that
// reports on SIGTERM, say), unless the command has ended.
func (p *Proc) Signal(sig syscall.Signal) error {
	select {
	case <-p.done:
		return nil
	default:
	}
	return syscall.Kill(-p.cmd.Process.Pid, sig)
}

// Stop ends the command (its whole process group) and returns what it
// did.
func (p *Proc) Stop() Result {
	p.signal(syscall.SIGKILL)
	<-p.done
	return p.res
}

// signal sends sig to the command's process group unless the command
// has ended (its pid, reaped, may belong to another process by now).
func (p *Proc) signal(sig syscall.Signal) {
	select {
	case <-p.done:
		return
	default:
	}
	syscall.Kill(-p.cmd.Process.Pid, sig)
}

var (
	toolMu    sync.Mutex
	toolBuilt = map[string]string{}
)

// Tool builds the main package pkg of this module (a test's helper
// program, e.g. "./tests/internal/rawcarrier") into the tests' bin
// directory, once per test binary, and returns its path.
func Tool(t testing.TB, pkg string) string {
	t.Helper()
	toolMu.Lock()
	defer toolMu.Unlock()
	if p, ok := toolBuilt[pkg]; ok {
		return p
	}
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(Bin(t), filepath.Base(pkg))
	cmd := exec.Command(goTool(), "build", "-o", dst, pkg)
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, b)
	}
	toolBuilt[pkg] = dst
	return dst
}
