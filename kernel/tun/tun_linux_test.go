//go:build linux

package tun_test

import (
	"encoding/json"
	"errors"
	"net"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"nbwg/kernel/netlink"
	"nbwg/kernel/netlink/nstest"
	"nbwg/kernel/tun"
	"nbwg/kernel/tun/tuntest"
)

// waitLimit bounds every wait for the kernel in these tests.
const waitLimit = 10 * time.Second

// ipLink is the part of "ip -j addr show" output the tests look at.
type ipLink struct {
	IfName   string   `json:"ifname"`
	Flags    []string `json:"flags"`
	MTU      int      `json:"mtu"`
	AddrInfo []struct {
		Family    string `json:"family"`
		Local     string `json:"local"`
		PrefixLen int    `json:"prefixlen"`
	} `json:"addr_info"`
}

func showLink(t *testing.T, ns *nstest.Namespace, name string) ipLink {
	t.Helper()
	var links []ipLink
	out := ns.IP(t, "-j", "addr", "show", "dev", name)
	if err := json.Unmarshal(out, &links); err != nil || len(links) != 1 {
		t.Fatalf("ip -j addr show dev %s: %v: %s", name, err, out)
	}
	return links[0]
}

// configure gives the device addresses and brings it up through package
// netlink, the way the emulated ifnet will.
func configure(t *testing.T, name string, prefixes ...netip.Prefix) {
	t.Helper()
	if err := netlink.SetAddrGenModeNone(name); err != nil {
		t.Fatal(err)
	}
	idx, err := netlink.LinkIndex(name)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range prefixes {
		if err := netlink.AddAddr(idx, p, true); err != nil {
			t.Fatal(err)
		}
	}
	if err := netlink.SetUp(name, true); err != nil {
		t.Fatal(err)
	}
}

// readUntil reads packets from dev until match accepts one, and fails t if
// none comes within waitLimit (closing dev to unblock the reader).
func readUntil(t *testing.T, dev tun.Device, offset int, match func(tuntest.Info) bool) tuntest.Info {
	t.Helper()
	type result struct {
		info tuntest.Info
		err  error
	}
	found := make(chan result, 1)
	go func() {
		bufs := make([][]byte, dev.BatchSize())
		for i := range bufs {
			bufs[i] = make([]byte, offset+65536)
		}
		sizes := make([]int, len(bufs))
		for {
			n, err := dev.Read(bufs, sizes, offset)
			if errors.Is(err, net.ErrClosed) {
				found <- result{err: err}
				return
			}
			for i := range n {
				in, err := tuntest.Parse(bufs[i][offset : offset+sizes[i]])
				if err != nil {
					found <- result{err: err}
					return
				}
				if match(in) {
					found <- result{info: in}
					return
				}
			}
		}
	}()
	select {
	case r := <-found:
		if r.err != nil {
			t.Fatalf("reading from %s: %v", dev.Name(), r.err)
		}
		return r.info
	case <-time.After(waitLimit):
		dev.Close()
		<-found
		t.Fatalf("no matching packet from %s within %v", dev.Name(), waitLimit)
		return tuntest.Info{}
	}
}

// constructors are the two ways to make a Linux TUN; the behaviour seen
// through Device must be the same.
var constructors = []struct {
	name   string
	create func(string, int) (tun.Device, error)
}{
	{"plain", tun.Create},
	{"offload", tun.CreateWithOffload},
}

func TestCreateConfigurePing(t *testing.T) {
	for _, c := range constructors {
		t.Run(c.name, func(t *testing.T) { testCreateConfigurePing(t, c.create) })
	}
}

func testCreateConfigurePing(t *testing.T, create func(string, int) (tun.Device, error)) {
	ns := nstest.New(t)
	ns.Enter(t)

	const name = "nbwgt0"
	dev, err := create(name, 1400)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dev.Close() })
	if dev.Name() != name {
		t.Errorf("Name() = %q, want %q", dev.Name(), name)
	}
	local4, peer4 := netip.MustParseAddr("10.77.0.1"), netip.MustParseAddr("10.77.0.2")
	local6, peer6 := netip.MustParseAddr("fd77::1"), netip.MustParseAddr("fd77::2")
	ll := netip.MustParsePrefix("fe80::77/64")
	configure(t, name, netip.PrefixFrom(local4, 24), netip.PrefixFrom(local6, 64), ll)

	link := showLink(t, ns, name)
	if link.MTU != 1400 || !slices.Contains(link.Flags, "UP") {
		t.Errorf("ip shows mtu %d flags %v, want 1400 and UP", link.MTU, link.Flags)
	}
	var got []string
	for _, a := range link.AddrInfo {
		got = append(got, netip.PrefixFrom(netip.MustParseAddr(a.Local), a.PrefixLen).String())
	}
	// No other fe80:: address: addrgenmode none kept Linux from adding one.
	want := []string{"10.77.0.1/24", "fd77::1/64", "fe80::77/64"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("addresses per ip -j addr show (-want +got):\n%s", diff)
	}

	// The Linux stack answers a ping to its own address back into the TUN.
	for _, tc := range []struct{ local, peer netip.Addr }{{local4, peer4}, {local6, peer6}, {ll.Addr(), netip.MustParseAddr("fe80::99")}} {
		t.Run(tc.local.String(), func(t *testing.T) {
			const offset = 16
			ping := tuntest.Ping(tc.peer, tc.local)
			buf := append(make([]byte, offset), ping...)
			// The kernel refuses a packet that is not IP (EINVAL); the
			// ping after it must still go through.
			garbage := append(make([]byte, offset), 0x00, 0x01, 0x02, 0x03)
			n, err := dev.Write([][]byte{garbage, buf}, offset)
			if n != 1 || !errors.Is(err, unix.EINVAL) {
				t.Fatalf("Write(garbage, ping) = %d, %v; want 1, EINVAL", n, err)
			}
			// Linux installs the routes of a device that just came up
			// in the background; on a loaded machine the first ping
			// can find no route back.  Send it again until answered.
			done := make(chan struct{})
			defer close(done)
			go func() {
				tick := time.NewTicker(200 * time.Millisecond)
				defer tick.Stop()
				for {
					select {
					case <-done:
						return
					case <-tick.C:
						again := append(make([]byte, offset), ping...)
						dev.Write([][]byte{again}, offset)
					}
				}
			}()
			reply := readUntil(t, dev, offset, func(in tuntest.Info) bool {
				echoReply := (in.Proto == tuntest.ProtoICMP && in.ICMPType == 0) ||
					(in.Proto == tuntest.ProtoICMPv6 && in.ICMPType == 129)
				return echoReply && in.IP.Dst == tc.peer
			})
			if reply.IP.Src != tc.local || reply.ID != 0x4e42 || reply.Seq != 1 {
				t.Errorf("reply %+v is not an echo reply from %s", reply, tc.local)
			}
		})
	}
}

func TestCloseUnblocksRead(t *testing.T) {
	for _, c := range constructors {
		t.Run(c.name, func(t *testing.T) { testCloseUnblocksRead(t, c.create) })
	}
}

func testCloseUnblocksRead(t *testing.T, create func(string, int) (tun.Device, error)) {
	ns := nstest.New(t)
	ns.Enter(t)
	dev, err := create("nbwgt1", 0)
	if err != nil {
		t.Fatal(err)
	}
	configure(t, "nbwgt1") // up, but nothing will be routed into it
	done := make(chan error, 1)
	go func() {
		_, err := dev.Read([][]byte{make([]byte, 2000)}, []int{0}, 0)
		done <- err
	}()
	time.Sleep(50 * time.Millisecond) // let Read block; the test passes either way
	if err := dev.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, net.ErrClosed) {
			t.Errorf("Read after Close = %v, want net.ErrClosed", err)
		}
	case <-time.After(waitLimit):
		t.Fatal("Close did not unblock Read")
	}
	if _, err := dev.Write([][]byte{make([]byte, 40)}, 0); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Write after Close = %v, want net.ErrClosed", err)
	}
	if err := dev.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
	// The interface goes away with the file.
	if _, err := netlink.LinkIndex("nbwgt1"); !errors.Is(err, unix.ENODEV) {
		t.Errorf("LinkIndex after Close = %v, want ENODEV", err)
	}
}

func TestCreateErrors(t *testing.T) {
	ns := nstest.New(t)
	ns.Enter(t)
	for _, name := range []string{"", "wg%d", "a-name-far-too-long"} {
		if dev, err := tun.Create(name, 0); !errors.Is(err, unix.EINVAL) {
			if dev != nil {
				dev.Close()
			}
			t.Errorf("Create(%q) = %v, want EINVAL", name, err)
		}
	}
	dev, err := tun.Create("nbwgt2", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer dev.Close()
	if dev2, err := tun.Create("nbwgt2", 0); !errors.Is(err, unix.EBUSY) {
		if dev2 != nil {
			dev2.Close()
		}
		t.Errorf("second Create of the same name = %v, want EBUSY", err)
	}
	if _, err := tun.Create("nbwgt3", 1<<20); err == nil {
		t.Errorf("Create with MTU 1 MiB succeeded")
	}
	if _, err := netlink.LinkIndex("nbwgt3"); !errors.Is(err, unix.ENODEV) {
		t.Errorf("failed Create left the interface behind: LinkIndex = %v", err)
	}
}

func TestReadArgs(t *testing.T) {
	ns := nstest.New(t)
	ns.Enter(t)
	for _, c := range constructors {
		testReadArgs(t, c.create)
	}
}

func testReadArgs(t *testing.T, create func(string, int) (tun.Device, error)) {
	dev, err := create("nbwgt4", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer dev.Close()
	tests := []struct {
		name   string
		bufs   [][]byte
		sizes  []int
		offset int
	}{
		{"no buffers", nil, nil, 0},
		{"few sizes", [][]byte{make([]byte, 10), make([]byte, 10)}, []int{0}, 0},
		{"offset past end", [][]byte{make([]byte, 10)}, []int{0}, 10},
		{"negative offset", [][]byte{make([]byte, 10)}, []int{0}, -1},
	}
	for _, tt := range tests {
		if _, err := dev.Read(tt.bufs, tt.sizes, tt.offset); err == nil {
			t.Errorf("%s: Read succeeded", tt.name)
		}
	}
}
