package main

import (
	"time"

	"nbwg/kernel/sys"
)

// waitDADPoll is the pause between two looks at the addresses (WAIT_DAD).
const waitDADPoll = 10 * time.Millisecond

// waitDADExec is -w n (and -W m): wait until no address is TENTATIVE, at
// most n seconds (0: for ever); with -W also until no address of an
// interface that is up is TENTATIVE or DETACHED, for at most m seconds.
// nbwg performs no duplicate address detection on wg, so its addresses
// are never TENTATIVE; they are DETACHED while the link is down.
func (p *prog) waitDADExec(e penv) error {
	o := &p.opts
	now := p.now()
	var end, endDet time.Time
	if o.wsecs != 0 {
		end = now.Add(time.Duration(o.wsecs) * time.Second)
		if o.Wsecs != 0 {
			endDet = now.Add(time.Duration(o.Wsecs) * time.Second)
		}
	}
	list, err := p.ifconf()
	if err != nil {
		return p.err(err, "getifaddrs")
	}
	flags := map[string]uint16{}
	for _, a := range list {
		if _, ok := flags[a.name]; !ok {
			f, err := p.ifflags(a.name)
			if err != nil && !vanished(err) {
				return p.err(err, "getifaddrs")
			}
			flags[a.name] = f
		}
	}
	for {
		waiting := false
		for _, a := range list {
			var tentative, detached int
			var cmd uint32
			var name string
			switch a.family {
			case sys.AF_INET:
				tentative, detached = sys.IN_IFF_TENTATIVE, sys.IN_IFF_DETACHED
				cmd, name = sys.SIOCGIFAFLAG_IN, "SIOCGIFAFLAG_IN"
			case sys.AF_INET6:
				tentative, detached = sys.IN6_IFF_TENTATIVE, sys.IN6_IFF_DETACHED
				cmd, name = sys.SIOCGIFAFLAG_IN6, "SIOCGIFAFLAG_IN6"
			default:
				continue
			}
			checkDet := flags[a.name]&sys.IFF_UP != 0 && !endDet.IsZero() && now.Before(endDet)
			f, err := p.addrFlags(cmd, a)
			if err != nil {
				return p.err(err, "%s", name)
			}
			if checkDet && f&(tentative|detached) != 0 || f&tentative != 0 {
				waiting = true
				break
			}
		}
		if !waiting {
			return exitStatus(0)
		}
		p.sleep(waitDADPoll)
		if o.wsecs != 0 {
			now = p.now()
			if now.After(end) {
				return p.errx("timed out")
			}
		}
	}
}
