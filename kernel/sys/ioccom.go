package sys

// Ioctl command encoding, as in NetBSD's <sys/ioccom.h>: the parameter
// length and direction are part of the command word, so a command names
// both the request and the size of the structure it carries.
const (
	IOCPARM_MASK   = 0x1fff
	IOCPARM_SHIFT  = 16
	IOCGROUP_SHIFT = 8
	IOC_VOID       = 0x20000000
	IOC_OUT        = 0x40000000
	IOC_IN         = 0x80000000
	IOC_INOUT      = IOC_IN | IOC_OUT
	IOC_DIRMASK    = 0xe0000000
)

// IOC builds a command word like _IOC(inout, group, num, len).
func IOC(inout uint32, group byte, num byte, length int) uint32 {
	return inout | (uint32(length)&IOCPARM_MASK)<<IOCPARM_SHIFT | uint32(group)<<IOCGROUP_SHIFT | uint32(num)
}

// IOW is _IOW(g, n, t): the caller passes a structure of the given length in.
func IOW(group, num byte, length int) uint32 { return IOC(IOC_IN, group, num, length) }

// IOWR is _IOWR(g, n, t): the structure goes in and comes back filled.
func IOWR(group, num byte, length int) uint32 { return IOC(IOC_INOUT, group, num, length) }

// IOCPARM_LEN is the parameter length encoded in a command word.
func IOCPARM_LEN(cmd uint32) int { return int(cmd>>IOCPARM_SHIFT) & IOCPARM_MASK }

// IOCGROUP is the group character encoded in a command word.
func IOCGROUP(cmd uint32) byte { return byte(cmd >> IOCGROUP_SHIFT) }
