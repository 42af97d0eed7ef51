//go:build linux

// Command rawcarrier is the integration tests' hostile local user: it
// speaks to a namespace's emulated kernel, or stands where the kernel
// listens, as no nbwg command would.  It is built by the tests and run
// as nobody inside a test namespace; it reaches nothing outside it.
//
//	rawcarrier squat ADDR             listen at ADDR; print "read N" per read
//	rawcarrier flood N SECONDS        open N connections to the kernel, hold them
//	rawcarrier bigheader N SECONDS    N connections each announcing a 64 MiB buffer
//	rawcarrier stall SECONDS          one connection, half a request
//	rawcarrier set IFNAME             every changing request: "NAME errno" lines
//	rawcarrier get IFNAME             the raw SIOCGDRVSPEC dictionary
package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"nbwg/kernel/ioctl"
	"nbwg/kernel/prop"
	"nbwg/kernel/sys"
)

func main() {
	if len(os.Args) < 2 {
		fail("usage: rawcarrier squat|flood|bigheader|stall|set|get ...")
	}
	arg := func(i int) string {
		if len(os.Args) <= i {
			fail("missing argument")
		}
		return os.Args[i]
	}
	num := func(i int) int {
		n, err := strconv.Atoi(arg(i))
		if err != nil {
			fail(err.Error())
		}
		return n
	}
	switch os.Args[1] {
	case "squat":
		squat(arg(2))
	case "flood":
		flood(num(2), time.Duration(num(3))*time.Second)
	case "bigheader":
		bigHeader(num(2), time.Duration(num(3))*time.Second)
	case "stall":
		stall(time.Duration(num(2)) * time.Second)
	case "set":
		set(arg(2))
	case "get":
		get(arg(2))
	default:
		fail("unknown mode " + os.Args[1])
	}
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "rawcarrier:", msg)
	os.Exit(2)
}

// kernelSock is the namespace's kernel address (nbwgd(8)).
func kernelSock() string {
	if s := os.Getenv("NBWG_SOCKET"); s != "" {
		return s
	}
	ns, err := ioctl.NamespaceID()
	if err != nil {
		fail(err.Error())
	}
	return filepath.Join(ioctl.RunDir, ns, "kernel.sock")
}

func squat(addr string) {
	l, err := net.Listen("unix", addr)
	if err != nil {
		fail(err.Error())
	}
	if addr[0] != '@' {
		os.Chmod(addr, 0o666)
	}
	fmt.Println("listening")
	for {
		c, err := l.Accept()
		if err != nil {
			fail(err.Error())
		}
		go func() {
			defer c.Close()
			buf := make([]byte, 65536)
			for {
				n, err := c.Read(buf)
				if n > 0 {
					fmt.Printf("read %d\n", n)
				}
				if err != nil {
					return
				}
			}
		}()
	}
}

func raiseLimit() {
	var r syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r) == nil {
		r.Cur = r.Max
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, &r)
	}
}

// flood makes n connection attempts as fast as it can and holds the
// connections it made, for d; when it runs out of descriptors itself it
// lets go of its oldest.
func flood(n int, d time.Duration) {
	raiseLimit()
	addr := kernelSock()
	var held []net.Conn
	opened, failed := 0, 0
	deadline := time.Now().Add(d)
	for opened+failed < n && time.Now().Before(deadline) {
		c, err := net.DialTimeout("unix", addr, time.Second)
		if err != nil {
			failed++
			if errors.Is(err, syscall.EMFILE) && len(held) > 0 {
				held[0].Close()
				held = held[1:]
			}
			continue
		}
		opened++
		held = append(held, c)
	}
	fmt.Printf("opened %d failed %d\n", opened, failed)
	time.Sleep(time.Until(deadline))
	fmt.Printf("held %d\n", len(held))
}

func header(word, argLen, bufLen uint32) []byte {
	b := make([]byte, 16)
	binary.LittleEndian.PutUint32(b[0:], 0x6e627767)
	binary.LittleEndian.PutUint32(b[4:], word)
	binary.LittleEndian.PutUint32(b[8:], argLen)
	binary.LittleEndian.PutUint32(b[12:], bufLen)
	return b
}

// bigHeader: n connections, each announcing SIOCSDRVSPEC with a
// sys.MaxBuffer buffer, sending the structure and then a little of the
// buffer now and then, for d.
func bigHeader(n int, d time.Duration) {
	addr := kernelSock()
	var conns []net.Conn
	for range n {
		c, err := net.Dial("unix", addr)
		if err != nil {
			fail(err.Error())
		}
		argLen := sys.IOCPARM_LEN(sys.SIOCSDRVSPEC)
		c.Write(header(sys.SIOCSDRVSPEC, uint32(argLen), sys.MaxBuffer))
		c.Write(make([]byte, argLen))
		conns = append(conns, c)
	}
	fmt.Println("sent")
	chunk := make([]byte, 1<<20)
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		for _, c := range conns {
			c.SetWriteDeadline(time.Now().Add(50 * time.Millisecond))
			c.Write(chunk)
		}
	}
}

func stall(d time.Duration) {
	c, err := net.Dial("unix", kernelSock())
	if err != nil {
		fail(err.Error())
	}
	defer c.Close()
	c.Write(header(sys.SIOCGIFFLAGS, sys.SizeofIfreq, 0)[:10])
	fmt.Println("stalled")
	time.Sleep(d)
}

func drvspec(name sys.Name, cmd uint64, n int) []byte {
	return (&sys.Ifdrv{Name: name, Cmd: cmd, Len: uint64(n)}).Marshal()
}

// set issues every request that changes the kernel's state, each well
// formed (as root it would succeed), and prints the errno of each.
func set(ifname string) {
	c, err := ioctl.Open()
	if err != nil {
		fail(err.Error())
	}
	defer c.Close()
	name, _ := sys.MakeName(ifname)
	key := make([]byte, 32)
	key[0] = 1
	peer := prop.NewDictionary()
	peer.SetString(sys.WGKeyName, "X")
	peer.SetData(sys.WGKeyPublicKey, key)
	peer.SetData(sys.WGKeyPresharedKey, key)
	setKey := prop.NewDictionary()
	setKey.SetData(sys.WGKeyPrivateKey, key)
	setPort := prop.NewDictionary()
	setPort.SetUint16(sys.WGKeyListenPort, 4321)
	del := prop.NewDictionary()
	del.SetString(sys.WGKeyName, "B")

	type request struct {
		what string
		cmd  uint32
		arg  []byte
		buf  []byte
	}
	var reqs []request
	for _, d := range []struct {
		what string
		cmd  uint64
		dict *prop.Dictionary
	}{
		{"WG_IOCTL_SET_PRIVATE_KEY", sys.WG_IOCTL_SET_PRIVATE_KEY, setKey},
		{"WG_IOCTL_SET_LISTEN_PORT", sys.WG_IOCTL_SET_LISTEN_PORT, setPort},
		{"WG_IOCTL_ADD_PEER", sys.WG_IOCTL_ADD_PEER, peer},
		{"WG_IOCTL_DELETE_PEER", sys.WG_IOCTL_DELETE_PEER, del},
		{"SIOCSDRVSPEC(cmd=255)", 255, del},
	} {
		xml, err := prop.Externalize(d.dict)
		if err != nil {
			fail(err.Error())
		}
		reqs = append(reqs, request{d.what, sys.SIOCSDRVSPEC, drvspec(name, d.cmd, len(xml)), xml})
	}
	ifreq := func(v int32) []byte {
		r := &sys.Ifreq{Name: name}
		r.SetInt(v)
		return r.Marshal()
	}
	in4 := func(a string) sys.SockaddrIn { return sys.SockaddrInFrom(netip.MustParseAddr(a), 0) }
	alias := (&sys.InAliasreq{Name: name, Addr: in4("10.99.0.1"), Mask: in4("255.255.255.0")}).Marshal()
	in6 := func(a string) sys.SockaddrIn6 { return sys.SockaddrIn6From(netip.MustParseAddr(a), 0, 0) }
	alias6 := (&sys.In6Aliasreq{Name: name, Addr: in6("fd99::1"), Prefixmask: in6("ffff:ffff:ffff:ffff::"),
		Lifetime: sys.In6Addrlifetime{Vltime: sys.ND6_INFINITE_LIFETIME, Pltime: sys.ND6_INFINITE_LIFETIME}}).Marshal()
	difaddr := (&sys.Ifreq{Name: name}).Marshal()
	copy(difaddr[16:], (&sys.SockaddrIn{Len: 16, Family: 2, Addr: [4]byte{10, 2, 0, 1}}).Marshal())
	newName, _ := sys.MakeName("wg7")
	sysctlReq := func(name, value string) ([]byte, []byte) {
		r := &sys.SysctlReq{Flags: sys.SYSCTL_WRITE, NameLen: uint32(len(name)), NewLen: uint32(len(value)), OldLen: 64}
		buf := make([]byte, 64)
		copy(buf, name+value)
		return r.Marshal(), buf
	}
	// route add -net 10.99.9.0/24 -link IF -iface, route change
	// ... -reject, route delete ...: refused with rtsock's EACCES.
	for _, rt := range []struct {
		what  string
		typ   uint8
		flags int32
	}{
		{"route add", sys.RTM_ADD, sys.RTF_UP | sys.RTF_STATIC},
		{"route change", sys.RTM_CHANGE, sys.RTF_UP | sys.RTF_STATIC | sys.RTF_REJECT},
		{"route delete", sys.RTM_DELETE, sys.RTF_UP | sys.RTF_STATIC},
	} {
		m := &sys.RtMsg{Hdr: sys.RtMsghdr{Version: sys.RTM_VERSION, Type: rt.typ, Flags: rt.flags}}
		dst := in4("10.99.9.0")
		m.Addrs[sys.RTAX_DST] = dst.Marshal()
		m.Addrs[sys.RTAX_NETMASK] = []byte{7, sys.AF_INET, 0, 0, 255, 255, 255}
		if rt.typ == sys.RTM_ADD {
			gw := sys.SockaddrDl{Len: sys.SizeofSockaddrDl, Family: sys.AF_LINK}
			gw.Nlen = uint8(copy(gw.Data[:], name.String()))
			m.Addrs[sys.RTAX_GATEWAY] = gw.Marshal()
		}
		msg := m.Marshal()
		req := &sys.RouteReq{Op: sys.ROUTE_WRITE, InLen: uint32(len(msg)), OutLen: 1024}
		buf := make([]byte, 1024)
		copy(buf, msg)
		reqs = append(reqs, request{rt.what, sys.NBWG_ROUTE, req.Marshal(), buf})
	}
	reqs = append(reqs,
		request{"SIOCSIFMTU", sys.SIOCSIFMTU, ifreq(1280), nil},
		request{"SIOCSIFFLAGS", sys.SIOCSIFFLAGS, ifreq(0), nil},
		request{"SIOCAIFADDR", sys.SIOCAIFADDR, alias, nil},
		request{"SIOCDIFADDR", sys.SIOCDIFADDR, difaddr, nil},
		request{"SIOCAIFADDR_IN6", sys.SIOCAIFADDR_IN6, alias6, nil},
		request{"SIOCIFCREATE", sys.SIOCIFCREATE, (&sys.Ifreq{Name: newName}).Marshal(), nil},
		request{"SIOCIFDESTROY", sys.SIOCIFDESTROY, (&sys.Ifreq{Name: name}).Marshal(), nil},
		request{"SIOCZIFDATA", sys.SIOCZIFDATA, make([]byte, sys.SizeofIfDatareq), nil},
	)
	copy(reqs[len(reqs)-1].arg, name[:])
	for _, v := range []string{"net.wg.debug", "net.wg.rekey_after_time", "net.wg.force_underload"} {
		arg, buf := sysctlReq(v, "1")
		reqs = append(reqs, request{"sysctl -w " + v, sys.NBWG_SYSCTL, arg, buf})
	}
	for _, r := range reqs {
		err := c.Ioctl(r.cmd, r.arg, r.buf)
		var errno sys.Errno
		switch {
		case err == nil:
			fmt.Printf("%s 0\n", r.what)
		case errors.As(err, &errno):
			fmt.Printf("%s %d\n", r.what, errno)
		default:
			fmt.Printf("%s %v\n", r.what, err)
		}
	}
}

func get(ifname string) {
	c, err := ioctl.Open()
	if err != nil {
		fail(err.Error())
	}
	defer c.Close()
	name, _ := sys.MakeName(ifname)
	buf := make([]byte, 1<<20)
	if err := c.Ioctl(sys.SIOCGDRVSPEC, drvspec(name, 0, len(buf)), buf); err != nil {
		fail(err.Error())
	}
	n := 0
	for n < len(buf) && buf[n] != 0 {
		n++
	}
	os.Stdout.Write(buf[:n])
}
