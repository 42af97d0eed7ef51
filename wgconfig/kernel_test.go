package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"nbwg/internal/cli"
	"nbwg/kernel/sys"
)

func TestKernelRefusals(t *testing.T) {
	keyFile := writeFile(t, "key", privA+"\n")
	tests := []struct {
		args []string
		k    *fakeKernel
		want string
	}{
		{[]string{"wgconfig", "wg0", "add", "peer", "B", pubB}, &fakeKernel{setErr: sys.EEXIST},
			"wgconfig: ioctl(SIOCSDRVSPEC): cmd=4: File exists\n"},
		{[]string{"wgconfig", "wg0", "set", "private-key", keyFile}, &fakeKernel{setErr: sys.EPERM},
			"wgconfig: ioctl(SIOCSDRVSPEC): cmd=1: Operation not permitted\n"},
		{[]string{"wgconfig", "wg0", "set", "listen-port", "51820"}, &fakeKernel{setErr: sys.EADDRINUSE},
			"wgconfig: ioctl(SIOCSDRVSPEC): cmd=2: Address already in use\n"},
		{[]string{"wgconfig", "wg0", "delete", "peer", "B"}, &fakeKernel{setErr: sys.ENOENT},
			"wgconfig: ioctl(SIOCSDRVSPEC): cmd=8: No such file or directory\n"},
		{[]string{"wgconfig", "wg9"}, &fakeKernel{getErr: sys.ENXIO},
			"wgconfig: ioctl(SIOCGDRVSPEC): Device not configured\n"},
		{[]string{"wgconfig", "wg9", "show", "peer", "B"}, &fakeKernel{getErr: sys.ENXIO},
			"wgconfig: ioctl(SIOCGDRVSPEC): Device not configured\n"},
		{[]string{"wgconfig", "wg9", "show", "private-key"}, &fakeKernel{getErr: sys.EPERM},
			"wgconfig: ioctl(SIOCGDRVSPEC): Operation not permitted\n"},
		// A carrier failure has no errno: its own text is printed.
		{[]string{"wgconfig", "wg0"}, &fakeKernel{getErr: fmt.Errorf("read from the nbwg kernel: %w", io.EOF)},
			"wgconfig: ioctl(SIOCGDRVSPEC): read from the nbwg kernel: EOF\n"},
	}
	for _, tt := range tests {
		tt.k.t = t
		got := runWith(t, tt.k, tt.args...)
		diffResult(t, tt.args, result{1, "", tt.want}, got)
	}
}

func TestNoKernelConnection(t *testing.T) {
	var errb strings.Builder
	env := &cli.Env{
		Args:   []string{"wgconfig", "wg0", "delete", "peer", "B"},
		Stdout: io.Discard,
		Stderr: &errb,
		Kernel: func(bool) (cli.Kernel, error) { return nil, errors.New("cannot reach the nbwg kernel") },
	}
	if st := run(env); st != 1 {
		t.Errorf("status %d, want 1", st)
	}
	if got, want := errb.String(), "wgconfig: socket: cannot reach the nbwg kernel\n"; got != want {
		t.Errorf("stderr %q, want %q", got, want)
	}
}

// manyPeers returns n peers and the show all text NetBSD's wgconfig
// prints for them.
func manyPeers(t *testing.T, n int) ([]kPeer, string) {
	var peers []kPeer
	var b strings.Builder
	b.WriteString("interface: wg0\n\tprivate-key: (hidden)\n\tlisten-port: 51820\n")
	for i := 0; i < n; i++ {
		p := kPeer{
			name:     fmt.Sprintf("peer%d", i),
			pub:      pubC,
			psk:      pskAB,
			endpoint: sin(fmt.Sprintf("192.0.2.%d:%d", i%256, 10000+i)),
			aips:     []kAIP{aip(fmt.Sprintf("10.%d.%d.0/24", i/256, i%256)), aip(fmt.Sprintf("fd00::%x/128", i+1))},
		}
		peers = append(peers, p)
		fmt.Fprintf(&b, "\tpeer: peer%d\n\t\tpublic-key: %s\n\t\tendpoint: 192.0.2.%d:%d\n"+
			"\t\tpreshared-key: (hidden)\n\t\tallowed-ips: 10.%d.%d.0/24,fd00::%x/128\n\t\tlatest-handshake: (never)\n",
			i, pubC, i%256, 10000+i, i/256, i%256, i+1)
	}
	return peers, b.String()
}

// TestBufferGrowth: NetBSD's wgconfig offers 4096 bytes and fails beyond;
// nbwg's doubles the buffer while the kernel says it is too small, with
// NetBSD's EINVAL or nbwg's emulated kernel's ENOMEM.
func TestBufferGrowth(t *testing.T) {
	peers, want := manyPeers(t, 1000)
	reply := kernelReply(t, true, privA, 51820, peers...)
	var sizes []int
	for size := propBufferLen; ; size *= 2 {
		sizes = append(sizes, size)
		if size >= len(reply)+1 {
			break
		}
	}
	if len(sizes) < 5 {
		t.Fatalf("a reply of %d bytes is too small for this test", len(reply))
	}
	for _, tooSmall := range []sys.Errno{sys.EINVAL, sys.ENOMEM} {
		k := &fakeKernel{t: t, reply: reply, tooSmall: tooSmall}
		got := runWith(t, k, "wgconfig", "wg0")
		diffResult(t, []string{tooSmall.Error()}, result{0, want, ""}, got)
		if diff := cmp.Diff(sizes, k.getSizes); diff != "" {
			t.Errorf("%v: buffer sizes -want +got:\n%s", tooSmall, diff)
		}
		// show peer reads the same way.
		k = &fakeKernel{t: t, reply: reply, tooSmall: tooSmall}
		got = runWith(t, k, "wgconfig", "wg0", "show", "peer", "peer999")
		if got.Status != 0 || !strings.HasPrefix(got.Stdout, "peer: peer999\n") {
			t.Errorf("show peer peer999: %+v", got)
		}
	}
}

// TestSizeTold: nbwg's kernel tells the size it needs when asked with
// WG_IOCTL_NBWG_GET_MORE, so a show of any size is two requests.
func TestSizeTold(t *testing.T) {
	peers, want := manyPeers(t, 1000)
	reply := kernelReply(t, true, privA, 51820, peers...)
	need := len(reply) + 1
	k := &fakeKernel{t: t, reply: reply, tellsSize: true}
	got := runWith(t, k, "wgconfig", "wg0")
	diffResult(t, nil, result{0, want, ""}, got)
	if diff := cmp.Diff([]int{propBufferLen, need + need/64}, k.getSizes); diff != "" {
		t.Errorf("buffer sizes -want +got:\n%s", diff)
	}
	// A small configuration: one request.
	k = &fakeKernel{t: t, reply: kernelReply(t, true, privA, 51820), tellsSize: true}
	runWith(t, k, "wgconfig", "wg0")
	if diff := cmp.Diff([]int{propBufferLen}, k.getSizes); diff != "" {
		t.Errorf("small: buffer sizes -want +got:\n%s", diff)
	}
}

// TestShowLarge: a reply of megabytes, which prop parses with a helper
// goroutine on the second half where there are two CPUs, shows every
// peer as one parser alone would.
func TestShowLarge(t *testing.T) {
	peers, want := manyPeers(t, 4000)
	reply := kernelReply(t, true, privA, 51820, peers...)
	if len(reply) < 1<<20 {
		t.Fatalf("a reply of %d bytes: too small for prop's helper", len(reply))
	}
	k := &fakeKernel{t: t, reply: reply, tellsSize: true}
	diffResult(t, nil, result{0, want, ""}, runWith(t, k, "wgconfig", "wg0"))
}

func TestBufferGrowthLimit(t *testing.T) {
	old := maxReplyBuffer
	maxReplyBuffer = 64 << 10
	defer func() { maxReplyBuffer = old }()
	peers, _ := manyPeers(t, 1000)
	k := &fakeKernel{t: t, reply: kernelReply(t, true, privA, 51820, peers...)}
	got := runWith(t, k, "wgconfig", "wg0")
	diffResult(t, nil, result{1, "", "wgconfig: ioctl(SIOCGDRVSPEC): Invalid argument\n"}, got)
	if diff := cmp.Diff([]int{4 << 10, 8 << 10, 16 << 10, 32 << 10, 64 << 10}, k.getSizes); diff != "" {
		t.Errorf("buffer sizes -want +got:\n%s", diff)
	}
}

// TestNoRetryOnOtherErrors: only "too small" answers are retried.
func TestNoRetryOnOtherErrors(t *testing.T) {
	k := &fakeKernel{t: t, getErr: sys.ENXIO}
	runWith(t, k, "wgconfig", "wg0")
	if diff := cmp.Diff([]int{propBufferLen}, k.getSizes); diff != "" {
		t.Errorf("buffer sizes -want +got:\n%s", diff)
	}
}

// BenchmarkShow10000Peers is wgconfig's share of `wgconfig wg0` with
// 10,000 peers: two requests to an in-memory kernel that tells the size,
// the document internalized and the text formatted.
func BenchmarkShow10000Peers(b *testing.B) {
	t := &testing.T{}
	peers, _ := manyPeers(t, 10000)
	reply := kernelReply(t, true, privA, 51820, peers...)
	b.SetBytes(int64(len(reply)))
	b.ReportAllocs()
	for b.Loop() {
		k := &fakeKernel{t: b, reply: reply, tellsSize: true}
		if got := runWith(b, k, "wgconfig", "wg0"); got.Status != 0 {
			b.Fatal(got.Stderr)
		}
	}
}
