// Command wgpeers is the benchmark's peer generator (scripts/bench.sh):
// it adds many peers to an nbwg interface through the kernel interface,
// one SIOCSDRVSPEC WG_IOCTL_ADD_PEER request per peer over one carrier
// connection or several at once (WGPEERS_CONNS), as a test harness or a
// batch front end would, and prints
// the time it took; or it writes the same peers as a wg(8) configuration
// file, for wireguard-go's `wg setconf`.  Peer i has a public key derived
// from i, the name p<i>, the allowed IP 10.100.0.0+i/32 and the endpoint
// 192.0.2.(i%250+3):(1024+i), so both implementations get the same peers.
//
//	wgpeers add IFACE N
//	wgpeers conf N PRIVATE-KEY-FILE LISTEN-PORT
//
// It is a benchmark tool, not a front end: errors end it with status 1.
package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"nbwg/kernel/ioctl"
	"nbwg/kernel/prop"
	"nbwg/kernel/sys"
)

func main() {
	if len(os.Args) < 3 {
		usage()
	}
	switch os.Args[1] {
	case "add":
		if len(os.Args) != 4 {
			usage()
		}
		add(os.Args[2], count(os.Args[3]))
	case "conf":
		if len(os.Args) != 5 {
			usage()
		}
		conf(count(os.Args[2]), os.Args[3], os.Args[4])
	default:
		usage()
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: wgpeers add IFACE N | wgpeers conf N PRIVATE-KEY-FILE LISTEN-PORT")
	os.Exit(1)
}

func fatal(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "wgpeers: "+format+"\n", a...)
	os.Exit(1)
}

func count(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 1<<20 {
		fatal("bad count %q", s)
	}
	return n
}

// peer i's public key, allowed IP and endpoint.
func publicKey(i int) [32]byte {
	var seed [8]byte
	binary.LittleEndian.PutUint64(seed[:], uint64(i))
	return sha256.Sum256(append([]byte("nbwg bench peer "), seed[:]...))
}

func allowedIP(i int) netip.Addr {
	return netip.AddrFrom4([4]byte{10, 100, byte(i >> 8), byte(i)})
}

func endpoint(i int) netip.AddrPort {
	return netip.AddrPortFrom(netip.AddrFrom4([4]byte{192, 0, 2, byte(i%250 + 3)}), uint16(1024+i%60000))
}

// add adds n peers to iface, one request each, and prints the seconds
// the requests took (building them included).  The requests go over
// conns connections at once (WGPEERS_CONNS, 1 unless set), peer i on
// connection i mod conns, as a batch front end would overlap them: one
// request waits for its answer, and the time between two requests on one
// connection is mostly the two processes waiting to be scheduled.
func add(iface string, n int) {
	conns := 1
	if v := os.Getenv("WGPEERS_CONNS"); v != "" {
		conns = count(v)
		if conns == 0 {
			conns = 1
		}
	}
	cs := make([]*ioctl.Conn, conns)
	for j := range cs {
		c, err := ioctl.Open()
		if err != nil {
			fatal("%v", err)
		}
		defer c.Close()
		cs[j] = c
	}
	start := time.Now()
	var wg sync.WaitGroup
	for j, c := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			addSome(c, iface, j, n, conns)
		}()
	}
	wg.Wait()
	fmt.Printf("%.3f\n", time.Since(start).Seconds())
}

// addSome adds peers first, first+step, ... below n over c.
func addSome(c *ioctl.Conn, iface string, first, n, step int) {
	var buf []byte
	for i := first; i < n; i += step {
		// The dictionary wgconfig's add peer sends, its keys in
		// libprop's order.
		key := publicKey(i)
		ip := allowedIP(i).As4()
		e := prop.NewEncoder(buf)
		e.BeginDict()
		e.Key(sys.WGKeyAllowedIPs)
		e.BeginArray()
		e.BeginDict()
		e.Key(sys.WGKeyCIDR)
		e.Unsigned(32)
		e.Key(sys.WGKeyFamily)
		e.Unsigned(sys.AF_INET)
		e.Key(sys.WGKeyIP)
		e.Data(ip[:])
		e.EndDict()
		e.EndArray()
		e.Key(sys.WGKeyEndpoint)
		e.Data(sys.MarshalSockaddr(endpoint(i)))
		e.Key(sys.WGKeyName)
		e.String("p" + strconv.Itoa(i))
		e.Key(sys.WGKeyPublicKey)
		e.Data(key[:])
		e.EndDict()
		xml, err := e.Bytes()
		if err != nil {
			fatal("externalize: %v", err)
		}
		buf = xml
		ifd := sys.Ifdrv{Cmd: sys.WG_IOCTL_ADD_PEER, Len: uint64(len(xml))}
		copy(ifd.Name[:sys.IFNAMSIZ-1], iface)
		if err := c.Ioctl(sys.SIOCSDRVSPEC, ifd.Marshal(), xml); err != nil {
			fatal("add peer %d: %v", i, err)
		}
	}
}

// conf writes a wg(8) configuration with the interface's key and port
// and the n peers.
func conf(n int, keyFile, port string) {
	key, err := os.ReadFile(keyFile)
	if err != nil {
		fatal("%v", err)
	}
	w := bufio.NewWriter(os.Stdout)
	fmt.Fprintf(w, "[Interface]\nPrivateKey = %s\nListenPort = %s\n", strings.TrimSpace(string(key)), port)
	for i := range n {
		k := publicKey(i)
		fmt.Fprintf(w, "\n[Peer]\nPublicKey = %s\nAllowedIPs = %s/32\nEndpoint = %s\n",
			base64.StdEncoding.EncodeToString(k[:]), allowedIP(i), endpoint(i))
	}
	if err := w.Flush(); err != nil {
		fatal("%v", err)
	}
}
