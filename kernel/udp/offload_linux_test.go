//go:build linux

package udp

import (
	"encoding/binary"
	"net/netip"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"
)

func sized(sizes ...int) [][]byte {
	var bufs [][]byte
	for _, n := range sizes {
		bufs = append(bufs, make([]byte, n))
	}
	return bufs
}

func repeat(n, size int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = size
	}
	return s
}

func TestPlanRuns(t *testing.T) {
	tests := []struct {
		name  string
		sizes []int
		max   int
		want  []run
	}{
		{"one", []int{100}, maxPayload4, []run{{0, 1, 100}}},
		{"equal", []int{100, 100, 100}, maxPayload4, []run{{0, 3, 100}}},
		{"short last", []int{100, 100, 50}, maxPayload4, []run{{0, 3, 100}}},
		{"short ends the run", []int{100, 50, 100, 100}, maxPayload4, []run{{0, 2, 100}, {2, 4, 100}}},
		{"larger starts a new run", []int{50, 100, 100}, maxPayload4, []run{{0, 1, 50}, {1, 3, 100}}},
		{"empty alone", []int{100, 0, 100}, maxPayload4, []run{{0, 1, 100}, {1, 2, 0}, {2, 3, 100}}},
		{"segment limit", repeat(maxGSOSegments+3, 10), maxPayload4, []run{{0, maxGSOSegments, 10}, {maxGSOSegments, maxGSOSegments + 3, 10}}},
		// 46 * 1420 = 65320 <= 65507 < 66740.
		{"v4 size limit", repeat(48, 1420), maxPayload4, []run{{0, 46, 1420}, {46, 48, 1420}}},
		{"v6 size limit", repeat(48, 1421), maxPayload6, []run{{0, 46, 1421}, {46, 48, 1421}}},
		{"nothing", nil, maxPayload4, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := planRuns(nil, sized(tt.sizes...), tt.max)
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(run{})); diff != "" {
				t.Errorf("planRuns (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCmsgs(t *testing.T) {
	if gsoCmsgSpace != unix.CmsgSpace(2) || groCmsgSpace != unix.CmsgSpace(4) {
		t.Fatalf("control message space: %d, %d; want %d, %d", gsoCmsgSpace, groCmsgSpace, unix.CmsgSpace(2), unix.CmsgSpace(4))
	}
	oob := make([]byte, gsoCmsgSpace)
	n := putSegmentCmsg(oob, 1452)
	if n != gsoCmsgSpace {
		t.Fatalf("putSegmentCmsg = %d", n)
	}
	h, data, _, err := unix.ParseOneSocketControlMessage(oob[:n])
	if err != nil || h.Level != unix.SOL_UDP || h.Type != unix.UDP_SEGMENT || len(data) != 2 {
		t.Fatalf("UDP_SEGMENT cmsg parses as %+v %x %v", h, data, err)
	}
	if binary.NativeEndian.Uint16(data) != 1452 {
		t.Errorf("UDP_SEGMENT carries %x", data)
	}
	if got := groSize(oob[:n]); got != 0 {
		t.Errorf("groSize(UDP_SEGMENT) = %d, want 0", got)
	}
	// A u16 UDP_GRO, as some kernels might send, is understood too.
	if got := groSize(buildCmsg(unix.SOL_UDP, unix.UDP_GRO, binary.NativeEndian.AppendUint16(nil, 1452))); got != 1452 {
		t.Errorf("groSize(u16) = %d, want 1452", got)
	}
	// An int one, as udp_cmsg_recv sends, after some other message.
	other := unix.UnixRights(3)
	gro := buildCmsg(unix.SOL_UDP, unix.UDP_GRO, binary.NativeEndian.AppendUint32(nil, 1452))
	if got := groSize(append(other, gro...)); got != 1452 {
		t.Errorf("groSize(int after SCM_RIGHTS) = %d, want 1452", got)
	}
	if got := groSize(other); got != 0 {
		t.Errorf("groSize(no UDP_GRO) = %d, want 0", got)
	}
	if got := groSize([]byte{1, 2, 3}); got != 0 {
		t.Errorf("groSize(garbage) = %d, want 0", got)
	}
}

// buildCmsg builds one control message in the kernel's layout.
func buildCmsg(level, typ int, data []byte) []byte {
	b := make([]byte, unix.CmsgSpace(len(data)))
	h := (*unix.Cmsghdr)(unsafe.Pointer(&b[0]))
	h.Level = int32(level)
	h.Type = int32(typ)
	h.SetLen(unix.CmsgLen(len(data)))
	copy(b[unix.CmsgLen(0):], data)
	return b
}

func TestRxQueue(t *testing.T) {
	from := netip.MustParseAddrPort("192.0.2.1:51820")
	other := netip.MustParseAddrPort("[2001:db8::1]:1")
	data := []byte("aaaabbbbccccdd")
	q := rxQueue{msgs: []rxMsg{
		{data: data, gsoSize: 4, from: from},        // aaaa bbbb cccc dd
		{data: []byte("single"), from: other},       // one datagram
		{data: []byte("longerthanbuf"), from: from}, // the caller's buffer does not matter
		{data: []byte{}, gsoSize: 4, from: other},   // empty datagram
	}}
	type dg struct {
		Data string
		From string
	}
	var got [][]dg
	for !q.empty() {
		bufs := [][]byte{make([]byte, 8), make([]byte, 8), make([]byte, 8)}
		sizes := make([]int, 3)
		eps := make([]netip.AddrPort, 3)
		first := len(got) == 0
		n := q.deliver(bufs, sizes, eps)
		var batch []dg
		for i := range n {
			batch = append(batch, dg{string(bufs[i][:sizes[i]]), eps[i].String()})
		}
		// Handed out where they were received, not copied.
		if first && (&bufs[0][0] != &data[0] || &bufs[1][0] != &data[4]) {
			t.Errorf("the datagrams were copied: bufs[0] at %p, bufs[1] at %p; the message at %p", &bufs[0][0], &bufs[1][0], &data[0])
		}
		// A datagram's slice ends with it: writing past it cannot
		// reach the next one.
		if first && cap(bufs[0]) != 4 {
			t.Errorf("cap(bufs[0]) = %d, want 4", cap(bufs[0]))
		}
		got = append(got, batch)
	}
	want := [][]dg{
		{{"aaaa", "192.0.2.1:51820"}, {"bbbb", "192.0.2.1:51820"}, {"cccc", "192.0.2.1:51820"}},
		{{"dd", "192.0.2.1:51820"}, {"single", "[2001:db8::1]:1"}, {"longerthanbuf", "192.0.2.1:51820"}},
		{{"", "[2001:db8::1]:1"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("deliveries (-want +got):\n%s", diff)
	}
}
