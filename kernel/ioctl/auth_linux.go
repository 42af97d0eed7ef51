//go:build linux

package ioctl

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"nbwg/kernel/sys"
)

// peerCred reads the credentials of the process at the other end of c,
// fixed when it connected (or, for a listener's peer, when it listened).
func peerCred(c *net.UnixConn) (sys.Cred, error) {
	raw, err := c.SyscallConn()
	if err != nil {
		return sys.Cred{}, err
	}
	var ucred *syscall.Ucred
	var serr error
	err = raw.Control(func(fd uintptr) {
		ucred, serr = syscall.GetsockoptUcred(int(fd), syscall.SOL_SOCKET, syscall.SO_PEERCRED)
	})
	if err == nil {
		err = serr
	}
	if err != nil {
		return sys.Cred{}, fmt.Errorf("SO_PEERCRED: %w", err)
	}
	return sys.Cred{UID: ucred.Uid, GID: ucred.Gid, PID: ucred.Pid}, nil
}

// kernelName is the program name a kernel runs as: nbwgd, or the base
// name of NBWG_KERNEL.
func kernelName() string {
	if p := os.Getenv("NBWG_KERNEL"); p != "" {
		return filepath.Base(p)
	}
	return "nbwgd"
}

// exeName is the base name of the program pid runs, or "" when it cannot
// be read (the process is in another pid namespace, or gone).
func exeName(pid int32) string {
	if pid <= 0 {
		return ""
	}
	exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
	if err != nil {
		return ""
	}
	// A program replaced on disk since it started (an upgrade).
	return filepath.Base(strings.TrimSuffix(exe, " (deleted)"))
}

// holder describes the process behind cred for a message.
func holder(cred sys.Cred) string {
	s := fmt.Sprintf("uid %d", cred.UID)
	if cred.PID > 0 {
		s += fmt.Sprintf(", pid %d", cred.PID)
		if exe := exeName(cred.PID); exe != "" {
			s += ", " + exe
		}
	}
	return s
}

// trusted decides whether the process listening at a is nbwg's kernel,
// before a byte of a request is sent to it.  At the namespace's own
// address the kernel is root's and runs the kernel program (when its pid
// is visible).  At an address NBWG_SOCKET chose, a process of root's or
// of the caller's own user is trusted: a user may talk to a kernel they
// run themselves, and nothing root sends goes to anyone but root.
func (a address) trusted(cred sys.Cred) error {
	euid := uint32(os.Geteuid())
	if a.override() {
		if cred.UID == 0 || cred.UID == euid {
			return nil
		}
		return &SquatError{Addr: a.sock, What: "it is held by " + holder(cred)}
	}
	if cred.UID != 0 {
		return &SquatError{Addr: a.sock, What: "it is held by " + holder(cred)}
	}
	if exe := exeName(cred.PID); exe != "" && exe != kernelName() {
		return &SquatError{Addr: a.sock, What: "it is held by " + holder(cred) + ", which is not " + kernelName()}
	}
	return nil
}
