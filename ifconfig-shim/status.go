package main

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"nbwg/kernel/sys"
)

// The display forms: "ifconfig IF [af]", "ifconfig -a [af]", "-l", and
// the lines of one interface (ifconfig.c's printall and status, media.c's
// media_status, af_inet.c's and af_inet6.c's in_status and in6_status).
// What a wg(4) interface has no use for is left out: capabilities,
// ethernet capabilities, media lists, link-level addresses, linkstr and
// the other modules' lines, which NetBSD omits for wg too.

// noCmdsExec is "no commands": show the interface (its flags must be
// readable) or every interface.
func (p *prog) noCmdsExec(e penv) error {
	if name, ok := e.str("if"); ok {
		if _, err := p.ifflags(name); err != nil {
			return p.err(err, "SIOCGIFFLAGS %s", name)
		}
	}
	if err := p.printall(e); err != nil {
		return err
	}
	return exitStatus(0)
}

// mediaStatusExec is -s: no output, the exit status says whether the
// link is up (an unknown link state counts as up).
func (p *prog) mediaStatusExec(e penv) error {
	name, _ := e.str("if")
	if _, err := p.ifflags(name); err != nil {
		return p.err(err, "SIOCGIFFLAGS %s", name)
	}
	switch p.linkState(name) {
	case -1, sys.LINK_STATE_DOWN:
		return exitStatus(1)
	}
	return exitStatus(0)
}

// printall walks the interfaces (all of them, or the one named), applies
// the -b, -d, -u and -s filters and prints each: its name for -l, its
// status otherwise.
func (p *prog) printall(e penv) error {
	only, named := e.str("if")
	list, err := p.getifaddrs()
	if err != nil {
		return p.err(err, "getifaddrs")
	}
	o := &p.opts
	n := 0
	prev := ""
	for _, ifa := range list {
		if named && ifa.name != only {
			continue
		}
		if ifa.name == prev {
			continue
		}
		prev = ifa.name
		switch {
		case o.b && ifa.flags&sys.IFF_BROADCAST == 0,
			o.d && ifa.flags&sys.IFF_UP != 0,
			o.u && ifa.flags&sys.IFF_UP == 0,
			o.s && p.linkState(ifa.name) == sys.LINK_STATE_DOWN:
			continue
		}
		n++
		if o.l {
			if n > 1 {
				p.printf(" ")
			}
			p.printf("%s", ifa.name)
			continue
		}
		if err := p.status(e.set("if", ifa.name), list); err != nil {
			return err
		}
	}
	if o.l {
		p.printf("\n")
	}
	return nil
}

// status prints one interface.
func (p *prog) status(e penv, list []ifaddr) error {
	name := ifnameOf(e)
	flags, err := p.ifflags(name)
	if err != nil {
		return p.err(err, "status: getifinfo")
	}
	p.printf("%s: flags=%s", name, snprintb(uint64(flags), iffBits))
	if r, err := p.ifreq(siocGIFMETRIC, name, nil); err == nil {
		if m := r.Int(); m != 0 {
			p.printf(" metric %d", m)
		}
	} else if !errors.Is(err, sys.ENOTTY) {
		// nbwg's kernel has no metric (ENOTTY): it is 0.
		p.warn(err, "SIOCGIFMETRIC %s", name)
	}
	if r, err := p.ifreq(sys.SIOCGIFMTU, name, nil); err == nil && r.Int() != 0 {
		p.printf(" mtu %d", r.Int())
	}
	p.printf("\n")

	o := &p.opts
	if o.v {
		p.printf("\tlinkstate: %s\n", linkStateString(p.linkState(name)))
	}
	if err := p.mediaStatus(name); err != nil {
		return err
	}
	if o.v || o.z {
		if err := p.statistics(name); err != nil {
			return err
		}
	}

	af := e.af()
	for _, f := range families {
		if af >= 0 && f.af != af {
			continue
		}
		switch f.af {
		case sys.AF_INET6:
			p.in6Status(name, list)
		case sys.AF_INET:
			p.inStatus(name, list)
		}
		// atalk: no AppleTalk on wg; link: no inactive link-level
		// addresses.
	}
	return nil
}

func linkStateString(s int) string {
	switch s {
	case sys.LINK_STATE_UNKNOWN:
		return "unknown"
	case sys.LINK_STATE_DOWN:
		return "down"
	case sys.LINK_STATE_UP:
		return "up"
	}
	return "error"
}

// Interface types of LINK_STATE_DESCRIPTIONS (<net/if_types.h>).
const (
	iftEther    = 0x06
	iftPPP      = 0x17
	iftIEEE8021 = 0x47
	iftCARP     = 0xf8
)

// linkStateDescriptions is <net/if.h>'s LINK_STATE_DESCRIPTIONS: the
// first entry whose type is the interface's (or 0) and whose state
// matches names the state.  wg(4) is IFT_OTHER: "active" or "down".
var linkStateDescriptions = []struct {
	ifType, state int
	text          string
}{
	{iftEther, sys.LINK_STATE_DOWN, "no carrier"},
	{iftIEEE8021, sys.LINK_STATE_DOWN, "no network"},
	{iftPPP, sys.LINK_STATE_DOWN, "no carrier"},
	{iftCARP, sys.LINK_STATE_DOWN, "backup"},
	{iftCARP, sys.LINK_STATE_UP, "master"},
	{0, sys.LINK_STATE_UP, "active"},
	{0, sys.LINK_STATE_UNKNOWN, "unknown"},
	{0, sys.LINK_STATE_DOWN, "down"},
}

// mediaStatus is media_status for an interface without media: the link
// state from SIOCGIFDATA, unless it is unknown.
func (p *prog) mediaStatus(name string) error {
	d, err := p.ifdata(name, false)
	if err != nil {
		return p.err(err, "media_status: SIOCGIFDATA")
	}
	if d.LinkState == sys.LINK_STATE_UNKNOWN {
		return nil
	}
	for _, l := range linkStateDescriptions {
		if (l.ifType == 0 || l.ifType == int(d.Type)) && l.state == int(d.LinkState) {
			p.printf("\tstatus: %s\n", l.text)
			return nil
		}
	}
	p.printf("\tstatus: [#%d]\n", d.LinkState)
	return nil
}

// statistics prints the -v and -z counters; -z zeroes them as it reads.
func (p *prog) statistics(name string) error {
	d, err := p.ifdata(name, p.opts.z)
	if err != nil {
		if p.opts.z {
			return p.err(err, "SIOCZIFDATA")
		}
		return p.err(err, "SIOCGIFDATA")
	}
	bytes := func(n uint64) string {
		if p.opts.h {
			return humanizeBytes(n)
		}
		return plural(", ", n, "byte")
	}
	var b strings.Builder
	b.WriteString(plural("\tinput: ", d.Ipackets, "packet"))
	b.WriteString(bytes(d.Ibytes))
	if d.Imcasts != 0 {
		b.WriteString(plural(", ", d.Imcasts, "multicast"))
	}
	if d.Ierrors != 0 {
		b.WriteString(plural(", ", d.Ierrors, "error"))
	}
	if d.Iqdrops != 0 {
		b.WriteString(plural(", ", d.Iqdrops, "queue drop"))
	}
	if d.Noproto != 0 {
		fmt.Fprintf(&b, ", %d unknown protocol", d.Noproto)
	}
	b.WriteString(plural("\n\toutput: ", d.Opackets, "packet"))
	b.WriteString(bytes(d.Obytes))
	if d.Omcasts != 0 {
		b.WriteString(plural(", ", d.Omcasts, "multicast"))
	}
	if d.Oerrors != 0 {
		b.WriteString(plural(", ", d.Oerrors, "error"))
	}
	if d.Collisions != 0 {
		b.WriteString(plural(", ", d.Collisions, "collision"))
	}
	b.WriteString("\n")
	p.printf("%s", b.String())
	return nil
}

// preferences reports whether any address of the family has a nonzero
// preference (util.c's ifa_any_preferences): then every line shows one.
func (p *prog) preferences(name string, list []ifaddr, af int) bool {
	for _, a := range list {
		if a.name == name && a.family == af && p.addrPreference(name, a.sa) != 0 {
			return true
		}
	}
	return false
}

// inStatus prints the interface's IPv4 addresses (af_inet.c).
func (p *prog) inStatus(name string, list []ifaddr) {
	prefs := p.preferences(name, list, sys.AF_INET)
	for _, a := range list {
		if a.name != name || a.family != sys.AF_INET {
			continue
		}
		p.printf("\tinet %s", p.hostName(a.addr, a.addr.String()))
		plen := inPrefixLen(a.mask)
		if plen >= 0 {
			p.printf("/%d", plen)
		}
		if a.flags&sys.IFF_POINTOPOINT != 0 {
			p.printf(" -> %s", p.otherAddr(siocGIFDSTADDR, a))
		}
		if plen < 0 {
			p.printf(" netmask %#x", uint32(a.mask[0])<<24|uint32(a.mask[1])<<16|uint32(a.mask[2])<<8|uint32(a.mask[3]))
		}
		if a.flags&sys.IFF_BROADCAST != 0 {
			p.printf(" broadcast %s", p.otherAddr(siocGIFBRDADDR, a))
		}
		p.printf(" flags %s", snprintb(uint64(uint32(a.addrFlags)), inIffBits))
		if prefs {
			p.printf(" preference %d", p.addrPreference(name, a.sa))
		}
		p.printf("\n")
	}
}

// inPrefixLen is in_prefixlen: the length of a contiguous IPv4 mask, -1
// for a mask that is not.
func inPrefixLen(m []byte) int {
	v := uint32(m[0])<<24 | uint32(m[1])<<16 | uint32(m[2])<<8 | uint32(m[3])
	if v == 0 {
		return 0
	}
	n := 0
	for v&0x80000000 != 0 {
		n++
		v <<= 1
	}
	if v != 0 {
		return -1
	}
	return n
}

// in6PrefixLen is af_inet6.c's prefix(): the length of a contiguous mask,
// 0 for a mask that is not.
func in6PrefixLen(m []byte) int {
	n := 0
	for i, b := range m {
		if b == 0xff {
			n += 8
			continue
		}
		for b&0x80 != 0 {
			n++
			b <<= 1
		}
		if b != 0 {
			return 0
		}
		for _, rest := range m[i+1:] {
			if rest != 0 {
				return 0
			}
		}
		break
	}
	return n
}

// in6Status prints the interface's IPv6 addresses (af_inet6.c).
func (p *prog) in6Status(name string, list []ifaddr) {
	prefs := p.preferences(name, list, sys.AF_INET6)
	scopeName := map[uint32]string{}
	for _, a := range list {
		if a.family == sys.AF_LINK {
			scopeName[uint32(a.index)] = a.name
		}
	}
	for _, a := range list {
		if a.name != name || a.family != sys.AF_INET6 {
			continue
		}
		numeric := ntop6(a.addr.As16())
		if a.scope != 0 {
			zone, ok := scopeName[a.scope]
			if !ok {
				zone = fmt.Sprint(a.scope)
			}
			numeric += "%" + zone
		}
		p.printf("\tinet6 %s", p.hostName(a.addr, numeric))
		p.printf("/%d", in6PrefixLen(a.mask))
		if a.flags&sys.IFF_POINTOPOINT != 0 {
			p.printf(" -> %s", p.otherAddr(siocGIFDSTADDR_IN6, a))
		}
		p.printf(" flags %s", snprintb(uint64(uint32(a.addrFlags)), in6IffBits))
		if a.scope != 0 {
			p.printf(" scopeid 0x%x", a.scope)
		}
		if p.opts.L {
			p.lifetimes(a)
		}
		if prefs {
			p.printf(" preference %d", p.addrPreference(name, a.sa))
		}
		p.printf("\n")
	}
}

// lifetimes is -L: the time left before an address is deprecated and
// before it expires, when either is finite.
func (p *prog) lifetimes(a ifaddr) {
	r, err := p.in6ifreq(sys.SIOCGIFALIFETIME_IN6, a.name, a.sa)
	if err != nil {
		if !errors.Is(err, sys.EADDRNOTAVAIL) {
			p.warn(err, "SIOCGIFALIFETIME_IN6")
		}
		return
	}
	l := r.Lifetime()
	if l.Preferred == 0 && l.Expire == 0 {
		return
	}
	t := p.now().Unix()
	left := func(at int64) string {
		if at == 0 {
			return "infty"
		}
		return fmt.Sprint(uint64(at - min(t, at)))
	}
	p.printf(" pltime %s vltime %s", left(l.Preferred), left(l.Expire))
}

// hostName is getnameinfo(3): the numeric form, or with -N the name the
// name service gives, if any.
func (p *prog) hostName(a netip.Addr, numeric string) string {
	if !p.opts.N {
		return numeric
	}
	names, err := p.lookupAddr(context.Background(), a)
	if err != nil || len(names) == 0 {
		return numeric
	}
	return strings.TrimSuffix(names[0], ".")
}

// otherAddr is the destination or broadcast address getifaddrs(3) gives
// with an address: wg(4) has neither, other interfaces on NetBSD may.
// An address that cannot be read prints empty, as in_alias prints a
// failed getnameinfo.
func (p *prog) otherAddr(cmd uint32, a ifaddr) string {
	if a.family == sys.AF_INET6 {
		r, err := p.in6ifreq(cmd, a.name, a.sa)
		if err != nil {
			return ""
		}
		s := r.Addr()
		return p.hostName(netip.AddrFrom16(s.Addr), ntop6(s.Addr))
	}
	r, err := p.ifreq(cmd, a.name, func(r *sys.Ifreq) { copy(r.Union[:], a.sa) })
	if err != nil {
		return ""
	}
	s, _ := sys.UnmarshalSockaddrIn(r.Union[:])
	ip := netip.AddrFrom4(s.Addr)
	return p.hostName(ip, ip.String())
}
