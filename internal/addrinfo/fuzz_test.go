package addrinfo

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"testing"

	"nbwg/internal/inet"
	"nbwg/kernel/sys"
)

// The text conversions read what administrators type (wgconfig's
// --endpoint= and --allowed-ips=, ifconfig's addresses): whatever the
// text, they must not panic, and where net/netip reads the same text the
// two must agree.

// FuzzInetPton checks inet_pton(3) for both families and inet_aton(3)
// against net/netip, and the IPv6 text round trip through inet_ntop(3).
func FuzzInetPton(f *testing.F) {
	for _, s := range []string{
		"10.2.0.1", "255.255.255.255", "256.1.1.1", "09.1.1.1", "010.1.1.1", "1.2.3", "1.2.3.4 junk",
		"0x7f.1", "127.1", "4294967295", "0", "1.2.3.4.",
		"fd00:2::42", "::", "::1", "1::", "fe80::1", "::ffff:192.0.2.1", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9",
		"0.4294967296.0.0", "1::2::3", ":1::", "::1.2.3.4 x", "12345::", "0:0:0:0:0:0:1.2.3.4", "::%lo",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b4, ok4 := InetPton4(s)
		b6, ok6 := InetPton6(s)
		ba, oka := InetAton(s)

		ref, err := netip.ParseAddr(s)
		if err == nil && ref.Zone() == "" {
			switch {
			case ref.Is4() && (!ok4 || netip.AddrFrom4(b4) != ref):
				t.Errorf("InetPton4(%q) = %v, %v; netip: %v", s, b4, ok4, ref)
			case ref.Is4() && (!oka || netip.AddrFrom4(ba) != ref):
				// netip's dotted quad has no leading zeros, so
				// inet_aton reads it in decimal too.
				t.Errorf("InetAton(%q) = %v, %v; netip: %v", s, ba, oka, ref)
			case ref.Is6() && (!ok6 || netip.AddrFrom16(b6) != ref):
				t.Errorf("InetPton6(%q) = %v, %v; netip: %v", s, b6, ok6, ref)
			}
		}
		// Over an alphabet where neither has a quirk of its own (no
		// embedded IPv4, which inet_pton4 ends at white space), what
		// inet_pton accepts netip accepts, and means the same.
		if ok6 && strings.Trim(s, "0123456789abcdefABCDEF:") == "" {
			if err != nil || netip.AddrFrom16(b6) != ref {
				t.Errorf("InetPton6(%q) = %v; netip: %v, %v", s, netip.AddrFrom16(b6), ref, err)
			}
		}
		if ok4 && strings.Trim(s, "0123456789.") == "" && !hasLeadingZero(s) && !hasLongPart(s) {
			if err != nil || netip.AddrFrom4(b4) != ref {
				t.Errorf("InetPton4(%q) = %v; netip: %v, %v", s, netip.AddrFrom4(b4), ref, err)
			}
		}
		if ok6 {
			text := inet.Ntop6(b6)
			back, ok := InetPton6(text)
			if !ok || back != b6 {
				t.Errorf("InetPton6(Ntop6(InetPton6(%q)) = %q) = %v, %v", s, text, back, ok)
			}
		}
	})
}

// hasLongPart reports whether a dotted number has a part of more than
// three digits, which inet_pton (as NetBSD's, accumulating in 32 bits)
// may wrap around to a value that fits: "0.4294967296.0.0" is 0.0.0.0
// to NetBSD, and nothing to netip.
func hasLongPart(s string) bool {
	for _, part := range strings.Split(s, ".") {
		if len(part) > 3 {
			return true
		}
	}
	return false
}

// hasLeadingZero reports whether a dotted number has a part with a
// leading zero (which inet_pton reads as decimal and netip refuses).
func hasLeadingZero(s string) bool {
	for _, part := range strings.Split(s, ".") {
		if len(part) > 1 && part[0] == '0' {
			return true
		}
	}
	return false
}

// fuzzResolver answers from fixed tables: no name service is asked.
func fuzzResolver() *Resolver {
	hosts := map[string][]netip.Addr{
		"one.example":  {netip.MustParseAddr("192.0.2.7")},
		"two.example":  {netip.MustParseAddr("192.0.2.8"), netip.MustParseAddr("2001:db8::8")},
		"six.example":  {netip.MustParseAddr("2001:db8::6")},
		"map.example":  {netip.MustParseAddr("::ffff:192.0.2.9")},
		"zone.example": {netip.MustParseAddr("fe80::1%lo")},
	}
	ifs := map[string]uint32{"lo": 1, "eth0": 2, "wg0": 5}
	return &Resolver{
		LookupHost: func(ctx context.Context, network, name string) ([]netip.Addr, error) {
			switch name {
			case "again.example":
				return nil, &net.DNSError{Err: "try again", Name: name, IsTemporary: true}
			case "broken.example":
				return nil, &net.DNSError{Err: "server misbehaving", Name: name}
			}
			addrs, ok := hosts[name]
			if !ok {
				return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
			}
			var out []netip.Addr
			for _, a := range addrs {
				if network == "ip4" && !a.Unmap().Is4() || network == "ip6" && a.Is4() {
					continue
				}
				out = append(out, a)
			}
			return out, nil
		},
		LookupService: ServiceLookup(func(ctx context.Context, network, service string) (int, error) {
			switch service {
			case "domain":
				return 53, nil
			case "wireguard":
				if network == "udp" {
					return 51820, nil
				}
			case "huge":
				return 70000, nil
			}
			return 0, &net.DNSError{Err: "unknown port", Name: service}
		}),
		IfNameToIndex: func(name string) (uint32, bool) {
			i, ok := ifs[name]
			return i, ok
		},
		IfIndexToName: func(index uint32) (string, bool) {
			for name, i := range ifs {
				if i == index {
					return name, true
				}
			}
			return "", false
		},
	}
}

// FuzzGetaddrinfo calls Getaddrinfo with any host and service, the
// hints chosen by a byte (wgconfig's for endpoints and allowed IPs,
// ifconfig's, and any other), and checks the answer's shape: an *Error
// with a code gai_strerror knows, or answers whose family matches their
// address and hints, with a port only for a service and a scope only on
// IPv6, each of which marshals as the sockaddr wgconfig sends.
func FuzzGetaddrinfo(f *testing.F) {
	for _, s := range []struct {
		host, serv string
		sel        uint8
	}{
		{"192.0.2.1", "51820", 0},            // --endpoint=192.0.2.1:51820
		{"fc00::2", "51820", 0},              // --endpoint=[fc00::2]:51820
		{"fe80::1%wg0", "1234", 0},           // a scoped endpoint
		{"fe80::1%2", "1234", 0},             //
		{"fe80::1%99999999999", "1234", 0},   // ERANGE
		{"one.example", "wireguard", 0},      // names
		{"two.example", "domain", 0},         //
		{"again.example", "1", 0},            //
		{"10.2.0.42", "", 1},                 // --allowed-ips=10.2.0.42/32
		{"fd00:2::42", "", 1},                //
		{"0x7f.1", "", 1},                    // inet_aton's forms
		{"10.0.0.1 ", "", 1},                 //
		{"one.example", "", 1},               // a name where a number must be
		{"192.0.2.7", "", 2},                 // ifconfig wg0 inet 192.0.2.7
		{"2001:db8::1", "", 3},               //
		{"", "", 4},                          //
		{"::ffff:1.2.3.4", "0x10", 5},        //
		{"six.example", "huge", 6},           //
		{"map.example", "-1", 7},             //
		{"zone.example", "4294967296", 8},    //
		{"1.2.3.4", "2147483648", 9},         //
		{"fe80::1%lo", "domain", 10},         //
		{"broken.example", " 1", 11},         //
		{"x", "\x00", 12},                    //
		{"::1%", "+1", 13},                   //
		{"ff02::1%eth0", "0", 14},            //
		{"1.1.1.1", "99999999999999999", 15}, //
	} {
		f.Add(s.host, s.serv, s.sel)
	}
	r := fuzzResolver()
	f.Fuzz(func(t *testing.T, host, serv string, sel uint8) {
		hints, hostp, servp := fuzzHints(sel, host, serv)
		res, err := r.Getaddrinfo(hostp, servp, hints)
		if err != nil {
			e, ok := err.(*Error)
			if !ok {
				t.Fatalf("error %T %v, not an *Error", err, err)
			}
			if e.Code <= 0 || e.Code >= EAI_MAX || Strerror(e.Code) == "" || res != nil {
				t.Fatalf("error code %d (%q), %d answers", e.Code, Strerror(e.Code), len(res))
			}
			return
		}
		if len(res) == 0 {
			t.Fatal("no error and no answer")
		}
		for _, a := range res {
			switch {
			case a.Addr.Zone() != "":
				t.Errorf("%+v: address with a zone", a)
			case a.Family == sys.AF_INET && !a.Addr.Is4(), a.Family == sys.AF_INET6 && !a.Addr.Is6():
				t.Errorf("%+v: family and address disagree", a)
			case a.Family != sys.AF_INET && a.Family != sys.AF_INET6:
				t.Errorf("%+v: family %d", a, a.Family)
			case hints != nil && hints.Family != sys.AF_UNSPEC && a.Family != hints.Family:
				t.Errorf("%+v: family %d asked for", a, hints.Family)
			case a.Family == sys.AF_INET && a.ScopeID != 0:
				t.Errorf("%+v: IPv4 with a scope", a)
			case servp == nil && a.Port != 0:
				t.Errorf("%+v: port without a service", a)
			case hints != nil && hints.Flags&AI_NUMERICHOST != 0 && hostp != nil && strings.HasSuffix(*hostp, ".example"):
				t.Errorf("%+v: a name looked up under AI_NUMERICHOST", a)
			}
			sa := a.Sockaddr()
			want := sys.SizeofSockaddrIn
			if a.Family == sys.AF_INET6 {
				want = sys.SizeofSockaddrIn6
			}
			if len(sa) != want || int(sa[0]) != want || int(sa[1]) != a.Family {
				t.Errorf("%+v: sockaddr % x", a, sa)
			}
			if a.Family == sys.AF_INET6 {
				// getnameinfo's text names the same address.
				text := r.NumericHost6(a.Addr.As16(), a.ScopeID)
				addr, _, _ := strings.Cut(text, "%")
				if b, ok := InetPton6(addr); !ok || b != a.Addr.As16() {
					t.Errorf("%+v: NumericHost6 %q", a, text)
				}
			}
		}
	})
}

// fuzzHints maps a selector to the hints and arguments of a call: 0 and
// 1 are wgconfig's endpoint and allowed-ip calls, 2 and 3 ifconfig's for
// each family, the rest any combination, with NULL host or service.
func fuzzHints(sel uint8, host, serv string) (*Hints, *string, *string) {
	switch sel {
	case 0:
		return &Hints{Family: sys.AF_UNSPEC}, &host, &serv
	case 1:
		return &Hints{Flags: AI_NUMERICHOST, Family: sys.AF_UNSPEC}, &host, nil
	case 2:
		return &Hints{Family: sys.AF_INET}, &host, nil
	case 3:
		return &Hints{Family: sys.AF_INET6}, &host, nil
	}
	families := []int{sys.AF_UNSPEC, sys.AF_INET, sys.AF_INET6, 99}
	socktypes := []int{0, SOCK_DGRAM, SOCK_STREAM, SOCK_RAW, 7}
	protocols := []int{0, IPPROTO_UDP, IPPROTO_TCP}
	h := &Hints{
		Flags:    int(sel>>6) * 4, // 0, AI_NUMERICHOST, AI_NUMERICSERV, both
		Family:   families[sel&3],
		Socktype: socktypes[int(sel>>2)%len(socktypes)],
		Protocol: protocols[int(sel>>4)%len(protocols)],
	}
	if sel&0x80 != 0 && sel&1 != 0 {
		h.Flags |= AI_PASSIVE
	}
	var hostp, servp *string = &host, &serv
	if host == "" && sel&1 != 0 {
		hostp = nil
	}
	if serv == "" {
		servp = nil
	}
	if sel == 255 {
		return nil, hostp, servp
	}
	return h, hostp, servp
}
