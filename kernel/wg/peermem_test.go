package wg

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"runtime"
	"testing"

	"nbwg/kernel/prop"
	"nbwg/kernel/sys"
)

func netipPort(i int) netip.AddrPort {
	return netip.AddrPortFrom(netip.AddrFrom4([4]byte{192, 0, 2, byte(i)}), uint16(1024+i))
}

func mustExternalize(t *testing.T, d *prop.Dictionary) []byte {
	t.Helper()
	xml, err := prop.Externalize(d)
	if err != nil {
		t.Fatal(err)
	}
	return xml
}

// TestIdlePeerMemory: an idle peer (added, never used) costs at most
// 4 KiB of heap and stacks (issue 13: queues, buffers, timers and
// goroutines come with traffic, not with the peer).  The process's RSS
// grows by more than the live heap (the collector lets garbage grow as
// large again), which make bench measures.
func TestIdlePeerMemory(t *testing.T) {
	const peers = 2000
	n, _ := testKernelDevice(t)
	reqs := make([][]byte, peers)
	for i := range reqs {
		k := make([]byte, 32)
		binary.LittleEndian.PutUint32(k, uint32(i)+1)
		pd := peerDict(fmt.Sprintf("p%d", i), k, fmt.Sprintf("10.%d.%d.0/24", i>>8, i&0xff))
		pd.SetData("endpoint", sys.MarshalSockaddr(netipPort(i)))
		reqs[i] = mustExternalize(t, pd)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i, xml := range reqs {
		ifd := sys.Ifdrv{Cmd: sys.WG_IOCTL_ADD_PEER, Len: uint64(len(xml))}
		copy(ifd.Name[:], "wg0")
		if _, err := n.Ioctl(root, sys.SIOCSDRVSPEC, ifd.Marshal(), xml); err != nil {
			t.Fatalf("peer %d: %v", i, err)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	// Heap and goroutine stacks: a goroutine per peer would show.
	used := func(m *runtime.MemStats) float64 { return float64(m.HeapAlloc + m.StackInuse) }
	per := (used(&after) - used(&before)) / peers
	t.Logf("%.0f bytes of heap and stacks per idle peer", per)
	if per > 4096 {
		t.Errorf("an idle peer costs %.0f bytes of heap and stacks, want at most 4096", per)
	}
	runtime.KeepAlive(reqs)
}

// BenchmarkAddPeer is the kernel's share of adding a peer through
// SIOCSDRVSPEC: the request internalized, the peer made and indexed.
func BenchmarkAddPeer(b *testing.B) {
	t := &testing.T{}
	n, _ := testKernelDevice(t)
	reqs := make([][]byte, 0, 1<<16)
	for i := range cap(reqs) {
		k := make([]byte, 32)
		binary.LittleEndian.PutUint32(k, uint32(i)+1)
		pd := peerDict(fmt.Sprintf("p%d", i), k, fmt.Sprintf("10.%d.%d.0/24", i>>8, i&0xff))
		pd.SetData("endpoint", sys.MarshalSockaddr(netipPort(i)))
		reqs = append(reqs, mustExternalize(t, pd))
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if i == len(reqs) {
			b.Fatal("out of peers")
		}
		xml := reqs[i]
		i++
		ifd := sys.Ifdrv{Cmd: sys.WG_IOCTL_ADD_PEER, Len: uint64(len(xml))}
		copy(ifd.Name[:], "wg0")
		if _, err := n.Ioctl(root, sys.SIOCSDRVSPEC, ifd.Marshal(), xml); err != nil {
			b.Fatal(err)
		}
	}
}
