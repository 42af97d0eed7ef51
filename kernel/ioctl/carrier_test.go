//go:build linux

package ioctl

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"

	"nbwg/kernel/sys"
)

// echoKernel answers SIOCGDRVSPEC with ifd_len bytes naming the caller and
// fails everything else with the errno it was told to.
type echoKernel struct{ errno sys.Errno }

func (k *echoKernel) Ioctl(cred Cred, cmd uint32, arg []byte, in []byte) ([]byte, error) {
	switch cmd {
	case sys.SIOCGDRVSPEC:
		d, err := sys.UnmarshalIfdrv(arg)
		if err != nil {
			return nil, err
		}
		if in != nil {
			return nil, errors.New("SIOCGDRVSPEC buffer was sent")
		}
		out := []byte(fmt.Sprintf("uid=%d cmd=%d", cred.UID, d.Cmd))
		if uint64(len(out)) > d.Len {
			return nil, sys.EINVAL
		}
		d.Cmd = 77
		copy(arg, d.Marshal())
		return out, nil
	case sys.SIOCSDRVSPEC:
		if !bytes.Equal(in, []byte("payload")) {
			return nil, fmt.Errorf("got %q", in)
		}
		return nil, k.errno
	}
	return nil, sys.ENOTTY
}

func startTestKernel(t *testing.T, h Handler) {
	t.Helper()
	t.Setenv("NBWG_SOCKET", fmt.Sprintf("@nbwg-test/%d/%d", os.Getpid(), rand.Uint64()))
	l, err := Listen()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- Serve(l, h) }()
	t.Cleanup(func() {
		l.Close()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
}

func TestCarrierRoundTrip(t *testing.T) {
	startTestKernel(t, &echoKernel{errno: sys.EEXIST})
	c, err := Open()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	name, _ := sys.MakeName("wg0")
	buf := make([]byte, 64)
	d := sys.Ifdrv{Name: name, Cmd: 5, Len: uint64(len(buf))}
	arg := d.Marshal()
	if err := c.Ioctl(sys.SIOCGDRVSPEC, arg, buf); err != nil {
		t.Fatalf("SIOCGDRVSPEC: %v", err)
	}
	want := fmt.Sprintf("uid=%d cmd=5", os.Geteuid())
	if got := string(bytes.TrimRight(buf, "\x00")); got != want {
		t.Errorf("buffer = %q, want %q", got, want)
	}
	back, _ := sys.UnmarshalIfdrv(arg)
	if back.Cmd != 77 {
		t.Errorf("structure not copied back: cmd = %d", back.Cmd)
	}

	// A buffer too small for the reply gets the kernel's EINVAL.
	d.Len = 3
	if err := c.Ioctl(sys.SIOCGDRVSPEC, d.Marshal(), make([]byte, 3)); !errors.Is(err, sys.EINVAL) {
		t.Errorf("short buffer: err = %v, want EINVAL", err)
	}
	// The errno comes back as NetBSD's, and the same connection goes on.
	err = c.Ioctl(sys.SIOCSDRVSPEC, (&sys.Ifdrv{Name: name, Len: 7}).Marshal(), []byte("payload"))
	if !errors.Is(err, sys.EEXIST) {
		t.Errorf("SIOCSDRVSPEC: err = %v, want EEXIST", err)
	}
	if err := c.Ioctl(sys.SIOCGIFFLAGS, make([]byte, sys.SizeofIfreq), nil); !errors.Is(err, sys.ENOTTY) {
		t.Errorf("SIOCGIFFLAGS: err = %v, want ENOTTY", err)
	}
	// A structure of the wrong size never leaves the caller.
	if err := c.Ioctl(sys.SIOCGIFFLAGS, make([]byte, 3), nil); err == nil {
		t.Error("structure of the wrong size accepted")
	}
}

func TestOpenWithoutKernel(t *testing.T) {
	t.Setenv("NBWG_SOCKET", fmt.Sprintf("@nbwg-test/none/%d", rand.Uint64()))
	if _, err := Open(); !errors.Is(err, ErrNoKernel) {
		t.Errorf("Open = %v, want ErrNoKernel", err)
	}
	l, err := Listen()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if _, err := Listen(); err == nil {
		t.Error("a second kernel could bind the same socket")
	}
}

func TestFrameLimits(t *testing.T) {
	var b bytes.Buffer
	if err := writeFrame(&b, &frame{word: 1, arg: []byte{1, 2}, buf: []byte{3}}); err != nil {
		t.Fatal(err)
	}
	f, err := readFrame(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]byte{1, 2}, f.arg); diff != "" || !bytes.Equal(f.buf, []byte{3}) {
		t.Errorf("frame round trip: arg %v buf %v", f.arg, f.buf)
	}
	bad := b.Bytes()
	bad[12] = 0xff
	bad[15] = 0xff // buffer length far over MaxBuffer
	if _, err := readFrame(bytes.NewReader(bad)); !errors.Is(err, errFrame) {
		t.Errorf("oversized frame: err = %v", err)
	}
	if _, err := readFrame(bytes.NewReader([]byte("garbage garbage garbage"))); !errors.Is(err, errFrame) {
		t.Errorf("garbage: err = %v", err)
	}
}
