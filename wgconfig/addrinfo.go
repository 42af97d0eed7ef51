package main

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"

	"nbwg/internal/cnum"
	"nbwg/kernel/sys"
)

// getaddrinfo(3) as wgconfig uses it (lib/libc/net/getaddrinfo.c): with
// AF_UNSPEC and no socket type, keeping only the first answer.  Numeric
// hosts are tried first, IPv6 (with an optional %scope) before IPv4; only
// then, when the caller allows it, is the host looked up by name.

// getaddrinfo error codes (<netdb.h>).
const (
	eaiAgain   = 2
	eaiFail    = 4
	eaiNoData  = 7
	eaiNoName  = 8
	eaiService = 9
	eaiMax     = 15
)

// gaiErrlist holds gai_strerror(3)'s messages, indexed by code.
var gaiErrlist = [...]string{
	"Success",
	"Address family for hostname not supported",
	"Temporary failure in name resolution",
	"Invalid value for ai_flags",
	"Non-recoverable failure in name resolution",
	"ai_family not supported",
	"Memory allocation failure",
	"No address associated with hostname",
	"hostname nor servname provided, or not known",
	"servname not supported for ai_socktype",
	"ai_socktype not supported",
	"System error returned in errno",
	"Invalid value for hints",
	"Resolved protocol is unknown",
	"Argument buffer overflow",
	"Unknown error",
}

// gaiStrerror is gai_strerror(3).
func gaiStrerror(code int) string {
	if code < 0 || code > eaiMax {
		code = eaiMax
	}
	return gaiErrlist[code]
}

// lookupHost resolves a host name to addresses (the "files" and "dns"
// sources of nsdispatch).  Tests replace it.
var lookupHost = func(host string) ([]netip.Addr, error) {
	return net.DefaultResolver.LookupNetIP(context.Background(), "ip", host)
}

// lookupService finds the port of a service name in the services
// database, for UDP or else TCP (getservbyname(3)).  Tests replace it.
var lookupService = func(name string) (int, bool) {
	for _, proto := range []string{"udp", "tcp"} {
		if p, err := net.LookupPort(proto, name); err == nil {
			return p, true
		}
	}
	return 0, false
}

// address is one answer of getaddrinfo: an address, its scope id and
// port.
type address struct {
	addr  netip.Addr
	scope uint32
	port  uint16
}

// sockaddr returns the answer's ai_addr bytes (NetBSD layout, sa_len
// included): a sockaddr_in or a sockaddr_in6.
func (a address) sockaddr() []byte {
	if a.addr.Is4() {
		s := sys.SockaddrInFrom(a.addr, a.port)
		return s.Marshal()
	}
	s := sys.SockaddrIn6From(a.addr, a.port, a.scope)
	return s.Marshal()
}

// str2number is getaddrinfo.c's: a decimal number per strtoul(3) that
// fills the whole string and fits an int, else -1.
func str2number(s string) int {
	if s == "" {
		return -1
	}
	v, end, overflow := cnum.Strtoull(s, 10, cnum.Libc)
	if overflow || end != len(s) || v > 1<<31-1 {
		return -1
	}
	return int(v)
}

// servicePort is get_port(): a number from 0 to 65535 or a service name.
func servicePort(serv string) (uint16, int) {
	if p := str2number(serv); p >= 0 {
		if p > 65535 {
			return 0, eaiService
		}
		return uint16(p), 0
	}
	// Only a name can be in the services database; text that strtoul
	// would read as a number but str2number refused (a sign, an
	// overflow, trailing characters) is no service either.
	if serv == "" || strings.ContainsAny(serv[:1], "0123456789+- \t\n\v\f\r") {
		return 0, eaiService
	}
	if p, ok := lookupService(serv); ok && p >= 0 && p <= 65535 {
		return uint16(p), 0
	}
	return 0, eaiService
}

// numericHost is explore_numeric_scope() over getaddrinfo's explore
// table: an IPv6 address with an optional %scope, else an IPv4 dotted
// quad.  found is false when host is not numeric; code is an error
// getaddrinfo returns at once (a bad scope); erange tells that the scope
// parse left errno at ERANGE, which wgconfig's allowed-ips message shows.
func numericHost(host string) (a address, found bool, code int, erange bool) {
	addr6, scope, hasScope := host, "", false
	if i := strings.IndexByte(host, '%'); i >= 0 {
		addr6, scope, hasScope = host[:i], host[i+1:], true
	}
	if b, ok := inetPton6(addr6); ok {
		a.addr = netip.AddrFrom16(b)
		if hasScope {
			id, ok, overflow := scopeID(scope)
			if !ok {
				return address{}, false, eaiNoData, overflow
			}
			a.scope = id
		}
		return a, true, 0, false
	}
	if b, ok := inetPton4(host); ok {
		a.addr = netip.AddrFrom4(b)
		return a, true, 0, false
	}
	return address{}, false, 0, false
}

// scopeID is ip6_str2scopeid(): a decimal scope id.  NetBSD first looks
// a link-local scope up as an interface name (if_nametoindex(3)); nbwg's
// front ends cannot see the emulated kernel's interface indexes, so only
// numeric scopes are understood.
func scopeID(s string) (id uint32, ok bool, overflow bool) {
	if s == "" {
		return 0, false, false
	}
	v, end, of := cnum.Strtoull(s, 10, cnum.Libc)
	if of {
		return 0, false, true
	}
	if end != len(s) || v > 1<<32-1 {
		return 0, false, false
	}
	return uint32(v), true, false
}

// resolve is getaddrinfo(host, serv, {AF_UNSPEC}) returning the first
// answer, as wgconfig's --endpoint= handling does (wgconfig.c rev 1.7:
// AI_NUMERICHOST is no longer set there, so host names are looked up).
// The error is a getaddrinfo code.
func resolve(host, serv string) (address, int) {
	// The service must make sense before anything else is tried.
	port, code := servicePort(serv)
	if code != 0 {
		return address{}, code
	}
	a, found, code, _ := numericHost(host)
	if code != 0 {
		return address{}, code
	}
	if found {
		a.port = port
		return a, 0
	}
	addrs, err := lookupHost(host)
	if err != nil {
		var dnsErr *net.DNSError
		switch {
		case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
			return address{}, eaiNoData
		case errors.As(err, &dnsErr) && (dnsErr.IsTemporary || dnsErr.IsTimeout):
			return address{}, eaiAgain
		}
		return address{}, eaiFail
	}
	// NetBSD's DNS source asks for AAAA records before A records.
	for _, ad := range addrs {
		if ad.Is6() && !ad.Is4In6() {
			return address{addr: ad.WithZone(""), port: port}, 0
		}
	}
	for _, ad := range addrs {
		if ad.Is4() || ad.Is4In6() {
			return address{addr: ad.Unmap(), port: port}, 0
		}
	}
	return address{}, eaiNoData
}

// resolveNumeric is getaddrinfo(host, NULL, {AF_UNSPEC, AI_NUMERICHOST}),
// as wgconfig's --allowed-ips= handling does.  On failure it reports the
// errno value getaddrinfo leaves behind, which is what wgconfig prints
// (it passes errno, not the error code, to gai_strerror).
func resolveNumeric(host string) (address, bool, int) {
	a, found, _, erange := numericHost(host)
	if !found {
		if erange {
			return address{}, false, int(sys.ERANGE)
		}
		return address{}, false, 0
	}
	return a, true, 0
}
