package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"nbwg/internal/addrinfo"
	"nbwg/internal/ctype"
	"nbwg/kernel/sys"
)

// afAppletalk is AF_APPLETALK on NetBSD: parse.c falls back to an
// AppleTalk address when a word is no IP address.
const afAppletalk = 16

// sockaddr is an address word as paddr_match leaves it (struct
// paddr_prefix): the socket address in NetBSD's layout and the prefix
// length written after "/" (-1 without one).
type sockaddr struct {
	sa   []byte // sa[0] is sa_len, sa[1] sa_family
	plen int
}

func (s *sockaddr) family() int { return int(s.sa[1]) }

// ip returns the address of an inet or inet6 sockaddr and its scope id.
func (s *sockaddr) ip() (netip.Addr, uint32, bool) {
	switch {
	case s.family() == sys.AF_INET && len(s.sa) >= sys.SizeofSockaddrIn:
		in, _ := sys.UnmarshalSockaddrIn(s.sa)
		return netip.AddrFrom4(in.Addr), 0, true
	case s.family() == sys.AF_INET6 && len(s.sa) >= sys.SizeofSockaddrIn6:
		in6, _ := sys.UnmarshalSockaddrIn6(s.sa)
		return netip.AddrFrom16(in6.Addr), in6.ScopeID, true
	}
	return netip.Addr{}, 0, false
}

func inetSockaddr(a [4]byte, port uint16) []byte {
	s := sys.SockaddrIn{Len: sys.SizeofSockaddrIn, Family: sys.AF_INET, Port: port, Addr: a}
	return s.Marshal()
}

func inet6Sockaddr(a [16]byte, port uint16, scope uint32) []byte {
	s := sys.SockaddrIn6{Len: sys.SizeofSockaddrIn6, Family: sys.AF_INET6, Port: port, Addr: a, ScopeID: scope}
	return s.Marshal()
}

// addrParser matches an address word (struct paddr).  addrKey receives
// the address; with a maskKey, "/N" after the address is a prefix length
// whose mask goes to maskKey.  act and deact make the parser available
// only once act is set and no longer once deact is.
type addrParser struct {
	addrKey, maskKey string
	act, deact       string
	exec             action
	next             parser
}

// match is paddr_match.
func (a *addrParser) match(p *prog, in penv, arg *string) (match, outcome, error) {
	if arg == nil {
		return match{}, noMatch, nil
	}
	if (a.act != "" && !in.has(a.act)) || (a.deact != "" && in.has(a.deact)) {
		return match{}, noMatch, nil
	}
	af := in.af()
	if af < 0 {
		af = sys.AF_UNSPEC
	}
	var sa []byte
	plen := -1
	hasPlen := false
	switch af {
	case sys.AF_UNSPEC, sys.AF_INET, sys.AF_INET6:
		host, serv := *arg, "0"
		if i := strings.IndexByte(host, ','); i >= 0 {
			host, serv = host[:i], host[i+1:]
		}
		var plenStr string
		if a.maskKey != "" {
			if i := strings.LastIndexByte(host, '/'); i >= 0 {
				host, plenStr, hasPlen = host[:i], host[i+1:], true
			}
		}
		sa = p.getaddr(host, serv, af)
		if hasPlen {
			n, rest := strtol(plenStr)
			plen = int(n)
			if rest != "" || n < 0 || n >= 255 {
				sa = nil
			}
		}
		if sa != nil || af != sys.AF_UNSPEC {
			break
		}
		sa = parseAtalk(*arg)
	case afAppletalk:
		sa = parseAtalk(*arg)
	case sys.AF_LINK:
		sa = parseLinkAddr(*arg)
	}
	if sa == nil {
		return match{}, noMatch, nil
	}
	s := &sockaddr{sa: sa, plen: plen}
	env := in.set(a.addrKey, s)
	if a.maskKey != "" && hasPlen {
		mask, ok := prefixlenToMask(s.family(), plen)
		if !ok {
			return match{}, noMatch, p.err(sys.EINVAL, "paddr_match: prefixlen_to_mask(%d, %d)", s.family(), plen)
		}
		env = env.set(a.maskKey, mask)
	}
	return match{env: env, next: a.next, exec: a.exec}, matched, nil
}

// getaddr is paddr_match's use of getaddrinfo(3) (parse.c): a numeric
// address first (AI_NUMERICHOST | AI_PASSIVE, SOCK_DGRAM, the family
// given); failing that, for IPv4, whatever inet_aton(3) reads (port 0);
// failing that, the name, which must give exactly one address.  Scope
// names are the emulated kernel's interfaces.  It returns the socket
// address or nil.
func (p *prog) getaddr(host, serv string, af int) []byte {
	r := &addrinfo.Resolver{
		LookupHost:    p.lookupHost,
		LookupService: addrinfo.ServiceLookup(p.lookupPort),
		IfNameToIndex: p.ifIndex,
	}
	hints := addrinfo.Hints{Flags: addrinfo.AI_NUMERICHOST | addrinfo.AI_PASSIVE, Family: af, Socktype: addrinfo.SOCK_DGRAM}
	for {
		res, err := r.Getaddrinfo(&host, &serv, &hints)
		if err == nil {
			if len(res) != 1 {
				return nil // EMLINK
			}
			return res[0].Sockaddr()
		}
		numeric := hints.Flags&addrinfo.AI_NUMERICHOST != 0
		if numeric && (af == sys.AF_INET || af == sys.AF_UNSPEC) {
			if a, ok := addrinfo.InetAton(host); ok {
				return inetSockaddr(a, 0)
			}
		}
		var e *addrinfo.Error
		if !numeric || !errors.As(err, &e) || e.Code != addrinfo.EAI_NONAME {
			return nil
		}
		hints.Flags &^= addrinfo.AI_NUMERICHOST
	}
}

// ifIndex is if_nametoindex(3) over the kernel's interfaces, which on
// Linux are nbwg's own: the host's are not consulted.
func (p *prog) ifIndex(name string) (uint32, bool) {
	list, err := p.ifconf()
	if err != nil {
		return 0, false
	}
	for _, e := range list {
		if e.name == name && e.family == sys.AF_LINK {
			return uint32(e.index), true
		}
	}
	return 0, false
}

// parseAtalk reads an AppleTalk address "net.node" (parse.c's sscanf
// "%u.%u"), the last resort for a word that is no IP address.
func parseAtalk(s string) []byte {
	netStr, nodeStr, ok := strings.Cut(s, ".")
	if !ok {
		return nil
	}
	n, err1 := strconv.ParseUint(netStr, 10, 32)
	node, err2 := strconv.ParseUint(nodeStr, 10, 32)
	if err1 != nil || err2 != nil || n == 0 || n > 0xffff || node == 0 || node > 0xfe {
		return nil
	}
	sa := make([]byte, 16) // struct sockaddr_at
	sa[0], sa[1] = 16, afAppletalk
	binary.BigEndian.PutUint16(sa[4:], uint16(n))
	sa[6] = byte(node)
	return sa
}

// parseLinkAddr reads a link-level address of hex octets separated by
// colons (parse.c's parse_linkaddr) into a struct sockaddr_dl.
func parseLinkAddr(s string) []byte {
	const dataOff = 8 // offsetof(struct sockaddr_dl, sdl_data)
	var octets []byte
	for _, part := range strings.Split(s, ":") {
		if len(part) < 1 || len(part) > 2 || !ctype.IsXDigit(part[0]) || len(part) == 2 && !ctype.IsXDigit(part[1]) {
			return nil
		}
		v := ctype.HexVal(part[0])
		if len(part) == 2 {
			v = v<<4 | ctype.HexVal(part[1])
		}
		octets = append(octets, v)
	}
	if len(octets) > sys.SizeofSockaddrStorage-dataOff {
		return nil
	}
	sa := make([]byte, dataOff+len(octets))
	sa[0], sa[1] = byte(len(sa)), sys.AF_LINK
	sa[6] = byte(len(octets)) // sdl_alen
	copy(sa[dataOff:], octets)
	return sa
}

// prefixlenToMask is util.c's prefixlen_to_mask: the netmask of a prefix
// length as a socket address.  Quirk kept: a length of 0 means the
// whole address.
func prefixlenToMask(af, plen int) (*sockaddr, bool) {
	var size int
	switch af {
	case sys.AF_INET:
		size = 4
	case sys.AF_INET6:
		size = 16
	default:
		return nil, false
	}
	if plen < 0 || plen > size*8 {
		return nil, false
	}
	if plen == 0 {
		plen = size * 8
	}
	var m [16]byte
	for i := 0; i < plen; i++ {
		m[i/8] |= 0x80 >> (i % 8)
	}
	if af == sys.AF_INET {
		return &sockaddr{sa: inetSockaddr([4]byte(m[:4]), 0), plen: plen}, true
	}
	return &sockaddr{sa: inet6Sockaddr(m, 0, 0), plen: plen}, true
}

// String shows a sockaddr in messages and tests.
func (s *sockaddr) String() string {
	if a, scope, ok := s.ip(); ok {
		if scope != 0 {
			return fmt.Sprintf("%s%%%d/%d", a, scope, s.plen)
		}
		return fmt.Sprintf("%s/%d", a, s.plen)
	}
	return fmt.Sprintf("af%d/%d", s.family(), s.plen)
}
