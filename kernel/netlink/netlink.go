package netlink

import (
	"net/netip"
)

// Addr is one interface address as the kernel reports it.
type Addr struct {
	// Prefix is the local address together with its prefix length, for
	// example 192.0.2.1/24 (not masked).
	Prefix netip.Prefix
	// Flags are the IFA_F_* flags (IFA_F_NODAD, IFA_F_TENTATIVE,
	// IFA_F_PERMANENT, ...) in their 32-bit IFA_FLAGS form.
	Flags uint32
	// Scope is the RT_SCOPE_* value (0 universe, 253 link, 254 host).
	Scope uint8
}

// Error is a failed rtnetlink operation.
type Error struct {
	// Op names the operation and its arguments, e.g. `set mtu of "wg0" to 1420`.
	Op string
	// Msg is the kernel's extended ACK text, or "" when it sent none.
	Msg string
	// Err is the cause, normally a unix.Errno from the kernel.
	Err error
}

func (e *Error) Error() string {
	s := "netlink: " + e.Op + ": " + e.Err.Error()
	if e.Msg != "" {
		s += " (" + e.Msg + ")"
	}
	return s
}

// Unwrap returns the cause so that errors.Is(err, unix.EEXIST) works.
func (e *Error) Unwrap() error { return e.Err }
