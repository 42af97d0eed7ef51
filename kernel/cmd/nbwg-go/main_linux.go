//go:build linux

// Command nbwg-go is a wireguard-go-compatible WireGuard daemon whose
// data plane is nbwg's (kernel/wg): `nbwg-go [-f|--foreground] IFNAME`
// creates the TUN device IFNAME in the current network namespace, serves
// WireGuard's userspace API at /var/run/wireguard/IFNAME.sock for wg(8),
// and moves the tunnel's packets until the interface is deleted, its
// socket removed, or it is told to stop (SIGTERM, SIGINT).  It honours
// wireguard-go's environment (WG_PROCESS_FOREGROUND, LOG_LEVEL,
// WG_TUN_FD, WG_UAPI_FD) and daemonizes as it does, so that
// WG_QUICK_USERSPACE_IMPLEMENTATION=nbwg-go wg-quick up works.
//
// Unlike nbwgd it is no NetBSD kernel: it has one interface, which ip(8)
// configures (addresses, MTU, up and down) and wg(8) keys and peers.
package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"nbwg/kernel/ifnet"
	"nbwg/kernel/klog"
	"nbwg/kernel/netlink"
	"nbwg/kernel/sys"
	"nbwg/kernel/tun"
	"nbwg/kernel/uapi"
	"nbwg/kernel/udp"
	"nbwg/kernel/wg"
)

// wireguard-go's environment.
const (
	envTunFD      = "WG_TUN_FD"
	envUAPIFD     = "WG_UAPI_FD"
	envForeground = "WG_PROCESS_FOREGROUND"
	envLogLevel   = "LOG_LEVEL"
)

func usage() {
	fmt.Fprintln(os.Stderr, "usage: nbwg-go [-f | --foreground] interface")
	os.Exit(1)
}

func main() {
	args := os.Args[1:]
	if len(args) == 1 && args[0] == "--version" {
		fmt.Println("nbwg-go: nbwg's data plane behind wireguard-go's command line and userspace API")
		return
	}
	foreground := os.Getenv(envForeground) == "1"
	var name string
	switch {
	case len(args) == 2 && (args[0] == "-f" || args[0] == "--foreground"):
		foreground, name = true, args[1]
	case len(args) == 1 && args[0] != "" && args[0][0] != '-':
		name = args[0]
	default:
		usage()
	}
	os.Exit(run(name, foreground))
}

// logLevel reads LOG_LEVEL as wireguard-go does: verbose (or debug) logs
// everything, error only errors, silent nothing; errors by default.
func logLevel() (level int, silent bool) {
	switch os.Getenv(envLogLevel) {
	case "verbose", "debug":
		return klog.LOG_DEBUG, false
	case "silent":
		return 0, true
	}
	return klog.LOG_ERR, false
}

func run(name string, foreground bool) int {
	level, silent := logLevel()
	var out io.Writer = os.Stdout // where wireguard-go logs
	if silent {
		out = io.Discard
	}
	log := klog.New(out, level)
	log.SetTag("nbwg-go")
	fail := func(format string, args ...any) int {
		msg := fmt.Sprintf(format, args...)
		log.Log(klog.LOG_ERR, "(%s) %s", name, msg)
		if !silent {
			fmt.Fprintf(os.Stderr, "nbwg-go: %s: %s\n", name, msg)
		}
		return 1
	}

	dev, err := openTUN(name)
	if err != nil {
		return fail("cannot create the TUN device: %v", err)
	}
	name = dev.Name()
	l, err := openUAPI(name)
	if err != nil {
		dev.Close()
		return fail("cannot listen for wg(8): %v", err)
	}
	if !foreground {
		if err := daemonize(dev, l, silent); err != nil {
			return fail("cannot daemonize: %v", err)
		}
		return 0
	}
	return serve(name, dev, l, log)
}

// openTUN makes the TUN device, with offloads where the kernel has them,
// or takes the one WG_TUN_FD hands over.
func openTUN(name string) (tun.Device, error) {
	if s := os.Getenv(envTunFD); s != "" {
		fd, err := strconv.Atoi(s)
		if err != nil {
			return nil, fmt.Errorf("%s=%q: %w", envTunFD, s, err)
		}
		return tun.FromFD(fd, true)
	}
	if os.Getenv("NBWG_NO_OFFLOAD") == "" {
		if d, err := tun.CreateAuthenticated(name, startMTU); err == nil {
			return d, nil
		}
	}
	return tun.Create(name, startMTU)
}

// startMTU is the MTU the device starts with, wireguard-go's default
// and wg(4)'s.
const startMTU = sys.WG_MTU

// openUAPI listens at /var/run/wireguard/IFNAME.sock, or takes the
// listener WG_UAPI_FD hands over.
func openUAPI(name string) (*net.UnixListener, error) {
	if s := os.Getenv(envUAPIFD); s != "" {
		fd, err := strconv.Atoi(s)
		if err != nil {
			return nil, fmt.Errorf("%s=%q: %w", envUAPIFD, s, err)
		}
		f := os.NewFile(uintptr(fd), "uapi")
		l, err := net.FileListener(f)
		f.Close()
		if err != nil {
			return nil, err
		}
		ul, ok := l.(*net.UnixListener)
		if !ok {
			l.Close()
			return nil, fmt.Errorf("%s=%d is not a unix socket", envUAPIFD, fd)
		}
		ul.SetUnlinkOnClose(true)
		return ul, nil
	}
	return uapi.Listen(uapi.WireGuardDir, name)
}

// daemonize starts this program again in the background, as wireguard-go
// does: the child gets the TUN device and the socket as descriptors 3 and
// 4, and standard output and error only when LOG_LEVEL asks for a log.
// The caller returns at once; wg-quick waits for it.
func daemonize(dev tun.Device, l *net.UnixListener, silent bool) error {
	tf, err := tun.File(dev)
	if err != nil {
		return err
	}
	uf, err := l.File()
	if err != nil {
		return err
	}
	defer uf.Close()
	null, err := os.Open(os.DevNull)
	if err != nil {
		return err
	}
	defer null.Close()
	files := []*os.File{null, null, null, tf, uf}
	if os.Getenv(envLogLevel) != "" && !silent {
		files[1], files[2] = os.Stdout, os.Stderr
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	env := append(os.Environ(), envTunFD+"=3", envUAPIFD+"=4", envForeground+"=1")
	p, err := os.StartProcess(exe, os.Args, &os.ProcAttr{Dir: ".", Env: env, Files: files})
	if err != nil {
		return err
	}
	// The child owns the socket now: this process must not remove it.
	l.SetUnlinkOnClose(false)
	return p.Release()
}

// serve runs the interface until it is deleted, its socket removed, or a
// signal says to stop.
func serve(name string, dev tun.Device, l *net.UnixListener, log *klog.Logger) int {
	params := wg.NewParams()
	if log.Enabled(klog.LOG_DEBUG) {
		params.Debug.Store(wg.DebugLog)
	}
	n := ifnet.New(nil, wg.NewCloner(wg.Env{
		OpenTUN: func(string, int) (tun.Device, error) { return dev, nil },
		// Answering from the address written to, as wireguard-go.
		NewBind: udp.NewStickyBind,
		Log:     log,
		Params:  params,
	}))
	if err := n.CreateNamed("wg", name); err != nil {
		dev.Close()
		l.Close()
		log.Log(klog.LOG_ERR, "(%s) cannot start: %v", name, err)
		return 1
	}
	log.Log(klog.LOG_INFO, "(%s) device started, pid %d", name, os.Getpid())

	done := make(chan struct{})
	stop := make(chan string, 3)
	go followDevice(name, dev, n, log, done, func() { stop <- "the interface was deleted" })
	srv := &uapi.Server{
		Device: uapi.NetDevice{Net: n, Name: name},
		Logf:   func(format string, a ...any) { log.Log(klog.LOG_ERR, "("+name+") "+format, a...) },
	}
	go srv.Serve(l)
	sock := l.Addr().String()
	go func() {
		err := uapi.WatchRemoval(sock, done, func() { stop <- "its socket " + sock + " was removed" })
		if err != nil {
			log.Log(klog.LOG_ERR, "(%s) cannot watch %s: %v", name, sock, err)
		}
	}()
	log.Log(klog.LOG_INFO, "(%s) UAPI listener started at %s", name, sock)

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	var why string
	select {
	case sig := <-sigs:
		why = sig.String()
	case why = <-stop:
	}
	log.Log(klog.LOG_INFO, "(%s) shutting down: %s", name, why)
	close(done)
	l.Close() // removes the socket
	srv.Close(true)
	n.DestroyAll() // closes the TUN device: the interface goes
	return 0
}

// followDevice keeps the interface's MTU that of its TUN device, wherever
// ip(8) moves the device (ip link set IFNAME netns N: the device works
// on there while this process and its sockets stay), and calls gone once
// the device is deleted.
func followDevice(name string, dev tun.Device, n *ifnet.Net, log *klog.Logger, done <-chan struct{}, gone func()) {
	for {
		select {
		case <-done:
			return
		default:
		}
		where, netns, err := tun.Where(dev)
		if errors.Is(err, net.ErrClosed) || errors.Is(err, syscall.EBADFD) {
			gone()
			return
		}
		if err != nil {
			log.Log(klog.LOG_ERR, "(%s) %v", name, err)
			time.Sleep(time.Second)
			continue
		}
		w, mtu, err := netlink.WatchLink(netns, where)
		netns.Close()
		if err != nil {
			// Moving, most likely: ask again where it is.
			time.Sleep(50 * time.Millisecond)
			continue
		}
		n.NoteMTU(name, mtu)
		watch(w, name, n, done)
		w.Close()
	}
}

// watch reports w's MTU changes until the link leaves its namespace or
// done is closed.
func watch(w *netlink.LinkWatch, name string, n *ifnet.Net, done <-chan struct{}) {
	for {
		select {
		case <-done:
			return
		default:
		}
		ev, ok, err := w.Next()
		if err != nil || (ok && ev.Gone) {
			return
		}
		if ok && ev.MTU > 0 {
			n.NoteMTU(name, ev.MTU)
		}
	}
}
