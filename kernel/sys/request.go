package sys

// The contract between whatever carries an ioctl(2) to the emulated
// kernel (the Linux socket carrier of kernel/ioctl, or an in-process
// caller) and the kernel itself.  Every path goes through Dispatch, so
// the checks the system call layer makes are made once, in one place.

// Handler is the emulated kernel's side of ioctl(2).  It performs one
// request for cred: arg is the structure the caller passed (exactly
// IOCPARM_LEN(cmd) bytes, updated in place as the kernel updates the
// copied-in structure), in is the contents of the user buffer the
// structure points at where the command copies in (nil otherwise, and nil
// when the buffer was larger than MaxCopyIn allows the caller, as if the
// copyin had faulted), and out is what the command copies out to that
// buffer.  out belongs to the caller, which may wipe it or give it to
// ReleaseReply.  An error is
// reduced to its NetBSD errno by ErrnoOf.
type Handler interface {
	Ioctl(cred Cred, cmd uint32, arg []byte, in []byte) (out []byte, err error)
}

// MaxBuffer bounds the user buffer a request may point at, in either
// direction; the kernel answers larger ones with ENOMEM, as a kernel
// would refuse an allocation that size.
const MaxBuffer = 64 << 20

// Copy-in limits: how much of a user buffer the kernel reads for a caller.
// The largest request a privileged caller makes is a wg(4) dictionary,
// which if_wg refuses at WG_MAX_PROPLEN; an unprivileged caller can only
// read, and the only reading request that copies in is a sysctl name.
const (
	maxCopyInPrivileged   = 64 << 10
	maxCopyInUnprivileged = 4 << 10
)

// MaxCopyIn is the most user-buffer bytes the kernel reads for a request
// of cred.  A carrier must not hold more than this of a caller's request
// in memory; what is larger reaches the handler as a nil buffer, and the
// handler's own checks (privilege, WG_MAX_PROPLEN, the buffer's length)
// then give the errno NetBSD would.
func MaxCopyIn(cred Cred) int {
	if cred.Privileged() {
		return maxCopyInPrivileged
	}
	return maxCopyInUnprivileged
}

// CopiesIn reports whether the kernel reads the user buffer of cmd; for
// the others only the buffer's length (carried in the structure) matters,
// so a carrier need not send its contents.
func CopiesIn(cmd uint32) bool {
	switch cmd {
	case SIOCGDRVSPEC, SIOCIFGCLONERS, SIOCGIFCONF, SIOCGIFDESCR:
		return false
	}
	return true
}

// Dispatch performs one request on h as the system call layer would: the
// structure must be as long as the command word says (EINVAL), the buffer
// reaches h only where the command copies in and within MaxCopyIn, and an
// error becomes the errno the caller sees.  It returns what to copy out.
func Dispatch(h Handler, cred Cred, cmd uint32, arg []byte, in []byte) ([]byte, Errno) {
	if len(arg) != IOCPARM_LEN(cmd) {
		return nil, EINVAL
	}
	if !CopiesIn(cmd) || len(in) > MaxCopyIn(cred) {
		in = nil
	}
	out, err := h.Ioctl(cred, cmd, arg, in)
	if err != nil {
		return nil, ErrnoOf(err, EIO)
	}
	if len(out) > MaxBuffer {
		ReleaseReply(out)
		return nil, ENOMEM
	}
	return out, 0
}

// CopyOut copies what the kernel copied out into the caller's buffer, as
// copyout(9): EFAULT when it does not fit.
func CopyOut(buf, out []byte) error {
	if len(out) > len(buf) {
		return EFAULT
	}
	copy(buf, out)
	return nil
}
