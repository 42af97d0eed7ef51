package ifnet

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"nbwg/kernel/sys"
)

// descrReq is a struct ifreq for SIOCSIFDESCR/SIOCGIFDESCR with
// ifr_buflen set.
func descrReq(name string, buflen uint32) []byte {
	r := sys.Ifreq{}
	copy(r.Name[:], name)
	r.SetBuflen(buflen)
	return r.Marshal()
}

// getDescr returns the description as ifconfig prints it (up to the
// NUL) and the errno.
func getDescr(n *Net, cred sys.Cred, name string, buflen uint32) (string, error) {
	out, err := n.Ioctl(cred, sys.SIOCGIFDESCR, descrReq(name, buflen), nil)
	if err != nil {
		return "", err
	}
	if len(out) != sys.IFDESCRSIZE {
		return "", errors.New("copyout of the wrong size")
	}
	s, _, _ := bytes.Cut(out, []byte{0})
	return string(s), nil
}

func setDescr(n *Net, cred sys.Cred, name, s string) error {
	buf := append([]byte(s), 0)
	_, err := n.Ioctl(cred, sys.SIOCSIFDESCR, descrReq(name, uint32(len(buf))), buf)
	return err
}

// NetBSD 10's if.c ifioctl_common: SIOCSIFDESCR needs privilege, refuses
// a buffer longer than IFDESCRSIZE, and with no buffer removes the
// description; SIOCGIFDESCR is ENOMSG without one and EINVAL when the
// caller's buffer is shorter than IFDESCRSIZE.
func TestDescription(t *testing.T) {
	n, _ := newTestNet()
	if err := do(t, n, root, sys.SIOCIFCREATE, ifreq("wg0")); err != nil {
		t.Fatal(err)
	}
	if _, err := getDescr(n, nobody, "wg0", sys.IFDESCRSIZE); err != sys.ENOMSG {
		t.Errorf("get before any description: %v, want ENOMSG", err)
	}
	if err := setDescr(n, nobody, "wg0", "x"); err != sys.EPERM {
		t.Errorf("set as nobody: %v, want EPERM", err)
	}
	if err := setDescr(n, root, "wg9", "x"); err != sys.ENXIO {
		t.Errorf("set on a missing interface: %v, want ENXIO", err)
	}
	if err := setDescr(n, root, "wg0", "to site B"); err != nil {
		t.Fatalf("set: %v", err)
	}
	if got, err := getDescr(n, nobody, "wg0", sys.IFDESCRSIZE); got != "to site B" || err != nil {
		t.Errorf("get as nobody = %q, %v", got, err)
	}
	if _, err := getDescr(n, root, "wg0", sys.IFDESCRSIZE-1); err != sys.EINVAL {
		t.Errorf("get into 63 bytes: %v, want EINVAL", err)
	}
	// A longer buffer is refused whole; 63 characters and the NUL fit.
	long := strings.Repeat("d", sys.IFDESCRSIZE)
	if err := setDescr(n, root, "wg0", long); err != sys.ENAMETOOLONG {
		t.Errorf("set of 64 characters: %v, want ENAMETOOLONG", err)
	}
	if err := setDescr(n, root, "wg0", long[1:]); err != nil {
		t.Errorf("set of 63 characters: %v", err)
	}
	if got, _ := getDescr(n, root, "wg0", sys.IFDESCRSIZE); got != long[1:] {
		t.Errorf("get = %q, want 63 d", got)
	}
	// The empty string is a description; no buffer removes it.
	if err := setDescr(n, root, "wg0", ""); err != nil {
		t.Fatal(err)
	}
	if got, err := getDescr(n, root, "wg0", sys.IFDESCRSIZE); got != "" || err != nil {
		t.Errorf("get of the empty description = %q, %v", got, err)
	}
	if _, err := n.Ioctl(root, sys.SIOCSIFDESCR, descrReq("wg0", 0), nil); err != nil {
		t.Fatalf("unset: %v", err)
	}
	if _, err := getDescr(n, root, "wg0", sys.IFDESCRSIZE); err != sys.ENOMSG {
		t.Errorf("get after unset: %v, want ENOMSG", err)
	}
	// A description goes with its interface.
	if err := setDescr(n, root, "wg0", "old"); err != nil {
		t.Fatal(err)
	}
	do(t, n, root, sys.SIOCIFDESTROY, ifreq("wg0"))
	do(t, n, root, sys.SIOCIFCREATE, ifreq("wg0"))
	if _, err := getDescr(n, root, "wg0", sys.IFDESCRSIZE); err != sys.ENOMSG {
		t.Errorf("get on a re-created interface: %v, want ENOMSG", err)
	}
}

// Through sys.Dispatch, as the carrier delivers it: SIOCGIFDESCR does
// not copy the caller's buffer in.
func TestDescriptionDispatch(t *testing.T) {
	n, _ := newTestNet()
	do(t, n, root, sys.SIOCIFCREATE, ifreq("wg0"))
	if _, e := sys.Dispatch(n, root, sys.SIOCSIFDESCR, descrReq("wg0", 4), []byte("abc\x00")); e != 0 {
		t.Fatal(e)
	}
	out, e := sys.Dispatch(n, root, sys.SIOCGIFDESCR, descrReq("wg0", 64), make([]byte, 64))
	if e != 0 || string(bytes.TrimRight(out, "\x00")) != "abc" {
		t.Errorf("get = %q, %v", out, e)
	}
}
