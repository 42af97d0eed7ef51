package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"math/bits"
	"net"
	"net/netip"
	"os"
	"strings"

	"nbwg/internal/addrinfo"
	"nbwg/internal/inet"
	"nbwg/kernel/sys"
)

// The printing of addresses, rtutil.c's routename and netname, and the
// databases they and getaddr consult.

// Flags of rtutil.c's printing (rtutil.h).
const (
	rtAFLAG = 1 << iota
	rtTFLAG
	rtLFLAG
	rtNFLAG
	rtVFLAG
)

// names are the host's databases: hosts(5) and DNS (forward and
// reverse), networks(5), the interfaces (IPv6 scope names).  Tests put
// in their own.
type names struct {
	resolver *addrinfo.Resolver
	// lookupAddr is gethostbyaddr: the names of an address.
	lookupAddr func(ctx context.Context, a netip.Addr) ([]string, error)
	// networks is networks(5)'s path.
	networks string
	// hostname is gethostname(3), whose domain routename strips.
	hostname func() (string, error)
}

func systemNames() *names {
	return &names{
		resolver: addrinfo.System(),
		lookupAddr: func(ctx context.Context, a netip.Addr) ([]string, error) {
			return net.DefaultResolver.LookupAddr(ctx, a.String())
		},
		networks: "/etc/networks",
		hostname: os.Hostname,
	}
}

// getaddrinfo6 is getaddr's getaddrinfo(3) call for AF_INET6: the
// socket addresses s stands for.
func (n *names) getaddrinfo6(s string, numeric bool) ([][]byte, error) {
	hints := addrinfo.Hints{Family: sys.AF_INET6, Socktype: addrinfo.SOCK_DGRAM}
	if numeric {
		hints.Flags = addrinfo.AI_NUMERICHOST
	}
	zero := "0"
	res, err := n.resolver.Getaddrinfo(&s, &zero, &hints)
	if err != nil {
		return nil, err
	}
	var out [][]byte
	for _, r := range res {
		out = append(out, r.Sockaddr())
	}
	return out, nil
}

// gethostbyname is gethostbyname(3) for IPv4: the addresses of a name.
func (n *names) gethostbyname(s string) [][4]byte {
	if n.resolver.LookupHost == nil {
		return nil
	}
	ctx, cancel := lookupContext()
	defer cancel()
	addrs, err := n.resolver.LookupHost(ctx, "ip4", s)
	if err != nil {
		return nil
	}
	var out [][4]byte
	for _, a := range addrs {
		if a.Unmap().Is4() {
			out = append(out, a.Unmap().As4())
		}
	}
	return out
}

// gethostbyaddr is the name of an address, "" for none.
func (n *names) gethostbyaddr(a netip.Addr) string {
	if n.lookupAddr == nil {
		return ""
	}
	ctx, cancel := lookupContext()
	defer cancel()
	names, err := n.lookupAddr(ctx, a)
	if err != nil || len(names) == 0 {
		return ""
	}
	return strings.TrimSuffix(names[0], ".")
}

// network is one networks(5) entry.
type network struct {
	name string
	net  uint32
}

// readNetworks reads networks(5): "name number [aliases]", the number
// as inet_network reads it, '#' starting a comment.
func (n *names) readNetworks() []network {
	f, err := os.Open(n.networks)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []network
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		fields := strings.Fields(line)
		if len(fields) < 2 {
			continue
		}
		if v, ok := inetNetwork(fields[1]); ok {
			out = append(out, network{fields[0], v})
			for _, alias := range fields[2:] {
				out = append(out, network{alias, v})
			}
		}
	}
	return out
}

// getnetbyname is getnetbyname(3).
func (n *names) getnetbyname(s string) (uint32, bool) {
	for _, e := range n.readNetworks() {
		if e.name == s {
			return e.net, true
		}
	}
	return 0, false
}

// getnetbyaddr is getnetbyaddr(3) for AF_INET: a network's name.
func (n *names) getnetbyaddr(net uint32) string {
	for _, e := range n.readNetworks() {
		if e.net == net {
			return e.name
		}
	}
	return ""
}

// domain is routename's: the host's name after its first dot.
func (n *names) domain() string {
	if n.hostname == nil {
		return ""
	}
	h, err := n.hostname()
	if err != nil {
		return ""
	}
	_, d, _ := strings.Cut(h, ".")
	return d
}

// routename is rtutil.c's routename(): a host address as text, by name
// unless -n.
func (p *prog) routename(sa []byte, flags int) string {
	if len(sa) == 0 || sa[0] == 0 {
		return "default"
	}
	var full [sizeofSockunion]byte
	copy(full[:], sa)
	switch full[1] {
	case sys.AF_INET:
		return p.routename4([4]byte(full[4:8]), flags)
	case sys.AF_INET6:
		s, _ := sys.UnmarshalSockaddrIn6(full[:])
		if full[0] == sizeofSockaddrIn6 {
			sys.GetScopeID(&s)
		}
		return p.routename6(s, flags)
	case sys.AF_LINK:
		return linkPrint(full[:])
	}
	return fmt.Sprintf("(%d) %s", full[1], anyNtoa(sa))
}

// routename4 is a host's IPv4 address: "default" for 0.0.0.0, else its
// name (without the host's own domain) unless -n, else the address.
func (p *prog) routename4(a [4]byte, flags int) string {
	if a == [4]byte{} {
		return "default"
	}
	if flags&rtNFLAG == 0 {
		if name := p.names.gethostbyaddr(netip.AddrFrom4(a)); name != "" {
			return p.stripDomain(name)
		}
	}
	return inet.Ntop4(a)
}

// stripDomain cuts the host's own domain off a name.
func (p *prog) stripDomain(name string) string {
	if first, rest, ok := strings.Cut(name, "."); ok && rest == p.names.domain() {
		return first
	}
	return name
}

// routename6 is getnameinfo(3) for a host's IPv6 address: numeric with
// -n (with "%scope" for a scoped address), else its name without the
// host's own domain (NI_NOFQDN).
func (p *prog) routename6(s sys.SockaddrIn6, flags int) string {
	if flags&rtNFLAG == 0 {
		if name := p.names.gethostbyaddr(netip.AddrFrom16(s.Addr)); name != "" {
			return p.stripDomain(name)
		}
	}
	return p.names.resolver.NumericHost6(s.Addr, s.ScopeID)
}

// netname is rtutil.c's netname(): a network address with its mask as
// text.
func (p *prog) netname(sa, mask []byte, flags int) string {
	var full [sizeofSockunion]byte
	copy(full[:], sa)
	switch full[1] {
	case sys.AF_INET:
		return p.netname4([4]byte(full[4:8]), mask, flags)
	case sys.AF_INET6:
		s, _ := sys.UnmarshalSockaddrIn6(full[:])
		return p.netname6(s, mask, flags)
	case sys.AF_LINK:
		return linkPrint(full[:])
	}
	return fmt.Sprintf("af %d: %s", full[1], anyNtoa(sa))
}

// netname4: "default", else the network's name unless -n, else as many
// of its bytes as the mask covers, with the prefix length: "10.3.0/24".
func (p *prog) netname4(a [4]byte, mask []byte, flags int) string {
	mbits := 0
	if mask != nil {
		var m [8]byte
		copy(m[:], mask[:min(len(mask), 8)])
		if l := int(m[0]); l < 8 {
			clear(m[max(l, 0):])
		}
		mv := binary.BigEndian.Uint32(m[4:8])
		if mv != 0 {
			mbits = 32 - bits.TrailingZeros32(mv)
		}
	}
	in := binary.BigEndian.Uint32(a[:])
	if in == 0 && mbits == 0 {
		return "default"
	}
	if flags&rtNFLAG == 0 && in != 0 {
		if name := p.names.getnetbyaddr(in); name != "" {
			return name
		}
	}
	switch {
	case mbits < 9:
		return fmt.Sprintf("%d/%d", a[0], mbits)
	case mbits < 17:
		return fmt.Sprintf("%d.%d/%d", a[0], a[1], mbits)
	case mbits < 25:
		return fmt.Sprintf("%d.%d.%d/%d", a[0], a[1], a[2], mbits)
	}
	return fmt.Sprintf("%d.%d.%d.%d/%d", a[0], a[1], a[2], a[3], mbits)
}

// netname6: "default" for ::/0, else the address masked, by name unless
// -n, and the prefix length: "fd00:3::/64".  A mask that is not a prefix
// is warned about and cut at its first bad byte.
func (p *prog) netname6(s sys.SockaddrIn6, mask []byte, flags int) string {
	masklen := 0
	if mask != nil {
		lim := min(int(mask[0]), len(mask)) - 8
		lim = max(min(lim, 16), 0)
		final, illegal := false, false
		i := 0
		for ; i < lim; i++ {
			m := mask[8+i]
			if final && m != 0 {
				illegal = true
				s.Addr[i] = 0
				continue
			}
			switch m {
			case 0xff:
				masklen += 8
			case 0xfe, 0xfc, 0xf8, 0xf0, 0xe0, 0xc0, 0x80:
				masklen += bits.LeadingZeros8(^m)
				final = true
			case 0:
				final = true
			default:
				final, illegal = true, true
			}
			if !illegal {
				s.Addr[i] &= m
			} else {
				s.Addr[i] = 0
			}
		}
		for ; i < 16; i++ {
			s.Addr[i] = 0
		}
		if illegal {
			p.env.Warnx("illegal prefixlen")
		}
	} else {
		masklen = 128
	}
	if masklen == 0 && s.Addr == [16]byte{} {
		return "default"
	}
	host := ""
	if flags&rtNFLAG == 0 {
		host = p.names.gethostbyaddr(netip.AddrFrom16(s.Addr))
	}
	if host == "" {
		host = p.names.resolver.NumericHost6(s.Addr, s.ScopeID)
	}
	return fmt.Sprintf("%s/%d", host, masklen)
}

// linkPrint is rtutil.c's link_print: "link#N" for an interface given
// by index alone, else link_ntoa(3): the name, then ':' and the
// link-level address in hex bytes joined by '.'.
func linkPrint(sa []byte) string {
	s := sys.UnmarshalSockaddrDl(sa)
	if s.Nlen == 0 && s.Alen == 0 && s.Slen == 0 {
		return fmt.Sprintf("link#%d", s.Index)
	}
	var full [sizeofSockunion]byte
	copy(full[:], sa)
	data := full[8:]
	out := string(data[:s.Nlen])
	if s.Alen != 0 && s.Nlen != 0 {
		out += ":"
	}
	for i, b := range data[s.Nlen : int(s.Nlen)+int(s.Alen)] {
		if i > 0 {
			out += "."
		}
		out += fmt.Sprintf("%x", b)
	}
	return out
}

// anyNtoa is rtutil.c's any_ntoa: 'Q', then the address's bytes after
// its family in hex, joined by '.'.
func anyNtoa(sa []byte) string {
	var b strings.Builder
	b.WriteByte('Q')
	n := int(sa[0]) - 2
	data := append(append([]byte(nil), sa[2:min(len(sa), max(int(sa[0]), 2))]...), make([]byte, 1)...)
	for i := 0; i == 0 || i < n; i++ {
		if i > 0 {
			b.WriteByte('.')
		}
		fmt.Fprintf(&b, "%02x", data[min(i, len(data)-1)])
	}
	return b.String()
}
