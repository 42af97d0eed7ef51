package main

import (
	"context"
	"encoding/binary"
	"strings"
	"time"

	"nbwg/internal/addrinfo"
	"nbwg/internal/ctype"
	"nbwg/kernel/sys"
)

// Address families route.c knows besides sys's (<sys/socket.h>).
const (
	afAPPLETALK = 16
	afMPLS      = 33
	afROUTE     = 34 // PF_ROUTE: -sa, a raw socket address in hex
)

// Sizes of what getaddr fills in (aflen).
const (
	sizeofSockaddrIn  = sys.SizeofSockaddrIn
	sizeofSockaddrIn6 = sys.SizeofSockaddrIn6
	sizeofSockaddrDl  = sys.SizeofSockaddrDl
	sizeofSockunion   = sys.SizeofSockaddrStorage
)

// sockunion is route.c's union sockunion: room for any socket address,
// sa_len in its first byte and sa_family in its second.
type sockunion [sizeofSockunion]byte

func (su *sockunion) len() int    { return int(su[0]) }
func (su *sockunion) family() int { return int(su[1]) }

// inAddr returns the IPv4 address of a sockaddr_in.
func (su *sockunion) inAddr() [4]byte { return [4]byte(su[4:8]) }

func (su *sockunion) setInAddr(a [4]byte) { copy(su[4:8], a[:]) }

// sou is route.c's struct sou: the addresses of one request.
type sou struct {
	dst, gate, mask, genmask, ifa, ifp sockunion
}

// gatewayIP is one more address of a gateway given by name, tried in
// turn when the kernel finds the first one unreachable.
type gatewayIP = [4]byte

// getaddr is route.c's getaddr(): it reads s into the address of the
// request that which (RTA_*) names, in the current address family (af,
// IPv4 when none was given), and reports whether it is a host address.
// A name that is no address is looked up (hosts(5), then networks(5)).
func (p *prog) getaddr(which int32, s string) (host bool, err error) {
	if p.af == sys.AF_UNSPEC {
		p.af, p.aflen = sys.AF_INET, sizeofSockaddrIn
	}
	afamily := p.af
	p.rtmAddrs |= which
	var su *sockunion
	switch which {
	case sys.RTA_DST:
		su = &p.sou.dst
	case sys.RTA_GATEWAY:
		su = &p.sou.gate
	case sys.RTA_NETMASK:
		su = &p.sou.mask
	case sys.RTA_GENMASK:
		su = &p.sou.genmask
	case sys.RTA_IFP:
		su = &p.sou.ifp
		afamily = sys.AF_LINK
	case sys.RTA_IFA:
		su = &p.sou.ifa
	}
	su[0], su[1] = byte(p.aflen), byte(afamily)
	if s == "default" {
		switch which {
		case sys.RTA_DST:
			p.forcenet++
			p.getaddr(sys.RTA_NETMASK, s)
		case sys.RTA_NETMASK, sys.RTA_GENMASK:
			su[0] = 0
		}
		return false, nil
	}
	switch afamily {
	case sys.AF_INET6:
		return p.getaddr6(which, s, su)
	case afROUTE:
		su[0] = sizeofSockunion
		sockaddrHex(s, su)
		return true, nil
	case afAPPLETALK:
		return false, errx("%s: AppleTalk (-atalk) is not supported by nbwg's kernel", s)
	case afMPLS:
		return false, errx("%s: MPLS (-mpls) is not supported by nbwg's kernel", s)
	case sys.AF_LINK:
		linkAddr(s, su)
		return true, nil
	}
	if which == sys.RTA_GATEWAY {
		p.gatewayIPs = nil
	}

	// IPv4: "net/bits" for a destination.
	if i := strings.IndexByte(s, '/'); i >= 0 && which == sys.RTA_DST {
		if p.forcenet == 0 {
			if a, ok := addrinfo.InetAton(s[:i]); ok && a != [4]byte{255, 255, 255, 255} {
				p.inetMakeNetAndMask(binary.BigEndian.Uint32(a[:]), su)
				p.dstCut = s[:i]
				return p.prefixlen(s[i+1:])
			}
		} else if v, ok := inetNetwork(s[:i]); ok {
			p.inetMakeNetAndMask(v, su)
			p.dstCut = s[:i]
			return p.prefixlen(s[i+1:])
		}
	}
	if a, ok := addrinfo.InetAton(s); ok && (which != sys.RTA_DST || p.forcenet == 0) {
		su.setInAddr(a)
		v := binary.BigEndian.Uint32(a[:])
		if inetLnaof(v) != 0 {
			return true, nil
		}
		if which == sys.RTA_DST {
			p.inetMakeNetAndMask(v, su)
		}
		return false, nil
	}
	v, ok := inetNetwork(s)
	if !ok {
		if n, found := p.names.getnetbyname(s); found && n != 0 {
			v, ok = n, true
		}
	}
	if ok {
		if which == sys.RTA_DST {
			p.inetMakeNetAndMask(v, su)
		}
		return false, nil
	}
	if addrs := p.names.gethostbyname(s); len(addrs) > 0 {
		su.setInAddr(addrs[0])
		if which == sys.RTA_GATEWAY {
			p.gatewayIPs = addrs[1:]
		}
		return true, nil
	}
	return false, errx("%s: bad value", s)
}

// getaddr6 is getaddr's IPv6 part: a numeric address with an optional
// "/bits" for a destination, else a name.
func (p *prog) getaddr6(which int32, s string, su *sockunion) (bool, error) {
	host, plen, slash := s, "", false
	if which == sys.RTA_DST {
		if i := strings.LastIndexByte(s, '/'); i >= 0 {
			host, plen, slash = s[:i], s[i+1:], true
		}
	}
	numeric := true
	res, err := p.names.getaddrinfo6(host, true)
	if err != nil {
		numeric, slash = false, false
		if res, err = p.names.getaddrinfo6(s, false); err != nil {
			return false, errx("%s: bad value", s)
		}
	}
	if len(res) != 1 {
		return false, errx("%s: address resolved to multiple values", s)
	}
	sa := res[0]
	copy(su[:sizeofSockaddrIn6], sa)
	putScopeID(su)
	if !numeric {
		return true, nil
	}
	if slash {
		return p.prefixlen(plen)
	}
	if which == sys.RTA_DST {
		return p.inet6MakeNetAndMask(su), nil
	}
	return false, nil
}

// putScopeID is inet6_putscopeid for the link-local addresses.
func putScopeID(su *sockunion) {
	s, _ := sys.UnmarshalSockaddrIn6(su[:])
	sys.PutScopeID(&s)
	s.MarshalTo(su[:])
}

// inetMakeNetAndMask is route.c's inet_makenetandmask(): the network
// number net (as inet_network returns it: "10.3" is 0x0a03) placed as a
// classful network address, with its class's mask.
func (p *prog) inetMakeNetAndMask(net uint32, dst *sockunion) {
	const (
		classA = 0xff000000
		classB = 0xffff0000
		classC = 0xffffff00
		classD = 0xf0000000
	)
	p.rtmAddrs |= sys.RTA_NETMASK
	var addr, mask uint32
	switch {
	case net == 0:
	case net < 128:
		addr, mask = net<<24, classA
	case net < 192:
		addr, mask = net<<24, classB
	case net < 224:
		addr, mask = net<<24, classC
	case net < 256:
		addr, mask = net<<24, classD
	case net < 49152: // 192 * 256
		addr, mask = net<<16, classB
	case net < 57344: // 224 * 256
		addr, mask = net<<16, classC
	case net < 65536:
		addr, mask = net<<16, classB
	case net < 14680064: // 224 * 65536
		addr, mask = net<<8, classC
	case net < 16777216:
		addr, mask = net<<8, classD
	default:
		addr = net
		switch {
		case addr&^classA == 0:
			mask = classA
		case addr&^classB == 0:
			mask = classB
		case addr&^classC == 0:
			mask = classC
		default:
			mask = 0xffffffff
		}
	}
	binary.BigEndian.PutUint32(dst[4:8], addr)
	m := &p.sou.mask
	*m = sockunion{}
	binary.BigEndian.PutUint32(m[4:8], mask)
	// sin_len: up to the mask's last byte that is not zero.
	l := 7
	for l > 0 && m[l] == 0 {
		l--
	}
	m[0], m[1] = byte(l+1), sys.AF_INET
}

// inet6MakeNetAndMask is route.c's inet6_makenetandmask(): a
// destination given without "/bits" is a host, but for :: (the default
// route) and a global unicast address whose last 64 bits are zero (a
// /64).
func (p *prog) inet6MakeNetAndMask(su *sockunion) bool {
	a := [16]byte(su[8:24])
	scope := binary.LittleEndian.Uint32(su[24:28])
	plen := ""
	switch {
	case a == [16]byte{} && scope == 0:
		plen = "0"
	case a[0]&0xe0 == 0x20 && [8]byte(a[8:16]) == [8]byte{}:
		plen = "64"
	}
	if plen == "" {
		return true
	}
	p.rtmAddrs |= sys.RTA_NETMASK
	p.prefixlen(plen)
	return false
}

// prefixlen is route.c's prefixlen(): the mask of "/bits" or -prefixlen
// in the current family, and whether it is a host's.
func (p *prog) prefixlen(s string) (bool, error) {
	n := atoi(s)
	var max int
	switch p.af {
	case sys.AF_INET:
		max = 32
	case sys.AF_INET6:
		max = 128
	default:
		return false, errx("prefixlen is not supported with af %d", p.af)
	}
	p.rtmAddrs |= sys.RTA_NETMASK
	if n < -1 || n > max {
		return false, errx("%s: bad value", s)
	}
	m := &p.sou.mask
	if p.af == sys.AF_INET {
		*m = sockunion{}
		m[0], m[1] = sizeofSockaddrIn, sys.AF_INET
		var v uint32
		if n != 0 {
			// C shifts by 33 for -1, which amd64 takes as 1.
			v = 0xffffffff << (uint(32-n) & 31)
		}
		binary.BigEndian.PutUint32(m[4:8], v)
	} else {
		m[0], m[1] = sizeofSockaddrIn6, sys.AF_INET6
		clear(m[8:24])
		q, r := n>>3, n&7
		if q > 0 {
			for i := 0; i < q; i++ {
				m[8+i] = 0xff
			}
		}
		if r > 0 {
			m[8+q] = byte(uint16(0xff00) >> r)
		}
	}
	return n == max, nil
}

// inetNetwork is inet_network(3): "a.b.c.d" with up to four parts, each
// decimal, octal (0) or hexadecimal (0x) and at most 255, as a network
// number ("10.3" is 0x0a03); false for INADDR_NONE.
func inetNetwork(s string) (uint32, bool) {
	var parts []uint32
	i := 0
	at := func(i int) byte {
		if i < len(s) {
			return s[i]
		}
		return 0
	}
	for {
		var val uint32
		base := uint32(10)
		digit := false
		if at(i) == '0' {
			digit, base = true, 8
			i++
		}
		if c := at(i); c == 'x' || c == 'X' {
			digit, base = false, 16
			i++
		}
		for {
			c := at(i)
			if ctype.IsDigit(c) {
				if base == 8 && (c == '8' || c == '9') {
					return 0, false
				}
				val = val*base + uint32(c-'0')
			} else if base == 16 && ctype.IsXDigit(c) {
				val = val<<4 + uint32(ctype.HexVal(c))
			} else {
				break
			}
			i++
			digit = true
		}
		if !digit || len(parts) >= 4 || val > 0xff {
			return 0, false
		}
		if at(i) == '.' {
			parts = append(parts, val)
			i++
			continue
		}
		if c := at(i); c != 0 && !ctype.IsSpace(c) {
			return 0, false
		}
		parts = append(parts, val)
		break
	}
	var v uint32
	for _, x := range parts {
		v = v<<8 | x&0xff
	}
	return v, true
}

// inetLnaof is inet_lnaof(3): the host part of a classful address.
func inetLnaof(a uint32) uint32 {
	switch {
	case a&0x80000000 == 0:
		return a & 0x00ffffff
	case a&0xc0000000 == 0x80000000:
		return a & 0x0000ffff
	}
	return a & 0x000000ff
}

// atoi is atoi(3): leading blanks, a sign, digits; 0 for no number.
func atoi(s string) int {
	i := 0
	for i < len(s) && ctype.IsSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		neg = s[i] == '-'
		i++
	}
	n := 0
	for ; i < len(s) && ctype.IsDigit(s[i]); i++ {
		n = n*10 + int(s[i]-'0')
		if n > 1<<31 {
			n = 1 << 31 // atoi's overflow is undefined; saturate
		}
	}
	if neg {
		return -n
	}
	return n
}

// linkAddr is link_addr(3): an interface name, then optionally ':' and
// a link-level address in hex bytes separated by '.' or ':'.  Unlike
// libc's, which runs past the end of a bare name ("wg0") and takes what
// follows it in memory for an address, it ends the name there.
func linkAddr(s string, su *sockunion) {
	size := su.len()
	clear(su[1:max(size, 2)])
	su[1] = sys.AF_LINK
	const data = 8 // offset of sdl_data
	cp, lim := data, max(size, data)
	nlen := -1
	const (
		naming = iota
		gotOne
		gotTwo
		reset
	)
	state, b := naming, byte(0)
	for i := 0; i <= len(s) && cp < lim; i++ {
		c := byte(0)
		if i < len(s) {
			c = s[i]
		}
		var v byte
		isDigit, isLetter := false, false
		switch {
		case ctype.IsDigit(c):
			v, isDigit = c-'0', true
		case c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F':
			v, isDigit = ctype.HexVal(c), true
		case c == 0:
		case state == naming && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'):
			isLetter = true
		}
		switch {
		case c == 0:
			switch state {
			case naming:
				nlen = cp - data
			case gotOne, gotTwo:
				su[cp] = b
				cp++
			}
			i = len(s) // done
		case state == naming && (isDigit || isLetter):
			su[cp] = c
			cp++
		case state == naming:
			nlen = cp - data
			state = reset
		case isDigit && state == gotTwo:
			su[cp] = b
			cp++
			state, b = gotOne, v
		case isDigit && state == reset:
			state, b = gotOne, v
		case isDigit && state == gotOne:
			state, b = gotTwo, b<<4+v
		default: // a delimiter
			su[cp] = b
			cp++
			state, b = reset, 0
		}
	}
	if nlen < 0 {
		nlen = 0
	}
	su[5] = byte(nlen)             // sdl_nlen
	su[6] = byte(cp - data - nlen) // sdl_alen
	if cp > sizeofSockaddrDl {
		su[0] = byte(cp)
	}
}

// sockaddrHex is route.c's sockaddr(): a raw socket address in hex
// bytes ("-sa"), any non-hex character between bytes.
func sockaddrHex(s string, su *sockunion) {
	size := su.len()
	clear(su[:size])
	cp := 1
	const (
		virgin = iota
		gotOne
		gotTwo
	)
	state, b := virgin, byte(0)
	for i := 0; i <= len(s) && cp < size; i++ {
		c := byte(0)
		if i < len(s) {
			c = s[i]
		}
		switch {
		case c != 0 && ctype.IsXDigit(c):
			v := ctype.HexVal(c)
			switch state {
			case gotTwo:
				su[cp] = b
				cp++
				state, b = gotOne, v
			case virgin:
				state, b = gotOne, v
			case gotOne:
				state, b = gotTwo, b<<4+v
			}
		case c == 0:
			if state != virgin {
				su[cp] = b
				cp++
			}
		default:
			su[cp] = b
			cp++
			state, b = virgin, 0
		}
	}
	su[0] = byte(cp)
}

// lookupTimeout bounds a name lookup, which route(8) does not: a
// network namespace without a name server would otherwise stall it.
const lookupTimeout = 5 * time.Second

func lookupContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), lookupTimeout)
}

// family is a socket address's sa_family, AF_UNSPEC for a short one.
func family(sa []byte) int {
	if len(sa) < 2 {
		return sys.AF_UNSPEC
	}
	return int(sa[1])
}
