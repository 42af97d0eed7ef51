package cli

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"nbwg/kernel/sys"
)

// recorder is a Handler that records what it is given and answers with
// out and err, writing 1 into the structure's first byte.
type recorder struct {
	out []byte
	err error

	cred sys.Cred
	cmd  uint32
	in   []byte
}

func (r *recorder) Ioctl(cred sys.Cred, cmd uint32, arg []byte, in []byte) ([]byte, error) {
	r.cred, r.cmd = cred, cmd
	if in != nil {
		r.in = append([]byte{}, in...) // buf is overwritten afterwards
	}
	if len(arg) > 0 {
		arg[0] = 1
	}
	return r.out, r.err
}

func TestLocal(t *testing.T) {
	cred := sys.Cred{UID: 1000, GID: 100, PID: 7}
	type result struct {
		In   []byte // what the handler saw; nil: no buffer
		Buf  []byte
		Arg0 byte
	}
	tests := []struct {
		name    string
		cmd     uint32
		buf     []byte
		out     []byte
		err     error
		want    result
		wantErr error
	}{
		{"copies in and out", sys.SIOCSDRVSPEC, []byte("abcd"), []byte("xy"),
			nil, result{In: []byte("abcd"), Buf: []byte("xycd"), Arg0: 1}, nil},
		{"output-only drvspec", sys.SIOCGDRVSPEC, []byte("abcd"), []byte("xyzw"),
			nil, result{Buf: []byte("xyzw"), Arg0: 1}, nil},
		{"output-only cloners", sys.SIOCIFGCLONERS, []byte("ab"), nil,
			nil, result{Buf: []byte("ab"), Arg0: 1}, nil},
		{"output-only ifconf", sys.SIOCGIFCONF, []byte("ab"), []byte("z"),
			nil, result{Buf: []byte("zb"), Arg0: 1}, nil},
		{"answer too long", sys.SIOCGDRVSPEC, []byte("ab"), []byte("xyz"),
			nil, result{Buf: []byte("ab"), Arg0: 1}, sys.EFAULT},
		// As over the carrier, a refused request leaves the
		// structure as it was.
		{"refusal", sys.SIOCSDRVSPEC, []byte("ab"), []byte("xy"),
			sys.EPERM, result{In: []byte("ab"), Buf: []byte("ab"), Arg0: 0}, sys.EPERM},
		// An unprivileged caller's buffer beyond sys.MaxCopyIn never
		// reaches the kernel, as the carrier's server drops it.
		{"over the copy-in limit", sys.SIOCSDRVSPEC, make([]byte, sys.MaxCopyIn(cred)+1), nil,
			sys.EPERM, result{Buf: make([]byte, sys.MaxCopyIn(cred)+1)}, sys.EPERM},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &recorder{out: tt.out, err: tt.err}
			arg := make([]byte, sys.IOCPARM_LEN(tt.cmd))
			err := Local(h, cred).Ioctl(tt.cmd, arg, tt.buf)
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("Ioctl: %v, want %v", err, tt.wantErr)
			}
			if h.cred != cred || h.cmd != tt.cmd {
				t.Errorf("handler got cred %+v cmd %#x", h.cred, h.cmd)
			}
			got := result{In: h.in, Buf: tt.buf, Arg0: arg[0]}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestLocalChecksStructure: a structure whose length is not the one the
// command word encodes is EINVAL, and never reaches the kernel, in
// process as over the carrier.
func TestLocalChecksStructure(t *testing.T) {
	h := &recorder{}
	err := Local(h, sys.Cred{}).Ioctl(sys.SIOCGIFFLAGS, make([]byte, 3), nil)
	if !errors.Is(err, sys.EINVAL) {
		t.Errorf("Ioctl = %v, want EINVAL", err)
	}
	if h.cmd != 0 {
		t.Errorf("the handler saw the request (cmd %#x)", h.cmd)
	}
}
