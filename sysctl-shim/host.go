package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
)

// The host's own sysctl answers every name that is not net.wg's.  It is
// found, in order, at hostSysctlPath if set, in hostSysctlDirs, then on
// $PATH, skipping this program itself (which may be installed as
// "sysctl" ahead of it on $PATH).
var (
	// hostSysctlPath names the host's sysctl outright; tests point
	// it at a fake.
	hostSysctlPath string
	// hostSysctlDirs are Debian procps's places: /sbin/sysctl, and
	// /usr/sbin/sysctl (the same file on a merged /usr).
	hostSysctlDirs = []string{"/sbin", "/usr/sbin"}
)

// findHostSysctl returns the path of the host's sysctl.
func findHostSysctl() (string, error) {
	if hostSysctlPath != "" {
		return hostSysctlPath, nil
	}
	var self os.FileInfo
	if exe, err := os.Executable(); err == nil {
		self, _ = os.Stat(exe)
	}
	dirs := append(append([]string(nil), hostSysctlDirs...), filepath.SplitList(os.Getenv("PATH"))...)
	for _, dir := range dirs {
		if dir == "" {
			continue
		}
		path := filepath.Join(dir, "sysctl")
		fi, err := os.Stat(path)
		if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0 {
			continue
		}
		if self != nil && os.SameFile(fi, self) {
			continue
		}
		return path, nil
	}
	return "", errors.New("no sysctl of the host's (other than this one) in /sbin, /usr/sbin or $PATH")
}

// hostRunner runs the host's sysctl at path with argv (argv[0] its
// name) and stdin (nil: this program's), and returns its exit status.
type hostRunner func(path string, argv []string, stdin io.Reader) (int, error)

// execHost replaces this program with the host's sysctl, which then
// writes its own output and exits with its own status.  It returns only
// on failure, and cannot redirect stdin (handOff spawns for that).
func execHost(path string, argv []string, stdin io.Reader) (int, error) {
	if stdin != nil {
		return 1, errors.New("execHost: cannot redirect standard input")
	}
	err := syscall.Exec(path, argv, os.Environ())
	return 1, fmt.Errorf("exec %s: %w", path, err)
}

// spawnHost runs the host's sysctl as a child writing to this program's
// streams, and returns its exit status.
func (p *prog) spawnHost(path string, argv []string, stdin io.Reader) (int, error) {
	cmd := &exec.Cmd{Path: path, Args: argv, Stdout: p.env.Stdout, Stderr: p.env.Stderr, Stdin: stdin}
	if stdin == nil {
		cmd.Stdin = p.env.Stdin
	}
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, nil
	case errors.As(err, &exit):
		if code := exit.ExitCode(); code > 0 {
			return code, nil
		}
		return 1, nil // killed by a signal
	}
	return 1, fmt.Errorf("run %s: %w", path, err)
}

// handOff passes args (the arguments after the program name) to the
// host's sysctl, after everything this program printed.  With no errors
// of ours and stdin unchanged, the host's sysctl replaces this program,
// so its output and exit status are the host's own.  Otherwise it runs
// as a child (stdin is a file it reads, or errors of ours must decide
// the status): its status is the result, or 1 after errors of ours.
func (p *prog) handOff(args []string, stdin io.Reader) int {
	p.flush()
	path, err := findHostSysctl()
	if err != nil {
		p.env.Warnx("%v", err)
		return 1
	}
	argv := append([]string{p.env.Progname()}, args...)
	var status int
	if stdin == nil && p.errs == 0 {
		status, err = p.execHost(path, argv, nil)
	} else {
		status, err = p.spawnHost(path, argv, stdin)
	}
	if err != nil {
		p.env.Warnx("%v", err)
		return 1
	}
	if p.errs > 0 {
		return 1
	}
	return status
}
