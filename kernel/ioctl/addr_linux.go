//go:build linux

package ioctl

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// RunDir holds one directory per network namespace whose kernel runs or
// ran: net-INODE, after the inode of the namespace.  Only root can create
// it (/run is root's), and both ends of the carrier check that it and the
// namespace's directory are root's and writable by no one else, so no
// other user can stand where the kernel listens.
const RunDir = "/run/nbwg"

// Files in a namespace's directory.
const (
	sockName = "kernel.sock" // the carrier: a unix socket, mode 0666
	lockName = "lock"        // held (flock) by the running kernel; mode 0600
	infoName = "kernel"      // the running kernel's pid and log, for messages
)

// address is where the kernel of the caller's namespace listens.
type address struct {
	sock string // socket path, or "@name" for an abstract socket
	dir  string // the namespace's directory; "" for NBWG_SOCKET
}

// override reports whether NBWG_SOCKET chose the address: the directory
// checks do not apply, and the peer is checked by its credentials alone.
func (a address) override() bool { return a.dir == "" }

func (a address) String() string { return a.sock }

// kernelAddress finds the kernel's address for the calling thread's
// network namespace.  NBWG_SOCKET overrides it, so tests can run a kernel
// of their own without a namespace.
func kernelAddress() (address, error) {
	if s := os.Getenv("NBWG_SOCKET"); s != "" {
		return address{sock: s}, nil
	}
	ns, err := NamespaceID()
	if err != nil {
		return address{}, err
	}
	dir := filepath.Join(RunDir, ns)
	return address{sock: filepath.Join(dir, sockName), dir: dir}, nil
}

// NamespaceID names the calling thread's network namespace: "net-" and
// its inode number, which is unique while the namespace exists.
func NamespaceID() (string, error) {
	var st syscall.Stat_t
	err := syscall.Stat("/proc/thread-self/ns/net", &st)
	if err != nil {
		err = syscall.Stat("/proc/self/ns/net", &st)
	}
	if err != nil {
		return "", fmt.Errorf("which network namespace: %w", err)
	}
	return "net-" + strconv.FormatUint(st.Ino, 10), nil
}

// SquatError reports that something other than nbwg's kernel holds the
// kernel's address: a process of another user listening there, or a
// directory on the way that another user owns or can write.
type SquatError struct {
	Addr   string
	What   string // who holds it
	Remedy string
}

func (e *SquatError) Error() string {
	s := fmt.Sprintf("someone else holds the nbwg kernel's address %s: %s; refusing to use it", e.Addr, e.What)
	if e.Remedy != "" {
		s += " (" + e.Remedy + ")"
	}
	return s
}

// checkDir makes sure dir is a directory of root's that no one else can
// write.  It reports whether dir exists.
func checkDir(dir string) (bool, error) {
	var st syscall.Stat_t
	if err := syscall.Lstat(dir, &st); err != nil {
		if err == syscall.ENOENT {
			return false, nil
		}
		return false, fmt.Errorf("%s: %w", dir, err)
	}
	switch {
	case st.Mode&syscall.S_IFMT != syscall.S_IFDIR:
		return true, &SquatError{Addr: dir, What: "it is not a directory", Remedy: "remove it"}
	case st.Uid != 0:
		return true, &SquatError{Addr: dir, What: fmt.Sprintf("the directory belongs to uid %d, not root", st.Uid), Remedy: "remove it"}
	case st.Mode&0o022 != 0:
		return true, &SquatError{Addr: dir, What: fmt.Sprintf("the directory is writable by others (mode %#o)", st.Mode&0o7777), Remedy: "chmod go-w it"}
	}
	return true, nil
}

// checkDirs checks RunDir and the namespace's directory, in that order.
func (a address) checkDirs() (bool, error) {
	for _, d := range []string{filepath.Dir(a.dir), a.dir} {
		if ok, err := checkDir(d); !ok || err != nil {
			return ok, err
		}
	}
	return true, nil
}

// Info is what a running kernel leaves in its namespace's directory for
// the commands' messages: its pid and where it logs.
type Info struct {
	PID     int
	Log     string
	Started int64 // Unix seconds
	// Netns is the network namespace's cookie (SO_NETNS_COOKIE), 0 if
	// unknown.  The directory is named by the namespace's inode number,
	// which Linux gives to a new namespace once the old one is gone; the
	// cookie is never given twice, so a record a killed kernel left for a
	// namespace that is gone is not taken for one of the new namespace.
	Netns uint64
}

func (i Info) marshal() []byte {
	b := fmt.Appendf(nil, "pid %d\nlog %s\nstarted %d\n", i.PID, i.Log, i.Started)
	if i.Netns != 0 {
		b = fmt.Appendf(b, "netns %d\n", i.Netns)
	}
	return b
}

// ofThisNamespace reports whether the record was left by a kernel of the
// caller's network namespace, as far as can be told: a record without a
// cookie, or a system without cookies, counts as this namespace's.
func (i Info) ofThisNamespace() bool {
	if i.Netns == 0 {
		return true
	}
	c, ok := netnsCookie()
	return !ok || c == i.Netns
}

// netnsCookie returns the cookie of the caller's network namespace
// (Linux 5.14 and later).
func netnsCookie() (uint64, bool) {
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return 0, false
	}
	defer unix.Close(fd)
	c, err := unix.GetsockoptUint64(fd, unix.SOL_SOCKET, unix.SO_NETNS_COOKIE)
	return c, err == nil && c != 0
}

func readInfo(path string) (Info, bool) {
	f, err := os.Open(path)
	if err != nil {
		return Info{}, false
	}
	defer f.Close()
	var i Info
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), " ")
		switch k {
		case "pid":
			i.PID, _ = strconv.Atoi(v)
		case "log":
			i.Log = v
		case "started":
			i.Started, _ = strconv.ParseInt(v, 10, 64)
		case "netns":
			i.Netns, _ = strconv.ParseUint(v, 10, 64)
		}
	}
	return i, i.PID > 0
}

// describe names the kernel for a message: "the nbwg kernel (pid N, log
// PATH)" as far as it is known.
func describe(dir string, pid int32) string {
	var parts []string
	info, ok := Info{}, false
	if dir != "" {
		info, ok = readInfo(filepath.Join(dir, infoName))
	}
	switch {
	case pid > 0:
		parts = append(parts, fmt.Sprintf("pid %d", pid))
	case ok:
		parts = append(parts, fmt.Sprintf("pid %d", info.PID))
	}
	if ok && info.Log != "" {
		parts = append(parts, "log "+info.Log)
	}
	if len(parts) == 0 {
		return "the nbwg kernel"
	}
	return "the nbwg kernel (" + strings.Join(parts, ", ") + ")"
}
