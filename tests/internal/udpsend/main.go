// Command udpsend is the tests' way to put datagrams on the wire: each
// argument after the destination, in hex (possibly empty), is sent as one
// UDP datagram, in order, and udpsend exits 0 only when every one was
// handed to the kernel.  nc(1) -u -w 0 returns at once when its standard
// input is not ready yet and then sends nothing, and never sends an empty
// datagram.
//
//	udpsend [-s SOURCE] HOST:PORT HEX...
package main

import (
	"encoding/hex"
	"flag"
	"fmt"
	"net"
	"os"
)

func main() {
	src := flag.String("s", "", "source address")
	flag.Parse()
	if flag.NArg() < 1 {
		fmt.Fprintln(os.Stderr, "usage: udpsend [-s source] host:port hex...")
		os.Exit(2)
	}
	var laddr *net.UDPAddr
	if *src != "" {
		laddr = &net.UDPAddr{IP: net.ParseIP(*src)}
		if laddr.IP == nil {
			fail("bad source address %q", *src)
		}
	}
	raddr, err := net.ResolveUDPAddr("udp", flag.Arg(0))
	if err != nil {
		fail("%v", err)
	}
	// Not connected: an ICMP error that one datagram earns (a port
	// unreachable, which tests may want) does not fail the next send.
	c, err := net.ListenUDP("udp", laddr)
	if err != nil {
		fail("%v", err)
	}
	defer c.Close()
	for _, h := range flag.Args()[1:] {
		b, err := hex.DecodeString(h)
		if err != nil {
			fail("%q: %v", h, err)
		}
		if _, err := c.WriteToUDP(b, raddr); err != nil {
			fail("send %d bytes: %v", len(b), err)
		}
	}
}

func fail(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "udpsend: "+format+"\n", a...)
	os.Exit(1)
}
