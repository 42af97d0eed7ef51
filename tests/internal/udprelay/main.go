// Command udprelay is the fault tests' slow path: a UDP relay, run in a
// namespace between two hosts, that holds every datagram for a fixed
// delay before passing it on, in both directions.  This machine's kernel
// has no netem; loss is nftables' business (a rule in the same
// namespace), delay is this program's.
//
//	udprelay [-delay D] LISTEN=TARGET ...
//
// For each LISTEN=TARGET pair (address:port each), datagrams that reach
// LISTEN from a client go on to TARGET from a socket of that client's
// own, as a NAT would map it; what TARGET sends back to that socket goes
// back to the client from LISTEN.  The mapping is kept for as long as
// the relay runs.  It prints "listening" once every LISTEN is bound and
// runs until killed; on SIGTERM or SIGINT it prints how many datagrams
// it sent on and how many it had to drop (its queue full).
package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/signal"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// queueLen bounds the datagrams held in one direction: at 50 ms and a
// few tens of thousands of datagrams a second this is plenty, and a full
// queue drops (counted) rather than grow without bound.
const queueLen = 1 << 15

var sent, dropped atomic.Int64

func main() {
	delay := flag.Duration("delay", 50*time.Millisecond, "how long each datagram is held")
	flag.Parse()
	if flag.NArg() == 0 {
		fail("usage: udprelay [-delay D] LISTEN=TARGET ...")
	}
	for _, arg := range flag.Args() {
		l, r, ok := strings.Cut(arg, "=")
		if !ok {
			fail("not LISTEN=TARGET: " + arg)
		}
		listen, err := netip.ParseAddrPort(l)
		if err != nil {
			fail(err.Error())
		}
		target, err := netip.ParseAddrPort(r)
		if err != nil {
			fail(err.Error())
		}
		conn, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(listen))
		if err != nil {
			fail(err.Error())
		}
		rl := &relay{front: conn, target: target, clients: map[netip.AddrPort]*net.UDPConn{}}
		rl.back = newDelayLine(*delay, func(d datagram) { conn.WriteToUDPAddrPort(d.b, d.to) })
		rl.forward = newDelayLine(*delay, func(d datagram) { d.out.Write(d.b) })
		go rl.serve()
	}
	fmt.Println("listening")
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	<-sigs
	fmt.Printf("sent %d dropped %d\n", sent.Load(), dropped.Load())
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "udprelay:", msg)
	os.Exit(2)
}

// datagram is one datagram held back, and where it goes.
type datagram struct {
	b   []byte
	to  netip.AddrPort
	out *net.UDPConn // the socket it leaves from, when not the line's own
	due time.Time
}

// delayLine sends each datagram it is given once delay has passed, in
// the order given (a constant delay keeps them in order).
type delayLine struct {
	delay time.Duration
	q     chan datagram
}

func newDelayLine(delay time.Duration, send func(datagram)) *delayLine {
	l := &delayLine{delay: delay, q: make(chan datagram, queueLen)}
	go func() {
		for d := range l.q {
			if w := time.Until(d.due); w > 0 {
				time.Sleep(w)
			}
			send(d)
			sent.Add(1)
		}
	}()
	return l
}

func (l *delayLine) put(d datagram) {
	d.due = time.Now().Add(l.delay)
	select {
	case l.q <- d:
	default:
		dropped.Add(1)
	}
}

// relay is one LISTEN=TARGET pair.
type relay struct {
	front   *net.UDPConn // LISTEN
	target  netip.AddrPort
	forward *delayLine // toward target, from each client's socket
	back    *delayLine // toward the clients, from front

	mu      sync.Mutex
	clients map[netip.AddrPort]*net.UDPConn // each client's socket toward target
}

func (r *relay) serve() {
	buf := make([]byte, 65536)
	for {
		n, from, err := r.front.ReadFromUDPAddrPort(buf)
		if err != nil {
			fail(err.Error())
		}
		up, err := r.upstream(from)
		if err != nil {
			fmt.Fprintln(os.Stderr, "udprelay:", err)
			continue
		}
		r.forward.put(datagram{b: append([]byte(nil), buf[:n]...), out: up})
	}
}

// upstream is client's socket toward the target, made on its first
// datagram; what comes back on it goes back to client.
func (r *relay) upstream(client netip.AddrPort) (*net.UDPConn, error) {
	client = netip.AddrPortFrom(client.Addr().Unmap(), client.Port())
	r.mu.Lock()
	defer r.mu.Unlock()
	if c, ok := r.clients[client]; ok {
		return c, nil
	}
	c, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(r.target))
	if err != nil {
		return nil, fmt.Errorf("toward %v for %v: %w", r.target, client, err)
	}
	r.clients[client] = c
	go func() {
		buf := make([]byte, 65536)
		for {
			n, err := c.Read(buf)
			if err != nil {
				// ICMP errors (the target's port closed for a
				// moment) are reported on a connected socket;
				// they do not end the mapping.
				if errors.Is(err, net.ErrClosed) {
					return
				}
				continue
			}
			r.back.put(datagram{b: append([]byte(nil), buf[:n]...), to: client})
		}
	}()
	return c, nil
}
