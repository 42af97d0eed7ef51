package cli

import (
	"nbwg/kernel/ioctl"
	"nbwg/kernel/sys"
)

// Handler is the kernel's side of an ioctl, as kernel/ifnet and
// kernel/sysctl serve it (the method of ioctl.Handler, which exists on
// Linux only): the caller's credentials, the command, its structure
// (which the handler may update in place), and the contents of the user
// buffer where the command copies in.  It returns what the command
// copies out to the buffer.
type Handler interface {
	Ioctl(cred ioctl.Cred, cmd uint32, arg []byte, in []byte) (out []byte, err error)
}

// Local returns a Kernel that serves requests with h in this process,
// as the caller cred, copying as the ioctl carrier does: h sees the
// buffer only for commands that copy it in, and what h copies out is
// copied to the buffer, or the request fails with EFAULT when it does
// not fit.  Tests put one over an emulated kernel.
func Local(h Handler, cred ioctl.Cred) Kernel {
	return &local{h: h, cred: cred}
}

// local is the Kernel Local returns.
type local struct {
	h    Handler
	cred ioctl.Cred
}

func (k *local) Ioctl(cmd uint32, arg []byte, buf []byte) error {
	in := buf
	if !ioctl.CopiesIn(cmd) {
		in = nil
	}
	out, err := k.h.Ioctl(k.cred, cmd, arg, in)
	if err != nil {
		return err
	}
	if len(out) > len(buf) {
		return sys.EFAULT
	}
	copy(buf, out)
	return nil
}
