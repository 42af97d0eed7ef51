package main

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"nbwg/internal/addrinfo"
	"nbwg/internal/cli"
	"nbwg/kernel/kern"
	"nbwg/kernel/sys"
)

var (
	root   = sys.Cred{UID: 0, PID: 100}
	nobody = sys.Cred{UID: 65534, GID: 65534, PID: 101}
)

// host is one emulated NetBSD host for the tests: a kernel in memory
// (interfaces are numbered from 2), and the name databases route
// consults.
type host struct {
	t *testing.T
	k *kern.Kernel
	// running false: no kernel runs (cli's stand-in answers ENXIO).
	running bool
	// hosts is the hosts database, both ways.
	hosts map[string]netip.Addr
	// networks is the networks(5) file.
	networks string
}

func newHost(t *testing.T) *host {
	t.Helper()
	h := &host{t: t, k: kern.New(kern.Parts{}), running: true, hosts: map[string]netip.Addr{}}
	h.networks = filepath.Join(t.TempDir(), "networks")
	if err := os.WriteFile(h.networks, []byte("# networks(5)\nloopback\t127\nsiteb\t10.3.0.0\tsite-b # an alias\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return h
}

// ifconfig configures an interface as ifconfig would, through the
// kernel's ioctls: "create", "destroy", "up", "down", or an address with
// its prefix length.
func (h *host) ifconfig(name string, words ...string) {
	h.t.Helper()
	k := cli.Local(h.k, root)
	for _, w := range words {
		var cmd uint32
		var arg []byte
		switch w {
		case "create", "destroy":
			r := sys.Ifreq{}
			copy(r.Name[:], name)
			cmd, arg = sys.SIOCIFCREATE, r.Marshal()
			if w == "destroy" {
				cmd = sys.SIOCIFDESTROY
			}
		case "up", "down":
			r := sys.Ifreq{}
			copy(r.Name[:], name)
			if w == "up" {
				r.SetFlags(sys.IFF_UP)
			}
			cmd, arg = sys.SIOCSIFFLAGS, r.Marshal()
		default:
			p := netip.MustParsePrefix(w)
			mask := make([]byte, p.Addr().BitLen()/8)
			for i := 0; i < p.Bits(); i++ {
				mask[i/8] |= 0x80 >> (i % 8)
			}
			if p.Addr().Is4() {
				r := sys.InAliasreq{Addr: sys.SockaddrInFrom(p.Addr(), 0)}
				copy(r.Name[:], name)
				r.Mask = sys.SockaddrIn{Len: 16, Family: sys.AF_INET, Addr: [4]byte(mask)}
				cmd, arg = sys.SIOCAIFADDR, r.Marshal()
			} else {
				r := sys.In6Aliasreq{Addr: sys.SockaddrIn6From(p.Addr(), 0, 0)}
				copy(r.Name[:], name)
				r.Prefixmask = sys.SockaddrIn6{Len: 28, Family: sys.AF_INET6, Addr: [16]byte(mask)}
				cmd, arg = sys.SIOCAIFADDR_IN6, r.Marshal()
			}
		}
		if err := k.Ioctl(cmd, arg, nil); err != nil {
			h.t.Fatalf("ifconfig %s %s: %v", name, w, err)
		}
	}
}

// names are the databases of the tests: h.hosts, h.networks, the
// kernel's interfaces for scope names, and the host name a.example.
func (h *host) names() *names {
	ifByName := func(name string) (uint32, bool) {
		if ifp := h.k.Net.Lookup(name); ifp != nil {
			return uint32(ifp.Index()), true
		}
		return 0, false
	}
	ifByIndex := func(index uint32) (string, bool) {
		for _, ifp := range h.k.Net.Interfaces() {
			if uint32(ifp.Index()) == index {
				return ifp.Name(), true
			}
		}
		return "", false
	}
	return &names{
		resolver: &addrinfo.Resolver{
			LookupHost: func(ctx context.Context, network, name string) ([]netip.Addr, error) {
				if a, ok := h.hosts[name]; ok && (network != "ip4" || a.Is4()) && (network != "ip6" || a.Is6()) {
					return []netip.Addr{a}, nil
				}
				return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
			},
			IfNameToIndex: ifByName,
			IfIndexToName: ifByIndex,
		},
		lookupAddr: func(ctx context.Context, a netip.Addr) ([]string, error) {
			for name, x := range h.hosts {
				if x == a {
					return []string{name + "."}, nil
				}
			}
			return nil, errors.New("not found")
		},
		networks: h.networks,
		hostname: func() (string, error) { return "a.example", nil },
	}
}

// result is what one run of route did.
type result struct {
	Stdout, Stderr string
	Code           int
}

// run runs route as root with the arguments of a command line.
func (h *host) run(cmdline string) result {
	return h.runAs(root, cmdline)
}

func (h *host) runAs(cred sys.Cred, cmdline string) result {
	h.t.Helper()
	var stdout, stderr bytes.Buffer
	env := &cli.Env{
		Args:   append([]string{"route"}, strings.Fields(cmdline)...),
		Stdin:  strings.NewReader(""),
		Stdout: &stdout,
		Stderr: &stderr,
		Kernel: func(start bool) (cli.Kernel, error) {
			if start {
				h.t.Errorf("route %s: asked for a kernel to be started", cmdline)
			}
			if !h.running {
				return noKernel{}, nil
			}
			return cli.Local(h.k, cred), nil
		},
	}
	p := newProg(env)
	p.uid = int(cred.UID)
	p.names = h.names()
	p.clock = func() time.Time { return time.Unix(1700000000, 0) }
	code := p.main()
	p.out.Flush()
	return result{stdout.String(), stderr.String(), code}
}

// noKernel answers as cli's stand-in for a kernel that does not run.
type noKernel struct{}

func (noKernel) Ioctl(cmd uint32, arg, buf []byte) error { return sys.ENXIO }

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }
