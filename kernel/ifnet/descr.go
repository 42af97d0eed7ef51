package ifnet

import (
	"nbwg/kernel/sys"
)

// The interface description of NetBSD 10 (if.c ifioctl_common,
// SIOCSIFDESCR and SIOCGIFDESCR): a string of at most IFDESCRSIZE bytes,
// NUL included, that the kernel keeps for the administrator and
// ifconfig(8) shows.  It means nothing to the data plane.

// setDescr is SIOCSIFDESCR (privilege was checked by Ioctl, as kauth's
// KAUTH_REQ_NETWORK_INTERFACE_SETPRIV is in ifioctl_common).  in is the
// buffer at ifr_buf; an empty one is a NULL ifr_buf.
func (n *Net) setDescr(ifp *Interface, arg, in []byte) error {
	r, err := sys.UnmarshalIfreq(arg)
	if err != nil {
		return sys.EINVAL
	}
	if r.Buflen() > sys.IFDESCRSIZE {
		return sys.ENAMETOOLONG
	}
	if r.Buflen() == 0 || len(in) == 0 {
		// No buffer: the description is removed ("-description").
		ifp.descr = nil
		return nil
	}
	// NetBSD copies IFDESCRSIZE-1 bytes into a zeroed buffer whatever
	// ifr_buflen says, so the string always ends with a NUL; here
	// the caller's buffer may be shorter than that, and the rest
	// stays zero.
	d := make([]byte, sys.IFDESCRSIZE)
	copy(d[:sys.IFDESCRSIZE-1], in)
	ifp.descr = d
	return nil
}

// getDescr is SIOCGIFDESCR: ENOMSG when there is no description, EINVAL
// when the caller's buffer cannot hold IFDESCRSIZE bytes; else the whole
// buffer is copied out.
func (n *Net) getDescr(ifp *Interface, arg []byte) ([]byte, error) {
	r, err := sys.UnmarshalIfreq(arg)
	if err != nil {
		return nil, sys.EINVAL
	}
	if ifp.descr == nil {
		return nil, sys.ENOMSG
	}
	if r.Buflen() < sys.IFDESCRSIZE {
		return nil, sys.EINVAL
	}
	return append([]byte(nil), ifp.descr...), nil
}
