package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"nbwg/internal/cli"
	"nbwg/kernel/kern"
	"nbwg/kernel/sys"
	"nbwg/kernel/sysctl"
	"nbwg/kernel/wg"
)

var (
	root   = sys.Cred{UID: 0}
	nobody = sys.Cred{UID: 65534, GID: 65534}
)

// host is one emulated host for the tests: a kernel's sysctl tree in
// memory, which runs or not, and a fake host sysctl.
type host struct {
	t       *testing.T
	params  *wg.Params
	tree    *sysctl.Tree
	running bool
	// starts counts Kernel(true) calls, dials the Kernel calls.
	starts, dials int
	// fail, when set, is the errno every request to the kernel gets.
	fail sys.Errno
	// execs counts hand-offs that would have replaced the process.
	execs int
}

// newHost returns a host whose kernel runs, at its defaults, with a fake
// host sysctl in place.
func newHost(t *testing.T) *host {
	t.Helper()
	k := kern.New(kern.Parts{})
	h := &host{t: t, params: k.Params, tree: k.Sysctl, running: true}
	fakeHostSysctl(t)
	return h
}

// fakeScript is the host's sysctl of the tests: it prints its
// arguments, and standard input when given "-"; it fails with status 3
// when asked for kernel.nope.
const fakeScript = `#!/bin/sh
printf 'host:'
for a in "$@"; do printf ' [%s]' "$a"; done
echo
for a in "$@"; do
	if [ "$a" = - ]; then sed 's/^/stdin: /'; fi
	if [ "$a" = kernel.nope ]; then echo "sysctl: cannot stat /proc/sys/kernel/nope" >&2; exit 3; fi
done
exit 0
`

// fakeHostSysctl points hostSysctlPath at the fake for the test.
func fakeHostSysctl(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sysctl")
	if err := os.WriteFile(path, []byte(fakeScript), 0o755); err != nil {
		t.Fatal(err)
	}
	old := hostSysctlPath
	hostSysctlPath = path
	t.Cleanup(func() { hostSysctlPath = old })
	return path
}

// noKernel answers as cli's stand-in for a kernel that does not run.
type noKernel struct{}

func (noKernel) Ioctl(cmd uint32, arg, buf []byte) error { return sys.ENXIO }

// failKernel refuses every request.
type failKernel struct{ err sys.Errno }

func (k failKernel) Ioctl(cmd uint32, arg, buf []byte) error { return k.err }

// result is what one sysctl run did.
type result struct {
	Stdout, Stderr string
	Code           int
}

// run runs sysctl as root.
func (h *host) run(args ...string) result { return h.runAs(root, args...) }

// runAs runs sysctl as the caller cred, with its Kernel as cli's: a
// write may start a kernel, only root's does.
func (h *host) runAs(cred sys.Cred, args ...string) result {
	return h.runIn(cred, "", args...)
}

// runIn is runAs with standard input.
func (h *host) runIn(cred sys.Cred, stdin string, args ...string) result {
	h.t.Helper()
	var stdout, stderr bytes.Buffer
	env := &cli.Env{
		Args:   append([]string{"sysctl"}, args...),
		Stdin:  strings.NewReader(stdin),
		Stdout: &stdout,
		Stderr: &stderr,
		Kernel: func(start bool) (cli.Kernel, error) {
			h.dials++
			if start {
				h.starts++
				if !h.running && cred.Privileged() {
					h.running = true
				}
			}
			switch {
			case h.fail != 0:
				return failKernel{h.fail}, nil
			case !h.running:
				return noKernel{}, nil
			}
			return cli.Local(h.tree, cred), nil
		},
	}
	p := newProg(env)
	p.execHost = func(path string, argv []string, stdin io.Reader) (int, error) {
		h.execs++
		return p.spawnHost(path, argv, stdin)
	}
	code := p.main()
	return result{Stdout: stdout.String(), Stderr: stderr.String(), Code: code}
}

// ok is a successful run's result.
func ok(stdout string) result { return result{Stdout: stdout} }

// fails is a failed run's result with nothing on standard output.
func fails(stderr string) result { return result{Stderr: stderr, Code: 1} }

// usageText is the usage sysctl prints.
const usageText = "usage:\tsysctl [-dneq] [-x[x]|-r] variable ...\n" +
	"\tsysctl [-ne] [-q] -w variable=value ...\n" +
	"\tsysctl [-dne] -a\n" +
	"\tsysctl [-dne] -A\n" +
	"\tsysctl [-ne] -M\n" +
	"\tsysctl [-dne] [-q] -f file\n"

// defaultListing is `sysctl net.wg` on a fresh kernel.
const defaultListing = "net.wg.rekey_after_messages = 1152921504606846976\n" +
	"net.wg.reject_after_messages = 18446744073709543423\n" +
	"net.wg.rekey_after_time = 120\n" +
	"net.wg.reject_after_time = 180\n" +
	"net.wg.rekey_timeout = 5\n" +
	"net.wg.rekey_attempt_time = 90\n" +
	"net.wg.keepalive_timeout = 10\n" +
	"net.wg.force_underload = 0\n" +
	"net.wg.debug = 0\n"

// descriptions is `sysctl -d net.wg`.
const descriptions = "net.wg.rekey_after_messages: session liftime by messages\n" +
	"net.wg.reject_after_messages: session messages limit\n" +
	"net.wg.rekey_after_time: session liftime\n" +
	"net.wg.reject_after_time: session time limit\n" +
	"net.wg.rekey_timeout: session handshake retry time\n" +
	"net.wg.rekey_attempt_time: session handshake timeout\n" +
	"net.wg.keepalive_timeout: keepalive timeout\n" +
	"net.wg.force_underload: force to detemine under load\n" +
	"net.wg.debug: set debug flags 1=log 2=trace 4=dump 8=packet\n"
