//go:build linux

package ioctl

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"nbwg/kernel/sys"
)

// Listener is the kernel's end of the carrier in its network namespace.
// While it is open the kernel holds the namespace's lock, so no second
// kernel can start there, and no other user can take its address: the
// directory it lives in is root's (see RunDir).
type Listener struct {
	l    *net.UnixListener
	addr address
	lock *os.File // nil at an NBWG_SOCKET address
	// Previous is what the kernel that ran here before left behind when
	// it did not halt cleanly (it was killed or crashed), else nil.
	Previous *Info
}

// RunningError reports that a kernel already runs in the namespace (it
// won a race to start, or was started by hand).
type RunningError struct{ Kernel string }

func (e *RunningError) Error() string {
	return e.Kernel + " already runs in this network namespace"
}

// Listen takes the kernel's address in the caller's network namespace.
// It fails with a *RunningError when a kernel already runs there, and
// with a *SquatError when someone else holds the address.
func Listen() (*Listener, error) {
	a, err := kernelAddress()
	if err != nil {
		return nil, err
	}
	if a.override() {
		return listenOverride(a)
	}
	if err := makeDir(filepath.Dir(a.dir)); err != nil {
		return nil, err
	}
	// The lock file is unlinked by a kernel that halts cleanly, so the
	// one locked must still be the one at the path (the classic
	// lock-file protocol); a few rounds settle any race.
	for range 10 {
		if err := makeDir(a.dir); err != nil {
			return nil, err
		}
		lock, err := os.OpenFile(filepath.Join(a.dir, lockName), os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, 0o600)
		if err != nil {
			if errors.Is(err, syscall.ENOENT) {
				continue // the directory went with a halting kernel
			}
			return nil, fmt.Errorf("lock %s: %w", a.dir, err)
		}
		if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			lock.Close()
			if errors.Is(err, syscall.EWOULDBLOCK) {
				return nil, runningAt(a)
			}
			return nil, fmt.Errorf("lock %s: %w", a.dir, err)
		}
		if !sameFile(lock, filepath.Join(a.dir, lockName)) {
			lock.Close()
			continue
		}
		return listenLocked(a, lock)
	}
	return nil, fmt.Errorf("lock %s: the kernel's lock keeps changing", a.dir)
}

// makeDir creates dir as root's, mode 0755, or checks the one there.
func makeDir(dir string) error {
	if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	// Mkdir honours the umask; the directory must be searchable by
	// every user, who may read the configuration.
	if fi, err := os.Lstat(dir); err == nil && fi.IsDir() && fi.Mode().Perm() != 0o755 {
		if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Uid == 0 && uint32(os.Geteuid()) == 0 {
			os.Chmod(dir, 0o755)
		}
	}
	_, err := checkDir(dir)
	return err
}

func sameFile(f *os.File, path string) bool {
	a, err := f.Stat()
	if err != nil {
		return false
	}
	b, err := os.Lstat(path)
	return err == nil && os.SameFile(a, b)
}

// listenLocked binds the socket while holding the namespace's lock: a
// socket file left there belongs to a kernel that is gone.
func listenLocked(a address, lock *os.File) (*Listener, error) {
	// A clean halt removes the record; one that is still there, or was
	// moved aside by the command that reported it, is a kernel of this
	// namespace that died (or of a namespace gone since, whose inode this
	// one has: then it is none of this kernel's business).
	var prev *Info
	for _, name := range []string{infoName, diedName} {
		if i, ok := readInfo(filepath.Join(a.dir, name)); ok && prev == nil && i.ofThisNamespace() {
			prev = &i
		}
	}
	os.Remove(filepath.Join(a.dir, diedName))
	os.Remove(a.sock)
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: a.sock, Net: "unix"})
	if err != nil {
		lock.Close()
		return nil, fmt.Errorf("listen on %s: %w", a.sock, err)
	}
	l.SetUnlinkOnClose(false)
	// Every user may connect (and read the configuration); kauth decides
	// what each may do.
	if err := os.Chmod(a.sock, 0o666); err != nil {
		l.Close()
		lock.Close()
		return nil, err
	}
	return &Listener{l: l, addr: a, lock: lock, Previous: prev}, nil
}

// listenOverride listens at an NBWG_SOCKET address.  A path there is
// guarded by a lock file beside it (PATH.lock); an abstract name by the
// name itself.
func listenOverride(a address) (*Listener, error) {
	var lock *os.File
	if a.sock[0] != '@' {
		f, err := os.OpenFile(a.sock+".lock", os.O_RDWR|os.O_CREATE|syscall.O_CLOEXEC, 0o600)
		if err != nil {
			return nil, err
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			f.Close()
			return nil, runningAt(a)
		}
		os.Remove(a.sock)
		lock = f
	}
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: a.sock, Net: "unix"})
	if err != nil {
		if lock != nil {
			lock.Close()
		}
		if errors.Is(err, syscall.EADDRINUSE) {
			return nil, runningAt(a)
		}
		return nil, fmt.Errorf("listen on %s: %w", a.sock, err)
	}
	return &Listener{l: l, addr: a, lock: lock}, nil
}

// runningAt says who holds a's address: nbwg's kernel (*RunningError),
// or someone else (*SquatError).
func runningAt(a address) error {
	c, err := net.DialTimeout("unix", a.sock, time.Second)
	if err != nil {
		// Locked but not listening: a kernel starting or halting.
		return &RunningError{Kernel: describe(a.dir, 0)}
	}
	defer c.Close()
	cred, err := peerCred(c.(*net.UnixConn))
	if err != nil {
		return err
	}
	if err := a.trusted(cred); err != nil {
		return err
	}
	return &RunningError{Kernel: describe(a.dir, cred.PID)}
}

// WriteInfo records the kernel's pid and log for the commands' messages.
func (l *Listener) WriteInfo(logPath string) error {
	if l.addr.override() {
		return nil
	}
	i := Info{PID: os.Getpid(), Log: logPath, Started: time.Now().Unix()}
	i.Netns, _ = netnsCookie()
	tmp := filepath.Join(l.addr.dir, infoName+".new")
	if err := os.WriteFile(tmp, i.marshal(), 0o644); err != nil {
		return err
	}
	os.Chmod(tmp, 0o644)
	return os.Rename(tmp, filepath.Join(l.addr.dir, infoName))
}

// stopAccepting makes the address unreachable for new connections: they
// find no kernel, and start a new one once this one has released the lock.
func (l *Listener) stopAccepting() {
	if l.addr.sock[0] != '@' {
		os.Remove(l.addr.sock)
	}
}

// resumeAccepting makes the address reachable again after stopAccepting.
func (l *Listener) resumeAccepting() error {
	if l.addr.sock[0] == '@' {
		return nil
	}
	// The socket's inode is gone with its name; a fresh one takes the
	// name (the lock keeps other kernels out), and the old one is kept
	// only for connections that are still queued on it.
	nl, err := net.ListenUnix("unix", &net.UnixAddr{Name: l.addr.sock, Net: "unix"})
	if err != nil {
		return err
	}
	nl.SetUnlinkOnClose(false)
	os.Chmod(l.addr.sock, 0o666)
	old := l.l
	l.l = nl
	old.Close()
	return nil
}

// Close releases the address and the lock, and with them everything the
// kernel left in its directory: a clean halt leaves no trace.
func (l *Listener) Close() error {
	err := l.l.Close()
	if !l.addr.override() {
		os.Remove(filepath.Join(l.addr.dir, infoName))
		os.Remove(filepath.Join(l.addr.dir, diedName))
		os.Remove(l.addr.sock)
		// Unlink the lock while holding it; a kernel starting now
		// finds it gone and makes a new one.
		os.Remove(filepath.Join(l.addr.dir, lockName))
		os.Remove(l.addr.dir)
	} else if l.lock != nil {
		os.Remove(l.addr.sock)
	}
	if l.lock != nil {
		l.lock.Close()
	}
	return err
}

// accept waits for the next connection and returns it with its caller's
// credentials.
func (l *Listener) accept() (*net.UnixConn, sys.Cred, error) {
	c, err := l.l.AcceptUnix()
	if err != nil {
		return nil, sys.Cred{}, err
	}
	cred, err := peerCred(c)
	if err != nil {
		c.Close()
		return nil, sys.Cred{}, errPeerGone
	}
	return c, cred, nil
}

var errPeerGone = errors.New("the caller hung up")
