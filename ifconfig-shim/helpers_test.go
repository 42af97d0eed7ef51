package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"nbwg/internal/cli"
	"nbwg/kernel/ifnet"
	"nbwg/kernel/kern"
	"nbwg/kernel/prop"
	"nbwg/kernel/sys"
)

var (
	root   = sys.Cred{UID: 0}
	nobody = sys.Cred{UID: 65534, GID: 65534}
)

// logKernel records the requests it passes on, by name, for order
// checks.
type logKernel struct {
	k   cli.Kernel
	log *[]string
}

func (k logKernel) Ioctl(cmd uint32, arg, buf []byte) error {
	*k.log = append(*k.log, sys.IoctlName(cmd))
	return k.k.Ioctl(cmd, arg, buf)
}

// host is one emulated NetBSD host for the tests.
type host struct {
	t   *testing.T
	n   *ifnet.Net
	log []string
	// starts counts the Kernel(true) calls: only create may start.
	starts int
	// clock is ifconfig's time; its sleeps advance it and are counted.
	clock  time.Time
	sleeps int
}

func newHost(t *testing.T) *host {
	t.Helper()
	return &host{t: t, n: kern.New(kern.Parts{}).Net, clock: time.Unix(1700000000, 0)}
}

// result is what one ifconfig run did.
type result struct {
	Stdout, Stderr string
	Code           int
}

// run runs ifconfig with args as root.
func (h *host) run(args ...string) result { return h.runAs(root, args...) }

// runAs runs ifconfig with args (without the program name) as cred.
func (h *host) runAs(cred sys.Cred, args ...string) result {
	h.t.Helper()
	var stdout, stderr bytes.Buffer
	env := &cli.Env{
		Args:   append([]string{"/sbin/ifconfig"}, args...),
		Stdin:  strings.NewReader(""),
		Stdout: &stdout,
		Stderr: &stderr,
		Kernel: func(start bool) (cli.Kernel, error) {
			if start {
				h.starts++
			}
			// The emulated kernel in memory, seen with the caller's
			// credentials: what the ioctl carrier would connect to.
			return logKernel{k: cli.Local(h.n, cred), log: &h.log}, nil
		},
	}
	p := newProg(env)
	p.lookupHost = func(ctx context.Context, network, host string) ([]netip.Addr, error) {
		switch host {
		case "one.example":
			return []netip.Addr{netip.MustParseAddr("192.0.2.7")}, nil
		case "two.example":
			return []netip.Addr{netip.MustParseAddr("192.0.2.8"), netip.MustParseAddr("2001:db8::8")}, nil
		}
		return nil, errors.New("no such host")
	}
	p.lookupAddr = func(ctx context.Context, a netip.Addr) ([]string, error) {
		if a == netip.MustParseAddr("10.2.0.1") {
			return []string{"a.example."}, nil
		}
		return nil, errors.New("no name")
	}
	p.lookupPort = func(ctx context.Context, network, service string) (int, error) {
		if service == "domain" {
			return 53, nil
		}
		return 0, errors.New("unknown service")
	}
	p.now = func() time.Time { return h.clock }
	p.sleep = func(d time.Duration) { h.clock = h.clock.Add(d); h.sleeps++ }
	code := p.main()
	p.out.Flush()
	return result{Stdout: stdout.String(), Stderr: stderr.String(), Code: code}
}

// must runs ifconfig as root and fails the test unless it exits 0
// silently on standard error.
func (h *host) must(args ...string) string {
	h.t.Helper()
	r := h.run(args...)
	if r.Code != 0 || r.Stderr != "" {
		h.t.Fatalf("ifconfig %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.Code, r.Stdout, r.Stderr)
	}
	return r.Stdout
}

// addPeer adds a peer to a wg interface through if_wg's SIOCSDRVSPEC, as
// wgconfig(8) does; the first peer brings the link up.
func (h *host) addPeer(ifname string, key byte) {
	h.t.Helper()
	d := prop.NewDictionary()
	d.SetString(sys.WGKeyName, fmt.Sprintf("peer%d", key))
	d.SetData(sys.WGKeyPublicKey, bytes.Repeat([]byte{key}, 32))
	xml, err := prop.Externalize(d)
	if err != nil {
		h.t.Fatal(err)
	}
	ifd := sys.Ifdrv{Cmd: sys.WG_IOCTL_ADD_PEER, Len: uint64(len(xml))}
	copy(ifd.Name[:], ifname)
	if _, err := h.n.Ioctl(root, sys.SIOCSDRVSPEC, ifd.Marshal(), xml); err != nil {
		h.t.Fatalf("add peer to %s: %v", ifname, err)
	}
}

// deletePeer deletes the peer of key (by its name, as if_wg deletes);
// the last one takes the link down.
func (h *host) deletePeer(ifname string, key byte) {
	h.t.Helper()
	d := prop.NewDictionary()
	d.SetString(sys.WGKeyName, fmt.Sprintf("peer%d", key))
	xml, err := prop.Externalize(d)
	if err != nil {
		h.t.Fatal(err)
	}
	ifd := sys.Ifdrv{Cmd: sys.WG_IOCTL_DELETE_PEER, Len: uint64(len(xml))}
	copy(ifd.Name[:], ifname)
	if _, err := h.n.Ioctl(root, sys.SIOCSDRVSPEC, ifd.Marshal(), xml); err != nil {
		h.t.Fatalf("delete peer of %s: %v", ifname, err)
	}
}
