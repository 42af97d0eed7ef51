// Package addrinfo is NetBSD's getaddrinfo(3) as nbwg's front ends call
// it (lib/libc/net/getaddrinfo.c 1.123, NetBSD 10), with the text
// conversions it rests on (inet_pton(3), inet_aton(3)) and the numeric
// half of getnameinfo(3) for IPv6.  wgconfig and ifconfig pass different
// hints and read the answers differently; each keeps that, and this
// package does what NetBSD's libc does with them: the numeric forms, the
// scope ids, the service and port, the flags.
//
// The host and service databases and the interface names are the
// caller's (Resolver): ifconfig names the emulated kernel's interfaces,
// wgconfig those of its network namespace, where the kernel's UDP sockets
// send.
//
// Left out, as no front end needs them: AI_CANONNAME, AI_ADDRCONFIG and
// AI_SRV (refused with EAI_BADFLAGS rather than ignored), the reordering
// of non-numeric answers by the kernel's address selection policy, and
// the check that the kernel supports a family.
package addrinfo

import (
	"net/netip"

	"nbwg/internal/cnum"
	"nbwg/kernel/sys"
)

// ai_flags (<netdb.h>).
const (
	AI_PASSIVE     = 0x1 // a NULL host means the wildcard address, not loopback
	AI_NUMERICHOST = 0x4 // the host must be numeric: no name lookup
	AI_NUMERICSERV = 0x8 // the service must be numeric: no services(5) lookup

	aiMask = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV
)

// Socket types (<sys/socket.h>) and protocols (<netinet/in.h>).
const (
	SOCK_STREAM = 1
	SOCK_DGRAM  = 2
	SOCK_RAW    = 3

	IPPROTO_TCP = 6
	IPPROTO_UDP = 17
)

// Hints is the part of struct addrinfo a caller fills in as hints; the
// zero value is AF_UNSPEC, any socket type and protocol, no flags.
type Hints struct {
	Flags    int
	Family   int // sys.AF_UNSPEC, sys.AF_INET or sys.AF_INET6
	Socktype int // 0 for any
	Protocol int // 0 for any
}

// AddrInfo is one answer.
type AddrInfo struct {
	Family   int // sys.AF_INET or sys.AF_INET6
	Socktype int
	Protocol int
	Addr     netip.Addr // without a zone: see ScopeID
	Port     uint16
	ScopeID  uint32 // sin6_scope_id
}

// Sockaddr returns the answer's ai_addr in NetBSD's layout (sa_len
// first): a sockaddr_in or a sockaddr_in6.
func (a AddrInfo) Sockaddr() []byte {
	if a.Family == sys.AF_INET {
		s := sys.SockaddrInFrom(a.Addr, a.Port)
		return s.Marshal()
	}
	s := sys.SockaddrIn6From(a.Addr, a.Port, a.ScopeID)
	return s.Marshal()
}

// explore is getaddrinfo.c's table of what to try, in order: IPv6 before
// IPv4, datagram before stream before raw.  The AF_UNSPEC rows serve
// name lookups only; the raw rows match only hints that ask for SOCK_RAW.
var explore = [...]exploreRow{
	{sys.AF_INET6, SOCK_DGRAM, IPPROTO_UDP, 7},
	{sys.AF_INET6, SOCK_STREAM, IPPROTO_TCP, 7},
	{sys.AF_INET6, SOCK_RAW, 0, 5},
	{sys.AF_INET, SOCK_DGRAM, IPPROTO_UDP, 7},
	{sys.AF_INET, SOCK_STREAM, IPPROTO_TCP, 7},
	{sys.AF_INET, SOCK_RAW, 0, 5},
	{sys.AF_UNSPEC, SOCK_DGRAM, IPPROTO_UDP, 7},
	{sys.AF_UNSPEC, SOCK_STREAM, IPPROTO_TCP, 7},
	{sys.AF_UNSPEC, SOCK_RAW, 0, 5},
}

type exploreRow struct {
	af, socktype, protocol int
	wild                   uint8 // 1: any family; 2: any socket type; 4: any protocol
}

// matchFamily and match are getaddrinfo.c's MATCH_FAMILY and MATCH.
func matchFamily(x, y int, wild bool) bool {
	return x == y || wild && (x == sys.AF_UNSPEC || y == sys.AF_UNSPEC)
}

func match(x, y int, wild bool) bool {
	return x == y || wild && (x == 0 || y == 0)
}

// call is the state of one getaddrinfo call: errno, and the host
// database's answers, asked once per network however many rows of the
// explore table ask (NetBSD asks again for each; the answers are the
// same).
type call struct {
	r       *Resolver
	errno   sys.Errno
	answers map[string]hostAnswer
}

// Getaddrinfo is getaddrinfo(3): host and serv are the C strings, nil
// standing for NULL; hints nil for none.  It returns the answers in
// NetBSD's order, or an *Error.
func (r *Resolver) Getaddrinfo(host, serv *string, hints *Hints) ([]AddrInfo, error) {
	c := &call{r: r}
	res, code := c.getaddrinfo(host, serv, hints)
	if code != 0 {
		return nil, &Error{Code: code, Errno: c.errno}
	}
	return res, nil
}

func (c *call) getaddrinfo(host, serv *string, hints *Hints) ([]AddrInfo, int) {
	if host == nil && serv == nil {
		return nil, EAI_NONAME
	}
	var pai Hints
	if hints != nil {
		if hints.Flags&^aiMask != 0 {
			return nil, EAI_BADFLAGS
		}
		switch hints.Family {
		case sys.AF_UNSPEC, sys.AF_INET, sys.AF_INET6:
		default:
			return nil, EAI_FAMILY
		}
		pai = *hints
		// A socket type and a protocol given together must agree.
		if pai.Socktype != 0 && pai.Protocol != 0 {
			for _, ex := range explore {
				if pai.Family != ex.af || ex.socktype == 0 || ex.protocol == 0 {
					continue
				}
				if pai.Socktype == ex.socktype && pai.Protocol != ex.protocol {
					return nil, EAI_BADHINTS
				}
			}
		}
	}

	// The service must suit the socket type before anything is tried
	// (AF_UNSPEC checks as AF_INET6).
	check := pai
	if check.Family == sys.AF_UNSPEC {
		check.Family = sys.AF_INET6
	}
	if _, code := c.getPort(check, serv); code != 0 {
		return nil, code
	}

	// A NULL or numeric host.
	var res []AddrInfo
	for _, ex := range explore {
		if ex.af == sys.AF_UNSPEC {
			continue
		}
		p, ok := narrow(pai, ex, ex.wild&1 != 0)
		if !ok {
			continue
		}
		if host == nil {
			res = c.exploreNull(p, serv, res)
			continue
		}
		var code int
		if res, code = c.exploreNumericScope(p, *host, serv, res); code != 0 {
			return nil, code
		}
	}
	if len(res) > 0 {
		return res, 0
	}
	if host == nil {
		return nil, EAI_NODATA
	}
	if pai.Flags&AI_NUMERICHOST != 0 {
		return nil, EAI_NONAME
	}

	// The host as a name: the rows of the hints' own family, so that
	// for AF_UNSPEC one lookup gives both IPv6 and IPv4 answers.
	code := 0
	for _, ex := range explore {
		if pai.Family != ex.af {
			continue
		}
		p, ok := narrow(pai, ex, false)
		if !ok {
			continue
		}
		res, code = c.exploreFQDN(p, *host, serv, res)
	}
	switch {
	case len(res) > 0:
		return res, 0
	case code != 0:
		return nil, code
	}
	return nil, EAI_FAIL
}

// narrow fills the hints' unset family, socket type and protocol from a
// row of the explore table, or reports that the row does not apply.
// wildAF is whether the row's family may match loosely (the numeric
// pass; the name pass has already required the same family).
func narrow(pai Hints, ex exploreRow, wildAF bool) (Hints, bool) {
	if !matchFamily(pai.Family, ex.af, wildAF) ||
		!match(pai.Socktype, ex.socktype, ex.wild&2 != 0) ||
		!match(pai.Protocol, ex.protocol, ex.wild&4 != 0) {
		return pai, false
	}
	if pai.Family == sys.AF_UNSPEC {
		pai.Family = ex.af
	}
	if pai.Socktype == 0 {
		pai.Socktype = ex.socktype
	}
	if pai.Protocol == 0 {
		pai.Protocol = ex.protocol
	}
	return pai, true
}

// exploreNull is explore_null(): a NULL host is the wildcard address
// for AI_PASSIVE (to bind to), loopback otherwise (to connect to).
func (c *call) exploreNull(p Hints, serv *string, res []AddrInfo) []AddrInfo {
	port, code := c.getPort(p, serv)
	if code != 0 {
		return res
	}
	a := AddrInfo{Family: p.Family, Socktype: p.Socktype, Protocol: p.Protocol, Port: port}
	switch {
	case p.Family == sys.AF_INET && p.Flags&AI_PASSIVE != 0:
		a.Addr = netip.IPv4Unspecified()
	case p.Family == sys.AF_INET:
		a.Addr = netip.AddrFrom4([4]byte{127, 0, 0, 1})
	case p.Flags&AI_PASSIVE != 0:
		a.Addr = netip.IPv6Unspecified()
	default:
		a.Addr = netip.IPv6Loopback()
	}
	return append(res, a)
}

// exploreNumericScope is explore_numeric_scope(): for IPv6, "addr%scope"
// is a numeric address with a scope id; a scope that cannot be read makes
// the whole call fail with EAI_NODATA.
func (c *call) exploreNumericScope(p Hints, host string, serv *string, res []AddrInfo) ([]AddrInfo, int) {
	if _, code := c.getPort(p, serv); code != 0 {
		return res, 0
	}
	if p.Family != sys.AF_INET6 {
		return c.exploreNumeric(p, host, serv, res)
	}
	addr, scope, scoped := cutByte(host, '%')
	if !scoped {
		return c.exploreNumeric(p, host, serv, res)
	}
	n := len(res)
	res, code := c.exploreNumeric(p, addr, serv, res)
	if code != 0 {
		return res, code
	}
	for i := n; i < len(res); i++ {
		id, ok, errno := c.r.scopeID(scope, res[i].Addr.As16())
		c.errno = errno
		if !ok {
			return res, EAI_NODATA
		}
		res[i].ScopeID = id
	}
	return res, 0
}

// cutByte is strings.Cut for a byte: C's strchr.
func cutByte(s string, b byte) (before, after string, found bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == b {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// exploreNumeric is explore_numeric(): IPv6 by inet_pton(3); IPv4 by
// inet_aton(3), as RFC 3493 6.1 asks, but only if the text holds nothing
// but digits, dots and the letters of hexadecimal numbers (NetBSD refuses
// the trailing characters inet_aton would ignore).
func (c *call) exploreNumeric(p Hints, host string, serv *string, res []AddrInfo) ([]AddrInfo, int) {
	port, code := c.getPort(p, serv)
	if code != 0 {
		return res, 0
	}
	a := AddrInfo{Family: p.Family, Socktype: p.Socktype, Protocol: p.Protocol, Port: port}
	switch p.Family {
	case sys.AF_INET:
		b, ok := InetAton(host)
		if !ok || !onlyNumberChars(host) {
			return res, 0
		}
		a.Addr = netip.AddrFrom4(b)
	case sys.AF_INET6:
		b, ok := InetPton6(host)
		if !ok {
			return res, 0
		}
		a.Addr = netip.AddrFrom16(b)
	default:
		return res, 0
	}
	return append(res, a), 0
}

// onlyNumberChars is hostname[strspn(hostname, "0123456789.xabcdefXABCDEF")]
// == '\0'.
func onlyNumberChars(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || c == '.' || c == 'x' || c == 'X' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// getPort is get_port(): the port of serv for the hints' socket type, or
// an EAI_* code.  A NULL service is port 0; a raw socket takes none.  A
// number is read by str2number; anything else is a services(5) name,
// looked up for the socket type's protocol (either protocol when the
// type is not set), unless AI_NUMERICSERV forbids it.
func (c *call) getPort(p Hints, serv *string) (uint16, int) {
	if serv == nil {
		return 0, 0
	}
	if p.Family != sys.AF_INET && p.Family != sys.AF_INET6 {
		return 0, 0
	}
	proto := ""
	switch p.Socktype {
	case SOCK_RAW:
		return 0, EAI_SERVICE
	case SOCK_DGRAM:
		proto = "udp"
	case SOCK_STREAM:
		proto = "tcp"
	case 0:
	default:
		return 0, EAI_SOCKTYPE
	}
	if n := c.str2number(*serv); n >= 0 {
		if n > 65535 {
			return 0, EAI_SERVICE
		}
		return uint16(n), 0
	}
	if p.Flags&AI_NUMERICSERV != 0 {
		return 0, EAI_NONAME
	}
	port, ok := c.r.lookupService(*serv, proto)
	if !ok || port < 0 || port > 65535 {
		return 0, EAI_SERVICE
	}
	return uint16(port), 0
}

// str2number is getaddrinfo.c's: a decimal number per strtoul(3) that
// fills the whole string and fits an int, else -1.  Like NetBSD's it
// clears errno first, and strtoul may leave ERANGE there.
func (c *call) str2number(s string) int {
	if s == "" {
		return -1
	}
	c.errno = 0
	v, end, erange := cnum.Strtoull(s, 10, cnum.Libc)
	if erange {
		c.errno = sys.ERANGE
		return -1
	}
	if end != len(s) || v > 1<<31-1 {
		return -1
	}
	return int(v)
}
