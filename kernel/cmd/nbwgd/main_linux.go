//go:build linux

// Command nbwgd is nbwg's emulated NetBSD kernel for one Linux network
// namespace: it serves the ioctl carrier (kernel/ioctl) and runs the wg
// interfaces created through it.  The first `ifconfig wgN create` in a
// namespace starts it; it exits when the last interface is destroyed.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"nbwg/kernel/hostif"
	"nbwg/kernel/ioctl"
	"nbwg/kernel/kern"
	"nbwg/kernel/klog"
	"nbwg/kernel/tun"
	"nbwg/kernel/uapi"
	"nbwg/kernel/udp"
)

func main() {
	foreground := flag.Bool("f", false, "log to standard error too")
	logPath := flag.String("l", "", "log file (default: "+defaultLogDir+"/nbwgd[.NETNS].log)")
	debug := flag.Bool("d", false, "log debug messages")
	status := flag.Bool("s", false, "tell whether the namespace's kernel runs, and exit")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: %s [-dfs] [-l logfile]\n", filepath.Base(os.Args[0]))
		os.Exit(1)
	}
	flag.Parse()
	if flag.NArg() != 0 {
		flag.Usage()
	}
	if *status {
		os.Exit(showStatus())
	}
	os.Exit(run(*foreground, *logPath, *debug))
}

// showStatus tells whether the namespace's kernel runs (exit 0), or not
// (exit 1), and whether one died without halting.  It changes nothing.
func showStatus() int {
	c, err := ioctl.Open()
	if err == nil {
		fmt.Printf("nbwgd: %s runs in this network namespace\n", c.Kernel())
		c.Close()
		return 0
	}
	if !errors.Is(err, ioctl.ErrNoKernel) {
		fmt.Fprintf(os.Stderr, "nbwgd: %v\n", err)
		return 1
	}
	if err := ioctl.DiedKernel(false); err != nil {
		fmt.Printf("nbwgd: no kernel runs in this network namespace: %v\n", err)
		return 1
	}
	fmt.Println("nbwgd: no kernel runs in this network namespace")
	return 1
}

func run(foreground bool, logPath string, debug bool) int {
	// A daemon owes nothing to whoever started it: not the working
	// directory (which it would keep busy) nor the file mode mask.
	syscall.Umask(0o077)
	os.Chdir("/")

	if logPath == "" {
		logPath = defaultLogPath()
	}
	var sinks []io.Writer
	logFile, err := openLog(logPath)
	if err == nil {
		defer logFile.Close()
		sinks = append(sinks, logFile)
	} else {
		fmt.Fprintf(os.Stderr, "nbwgd: log: %v\n", err)
	}
	if foreground {
		sinks = append(sinks, os.Stderr)
	}
	// Protocol events are logged at LOG_DEBUG when net.wg.debug asks
	// for them (as NetBSD's WG_DLOG); -d turns that on from the start.
	log := klog.New(io.MultiWriter(sinks...), klog.LOG_DEBUG)

	if configOnly() && os.Getenv("NBWG_SOCKET") == "" {
		// It must not take the namespace's own address: the real
		// kernel would then find its place taken.
		fmt.Fprintln(os.Stderr, "nbwgd: NBWG_CONFIG_ONLY needs an address of its own in NBWG_SOCKET")
		return 1
	}
	l, err := ioctl.Listen()
	if err != nil {
		var running *ioctl.RunningError
		if errors.As(err, &running) {
			// It won a race to start, or was started by hand.
			fmt.Fprintf(os.Stderr, "nbwgd: %v\n", err)
			return 0
		}
		log.Log(klog.LOG_ERR, "cannot start: %v", err)
		if !foreground {
			fmt.Fprintf(os.Stderr, "nbwgd: %v\n", err)
		}
		return 1
	}
	if p := l.Previous; p != nil {
		log.Log(klog.LOG_WARNING, "the previous kernel of this namespace (pid %d, started %s) did not halt: it was killed or crashed, and its interfaces are gone",
			p.PID, time.Unix(p.Started, 0).Format(time.Stamp))
	}
	if err := l.WriteInfo(logPath); err != nil {
		log.Log(klog.LOG_WARNING, "cannot record the kernel's pid: %v", err)
	}
	raiseFileLimit()
	if !foreground {
		// Ready: let go of the starter's standard error (it waits for
		// it to close), and send what the Go runtime says there (a
		// panic's trace) to the log instead.
		detachStdio(logFile)
	}
	if path := os.Getenv("NBWG_CPUPROFILE"); path != "" {
		// For performance work: profile the kernel until it halts.
		if f, err := os.Create(fmt.Sprintf("%s.%d", path, os.Getpid())); err == nil {
			pprof.StartCPUProfile(f)
			defer func() { pprof.StopCPUProfile(); f.Close() }()
		}
	}

	host := hostif.New()
	parts := kern.Parts{
		Host:    host,
		Routes:  host,
		OpenTUN: openTUN,
		NewBind: udp.NewBind,
		Log:     log,
		Debug:   debug,

		CryptoWorkers: cryptoWorkers(log),
	}
	if configOnly() {
		// No devices, no sockets, nothing on the host: a kernel that
		// only holds what it is told (rc.d reload reads a file's
		// configuration from one).
		parts.Host, parts.OpenTUN, parts.NewBind = nil, nil, nil
		log.Log(klog.LOG_INFO, "configuration only: no devices, no sockets")
	}
	k := kern.New(parts)
	// WireGuard's userspace API for wg(8), beside the ioctls; not for
	// a kernel of configuration only, nor one at an address of its own
	// (NBWG_SOCKET), which is not its namespace's kernel.
	var pub *uapi.Publisher
	if !configOnly() && os.Getenv("NBWG_SOCKET") == "" {
		if ns, err := ioctl.NamespaceID(); err == nil {
			pub, err = uapi.NewPublisher(k.Net, uapi.DefaultPaths(ioctl.RunDir, ns),
				func(format string, a ...any) { log.Log(klog.LOG_WARNING, format, a...) })
			if err != nil {
				log.Log(klog.LOG_WARNING, "no userspace API for wg(8): %v", err)
			} else {
				k.Net.Watch(pub.Event)
			}
		}
	}
	idle := make(chan struct{}, 1)
	k.Net.Changed = func(count int) {
		if count == 0 {
			select {
			case idle <- struct{}{}:
			default:
			}
		}
	}

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	srv := &ioctl.Server{
		Handler: k,
		Logf:    func(format string, a ...any) { log.Log(klog.LOG_WARNING, format, a...) },
	}
	served := make(chan error, 1)
	serve := func() { go func() { served <- srv.Serve(l) }() }
	serve()
	log.Log(klog.LOG_INFO, "kernel started, pid %d", os.Getpid())

	// An idle kernel is also checked now and then: one started by a
	// sysctl write whose values went back to the defaults, say.
	idleCheck := time.NewTicker(idleCheckInterval)
	defer idleCheck.Stop()
	halt := func(why string) bool {
		if !k.Idle() {
			return false
		}
		halted, err := srv.Halt(l, served, k.Idle)
		if err != nil {
			log.Log(klog.LOG_ERR, "carrier: %v", err)
		}
		if halted {
			log.Log(klog.LOG_INFO, "%s, halting", why)
			return true
		}
		serve()
		return false
	}
loop:
	for {
		select {
		case <-idleCheck.C:
			if halt("idle") {
				break loop
			}
		case <-idle:
			if halt("last interface destroyed") {
				break loop
			}
		case sig := <-sigs:
			log.Log(klog.LOG_INFO, "halting on %v", sig)
			if pub != nil {
				// Its sockets live in the directory l.Close
				// removes.
				pub.Close()
			}
			l.Close()
			break loop
		case err := <-served:
			// Only the listening socket itself failing ends Serve;
			// the interfaces keep running while it is made anew.
			log.Log(klog.LOG_ERR, "carrier failed: %v; listening again", err)
			time.Sleep(time.Second)
			serve()
		}
	}
	k.Halt()
	log.Log(klog.LOG_INFO, "halted")
	return 0
}

// raiseFileLimit lifts the soft descriptor limit to the hard one: every
// connection and every interface costs descriptors, and running out
// must take long.
func raiseFileLimit() {
	var r syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r) == nil && r.Cur < r.Max {
		r.Cur = r.Max
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, &r)
	}
}

// detachStdio points standard output at /dev/null and standard error at
// the log (or /dev/null without one).
func detachStdio(logFile *os.File) {
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return
	}
	defer null.Close()
	unix.Dup2(int(null.Fd()), 0)
	unix.Dup2(int(null.Fd()), 1)
	errFile := null
	if logFile != nil {
		errFile = logFile
	}
	unix.Dup2(int(errFile.Fd()), 2)
}

const defaultLogDir = "/var/log/nbwg"

// cryptoWorkers reads NBWG_CRYPTO_WORKERS: the crypto workers of each
// interface each way, 0 for none; unset (or not a number, which is
// logged) leaves the choice to wg.DefaultCryptoWorkers.
func cryptoWorkers(log *klog.Logger) int {
	v := os.Getenv("NBWG_CRYPTO_WORKERS")
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > maxCryptoWorkers {
		log.Log(klog.LOG_WARNING, "NBWG_CRYPTO_WORKERS=%q is not a number from 0 to %d: ignored", v, maxCryptoWorkers)
		return 0
	}
	log.Log(klog.LOG_INFO, "NBWG_CRYPTO_WORKERS: %d crypto workers per interface each way", n)
	if n == 0 {
		return -1 // none
	}
	return n
}

// maxCryptoWorkers bounds NBWG_CRYPTO_WORKERS: each worker is two
// goroutines per interface.
const maxCryptoWorkers = 1024

// configOnly reports whether NBWG_CONFIG_ONLY asks for a kernel that
// holds configuration only.
func configOnly() bool { return os.Getenv("NBWG_CONFIG_ONLY") != "" }

// idleCheckInterval is how often a kernel without interfaces checks
// whether it may halt.
const idleCheckInterval = 30 * time.Second

// defaultLogPath names the log after the network namespace, since every
// namespace runs a kernel of its own: nbwgd.log for the host's own
// namespace, nbwgd.NAME.log for one made with `ip netns add NAME`.
func defaultLogPath() string {
	dir := defaultLogDir
	if d := os.Getenv("NBWG_LOGDIR"); d != "" {
		dir = d
	}
	return filepath.Join(dir, "nbwgd"+namespaceSuffix()+".log")
}

func namespaceSuffix() string {
	self, err := os.Stat("/proc/self/ns/net")
	if err != nil {
		return ""
	}
	if init, err := os.Stat("/proc/1/ns/net"); err == nil && os.SameFile(self, init) {
		return ""
	}
	if names, err := os.ReadDir("/run/netns"); err == nil {
		for _, e := range names {
			if fi, err := os.Stat(filepath.Join("/run/netns", e.Name())); err == nil && os.SameFile(self, fi) {
				return "." + e.Name()
			}
		}
	}
	link, err := os.Readlink("/proc/self/ns/net")
	if err != nil {
		return ""
	}
	// "net:[4026532451]" → ".net-4026532451"
	return ".net-" + strings.Trim(strings.TrimPrefix(link, "net:"), "[]")
}

func openLog(path string) (*os.File, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	return os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
}

// openTUN opens the interface's TUN device with TCP/UDP segmentation
// offloads when the host's kernel has them, else a plain one.
func openTUN(name string, mtu int) (tun.Device, error) {
	if os.Getenv("NBWG_NO_OFFLOAD") == "" {
		if d, err := tun.CreateAuthenticated(name, mtu); err == nil {
			return d, nil
		}
	}
	return tun.Create(name, mtu)
}
