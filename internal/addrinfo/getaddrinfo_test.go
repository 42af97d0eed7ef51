package addrinfo

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"testing"

	"nbwg/kernel/sys"
)

// fake is a host with interfaces lo (1) and wg0 (2), a few names and
// services.  Like Go's resolver, it answers only the network's family.
func fake() *Resolver {
	hosts := map[string][]netip.Addr{
		"vpn.example": {netip.MustParseAddr("192.0.2.7"), netip.MustParseAddr("2001:db8::7")},
		"one.example": {netip.MustParseAddr("192.0.2.8")},
		"two.example": {netip.MustParseAddr("192.0.2.9"), netip.MustParseAddr("192.0.2.10")},
		// Go may give an IPv4 answer in its IPv4-mapped form.
		"mapped.example": {netip.MustParseAddr("::ffff:192.0.2.11")},
	}
	ifaces := []string{1: "lo", 2: "wg0"}
	return &Resolver{
		LookupHost: func(_ context.Context, network, name string) ([]netip.Addr, error) {
			switch name {
			case "flaky.example":
				return nil, &net.DNSError{Err: "timeout", Name: name, IsTimeout: true}
			case "broken.example":
				return nil, errors.New("resolver on fire")
			}
			var out []netip.Addr
			for _, a := range hosts[name] {
				if network == "ip" || (network == "ip4") == (a.Is4() || a.Is4In6()) {
					out = append(out, a)
				}
			}
			if len(out) == 0 {
				return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
			}
			return out, nil
		},
		LookupService: func(name, proto string) (int, bool) {
			switch {
			case name == "domain":
				return 53, true
			case name == "tcponly" && proto != "udp":
				return 7000, true
			}
			return 0, false
		},
		IfNameToIndex: func(name string) (uint32, bool) {
			for i, n := range ifaces {
				if n != "" && n == name {
					return uint32(i), true
				}
			}
			return 0, false
		},
		IfIndexToName: func(index uint32) (string, bool) {
			if int(index) < len(ifaces) && ifaces[index] != "" {
				return ifaces[index], true
			}
			return "", false
		},
	}
}

// show writes Getaddrinfo's answers as "4 dgram 192.0.2.1:53" lines
// joined by "; ", or its error as "EAI_x errno".
func show(res []AddrInfo, err error) string {
	if err != nil {
		var e *Error
		if !errors.As(err, &e) {
			return "not an *Error: " + err.Error()
		}
		return fmt.Sprintf("%s errno=%d", Strerror(e.Code), e.Errno)
	}
	var lines []string
	for _, a := range res {
		fam := map[int]string{sys.AF_INET: "4", sys.AF_INET6: "6"}[a.Family]
		st := map[int]string{SOCK_DGRAM: "dgram", SOCK_STREAM: "stream", SOCK_RAW: "raw"}[a.Socktype]
		addr := a.Addr
		if a.ScopeID != 0 {
			addr = addr.WithZone(fmt.Sprint(a.ScopeID))
		}
		lines = append(lines, fmt.Sprintf("%s %s %s", fam, st, netip.AddrPortFrom(addr, a.Port)))
	}
	return strings.Join(lines, "; ")
}

func str(s string) *string { return &s }

// The hints each front end passes (NetBSD's wgconfig.c rev 1.7 and
// sbin/ifconfig/parse.c's paddr_match).
var (
	endpointHints   = Hints{Family: sys.AF_UNSPEC}
	allowedIPsHints = Hints{Flags: AI_NUMERICHOST, Family: sys.AF_UNSPEC}
	ifconfigHints   = func(af int) Hints {
		return Hints{Flags: AI_NUMERICHOST | AI_PASSIVE, Family: af, Socktype: SOCK_DGRAM}
	}
)

const (
	noData  = "No address associated with hostname errno=0"
	noName  = "hostname or servname not provided or not known errno=0"
	noServ  = "servname not supported for ai_socktype errno=0"
	v4port7 = "4 dgram 192.0.2.1:7; 4 stream 192.0.2.1:7"
	fe80wg0 = "6 dgram [fe80::1%2]:7; 6 stream [fe80::1%2]:7"
)

func TestGetaddrinfo(t *testing.T) {
	tests := []struct {
		name       string
		host, serv *string
		hints      *Hints
		want       string
	}{
		// wgconfig --endpoint=: AF_UNSPEC, any socket type, names
		// allowed.  An answer for each of datagram and stream (the
		// raw rows of the table match only SOCK_RAW).
		{"endpoint v4", str("192.0.2.1"), str("7"), &endpointHints, v4port7},
		{"endpoint v6", str("2001:db8::1"), str("7"), &endpointHints, "6 dgram [2001:db8::1]:7; 6 stream [2001:db8::1]:7"},
		{"endpoint v4-mapped stays v6", str("::ffff:192.0.2.1"), str("7"), &endpointHints, "6 dgram [::ffff:192.0.2.1]:7; 6 stream [::ffff:192.0.2.1]:7"},
		{"inet_aton shorthand", str("10.1"), str("7"), &endpointHints, "4 dgram 10.0.0.1:7; 4 stream 10.0.0.1:7"},
		{"inet_aton hex", str("0x0a000001"), str("7"), &endpointHints, "4 dgram 10.0.0.1:7; 4 stream 10.0.0.1:7"},
		{"inet_aton octal", str("010.0.0.1"), str("7"), &endpointHints, "4 dgram 8.0.0.1:7; 4 stream 8.0.0.1:7"},
		// Not numeric, so a name, and no such name.
		{"octal 9", str("09.1.2.3"), str("7"), &endpointHints, noData},
		{"trailing space", str("192.0.2.1 "), str("7"), &endpointHints, noData},
		{"trailing letters", str("192.0.2.1x"), str("7"), &endpointHints, noData},
		// Scopes.
		{"numeric scope", str("fe80::1%2"), str("7"), &endpointHints, fe80wg0},
		{"scope by name", str("fe80::1%wg0"), str("7"), &endpointHints, fe80wg0},
		{"link-local multicast by name", str("ff02::1%wg0"), str("7"), &endpointHints, "6 dgram [ff02::1%2]:7; 6 stream [ff02::1%2]:7"},
		{"strtoul scope", str("fe80::1% +2"), str("7"), &endpointHints, fe80wg0},
		{"numeric scope of a global address", str("fd00::1%9"), str("7"), &endpointHints, "6 dgram [fd00::1%9]:7; 6 stream [fd00::1%9]:7"},
		{"a global address has no named scope", str("fd00::1%wg0"), str("7"), &endpointHints, noData},
		{"interface-local multicast has no named scope", str("ff01::1%wg0"), str("7"), &endpointHints, noData},
		{"unknown interface", str("fe80::1%wg9"), str("7"), &endpointHints, noData},
		{"empty scope", str("fe80::1%"), str("7"), &endpointHints, noData},
		{"scope beyond 32 bits", str("fe80::1%4294967296"), str("7"), &endpointHints, noData},
		{"scope overflowing strtoul", str("fe80::1%99999999999999999999999"), str("7"), &endpointHints, "No address associated with hostname errno=34"},
		{"IPv4 with a scope is a name", str("192.0.2.1%2"), str("7"), &endpointHints, noData},
		// Names: IPv6 answers first; each row of the table has them all.
		{"name", str("vpn.example"), str("7"), &endpointHints,
			"6 dgram [2001:db8::7]:7; 4 dgram 192.0.2.7:7; 6 stream [2001:db8::7]:7; 4 stream 192.0.2.7:7"},
		{"IPv4-mapped answer", str("mapped.example"), str("7"), &endpointHints, "4 dgram 192.0.2.11:7; 4 stream 192.0.2.11:7"},
		{"unknown name", str("nosuch.example"), str("7"), &endpointHints, noData},
		{"name server timeout", str("flaky.example"), str("7"), &endpointHints, "Temporary failure in name resolution errno=0"},
		{"name service failure", str("broken.example"), str("7"), &endpointHints, "Non-recoverable failure in name resolution errno=0"},
		// Services.
		{"service name", str("192.0.2.1"), str("domain"), &endpointHints, "4 dgram 192.0.2.1:53; 4 stream 192.0.2.1:53"},
		{"TCP-only service", str("192.0.2.1"), str("tcponly"), &endpointHints, "4 stream 192.0.2.1:7000"},
		{"strtoul port", str("192.0.2.1"), str(" +7"), &endpointHints, v4port7},
		{"port 0", str("192.0.2.1"), str("0"), &endpointHints, "4 dgram 192.0.2.1:0; 4 stream 192.0.2.1:0"},
		{"port 65535", str("192.0.2.1"), str("65535"), &endpointHints, "4 dgram 192.0.2.1:65535; 4 stream 192.0.2.1:65535"},
		{"port 65536", str("192.0.2.1"), str("65536"), &endpointHints, noServ},
		{"negative port", str("192.0.2.1"), str("-1"), &endpointHints, noServ},
		{"port overflowing strtoul", str("192.0.2.1"), str("99999999999999999999"), &endpointHints, "servname not supported for ai_socktype errno=34"},
		{"empty service", str("192.0.2.1"), str(""), &endpointHints, noServ},
		{"unknown service", str("192.0.2.1"), str("nosuch"), &endpointHints, noServ},
		{"a bad service before a bad host", str("nosuch.example"), str("nosuch"), &endpointHints, noServ},
		{"a bad scope before a bad service", str("fe80::1%"), str("tcponly"), &endpointHints, noData},

		// wgconfig --allowed-ips=: AI_NUMERICHOST, no service.
		{"allowed-ip v4", str("10.0.0.1"), nil, &allowedIPsHints, "4 dgram 10.0.0.1:0; 4 stream 10.0.0.1:0"},
		{"allowed-ip shorthand", str("10.1"), nil, &allowedIPsHints, "4 dgram 10.0.0.1:0; 4 stream 10.0.0.1:0"},
		{"allowed-ip name", str("vpn.example"), nil, &allowedIPsHints, noName},
		{"allowed-ip scope by name", str("fe80::1%wg0"), nil, &allowedIPsHints, "6 dgram [fe80::1%2]:0; 6 stream [fe80::1%2]:0"},
		{"allowed-ip unknown scope", str("fe80::1%x"), nil, &allowedIPsHints, noData},

		// ifconfig: AI_NUMERICHOST | AI_PASSIVE, SOCK_DGRAM, the family
		// of the command line.
		{"ifconfig inet", str("10.2.0.1"), str("0"), ptr(ifconfigHints(sys.AF_INET)), "4 dgram 10.2.0.1:0"},
		{"ifconfig inet trailing text", str("10.2.0.1 x"), str("0"), ptr(ifconfigHints(sys.AF_INET)), noName},
		{"ifconfig inet of an IPv6 address", str("fd00::1"), str("0"), ptr(ifconfigHints(sys.AF_INET)), noName},
		{"ifconfig inet6 of an IPv4 address", str("10.2.0.1"), str("0"), ptr(ifconfigHints(sys.AF_INET6)), noName},
		{"ifconfig no family", str("fd00::1"), str("0"), ptr(ifconfigHints(sys.AF_UNSPEC)), "6 dgram [fd00::1]:0"},
		{"ifconfig scope", str("fe80::1%wg0"), str("0"), ptr(ifconfigHints(sys.AF_INET6)), "6 dgram [fe80::1%2]:0"},
		{"ifconfig bad scope", str("fe80::1%wg9"), str("0"), ptr(ifconfigHints(sys.AF_INET6)), noData},
		{"ifconfig service", str("10.2.0.1"), str("domain"), ptr(ifconfigHints(sys.AF_INET)), "4 dgram 10.2.0.1:53"},
		{"ifconfig TCP-only service", str("10.2.0.1"), str("tcponly"), ptr(ifconfigHints(sys.AF_INET)), noServ},
		// Its second try, without AI_NUMERICHOST.
		{"ifconfig name", str("one.example"), str("0"), &Hints{Flags: AI_PASSIVE, Family: sys.AF_INET, Socktype: SOCK_DGRAM}, "4 dgram 192.0.2.8:0"},
		{"ifconfig name, two addresses", str("two.example"), str("0"), &Hints{Flags: AI_PASSIVE, Family: sys.AF_INET, Socktype: SOCK_DGRAM}, "4 dgram 192.0.2.9:0; 4 dgram 192.0.2.10:0"},
		{"ifconfig name, other family", str("one.example"), str("0"), &Hints{Flags: AI_PASSIVE, Family: sys.AF_INET6, Socktype: SOCK_DGRAM}, noData},

		// The flags.
		{"AI_NUMERICSERV, a number", str("192.0.2.1"), str("7"), &Hints{Flags: AI_NUMERICSERV}, v4port7},
		{"AI_NUMERICSERV, a name", str("192.0.2.1"), str("domain"), &Hints{Flags: AI_NUMERICSERV}, noName},
		{"NULL host, AI_PASSIVE", nil, str("80"), &Hints{Flags: AI_PASSIVE, Socktype: SOCK_STREAM}, "6 stream [::]:80; 4 stream 0.0.0.0:80"},
		{"NULL host", nil, str("80"), &Hints{Family: sys.AF_INET, Socktype: SOCK_STREAM}, "4 stream 127.0.0.1:80"},
		{"NULL host, no hints", nil, str("80"), nil, "6 dgram [::1]:80; 6 stream [::1]:80; 4 dgram 127.0.0.1:80; 4 stream 127.0.0.1:80"},
		{"NULL host and service", nil, nil, nil, noName},
		{"no hints", str("192.0.2.1"), nil, nil, "4 dgram 192.0.2.1:0; 4 stream 192.0.2.1:0"},
		{"flags not emulated", str("192.0.2.1"), nil, &Hints{Flags: 0x2}, "Invalid value for ai_flags errno=0"},
		{"family", str("192.0.2.1"), nil, &Hints{Family: 1}, "ai_family not supported errno=0"},
		{"socket type and protocol disagree", str("192.0.2.1"), nil, &Hints{Family: sys.AF_INET, Socktype: SOCK_DGRAM, Protocol: IPPROTO_TCP}, "Invalid value for hints errno=0"},
		{"protocol alone", str("192.0.2.1"), nil, &Hints{Protocol: IPPROTO_TCP}, "4 stream 192.0.2.1:0"},
		{"unknown socket type", str("192.0.2.1"), str("7"), &Hints{Socktype: 5}, "ai_socktype not supported errno=0"},
		{"raw socket, a service", str("192.0.2.1"), str("7"), &Hints{Socktype: SOCK_RAW}, noServ},
		{"raw socket", str("192.0.2.1"), nil, &Hints{Socktype: SOCK_RAW}, "4 raw 192.0.2.1:0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := show(fake().Getaddrinfo(tt.host, tt.serv, tt.hints))
			if got != tt.want {
				t.Errorf("Getaddrinfo(%s, %s, %+v)\n got %s\nwant %s", deref(tt.host), deref(tt.serv), tt.hints, got, tt.want)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func deref(s *string) string {
	if s == nil {
		return "NULL"
	}
	return fmt.Sprintf("%q", *s)
}

// TestLookupOnce: NetBSD asks the name service once for each row of its
// table; the answers are the same, so one question is enough.
func TestLookupOnce(t *testing.T) {
	r := fake()
	asked := map[string]int{}
	lookup := r.LookupHost
	r.LookupHost = func(ctx context.Context, network, name string) ([]netip.Addr, error) {
		asked[network]++
		return lookup(ctx, network, name)
	}
	if _, err := r.Getaddrinfo(str("vpn.example"), nil, nil); err != nil {
		t.Fatal(err)
	}
	if asked["ip"] != 1 || len(asked) != 1 {
		t.Errorf("questions asked: %v, want one for ip", asked)
	}
}

func TestNilDatabases(t *testing.T) {
	var r Resolver
	if got, want := show(r.Getaddrinfo(str("vpn.example"), str("domain"), nil)), noServ; got != want {
		t.Errorf("a service with no services database: %s, want %s", got, want)
	}
	if got, want := show(r.Getaddrinfo(str("vpn.example"), nil, nil)), noData; got != want {
		t.Errorf("a name with no hosts database: %s, want %s", got, want)
	}
	if got, want := show(r.Getaddrinfo(str("fe80::1%lo"), nil, nil)), noData; got != want {
		t.Errorf("a scope name with no interfaces: %s, want %s", got, want)
	}
	if got, want := r.NumericHost6(netip.MustParseAddr("fe80::1").As16(), 1), "fe80::1%1"; got != want {
		t.Errorf("NumericHost6 with no interfaces: %s, want %s", got, want)
	}
}

func TestSockaddr(t *testing.T) {
	v4 := AddrInfo{Family: sys.AF_INET, Addr: netip.MustParseAddr("192.0.2.1"), Port: 0x1234}
	if got, want := v4.Sockaddr(), []byte{16, 2, 0x12, 0x34, 192, 0, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0}; string(got) != string(want) {
		t.Errorf("sockaddr_in: % x, want % x", got, want)
	}
	v6 := AddrInfo{Family: sys.AF_INET6, Addr: netip.MustParseAddr("fe80::1"), Port: 0x1234, ScopeID: 2}
	want := []byte{28, 24, 0x12, 0x34, 0, 0, 0, 0, 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 0}
	if got := v6.Sockaddr(); string(got) != string(want) {
		t.Errorf("sockaddr_in6: % x, want % x", got, want)
	}
}

func TestStrerror(t *testing.T) {
	for code, want := range map[int]string{
		0:               "Success",
		EAI_NODATA:      "No address associated with hostname",
		EAI_NONAME:      "hostname or servname not provided or not known",
		EAI_OVERFLOW:    "Argument buffer overflow",
		EAI_MAX:         "Unknown error",
		int(sys.ERANGE): "Unknown error",
		-1:              "Unknown error",
	} {
		if got := Strerror(code); got != want {
			t.Errorf("Strerror(%d) = %q, want %q", code, got, want)
		}
	}
}

func TestServiceLookup(t *testing.T) {
	var asked []string
	lookup := ServiceLookup(func(_ context.Context, network, service string) (int, error) {
		asked = append(asked, network+"/"+service)
		if network == "tcp" && service == "http" {
			return 80, nil
		}
		return 0, errors.New("unknown")
	})
	if port, ok := lookup("http", ""); !ok || port != 80 {
		t.Errorf(`lookup("http", "") = %d, %v; want 80, true`, port, ok)
	}
	if _, ok := lookup("http", "udp"); ok {
		t.Error(`lookup("http", "udp") found a TCP-only service`)
	}
	// Text a number parser would read is no name: never asked.
	for _, s := range []string{"", "8", "+8", "-8", " 8"} {
		if _, ok := lookup(s, "udp"); ok {
			t.Errorf("lookup(%q) succeeded", s)
		}
	}
	if want := "udp/http tcp/http udp/http"; strings.Join(asked, " ") != want {
		t.Errorf("asked %q, want %q", asked, want)
	}
}
