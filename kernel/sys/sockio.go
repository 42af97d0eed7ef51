package sys

// Interface ioctls (<sys/sockio.h>, <netinet6/in6_var.h>), encoded from
// the structure sizes above exactly as NetBSD's headers encode them.  The
// test checks them against the values golang.org/x/sys records for
// NetBSD/amd64.
var (
	SIOCSIFFLAGS    = IOW('i', 16, SizeofIfreq)
	SIOCGIFFLAGS    = IOWR('i', 17, SizeofIfreq)
	SIOCDIFADDR     = IOW('i', 25, SizeofIfreq)
	SIOCAIFADDR     = IOW('i', 26, SizeofInAliasreq)
	SIOCGIFALIAS    = IOWR('i', 27, SizeofInAliasreq)
	SIOCGIFADDR     = IOWR('i', 33, SizeofIfreq)
	SIOCGIFNETMASK  = IOWR('i', 37, SizeofIfreq)
	SIOCGIFCONF     = IOWR('i', 38, SizeofIfconf)
	SIOCGIFAFLAG_IN = IOWR('i', 39, SizeofIfreq)
	SIOCIFGCLONERS  = IOWR('i', 120, SizeofIfClonereq)
	SIOCIFDESTROY   = IOW('i', 121, SizeofIfreq)
	SIOCIFCREATE    = IOW('i', 122, SizeofIfreq)
	SIOCSDRVSPEC    = IOW('i', 123, SizeofIfdrv)
	SIOCGDRVSPEC    = IOWR('i', 123, SizeofIfdrv)
	SIOCGIFMTU      = IOWR('i', 126, SizeofIfreq)
	SIOCSIFMTU      = IOW('i', 127, SizeofIfreq)
	SIOCGIFDATA     = IOWR('i', 133, SizeofIfDatareq)
	SIOCZIFDATA     = IOWR('i', 134, SizeofIfDatareq)
	// The interface description (NetBSD 10): ifr_buf and ifr_buflen
	// point at a string of at most IFDESCRSIZE bytes.
	SIOCSIFDESCR = IOW('i', 142, SizeofIfreq)
	SIOCGIFDESCR = IOWR('i', 143, SizeofIfreq)

	SIOCDIFADDR_IN6      = IOW('i', 25, SizeofIn6Ifreq)
	SIOCGIFADDR_IN6      = IOWR('i', 33, SizeofIn6Ifreq)
	SIOCGIFNETMASK_IN6   = IOWR('i', 37, SizeofIn6Ifreq)
	SIOCGIFAFLAG_IN6     = IOWR('i', 73, SizeofIn6Ifreq)
	SIOCGIFALIFETIME_IN6 = IOWR('i', 106, SizeofIn6Ifreq)
	SIOCAIFADDR_IN6      = IOW('i', 107, SizeofIn6Aliasreq)
)

// IoctlName names a command word for messages, as the C macro name.
func IoctlName(cmd uint32) string {
	for _, c := range ioctlNames {
		if c.cmd == cmd {
			return c.name
		}
	}
	return "ioctl"
}

var ioctlNames = []struct {
	cmd  uint32
	name string
}{
	{SIOCSIFFLAGS, "SIOCSIFFLAGS"}, {SIOCGIFFLAGS, "SIOCGIFFLAGS"},
	{SIOCDIFADDR, "SIOCDIFADDR"}, {SIOCAIFADDR, "SIOCAIFADDR"},
	{SIOCGIFALIAS, "SIOCGIFALIAS"}, {SIOCGIFADDR, "SIOCGIFADDR"},
	{SIOCGIFNETMASK, "SIOCGIFNETMASK"}, {SIOCGIFCONF, "SIOCGIFCONF"},
	{SIOCGIFAFLAG_IN, "SIOCGIFAFLAG_IN"}, {SIOCIFGCLONERS, "SIOCIFGCLONERS"},
	{SIOCIFDESTROY, "SIOCIFDESTROY"}, {SIOCIFCREATE, "SIOCIFCREATE"},
	{SIOCSDRVSPEC, "SIOCSDRVSPEC"}, {SIOCGDRVSPEC, "SIOCGDRVSPEC"},
	{SIOCGIFMTU, "SIOCGIFMTU"}, {SIOCSIFMTU, "SIOCSIFMTU"},
	{SIOCGIFDATA, "SIOCGIFDATA"}, {SIOCZIFDATA, "SIOCZIFDATA"},
	{SIOCSIFDESCR, "SIOCSIFDESCR"}, {SIOCGIFDESCR, "SIOCGIFDESCR"},
	{SIOCDIFADDR_IN6, "SIOCDIFADDR_IN6"}, {SIOCGIFADDR_IN6, "SIOCGIFADDR_IN6"}, {SIOCGIFNETMASK_IN6, "SIOCGIFNETMASK_IN6"},
	{SIOCGIFAFLAG_IN6, "SIOCGIFAFLAG_IN6"}, {SIOCGIFALIFETIME_IN6, "SIOCGIFALIFETIME_IN6"},
	{SIOCAIFADDR_IN6, "SIOCAIFADDR_IN6"},
	{NBWG_SYSCTL, "NBWG_SYSCTL"}, {NBWG_ROUTE, "NBWG_ROUTE"},
}
