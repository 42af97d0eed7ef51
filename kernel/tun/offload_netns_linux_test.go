//go:build linux

package tun

// End-to-end tests of the offloads with the real Linux stack, in a private
// network namespace: a TCP connection from a local client to a local
// server is routed through the TUN, where a "reflector" reads each packet,
// rewrites its addresses and writes it back:
//
//	client A:c -> X:P   becomes   X':c -> A:P   (X' = flip(X))
//	server A:P -> X':c  becomes   X:P  -> A:c
//
// so the client talks to X and the server hears from X', and every byte
// crosses the TUN twice: once read (TSO superpackets split by Read) and
// once written (segments merged by Write).

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/netip"
	"testing"
	"time"

	"nbwg/kernel/netlink"
	"nbwg/kernel/netlink/nstest"
)

const reflectOffset = 16 // headroom, as the WireGuard data header needs

// flip maps X to X' and back: the third byte of an IPv4 address, the
// fourteenth of an IPv6 address, toggles between 1 and 2.
func flip(a []byte) {
	i := 2
	if len(a) == 16 {
		i = 13
	}
	a[i] ^= 3
}

// reflectPacket rewrites a TCP packet in place; other packets are dropped.
func reflectPacket(p []byte) bool {
	if len(p) < ipv4HdrLen {
		return false
	}
	var (
		iphLen   int
		src, dst []byte
	)
	switch p[0] >> 4 {
	case 4:
		iphLen = int(p[0]&0x0f) * 4
		if p[9] != 6 || len(p) < iphLen+tcpMinHdrLen {
			return false
		}
		src, dst = p[ipv4SrcOffset:ipv4SrcOffset+4], p[ipv4SrcOffset+4:ipv4SrcOffset+8]
	case 6:
		iphLen = ipv6HdrLen
		if len(p) < iphLen+tcpMinHdrLen || p[6] != 6 {
			return false
		}
		src, dst = p[ipv6SrcOffset:ipv6SrcOffset+16], p[ipv6SrcOffset+16:ipv6SrcOffset+32]
	default:
		return false
	}
	var a, b [16]byte
	n := copy(a[:], src)
	copy(b[:], dst)
	flip(b[:n])
	copy(src, b[:n]) // new source: X' (or X)
	copy(dst, a[:n]) // new destination: A
	if iphLen == ipv4HdrLen {
		p[10], p[11] = 0, 0
		binary.BigEndian.PutUint16(p[10:], checksum(p[:iphLen], 0))
	}
	l4 := p[iphLen:]
	l4[tcpCsumOff], l4[tcpCsumOff+1] = 0, 0
	binary.BigEndian.PutUint16(l4[tcpCsumOff:], checksum(l4, pseudoHeaderSum(6, src, dst, len(l4))))
	return true
}

// reflect runs the reflector until dev is closed.
func reflect(dev Device, done chan<- error) {
	bufs := make([][]byte, dev.BatchSize())
	for i := range bufs {
		bufs[i] = make([]byte, reflectOffset+maxIPPacket)
	}
	sizes := make([]int, len(bufs))
	out := make([][]byte, 0, len(bufs))
	for {
		n, err := dev.Read(bufs, sizes, reflectOffset)
		if errors.Is(err, net.ErrClosed) {
			done <- nil
			return
		}
		if err != nil {
			done <- err
			return
		}
		out = out[:0]
		for i := range n {
			if reflectPacket(bufs[i][reflectOffset : reflectOffset+sizes[i]]) {
				out = append(out, bufs[i][:reflectOffset+sizes[i]])
			}
		}
		if _, err := dev.Write(out, reflectOffset); errors.Is(err, net.ErrClosed) {
			done <- nil
			return
		}
	}
}

// reflectorSetup creates the TUN in ns with the local addresses A and
// starts the reflector; it returns the device.
func reflectorSetup(t testing.TB, ns *nstest.Namespace, name string, withOffload bool) *linuxDevice {
	t.Helper()
	dev := configureTUN(t, ns, name, withOffload)
	done := make(chan error, 1)
	go reflect(dev, done)
	t.Cleanup(func() {
		dev.Close()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("reflector: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("reflector did not stop")
		}
	})
	return dev.(*linuxDevice)
}

// configureTUN creates the TUN in ns with the local addresses A, up.
func configureTUN(t testing.TB, ns *nstest.Namespace, name string, withOffload bool) Device {
	t.Helper()
	var dev Device
	err := ns.Do(func() (err error) {
		if dev, err = create(name, 1420, withOffload); err != nil {
			return err
		}
		if err := netlink.SetAddrGenModeNone(name); err != nil {
			return err
		}
		idx, err := netlink.LinkIndex(name)
		if err != nil {
			return err
		}
		for _, p := range []string{"10.77.0.1/16", "fd77::1/64"} {
			if err := netlink.AddAddr(idx, netip.MustParsePrefix(p), true); err != nil {
				return err
			}
		}
		return netlink.SetUp(name, true)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dev
}

// randomData returns size reproducible random bytes.
func randomData(size int) []byte {
	data := make([]byte, size)
	rand.NewChaCha8([32]byte{1}).Read(data)
	return data
}

// transfer sends data from a client connected to [server]:port through the
// reflector, to a server listening on local, and checks they arrive (intact
// when verify is set), all within 60 seconds.
func transfer(t testing.TB, ns *nstest.Namespace, local, server string, data []byte, verify bool) {
	t.Helper()
	var ln net.Listener
	if err := ns.Do(func() (err error) {
		ln, err = net.Listen("tcp", net.JoinHostPort(local, "0"))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	deadline := time.Now().Add(60 * time.Second)

	type result struct {
		sum [32]byte
		n   int64
		err error
	}
	got := make(chan result, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			got <- result{err: err}
			return
		}
		defer c.Close()
		c.SetDeadline(deadline)
		var r result
		h := sha256.New()
		var w io.Writer = io.Discard
		if verify {
			w = h
		}
		n, err := io.Copy(w, c)
		copy(r.sum[:], h.Sum(nil))
		r.n, r.err = n, err
		got <- r
	}()

	var c net.Conn
	if err := ns.Do(func() (err error) {
		d := net.Dialer{Deadline: deadline}
		c, err = d.Dial("tcp", net.JoinHostPort(server, fmt.Sprint(port)))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(deadline)
	if _, err := c.Write(data); err != nil {
		c.Close()
		t.Fatalf("client write: %v", err)
	}
	c.Close()
	r := <-got
	if r.err != nil || r.n != int64(len(data)) {
		t.Fatalf("server got %d bytes (want %d), err %v", r.n, len(data), r.err)
	}
	if verify && r.sum != sha256.Sum256(data) {
		t.Fatalf("server got %d bytes, but not the ones sent", r.n)
	}
}

func TestOffloadTCPThroughTUN(t *testing.T) {
	ns := nstest.New(t)
	dev := reflectorSetup(t, ns, "nbwgo0", true)
	if dev.BatchSize() != offloadBatchSize {
		t.Errorf("BatchSize = %d, want %d", dev.BatchSize(), offloadBatchSize)
	}
	t.Logf("USO: %v", dev.off.uso)
	for _, tc := range []struct{ name, local, server string }{
		{"v4", "10.77.0.1", "10.77.1.2"},
		{"v6", "fd77::1", "fd77::1:2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := dev.off.stats.superpackets.Load()
			beforeGroups := dev.off.stats.groups.Load()
			transfer(t, ns, tc.local, tc.server, randomData(8<<20), true)
			sp, segs := dev.off.stats.superpackets.Load()-before, dev.off.stats.segments.Load()
			groups, merged := dev.off.stats.groups.Load()-beforeGroups, dev.off.stats.merged.Load()
			t.Logf("read %d superpackets; wrote %d merged packets (%d segments total so far, %d merged)", sp, groups, segs, merged)
			// The point of the offloads: the kernel must have used both.
			if sp == 0 {
				t.Error("Read never got a TSO superpacket")
			}
			if groups == 0 {
				t.Error("Write never merged segments")
			}
		})
	}
}

func TestPlainTCPThroughTUN(t *testing.T) {
	ns := nstest.New(t)
	reflectorSetup(t, ns, "nbwgp0", false)
	transfer(t, ns, "10.77.0.1", "10.77.1.2", randomData(2<<20), true)
}

// BenchmarkTCPThroughTUN measures TCP through the reflector with and
// without offloads: every byte is read from and written to the TUN once.
func BenchmarkTCPThroughTUN(b *testing.B) {
	for _, off := range []bool{false, true} {
		b.Run(fmt.Sprintf("offload=%v", off), func(b *testing.B) {
			ns := nstest.New(b)
			reflectorSetup(b, ns, "nbwgb0", off)
			data := randomData(16 << 20)
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				transfer(b, ns, "10.77.0.1", "10.77.1.2", data, false)
			}
		})
	}
}
