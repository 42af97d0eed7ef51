package main

import (
	"bytes"
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
	p.description(name)

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

// description prints the interface's description, if it has one, as
// NetBSD 10's status() does after the capabilities (which wg(4) has
// none of): SIOCGIFDESCR into an IFDESCRSIZE buffer, printed up to its
// NUL between double quotes.  Any error (ENOMSG: none) prints nothing.
func (p *prog) description(name string) {
	buf := make([]byte, sys.IFDESCRSIZE)
	if _, err := p.ifreqBuf(sys.SIOCGIFDESCR, name, buf); err != nil {
		return
	}
	s, _, _ := bytes.Cut(buf, []byte{0})
	p.printf("\tdescription: \"%s\"\n", s)
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
