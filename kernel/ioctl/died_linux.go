//go:build linux

package ioctl

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// diedName is where a kernel's record goes once a command has reported
// that the kernel died, so that it is reported once; the next kernel of
// the namespace logs it and removes it.
const diedName = "kernel.died"

// Died is a kernel of this namespace that did not halt: it was killed or
// crashed, and its interfaces went with it.
type Died struct {
	Info
	// Reported: a command already said so (the record was moved aside).
	Reported bool
}

func (d *Died) Error() string {
	s := fmt.Sprintf("the nbwg kernel of this network namespace (pid %d, started %s) died without halting, and its interfaces with it",
		d.PID, time.Unix(d.Started, 0).Format(time.Stamp))
	if d.Log != "" {
		s += "; see " + d.Log
	}
	return s
}

// DiedKernel reports a kernel of the caller's namespace that died without
// halting (its record is there, its process is not).  With record, and
// as root, it moves the record aside so that the next command does not
// report it again (an unprivileged caller cannot, and reports it each
// time until root runs a command).  It returns nil when no kernel died
// (a nil error) or at an NBWG_SOCKET address; else a *Died.
func DiedKernel(record bool) error {
	d := diedKernel(record)
	if d == nil || d.Reported && record {
		return nil
	}
	return d
}

func diedKernel(record bool) *Died {
	a, err := kernelAddress()
	if err != nil || a.override() {
		return nil
	}
	if ok, err := a.checkDirs(); !ok || err != nil {
		return nil
	}
	path := filepath.Join(a.dir, infoName)
	info, ok := readInfo(path)
	if !ok {
		if i, ok := readInfo(filepath.Join(a.dir, diedName)); ok && i.ofThisNamespace() {
			return &Died{Info: i, Reported: true}
		}
		return nil
	}
	if alive(info.PID) || !info.ofThisNamespace() {
		// A record of another namespace (gone; this one has its
		// inode) tells nothing of this one's kernel.
		return nil
	}
	d := &Died{Info: info}
	if record && os.Geteuid() == 0 {
		if err := os.Rename(path, filepath.Join(a.dir, diedName)); err != nil {
			// Another command moved it first, or a new kernel
			// took over: either way this one does not report.
			return nil
		}
	}
	return d
}

// alive reports whether pid is a running kernel.  A pid the system gave
// to another program since counts as dead.
func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	if err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	if exe := exeName(int32(pid)); exe != "" && exe != kernelName() {
		return false
	}
	// A zombie (killed, not yet reaped by its parent) is dead too.
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
		if i := bytes.LastIndexByte(b, ')'); i >= 0 && i+2 < len(b) && b[i+2] == 'Z' {
			return false
		}
	}
	return true
}
