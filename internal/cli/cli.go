// Package cli holds what nbwg's front ends share: the way they reach the
// kernel (so tests can substitute an in-memory one) and the err(3) style
// of their diagnostics.
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"nbwg/kernel/ioctl"
	"nbwg/kernel/sys"
)

// Kernel performs ioctl requests (see ioctl.Conn.Ioctl for the contract).
type Kernel interface {
	Ioctl(cmd uint32, arg []byte, buf []byte) error
}

// Env is a front end's world: its arguments, standard streams and kernel.
// main builds one from the process; tests build their own.
type Env struct {
	Args   []string // Args[0] is the program name as invoked
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Kernel returns the kernel to talk to; start asks for the kernel to
	// be started if none runs (only `ifconfig wgN create` does).
	Kernel func(start bool) (Kernel, error)
	// Euid is the caller's effective user ID; nil means the process's.
	Euid func() int
}

// Privileged reports whether the caller is the superuser, whom the kernel
// gives secrets to.
func (e *Env) Privileged() bool {
	if e.Euid != nil {
		return e.Euid() == 0
	}
	return os.Geteuid() == 0
}

// Progname is getprogname(3): the last element of argv[0].
func (e *Env) Progname() string {
	if len(e.Args) == 0 || e.Args[0] == "" {
		return "nbwg"
	}
	return filepath.Base(e.Args[0])
}

// Warnx prints "prog: message" to standard error, as warnx(3).
func (e *Env) Warnx(format string, a ...any) {
	fmt.Fprintf(e.Stderr, "%s: %s\n", e.Progname(), fmt.Sprintf(format, a...))
}

// Warn prints "prog: message: error" to standard error, as warn(3) does
// with errno; a sys.Errno prints as NetBSD's strerror(3) text.
func (e *Env) Warn(err error, format string, a ...any) {
	fmt.Fprintf(e.Stderr, "%s: %s: %v\n", e.Progname(), fmt.Sprintf(format, a...), err)
}

// ProcessEnv is the Env of the running process, reaching the kernel
// through the ioctl carrier.
func ProcessEnv() *Env {
	e := &Env{
		Args:   os.Args,
		Stdin:  os.Stdin,
		Stdout: os.Stdout,
		Stderr: os.Stderr,
	}
	e.Kernel = func(start bool) (Kernel, error) { return dialKernel(e, start) }
	return e
}

// noKernel answers every request as a kernel without wg interfaces would.
type noKernel struct{}

func (noKernel) Ioctl(cmd uint32, arg []byte, buf []byte) error {
	switch cmd {
	case sys.SIOCIFCREATE:
		// Only an unprivileged caller gets here (root starts a kernel).
		return sys.EPERM
	case sys.SIOCIFGCLONERS:
		// The wg cloner exists before its kernel starts: the first
		// create starts it.
		c, err := sys.UnmarshalIfClonereq(arg)
		if err != nil {
			return sys.EINVAL
		}
		c.Total = 1
		if c.Count >= 1 && len(buf) >= sys.IFNAMSIZ {
			copy(buf[:sys.IFNAMSIZ], "wg\x00")
		}
		copy(arg, c.Marshal())
		return nil
	case sys.SIOCGIFCONF:
		c, err := sys.UnmarshalIfconf(arg)
		if err != nil {
			return sys.EINVAL
		}
		c.Len = 0
		copy(arg, c.Marshal())
		return nil
	}
	return sys.ENXIO
}

// dialKernel connects to the namespace's kernel.  A kernel that died
// without halting (killed, crashed) is reported once, by the first
// command that finds it gone, before a new one is started or the request
// fails as on a host without wg interfaces.
func dialKernel(e *Env, start bool) (Kernel, error) {
	if err := ioctl.DiedKernel(true); err != nil {
		e.Warnx("%v", err)
	}
	var c *ioctl.Conn
	var err error
	if start {
		c, err = ioctl.OpenOrStart()
	} else {
		c, err = ioctl.Open()
	}
	if errors.Is(err, ioctl.ErrNoKernel) {
		// No kernel means no wg interface: requests fail as they
		// would on a NetBSD host without one.
		return noKernel{}, nil
	}
	if err != nil {
		return nil, err
	}
	return c, nil
}
