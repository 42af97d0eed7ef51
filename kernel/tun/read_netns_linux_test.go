//go:build linux

package tun

import (
	"net"
	"testing"
	"time"

	"nbwg/kernel/netlink/nstest"
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
