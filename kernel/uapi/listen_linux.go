//go:build linux

package uapi

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"
)

// WireGuardDir is where wg(8) looks for userspace interfaces, and where
// wireguard-go and nbwg-go put their sockets.
const WireGuardDir = "/var/run/wireguard"

// ErrInUse: something answers on the socket's path already.
var ErrInUse = errors.New("unix socket in use")

// Listen opens the socket of the interface name in dir as wireguard-go's
// UAPIOpen does: the directory is made (mode 0755), the socket is root's
// alone (made under umask 077), a socket or link there that nobody
// answers on is replaced, and one that answers is ErrInUse.  Closing the
// listener removes the socket.
func Listen(dir, name string) (*net.UnixListener, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	os.Chmod(dir, 0o755) // made under a umask of 077, perhaps
	path := filepath.Join(dir, name+".sock")
	old := unix.Umask(0o077)
	defer unix.Umask(old)
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err == nil {
		return l, nil
	}
	if alive(path) {
		return nil, fmt.Errorf("%s: %w", path, ErrInUse)
	}
	if err := os.Remove(path); err != nil {
		return nil, err
	}
	return net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
}

// WatchRemoval calls gone once path is removed or replaced, as
// wireguard-go stops when its socket is deleted; it returns when that
// happened or when done is closed.  inotify reports the unlinking of a
// socket still bound as a change of its attributes (the link count).
func WatchRemoval(path string, done <-chan struct{}, gone func()) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, os.ErrNotExist) {
		// Removed before the watch began (a daemon's parent returns
		// before the daemon gets here).
		gone()
		return nil
	}
	if err != nil {
		return err
	}
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		return fmt.Errorf("inotify: %w", err)
	}
	f := os.NewFile(uintptr(fd), "inotify")
	defer f.Close()
	if _, err := unix.InotifyAddWatch(fd, path, unix.IN_ATTRIB|unix.IN_DELETE_SELF|unix.IN_MOVE_SELF); err != nil {
		return fmt.Errorf("inotify %s: %w", path, err)
	}
	buf := make([]byte, 4096)
	for {
		select {
		case <-done:
			return nil
		default:
		}
		f.SetReadDeadline(time.Now().Add(time.Second))
		_, err := f.Read(buf)
		if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
			return err
		}
		if now, err := os.Lstat(path); err != nil || !os.SameFile(fi, now) {
			gone()
			return nil
		}
	}
}
