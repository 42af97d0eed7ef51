package addrinfo

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"slices"
	"strings"

	"nbwg/kernel/sys"
)

// Resolver holds the databases getaddrinfo and getnameinfo consult.  A
// nil function finds nothing.  System gives the host's; tests and
// ifconfig (whose interfaces are the emulated kernel's) put in their own.
type Resolver struct {
	// LookupHost is the hosts database (nsdispatch's "files" and "dns"
	// sources): the addresses of name for network "ip", "ip4" or
	// "ip6", as net.Resolver.LookupNetIP gives them.  An error that is
	// a *net.DNSError tells a name that does not exist (IsNotFound)
	// from a failure worth retrying (IsTemporary, IsTimeout).
	LookupHost func(ctx context.Context, network, name string) ([]netip.Addr, error)
	// LookupService is getservbyname(3): the port of a services(5)
	// name for proto "udp" or "tcp", or for "" either.
	LookupService func(name, proto string) (port int, ok bool)
	// IfNameToIndex is if_nametoindex(3); IfIndexToName is
	// if_indextoname(3).
	IfNameToIndex func(name string) (index uint32, ok bool)
	IfIndexToName func(index uint32) (name string, ok bool)
}

// System returns a Resolver over the host's own databases: Go's
// resolver (/etc/hosts, /etc/nsswitch.conf, DNS), /etc/services, and the
// interfaces of the caller's network namespace (on NetBSD, the kernel's).
func System() *Resolver {
	return &Resolver{
		LookupHost:    net.DefaultResolver.LookupNetIP,
		LookupService: ServiceLookup(net.DefaultResolver.LookupPort),
		IfNameToIndex: func(name string) (uint32, bool) {
			ifi, err := net.InterfaceByName(name)
			if err != nil {
				return 0, false
			}
			return uint32(ifi.Index), true
		},
		IfIndexToName: func(index uint32) (string, bool) {
			ifi, err := net.InterfaceByIndex(int(index))
			if err != nil {
				return "", false
			}
			return ifi.Name, true
		},
	}
}

// ServiceLookup makes a LookupService of a net.Resolver.LookupPort-like
// function (/etc/services).  That reads a number itself, and getPort has
// already refused the text str2number does not take, so nothing that
// begins like a number (a digit, a sign, white space) or is empty is
// handed to it: to NetBSD such text is a name no services(5) file has.
func ServiceLookup(lookupPort func(ctx context.Context, network, service string) (int, error)) func(name, proto string) (int, bool) {
	return func(name, proto string) (int, bool) {
		if name == "" || strings.ContainsAny(name[:1], "0123456789+- \t\n\v\f\r") {
			return 0, false
		}
		protos := []string{proto}
		if proto == "" {
			protos = []string{"udp", "tcp"}
		}
		for _, p := range protos {
			if port, err := lookupPort(context.Background(), p, name); err == nil {
				return port, true
			}
		}
		return 0, false
	}
}

func (r *Resolver) lookupService(name, proto string) (int, bool) {
	if r.LookupService == nil {
		return 0, false
	}
	return r.LookupService(name, proto)
}

// hostAnswer is what nsdispatch returned for a name: the addresses, or
// the EAI_* code its status maps to.
type hostAnswer struct {
	addrs []netip.Addr
	code  int
}

// lookupHost asks the hosts database once per call and network.  The
// answers for "ip" come IPv6 first, as the DNS source asks for AAAA
// records before A records.
func (c *call) lookupHost(network, name string) hostAnswer {
	if a, ok := c.answers[network]; ok {
		return a
	}
	var a hostAnswer
	if c.r.LookupHost == nil {
		a.code = EAI_NODATA
	} else if addrs, err := c.r.LookupHost(context.Background(), network, name); err != nil {
		a.code = nsStatus(err)
	} else if len(addrs) == 0 {
		a.code = EAI_NODATA
	} else {
		a.addrs = slices.Clone(addrs)
		slices.SortStableFunc(a.addrs, func(x, y netip.Addr) int {
			return boolInt(isV4(x)) - boolInt(isV4(y))
		})
	}
	if c.answers == nil {
		c.answers = map[string]hostAnswer{}
	}
	c.answers[network] = a
	return a
}

// nsStatus maps a lookup failure to the code explore_fqdn gives for
// nsdispatch's status: NS_NOTFOUND is EAI_NODATA, NS_TRYAGAIN EAI_AGAIN,
// NS_UNAVAIL (anything else) EAI_FAIL.
func nsStatus(err error) int {
	var dnsErr *net.DNSError
	switch {
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		return EAI_NODATA
	case errors.As(err, &dnsErr) && (dnsErr.IsTemporary || dnsErr.IsTimeout):
		return EAI_AGAIN
	}
	return EAI_FAIL
}

func isV4(a netip.Addr) bool { return a.Is4() || a.Is4In6() }

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// exploreFQDN is explore_fqdn(): the host as a name, each address an
// answer of the row's socket type, with the service's port.  A port that
// does not suit the row drops the row's answers.
func (c *call) exploreFQDN(p Hints, host string, serv *string, res []AddrInfo) ([]AddrInfo, int) {
	if _, code := c.getPort(p, serv); code != 0 {
		return res, 0
	}
	network := map[int]string{sys.AF_UNSPEC: "ip", sys.AF_INET: "ip4", sys.AF_INET6: "ip6"}[p.Family]
	ans := c.lookupHost(network, host)
	if ans.code != 0 {
		return res, ans.code
	}
	n := len(res)
	for _, addr := range ans.addrs {
		a := AddrInfo{Family: sys.AF_INET6, Socktype: p.Socktype, Protocol: p.Protocol, Addr: addr.WithZone("")}
		// Go may hand an IPv4 answer in its IPv4-mapped form; unless
		// only IPv6 was asked for, it is the IPv4 address.
		if isV4(addr) && p.Family != sys.AF_INET6 {
			a.Family, a.Addr = sys.AF_INET, addr.Unmap()
		}
		port, code := c.getPort(Hints{Flags: p.Flags, Family: a.Family, Socktype: a.Socktype}, serv)
		if code != 0 {
			return res[:n], code
		}
		a.Port = port
		res = append(res, a)
	}
	return res, 0
}
