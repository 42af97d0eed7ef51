//go:build linux

package tun

import (
	"bytes"
	"net"
	"net/netip"
	"testing"
	"time"

	"nbwg/kernel/netlink/nstest"
	"nbwg/kernel/tun/internal/pkt"
)

// TestOffloadReadBatchesSmallPackets: small packets, which the kernel
// cannot hand over as superpackets, still come out of one Read in
// numbers when they are waiting, and Read returns once the TUN is empty
// instead of waiting for more.
func TestOffloadReadBatchesSmallPackets(t *testing.T) {
	ns := nstest.New(t)
	dev := tunSetup(t, ns, "nbwgr0")
	const sent = 20
	err := ns.Do(func() error {
		c, err := net.Dial("udp", "10.77.1.2:9")
		if err != nil {
			return err
		}
		defer c.Close()
		for range sent {
			if _, err := c.Write(make([]byte, 64)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	bufs := make([][]byte, dev.BatchSize())
	for i := range bufs {
		bufs[i] = make([]byte, reflectOffset+maxIPPacket)
	}
	sizes := make([]int, len(bufs))
	got, largest := 0, 0
	deadline := time.Now().Add(10 * time.Second)
	for got < sent && time.Now().Before(deadline) {
		type result struct {
			n   int
			err error
		}
		done := make(chan result, 1)
		go func() {
			n, err := dev.Read(bufs, sizes, reflectOffset)
			done <- result{n, err}
		}()
		select {
		case r := <-done:
			if r.err != nil {
				t.Fatalf("Read: %v", r.err)
			}
			for i := range r.n {
				// IPv4 UDP to port 9 with 64 bytes: 92 bytes.
				if sizes[i] != 92 {
					t.Errorf("packet of %d bytes, want 92", sizes[i])
				}
			}
			got += r.n
			largest = max(largest, r.n)
		case <-time.After(5 * time.Second):
			t.Fatalf("Read waited with %d of %d packets read", got, sent)
		}
	}
	if got != sent {
		t.Fatalf("read %d packets, want %d", got, sent)
	}
	if largest < 2 {
		t.Errorf("every Read returned one packet of the %d waiting", sent)
	}
	t.Logf("largest Read: %d packets", largest)
}

// tunSetup is reflectorSetup without the reflector: the test reads.
func tunSetup(t *testing.T, ns *nstest.Namespace, name string) *linuxDevice {
	t.Helper()
	dev := configureTUN(t, ns, name, true)
	t.Cleanup(func() { dev.Close() })
	return dev.(*linuxDevice)
}

// TestOffloadWriteMergesUDP: datagrams of one flow written together go to
// the Linux stack as one UDP GSO packet (with USO), and a socket that did
// not ask for UDP_GRO receives each of them, intact and in order.
func TestOffloadWriteMergesUDP(t *testing.T) {
	ns := nstest.New(t)
	dev := tunSetup(t, ns, "nbwgu0")
	if !dev.off.uso {
		t.Skip("this kernel has no USO (Linux 6.2)")
	}
	var conn *net.UDPConn
	if err := ns.Do(func() (err error) {
		conn, err = net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(10, 77, 0, 1)})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	port := uint16(conn.LocalAddr().(*net.UDPAddr).Port)
	const count = 20
	var pkts [][]byte
	for i := range count {
		h := pkt.IP{Src: netip.MustParseAddr("10.77.1.2"), Dst: netip.MustParseAddr("10.77.0.1"), TTL: 64, DF: true, ID: uint16(i)}
		size := 64
		if i == count-1 {
			size = 10 // the last may be shorter
		}
		pkts = append(pkts, pkt.UDP(h, 1000, port, payloadBytes(size, i)))
	}
	before := dev.off.stats.groups.Load()
	if n, err := dev.Write(withOffset(pkts, reflectOffset), reflectOffset); err != nil || n != count {
		t.Fatalf("Write: %d, %v", n, err)
	}
	if dev.off.stats.groups.Load() == before {
		t.Errorf("the datagrams were not merged")
	}
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 2048)
	for i := range count {
		n, from, err := conn.ReadFromUDP(buf)
		if err != nil {
			t.Fatalf("datagram %d: %v", i, err)
		}
		want := pkts[i][ipv4HdrLen+udpHdrLen:]
		if !bytes.Equal(buf[:n], want) || from.Port != 1000 {
			t.Fatalf("datagram %d from %v: % x, want % x", i, from, buf[:n], want)
		}
	}
}
