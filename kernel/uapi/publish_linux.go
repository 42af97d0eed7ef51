//go:build linux

package uapi

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"nbwg/kernel/ifnet"
)

// Where nbwgd's sockets are, so that each network namespace sees its own.
//
// wg(8) looks for a userspace interface at /var/run/wireguard/IFNAME.sock,
// and lists every *.sock there.  That directory is one for the whole
// machine, but nbwg runs a kernel per network namespace, and two
// namespaces may both have a wg0.  Mount namespaces cannot help: `ip
// netns exec X` makes a fresh one for each command, in which it remounts
// /sys and bind-mounts each entry of /etc/netns/X over the same entry of
// /etc, and nothing else.  So the name resolves through /etc:
//
//	/var/run/wireguard/wg0.sock           -> /etc/nbwg-uapi/wg0.sock  (symlink)
//	/etc/nbwg-uapi/wg0.sock               -> /run/nbwg/net-I0/wireguard/wg0.sock
//	/etc/netns/X/nbwg-uapi/wg0.sock       -> /run/nbwg/net-IX/wireguard/wg0.sock
//
// The socket itself is in the kernel's directory (/run/nbwg/net-INODE,
// root's).  In the initial namespace /etc/nbwg-uapi is the namespace's
// view; under `ip netns exec X`, /etc/netns/X/nbwg-uapi is mounted over
// it, so the same /var/run/wireguard/wg0.sock reaches X's wg0, and in a
// namespace without a wg0 the chain ends nowhere: stat(2) fails and wg(8)
// neither lists nor reaches it.  Both ends of a link are real
// directories, so ip netns exec's bind mount never fails for a missing
// target.  wireguard-go's own sockets stay where they are, one for
// everyone, as before.
//
// What this cannot do: a command already running under `ip netns exec X`
// when X's kernel made /etc/netns/X/nbwg-uapi (the first time a kernel
// ran in X) has the initial namespace's view; the next `ip netns exec X`
// has X's.  A namespace with no name in /run/netns has no view at all:
// its sockets are reached by mounting /run/nbwg/net-INODE/wireguard over
// /var/run/wireguard in a mount namespace of one's own.  A name that a
// wireguard-go socket holds in /var/run/wireguard is not taken from it.
// And the server checks every client's network namespace, so even a
// view that is wrong answers no one of another namespace.

// Paths of the scheme; fields so that tests can move them.
type Paths struct {
	// RunDir holds the kernels' directories (/run/nbwg); the kernel's
	// own is RunDir/NSDir, its sockets in RunDir/NSDir/wireguard.
	RunDir, NSDir string
	// WireGuardDir is where wg(8) looks (/var/run/wireguard).
	WireGuardDir string
	// Etc is /etc; NetnsDir is where ip(8) keeps /etc/netns, NetnsRun
	// where it names namespaces (/run/netns).
	Etc, NetnsRun string
}

// DefaultPaths are the system's.
func DefaultPaths(runDir, nsDir string) Paths {
	return Paths{RunDir: runDir, NSDir: nsDir, WireGuardDir: "/var/run/wireguard", Etc: "/etc", NetnsRun: "/run/netns"}
}

// viewName is the entry of /etc (and of /etc/netns/X) that holds a
// namespace's links.
const viewName = "nbwg-uapi"

// Publisher serves the userspace API of each wg interface of a kernel
// where wg(8) in the kernel's network namespace finds it, following the
// kernel's interfaces (Event).
type Publisher struct {
	net   *ifnet.Net
	paths Paths
	logf  func(format string, args ...any)
	// self is the kernel's network namespace, which clients must share.
	self os.FileInfo

	mu     sync.Mutex
	served map[string]*served
	closed bool
}

type served struct {
	l   *net.UnixListener
	srv *Server
}

// NewPublisher prepares the kernel's socket directory, clearing what a
// kernel of the namespace that died left there, and the links of names
// no kernel serves any more.
func NewPublisher(n *ifnet.Net, paths Paths, logf func(format string, args ...any)) (*Publisher, error) {
	self, err := os.Stat("/proc/self/ns/net")
	if err != nil {
		return nil, fmt.Errorf("uapi: which network namespace: %w", err)
	}
	p := &Publisher{net: n, paths: paths, logf: logf, self: self, served: map[string]*served{}}
	err = p.locked(func() error {
		os.RemoveAll(p.sockDir())
		for _, v := range p.views() {
			p.clearView(v, "")
		}
		p.sweep()
		return nil
	})
	return p, err
}

func (p *Publisher) sockDir() string {
	return filepath.Join(p.paths.RunDir, p.paths.NSDir, "wireguard")
}

func (p *Publisher) sockPath(name string) string {
	return filepath.Join(p.sockDir(), name+".sock")
}

// link is what /var/run/wireguard/NAME.sock points at.
func (p *Publisher) link(name string) string {
	return filepath.Join(p.paths.Etc, viewName, name+".sock")
}

// Event follows the kernel's interfaces (ifnet.Net.Watch); it runs with
// ifnet's lock held, so it starts and stops servers without waiting for
// their connections.
func (p *Publisher) Event(ifp *ifnet.Interface, ev ifnet.Event) {
	switch ev {
	case ifnet.EventAttach:
		if err := p.publish(ifp.Name()); err != nil {
			p.logf("uapi: %s: %v; wg(8) cannot reach it", ifp.Name(), err)
		}
	case ifnet.EventDetach:
		p.unpublish(ifp.Name())
	}
}

// Close stops serving every interface and takes their sockets and links
// away (the kernel halts).
func (p *Publisher) Close() {
	p.mu.Lock()
	names := make([]string, 0, len(p.served))
	for name := range p.served {
		names = append(names, name)
	}
	p.closed = true
	p.mu.Unlock()
	for _, name := range names {
		p.unpublish(name)
	}
}

func (p *Publisher) publish(name string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || p.served[name] != nil {
		return nil
	}
	var l *net.UnixListener
	err := p.locked(func() error {
		var err error
		if err = mkdir(p.sockDir()); err != nil {
			return err
		}
		sock := p.sockPath(name)
		os.Remove(sock)
		// The socket is root's alone (nbwgd's umask is 077), as
		// wireguard-go's: get=1 hands out the private key.
		old := unix.Umask(0o077)
		l, err = net.ListenUnix("unix", &net.UnixAddr{Name: sock, Net: "unix"})
		unix.Umask(old)
		if err != nil {
			return fmt.Errorf("listen on %s: %w", sock, err)
		}
		views := p.views()
		for _, v := range views {
			if err := p.addLink(v, name, sock); err != nil {
				p.logf("uapi: %s: %v", name, err)
			}
		}
		if len(views) == 0 {
			// A namespace without a name: no view leads here, and
			// only a mount of sockDir reaches the socket.
			return nil
		}
		return p.addWireGuardLink(name)
	})
	if err != nil {
		if l != nil {
			l.Close()
		}
		return err
	}
	s := &Server{Device: NetDevice{Net: p.net, Name: name}, Authorize: p.authorize, Logf: p.logf}
	p.served[name] = &served{l: l, srv: s}
	go s.Serve(l)
	return nil
}

func (p *Publisher) unpublish(name string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.served[name]
	if s == nil {
		return
	}
	delete(p.served, name)
	s.l.Close() // unlinks the socket
	s.srv.Close(false)
	p.locked(func() error {
		sock := p.sockPath(name)
		os.Remove(sock)
		for _, v := range p.views() {
			p.clearView(v, name)
		}
		p.dropWireGuardLink(name)
		if len(p.served) == 0 {
			// Empty, so that the kernel's directory can go when
			// it halts.
			os.Remove(p.sockDir())
		}
		return nil
	})
}

// views are the directories whose links the kernel's namespace sees:
// /etc/nbwg-uapi for the initial namespace, /etc/netns/X/nbwg-uapi for
// each name X that /run/netns gives it.
func (p *Publisher) views() []string {
	var out []string
	if init, err := os.Stat("/proc/1/ns/net"); err == nil && os.SameFile(init, p.self) {
		out = append(out, filepath.Join(p.paths.Etc, viewName))
	}
	entries, _ := os.ReadDir(p.paths.NetnsRun)
	for _, e := range entries {
		fi, err := os.Stat(filepath.Join(p.paths.NetnsRun, e.Name()))
		if err == nil && os.SameFile(fi, p.self) {
			out = append(out, filepath.Join(p.paths.Etc, "netns", e.Name(), viewName))
		}
	}
	return out
}

// addLink makes view/NAME.sock point at sock.  The initial namespace's
// view must exist first: ip netns exec binds a namespace's view over it,
// and complains on every command if it is missing.
func (p *Publisher) addLink(view, name, sock string) error {
	if err := mkdir(filepath.Join(p.paths.Etc, viewName)); err != nil {
		return err
	}
	if filepath.Dir(view) != p.paths.Etc {
		// /etc/netns and /etc/netns/X, which ip(8) does not make.
		if err := mkdir(filepath.Dir(filepath.Dir(view))); err != nil {
			return err
		}
		if err := mkdir(filepath.Dir(view)); err != nil {
			return err
		}
	}
	if err := mkdir(view); err != nil {
		return err
	}
	path := filepath.Join(view, name+".sock")
	os.Remove(path)
	if err := os.Symlink(sock, path); err != nil {
		return fmt.Errorf("link %s: %w", path, err)
	}
	return nil
}

// clearView removes the links of view that point into the kernel's
// socket directory: NAME's, or all when name is "".
func (p *Publisher) clearView(view, name string) {
	entries, _ := os.ReadDir(view)
	for _, e := range entries {
		if name != "" && e.Name() != name+".sock" {
			continue
		}
		path := filepath.Join(view, e.Name())
		if target, err := os.Readlink(path); err == nil && filepath.Dir(target) == p.sockDir() {
			os.Remove(path)
		}
	}
}

// addWireGuardLink makes /var/run/wireguard/NAME.sock the link through
// the views, unless a live socket of someone else (wireguard-go) holds
// the name.
func (p *Publisher) addWireGuardLink(name string) error {
	if err := mkdir(p.paths.WireGuardDir); err != nil {
		return err
	}
	path := filepath.Join(p.paths.WireGuardDir, name+".sock")
	want := p.link(name)
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return err
	case fi.Mode()&os.ModeSymlink != 0:
		if target, _ := os.Readlink(path); target == want {
			return nil
		}
		return fmt.Errorf("%s is a link to elsewhere; left alone", path)
	case fi.Mode()&os.ModeSocket != 0 && alive(path):
		return fmt.Errorf("%s belongs to another WireGuard implementation (wireguard-go?)", path)
	default:
		os.Remove(path) // a dead socket, as wg(8) itself removes them
	}
	if err := os.Symlink(want, path); err != nil {
		return fmt.Errorf("link %s: %w", path, err)
	}
	return nil
}

// dropWireGuardLink removes /var/run/wireguard/NAME.sock if it is the
// link through the views and no kernel of any namespace serves NAME.
func (p *Publisher) dropWireGuardLink(name string) {
	path := filepath.Join(p.paths.WireGuardDir, name+".sock")
	if target, err := os.Readlink(path); err != nil || target != p.link(name) {
		return
	}
	socks, _ := filepath.Glob(filepath.Join(p.paths.RunDir, "net-*", "wireguard", name+".sock"))
	for _, s := range socks {
		if alive(s) {
			return
		}
	}
	os.Remove(path)
}

// sweep removes the links of sockets no kernel serves any more, in every
// namespace's view and in /var/run/wireguard: a kernel killed with its
// interfaces could not.
func (p *Publisher) sweep() {
	views, _ := filepath.Glob(filepath.Join(p.paths.Etc, "netns", "*", viewName, "*.sock"))
	inits, _ := filepath.Glob(filepath.Join(p.paths.Etc, viewName, "*.sock"))
	for _, path := range append(views, inits...) {
		target, err := os.Readlink(path)
		if err != nil {
			continue
		}
		if ok, _ := filepath.Match(filepath.Join(p.paths.RunDir, "net-*", "wireguard", "*.sock"), target); ok && !alive(target) {
			os.Remove(path)
		}
	}
	entries, _ := os.ReadDir(p.paths.WireGuardDir)
	for _, e := range entries {
		if name, ok := strings.CutSuffix(e.Name(), ".sock"); ok && e.Type()&os.ModeSymlink != 0 {
			p.dropWireGuardLink(name)
		}
	}
}

// locked runs f holding the lock that the kernels of every namespace
// take to change /var/run/wireguard and the views, so that one kernel
// never removes a link another has just decided to keep.
func (p *Publisher) locked(f func() error) error {
	lock, err := os.OpenFile(filepath.Join(p.paths.RunDir, "uapi.lock"), os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, 0o600)
	if err != nil {
		return fmt.Errorf("uapi: lock: %w", err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("uapi: lock: %w", err)
	}
	return f()
}

// authorize lets in root of the kernel's own network namespace.  The
// socket's mode already keeps other users out; the namespace check keeps
// a wrong view (see above) from reaching another namespace's interface:
// such a client is told the interface does not exist.
func (p *Publisher) authorize(c *net.UnixConn) syscall.Errno {
	rc, err := c.SyscallConn()
	if err != nil {
		return syscall.EACCES
	}
	var cred *unix.Ucred
	rc.Control(func(fd uintptr) {
		cred, err = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	})
	if err != nil || cred == nil {
		return syscall.EACCES
	}
	if cred.Uid != 0 {
		return syscall.EACCES
	}
	fi, err := os.Stat(fmt.Sprintf("/proc/%d/ns/net", cred.Pid))
	if err != nil || !os.SameFile(fi, p.self) {
		return syscall.ENODEV
	}
	return 0
}

// mkdir makes dir, mode 0755, if it is not there; one that is keeps its
// mode.
func mkdir(dir string) error {
	err := os.Mkdir(dir, 0o755)
	if errors.Is(err, os.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return os.Chmod(dir, 0o755) // the umask is 077
}

// alive reports whether something listens on the socket at path.
func alive(path string) bool {
	c, err := net.DialTimeout("unix", path, time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}
