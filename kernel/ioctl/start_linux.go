//go:build linux

package ioctl

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// OpenOrStart connects to the kernel, starting it first if none runs: the
// first `ifconfig wgN create` in a namespace boots that namespace's
// kernel.  Only the superuser starts a kernel (an unprivileged caller
// could not create TUN devices); others get ErrNoKernel.
//
// Two callers racing here may both start one: the loser finds the
// kernel's lock taken and exits 0, and both connect to the winner.  A
// kernel that is halting holds its lock until it is gone, so a caller
// that finds no socket but a kernel still running tries again until the
// old kernel has halted or Timeout has passed.
func OpenOrStart() (*Conn, error) {
	a, err := kernelAddress()
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(Timeout())
	for delay := time.Millisecond; ; delay = min(2*delay, 100*time.Millisecond) {
		c, err := dial(a, deadline)
		if !errors.Is(err, ErrNoKernel) || os.Geteuid() != 0 {
			return c, err
		}
		if err := start(deadline); err != nil {
			return nil, err
		}
		if time.Now().After(deadline) {
			return nil, &TimeoutError{Kernel: describe(a.dir, 0), After: Timeout()}
		}
		time.Sleep(delay)
	}
}

// start runs the kernel and waits until it is ready (it closes its
// standard error once it listens) or has exited.  A kernel that exits 0
// found another one running, which the caller then connects to; any other
// exit is an error that carries what the kernel said.
func start(deadline time.Time) error {
	path, err := KernelPath()
	if err != nil {
		return err
	}
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	defer r.Close()
	cmd := exec.Command(path)
	// A daemon owes nothing to the command that happened to start it:
	// not its working directory, its environment or its terminal.
	cmd.Dir = "/"
	cmd.Env = kernelEnv()
	cmd.Stderr = w
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	err = cmd.Start()
	w.Close()
	if err != nil {
		return fmt.Errorf("start the nbwg kernel %s: %w", path, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	r.SetReadDeadline(deadline)
	said, err := io.ReadAll(io.LimitReader(r, 4096))
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return fmt.Errorf("the nbwg kernel %s (pid %d) did not start within %v", path, cmd.Process.Pid, Timeout())
	}
	// A kernel that is ready says nothing (dial tells the rest); one that
	// says something is about to exit, or warns and runs on.
	if len(said) == 0 {
		return nil
	}
	select {
	case err := <-exited:
		if err == nil {
			return nil
		}
		return fmt.Errorf("the nbwg kernel %s exited at start: %s", path, strings.TrimSpace(string(said)))
	case <-time.After(time.Second):
		return nil
	}
}

// kernelEnv is the environment a started kernel gets: a standard PATH,
// the time zone of its log's timestamps, and nbwg's own variables.
func kernelEnv() []string {
	env := []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "NBWG_") || strings.HasPrefix(kv, "TZ=") {
			env = append(env, kv)
		}
	}
	return env
}

// KernelPath finds the kernel binary: $NBWG_KERNEL, else nbwgd beside the
// running program, else nbwgd on $PATH.
func KernelPath() (string, error) {
	if p := os.Getenv("NBWG_KERNEL"); p != "" {
		return p, nil
	}
	if self, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(self), "nbwgd")
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return p, nil
		}
	}
	p, err := exec.LookPath("nbwgd")
	if err != nil {
		return "", fmt.Errorf("cannot find the nbwg kernel (nbwgd): %w", err)
	}
	return p, nil
}
