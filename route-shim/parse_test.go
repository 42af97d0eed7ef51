package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"nbwg/internal/cli"
	"nbwg/kernel/sys"
)

func TestInetNetwork(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want uint32
		ok   bool
	}{
		{"10.3.0.0", 0x0a030000, true},
		{"10.3", 0x0a03, true},
		{"192.168.2", 0xc0a802, true},
		{"0x0a.3", 0x0a03, true},
		{"012", 10, true},
		{"10.3.0.0 trailing", 0x0a030000, true},
		{"256.1", 0, false},
		{"1.2.3.4.5", 0, false},
		{"09", 0, false},
		{"", 0, false},
		{"10.", 0, false},
		{"wg0", 0, false},
	} {
		got, ok := inetNetwork(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("inetNetwork(%q) = %#x, %v; want %#x, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestLinkAddr(t *testing.T) {
	for _, tc := range []struct {
		in, want string
	}{
		{"wg0", "nlen 3 alen 0 data wg0"},
		{"wg12", "nlen 4 alen 0 data wg12"},
		{"ex0:a.b.1c", "nlen 3 alen 3 data ex0 0a 0b 1c"},
	} {
		var su sockunion
		su[0] = sizeofSockaddrDl
		linkAddr(tc.in, &su)
		s := sys.UnmarshalSockaddrDl(su[:])
		got := fmt.Sprintf("nlen %d alen %d data %s", s.Nlen, s.Alen, s.Name())
		for _, b := range s.Data[s.Nlen : s.Nlen+s.Alen] {
			got += fmt.Sprintf(" %02x", b)
		}
		if su[1] != sys.AF_LINK || su[0] != sizeofSockaddrDl || got != tc.want {
			t.Errorf("linkAddr(%q): len %d family %d, %s; want %s", tc.in, su[0], su[1], got, tc.want)
		}
	}
}

// describeMsg renders a routing message route wrote: type, flags, and
// each address with its sa_len.
func describeMsg(b []byte) string {
	m, _, err := sys.ParseRtMsg(b)
	if err != nil {
		return "bad message: " + err.Error()
	}
	parts := []string{fmt.Sprintf("type %d flags %#x", m.Hdr.Type, m.Hdr.Flags)}
	if m.Hdr.Inits != 0 {
		parts = append(parts, fmt.Sprintf("inits %#x mtu %d locks %#x", m.Hdr.Inits, m.Hdr.Rmx.MTU, m.Hdr.Rmx.Locks))
	}
	names := []string{"dst", "gateway", "netmask", "genmask", "ifp", "ifa"}
	for i, sa := range m.Addrs {
		if sa == nil {
			continue
		}
		var v string
		switch sa[1] {
		case sys.AF_INET:
			v = fmt.Sprintf("inet %d.%d.%d.%d", sa[4], sa[5], sa[6], sa[7])
		case sys.AF_INET6:
			s, _ := sys.UnmarshalSockaddrIn6(append(sa, make([]byte, 28)...))
			v = fmt.Sprintf("inet6 % x", s.Addr[:])
		case sys.AF_LINK:
			s := sys.UnmarshalSockaddrDl(sa)
			v = fmt.Sprintf("link %q", s.Name())
		default:
			v = fmt.Sprintf("af %d", sa[1])
		}
		parts = append(parts, fmt.Sprintf("%s(len %d) %s", names[i], sa[0], v))
	}
	return strings.Join(parts, "; ")
}

// TestMessages: the routing messages route(8) writes for the commands
// of NetBSD's tests and ifconfig.if(5), checked field by field: the
// netmask as mask_addr cuts it, a link-level gateway naming the
// interface, RTF_GATEWAY only without -iface, RTF_HOST for a host.
func TestMessages(t *testing.T) {
	h := siteB(t)
	h.ifconfig("wg1", "create", "10.8.0.1/24")
	for _, tc := range []struct {
		cmdline string
		want    string
	}{
		{"add -inet -net 192.168.2.0/24 -link wg0 -iface",
			`type 1 flags 0x801; dst(len 16) inet 192.168.2.0; gateway(len 32) link "wg0"; netmask(len 7) inet 255.255.255.0`},
		{"add -inet6 -net fd00:3::/64 -link wg0 -iface",
			`type 1 flags 0x801; dst(len 28) inet6 fd 00 00 03 00 00 00 00 00 00 00 00 00 00 00 00; gateway(len 32) link "wg0"; netmask(len 16) inet6 ff ff ff ff ff ff ff ff 00 00 00 00 00 00 00 00`},
		{"add -net 10.3.0.0/24 10.2.0.42",
			`type 1 flags 0x803; dst(len 16) inet 10.3.0.0; gateway(len 16) inet 10.2.0.42; netmask(len 7) inet 255.255.255.0`},
		{"add 10.4.0.1 10.2.0.42 -mtu 1300 -lock -hopcount 3",
			`type 1 flags 0x807; inits 0x3 mtu 1300 locks 0x2; dst(len 16) inet 10.4.0.1; gateway(len 16) inet 10.2.0.42`},
		// A classful network: 10.5 is 10.5.0.0/16.
		{"add -net 10.5 10.2.0.42",
			`type 1 flags 0x803; dst(len 16) inet 10.5.0.0; gateway(len 16) inet 10.2.0.42; netmask(len 6) inet 255.255.0.0`},
		{"add default -link wg0 -iface",
			`type 1 flags 0x801; dst(len 16) inet 0.0.0.0; gateway(len 32) link "wg0"; netmask(len 0) inet 0.0.0.0`},
		{"change -net 10.3.0.0/24 -ifp wg1",
			`type 3 flags 0x803; dst(len 16) inet 10.3.0.0; netmask(len 7) inet 255.255.255.0; ifp(len 16) link "wg1"`},
		{"get 10.3.0.1",
			`type 4 flags 0x807; dst(len 16) inet 10.3.0.1; ifp(len 32) link ""`},
		{"get -inet6 fe80::1%wg0",
			`type 4 flags 0x807; dst(len 28) inet6 fe 80 00 02 00 00 00 00 00 00 00 00 00 00 00 01; ifp(len 32) link ""`},
		{"delete -net 10.3.0.0/24",
			`type 2 flags 0x803; dst(len 16) inet 10.3.0.0; netmask(len 7) inet 255.255.255.0`},
	} {
		rec := &recorder{}
		var stdout, stderr strings.Builder
		env := &cli.Env{
			Args:   append([]string{"route"}, strings.Fields(tc.cmdline)...),
			Stdout: &stdout, Stderr: &stderr,
			Kernel: func(bool) (cli.Kernel, error) {
				rec.k = cli.Local(h.k, root)
				return rec, nil
			},
		}
		p := newProg(env)
		p.names = h.names()
		p.main()
		p.out.Flush()
		if len(rec.msgs) != 1 {
			t.Errorf("route %s: %d messages written; stderr %q", tc.cmdline, len(rec.msgs), stderr.String())
			continue
		}
		if diff := cmp.Diff(tc.want, describeMsg(rec.msgs[0])); diff != "" {
			t.Errorf("route %s: message (-want +got):\n%s", tc.cmdline, diff)
		}
	}
}
