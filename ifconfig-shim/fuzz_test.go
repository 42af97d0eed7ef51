package main

import (
	"bytes"
	"context"
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"nbwg/internal/cli"
	"nbwg/kernel/sys"
)

// FuzzArgs runs ifconfig with any command line ('\x00' separates the
// arguments) against an emulated kernel in memory holding wg0 with an
// IPv4 and an IPv6 address and a peer, and wg1 bare, as root or as
// nobody (the selector's low bit).  Names are looked up in a table and
// time is a fake clock.  Whatever the arguments:
//   - the exit status is 0 or 1 (ifconfig(8), EXIT STATUS);
//   - a failure says why on standard error, except with -s, whose
//     status is the answer;
//   - only `create` may start a kernel.
func FuzzArgs(f *testing.F) {
	for _, s := range []string{
		"",
		"-a",
		"-l",
		"-lu",
		"-C",
		"-s\x00wg0",
		"-s\x00wg1",
		"wg0",
		"-v\x00-z\x00wg0",
		"-L\x00-N\x00wg0",
		"wg2\x00create",
		"wg2\x00create\x00inet\x0010.3.0.1/24\x00up",
		"wg0\x00destroy",
		"wg0\x00inet\x0010.2.0.1/24",
		"wg0\x00inet\x0010.2.0.2\x00netmask\x000xffffff00\x00alias",
		"wg0\x00inet\x0010.2.0.1\x00-alias",
		"wg0\x00inet6\x00fd00:2::1/64",
		"wg0\x00inet6\x00fd00:2::2\x00prefixlen\x0064\x00alias\x00pltime\x00100\x00vltime\x00200",
		"wg0\x00inet6\x00fe80::1%wg0/64",
		"wg0\x00inet\x00one.example",
		"wg0\x00mtu\x001380",
		"wg0\x00mtu\x0099999",
		"wg0\x00up",
		"wg0\x00down",
		"wg0\x00description\x00my tunnel",
		"wg0\x00-description",
		"wg0\x00media\x00autoselect",
		"eth0\x00up",
		"-w\x005\x00-W\x005",
		"-w\x002147483647\x00-W\x002147483647",
		"wg0\x00inet\x0010.2.0.1/24\x00broadcast\x0010.2.0.255\x00prefer",
		"-a\x00inet6",
		"-x",
		"wg0\x00bogus",
	} {
		f.Add(s, uint8(0))
		f.Add(s, uint8(1))
	}
	f.Fuzz(func(t *testing.T, line string, sel uint8) {
		args := []string{"/sbin/ifconfig"}
		if line != "" {
			args = append(args, strings.Split(line, "\x00")...)
		}
		cred := root
		if sel&1 != 0 {
			cred = nobody
		}
		h := newHost(t)
		h.must("wg0", "create")
		h.must("wg0", "inet", "10.2.0.1/24")
		h.must("wg0", "inet6", "fd00:2::1/64")
		h.addPeer("wg0", 1)
		h.must("wg1", "create")
		h.starts = 0

		r := fuzzRun(h, cred, args)
		silent := false
		for _, a := range args[1:] {
			if a == "--" || !strings.HasPrefix(a, "-") {
				break
			}
			silent = silent || strings.Contains(a, "s")
		}
		switch {
		case r.Code != 0 && r.Code != 1:
			t.Errorf("%q: exit status %d", args, r.Code)
		case r.Code == 1 && r.Stderr == "" && !silent:
			t.Errorf("%q: exit status 1 and nothing on standard error", args)
		case h.starts > 0 && !slices.Contains(args, "create"):
			t.Errorf("%q: a kernel was started without create", args)
		}
	})
}

// fuzzRun runs ifconfig as h.runAs does, with a clock that speeds up
// after a thousand sleeps, so that -w and -W with any number of seconds
// end soon.
func fuzzRun(h *host, cred sys.Cred, args []string) result {
	var stdout, stderr bytes.Buffer
	env := &cli.Env{
		Args:   args,
		Stdin:  strings.NewReader(""),
		Stdout: &stdout,
		Stderr: &stderr,
		Kernel: func(start bool) (cli.Kernel, error) {
			if start {
				h.starts++
			}
			return cli.Local(h.n, cred), nil
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
		return nil, errors.New("no name")
	}
	p.lookupPort = func(ctx context.Context, network, service string) (int, error) {
		return 0, errors.New("unknown service")
	}
	step := time.Duration(0)
	p.now = func() time.Time { return h.clock }
	p.sleep = func(d time.Duration) {
		h.sleeps++
		if h.sleeps > 1000 {
			step = max(2*step, time.Hour)
			d = step
		}
		h.clock = h.clock.Add(d)
	}
	code := p.main()
	p.out.Flush()
	return result{Stdout: stdout.String(), Stderr: stderr.String(), Code: code}
}
