//go:build linux

package tun

import (
	"errors"
	"net"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"nbwg/kernel/netlink"
	"nbwg/kernel/netlink/nstest"
)

// TestFollowAcrossNamespaces: a TUN device moved to another namespace
// (as wireguard-go's users move it) is found there by Where, its MTU
// changes are seen there by a LinkWatch, its leaving the first
// namespace is seen as Gone, and its deletion ends Where and reads.
func TestFollowAcrossNamespaces(t *testing.T) {
	ns0, ns1 := nstest.New(t), nstest.New(t)
	var d Device
	if err := ns0.Do(func() (err error) { d, err = CreateWithOffload("follow0", 1420); return err }); err != nil {
		t.Fatal(err)
	}
	defer d.Close()

	name, netns, err := Where(d)
	if err != nil {
		t.Fatal(err)
	}
	w, mtu, err := netlink.WatchLink(netns, name)
	netns.Close()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if name != "follow0" || mtu != 1420 {
		t.Errorf("Where/WatchLink: %q, mtu %d", name, mtu)
	}

	next := func(w *netlink.LinkWatch, want func(netlink.LinkEvent) bool) netlink.LinkEvent {
		t.Helper()
		for end := time.Now().Add(10 * time.Second); time.Now().Before(end); {
			ev, ok, err := w.Next()
			if err != nil {
				t.Fatal(err)
			}
			if ok && want(ev) {
				return ev
			}
		}
		t.Fatal("no such event within 10 s")
		return netlink.LinkEvent{}
	}
	ns0.IP(t, "link", "set", "follow0", "mtu", "9000")
	next(w, func(ev netlink.LinkEvent) bool { return ev.MTU == 9000 })

	// Moved, and renamed on the way: Gone here, found there.
	ns0.IP(t, "link", "set", "follow0", "netns", ns1.Name(), "name", "follow1")
	next(w, func(ev netlink.LinkEvent) bool { return ev.Gone })
	name, netns, err = Where(d)
	if err != nil {
		t.Fatal(err)
	}
	w1, mtu, err := netlink.WatchLink(netns, name)
	netns.Close()
	if err != nil {
		t.Fatal(err)
	}
	defer w1.Close()
	if name != "follow1" || mtu != 9000 {
		t.Errorf("after the move: %q, mtu %d", name, mtu)
	}
	ns1.IP(t, "link", "set", "follow1", "mtu", "34716")
	next(w1, func(ev netlink.LinkEvent) bool { return ev.MTU == 34716 })

	// The device still carries packets where it is now: up with an
	// address, a datagram to a peer address goes out through it.
	ns1.IP(t, "addr", "add", "10.77.0.1/24", "dev", "follow1")
	ns1.IP(t, "link", "set", "follow1", "up")
	if err := ns1.Do(func() error {
		c, err := net.Dial("udp", "10.77.0.2:9")
		if err != nil {
			return err
		}
		defer c.Close()
		_, err = c.Write(make([]byte, 20000)) // bigger than the old MTU
		return err
	}); err != nil {
		t.Fatal(err)
	}
	bufs := [][]byte{make([]byte, 65535+16)}
	sizes := make([]int, 1)
	for {
		n, err := d.Read(bufs, sizes, 16)
		if err != nil {
			t.Fatal(err)
		}
		if n == 1 && sizes[0] == 20028 {
			break // IPv4 + UDP + 20000 bytes, in one piece
		}
	}

	// Deleted: Where and Read end.
	ns1.IP(t, "link", "del", "follow1")
	next(w1, func(ev netlink.LinkEvent) bool { return ev.Gone })
	if _, _, err := Where(d); !errors.Is(err, unix.EBADFD) {
		t.Errorf("Where after the deletion: %v", err)
	}
	if _, err := d.Read(bufs, sizes, 16); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Read after the deletion: %v", err)
	}
}

// TestFromFD: a descriptor handed over (WG_TUN_FD) is the same device,
// offloads and name included.
func TestFromFD(t *testing.T) {
	ns := nstest.New(t)
	var d Device
	if err := ns.Do(func() (err error) { d, err = CreateWithOffload("fromfd0", 1420); return err }); err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	f, err := File(d)
	if err != nil {
		t.Fatal(err)
	}
	fd, err := unix.Dup(int(f.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	d2, err := FromFD(fd, true)
	if err != nil {
		t.Fatal(err)
	}
	defer d2.Close()
	if d2.Name() != "fromfd0" || d2.BatchSize() != d.BatchSize() {
		t.Errorf("FromFD: %q, batch %d; want fromfd0, %d", d2.Name(), d2.BatchSize(), d.BatchSize())
	}
	if _, err := FromFD(int(^uint32(0)>>1), false); err == nil {
		t.Error("FromFD of no descriptor succeeded")
	}
}
