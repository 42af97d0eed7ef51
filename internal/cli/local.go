package cli

import "nbwg/kernel/sys"

// Local returns a Kernel that serves requests with h in this process, as
// the caller cred, through sys.Dispatch as the ioctl carrier's server
// does (the structure's length, the copy-in limit, the errno), and
// copying out as the carrier's client does (EFAULT when the answer does
// not fit the buffer).  Tests put one over an emulated kernel.
func Local(h sys.Handler, cred sys.Cred) Kernel {
	return &local{h: h, cred: cred}
}

// local is the Kernel Local returns.
type local struct {
	h    sys.Handler
	cred sys.Cred
}

func (k *local) Ioctl(cmd uint32, arg []byte, buf []byte) error {
	in := make([]byte, len(buf))
	copy(in, buf) // the kernel works on its own copy, as on the wire
	defer clear(in)
	kernelArg := append([]byte(nil), arg...)
	out, errno := sys.Dispatch(k.h, k.cred, cmd, kernelArg, in)
	defer clear(out)
	if errno != 0 {
		return errno // the structure comes back only with success
	}
	copy(arg, kernelArg)
	return sys.CopyOut(buf, out)
}
