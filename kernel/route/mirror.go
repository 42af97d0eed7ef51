package route

import (
	"net/netip"

	"nbwg/kernel/ifnet"
	"nbwg/kernel/klog"
	"nbwg/kernel/netlink"
	"nbwg/kernel/sys"
)

// Mirroring into the host's table.  A route is there while its
// interface is up and running; the caller holds Table.mu.

// hostRoute is rt as the host's table has it: the destination without
// an embedded scope (Linux keeps a link-local route per device instead).
func hostRoute(rt *rtentry) netlink.Route {
	r := netlink.Route{
		Dst:   netip.PrefixFrom(unembed(rt.dst.Addr()), rt.dst.Bits()),
		Type:  netlink.Unicast,
		Index: rt.ifa.ifp.Index(),
	}
	switch {
	case rt.flags&sys.RTF_REJECT != 0:
		r.Type, r.Index = netlink.Unreachable, 0
	case rt.flags&sys.RTF_BLACKHOLE != 0:
		r.Type, r.Index = netlink.Blackhole, 0
	case rt.flags&sys.RTF_GATEWAY != 0 && rt.gwAddr.IsValid():
		r.Gateway = unembed(rt.gwAddr)
	}
	if rt.rmx.MTU != 0 && rt.rmx.MTU <= 1<<32-1 {
		r.MTU = uint32(rt.rmx.MTU)
		r.LockMTU = rt.rmx.Locks&sys.RTV_MTU != 0
	}
	return r
}

// wanted reports whether rt belongs in the host's table now.
func wanted(rt *rtentry) bool { return rt.ifa.ifp.Up() && !rt.ifa.ifp.Detached() }

// install puts a new route into the host's table if its interface is up.
func (t *Table) install(rt *rtentry) error {
	if t.host == nil || !wanted(rt) {
		return nil
	}
	if err := t.host.AddRoute(hostRoute(rt)); err != nil {
		return hostErr(err)
	}
	rt.mirrored = true
	return nil
}

// uninstall takes a route out of the host's table.  The host may have
// dropped it already (its device went down or away): that is no error.
func (t *Table) uninstall(rt *rtentry) {
	if t.host == nil || !rt.mirrored {
		return
	}
	if err := t.host.DelRoute(hostRoute(rt)); err != nil && !gone(err) {
		t.log.Log(klog.LOG_WARNING, "route: %s: %v", rt.dst, err)
	}
	rt.mirrored = false
}

// reinstall replaces old by nrt in the host's table, as nrt's interface
// now wants it; on failure the host's table is as it was.
func (t *Table) reinstall(old, nrt *rtentry) error {
	if t.host == nil {
		return nil
	}
	switch {
	case old.mirrored && wanted(nrt):
		if err := t.host.ReplaceRoute(hostRoute(nrt)); err != nil {
			return hostErr(err)
		}
		// Replacing a route through one device does not remove a
		// route to the same place through another (IPv6 keeps
		// both), nor does a change of type.
		if o, n := hostRoute(old), hostRoute(nrt); o.Index != n.Index || o.Type != n.Type {
			if err := t.host.DelRoute(o); err != nil && !gone(err) {
				t.log.Log(klog.LOG_WARNING, "route: %s: %v", old.dst, err)
			}
		}
		nrt.mirrored = true
	case old.mirrored:
		t.uninstall(old)
		nrt.mirrored = false
	case wanted(nrt):
		nrt.mirrored = false
		return t.install(nrt)
	}
	return nil
}

// ifEvent follows the interfaces (ifnet.Watch): a route goes into the
// host's table when its interface comes up and out when it goes down,
// and out of the table when the interface is destroyed.  It runs with
// ifnet's lock held.
func (t *Table) ifEvent(ifp *ifnet.Interface, ev ifnet.Event) {
	t.mu.Lock()
	defer t.mu.Unlock()
	kept := t.routes[:0]
	for _, rt := range t.routes {
		if rt.ifa.ifp != ifp {
			kept = append(kept, rt)
			continue
		}
		switch ev {
		case ifnet.EventUp:
			if !rt.mirrored {
				if err := t.install(rt); err != nil {
					t.log.Log(klog.LOG_WARNING, "route: %s: %s up: %v", rt.dst, ifp.Name(), err)
				}
			}
		case ifnet.EventDown:
			t.uninstall(rt)
		case ifnet.EventDetach:
			t.uninstall(rt)
			continue
		}
		kept = append(kept, rt)
	}
	clear(t.routes[len(kept):])
	t.routes = kept
}

// hostErr is the errno of the host's refusal.
func hostErr(err error) error {
	return sys.ErrnoOf(err, sys.EIO)
}

// gone reports whether the host said the route is not there.
func gone(err error) bool {
	e := sys.ErrnoOf(err, 0)
	return e == sys.ESRCH || e == sys.ENOENT || e == sys.ENODEV
}
