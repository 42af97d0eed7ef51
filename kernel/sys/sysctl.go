package sys

import (
	"encoding/binary"
	"fmt"
	"strconv"
)

// NBWG_SYSCTL carries sysctl(3) requests to the emulated kernel.  NetBSD
// has a system call for them; the emulation has only its ioctl carrier,
// so it gives them a command word of their own, in a group ('n') no
// NetBSD ioctl uses.  It is nbwg's, not NetBSD's: on NetBSD the sysctl
// command uses the real sysctl(3).
//
// The structure is SysctlReq; the buffer holds the node name, then (for
// a write) the new value in text form.  The kernel copies out the
// node's value in text form (for a write: the old value), or, for a
// name that is an interior node, one "name=value" line per leaf below
// it, in tree order.
var NBWG_SYSCTL = IOWR('n', 1, SizeofSysctlReq)

// SysctlReq is the structure of NBWG_SYSCTL.
type SysctlReq struct {
	Flags   uint32 // SYSCTL_WRITE
	NameLen uint32 // bytes of name at the start of the buffer
	NewLen  uint32 // bytes of new value after the name
	OldLen  uint32 // in: room for the answer; out: bytes it needs
}

// SizeofSysctlReq is the size of SysctlReq.
const SizeofSysctlReq = 16

// Request flags.
const (
	// SYSCTL_WRITE asks for the node to be set.
	SYSCTL_WRITE = 1
	// SYSCTL_DESCRIBE asks for descriptions instead of values
	// (sysctl -d), as "name=description" lines.
	SYSCTL_DESCRIBE = 2
)

// Marshal returns the structure's bytes.
func (r *SysctlReq) Marshal() []byte {
	b := make([]byte, SizeofSysctlReq)
	binary.LittleEndian.PutUint32(b[0:], r.Flags)
	binary.LittleEndian.PutUint32(b[4:], r.NameLen)
	binary.LittleEndian.PutUint32(b[8:], r.NewLen)
	binary.LittleEndian.PutUint32(b[12:], r.OldLen)
	return b
}

// UnmarshalSysctlReq decodes a SysctlReq.
func UnmarshalSysctlReq(b []byte) (*SysctlReq, error) {
	if len(b) != SizeofSysctlReq {
		return nil, fmt.Errorf("sysctl request: %d bytes, want %d", len(b), SizeofSysctlReq)
	}
	return &SysctlReq{
		Flags:   binary.LittleEndian.Uint32(b[0:]),
		NameLen: binary.LittleEndian.Uint32(b[4:]),
		NewLen:  binary.LittleEndian.Uint32(b[8:]),
		OldLen:  binary.LittleEndian.Uint32(b[12:]),
	}, nil
}

// CtlType is a sysctl node's type, <sys/sysctl.h>'s CTLTYPE_* (the ones
// nbwg's nodes have).
type CtlType int

// Node types, with NetBSD's numbers.
const (
	CTLTYPE_INT  CtlType = 2 // a C int
	CTLTYPE_QUAD CtlType = 4 // a 64-bit unsigned integer (u_quad_t)
	CTLTYPE_BOOL CtlType = 6 // a C bool: 0 or 1
)

// Format renders a value of the type in the text form NBWG_SYSCTL
// carries: decimal, signed for an int or a bool, unsigned for a quad,
// whose bits v holds.
func (t CtlType) Format(v int64) string {
	if t == CTLTYPE_QUAD {
		return strconv.FormatUint(uint64(v), 10)
	}
	return strconv.FormatInt(v, 10)
}
