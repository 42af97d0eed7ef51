package main

import (
	"errors"
	"fmt"

	"nbwg/internal/cli"
	"nbwg/kernel/sys"
)

// The routing socket and the routing table's sysctl, through the ioctl
// carrier: sys.NBWG_ROUTE.

// writeRoom is the answer buffer of a routing message (route.c reads
// its answer into 512 bytes after the header); it stays within what the
// kernel copies in for anybody (sys.MaxCopyIn), since the buffer also
// carries the message.  firstRoom is a dump's first buffer; a dump asks
// again with the room the kernel says it needs, up to maxRoom.
var (
	writeRoom = 1024
	firstRoom = 4096
	maxRoom   = sys.MaxBuffer
)

// kernel returns the kernel to talk to, dialled once.  A kernel is never
// started for route: with none running there is no wg interface, and
// the stand-in answers as such a kernel would.
func (p *prog) kernel() (cli.Kernel, error) {
	if p.k != nil {
		return p.k, nil
	}
	k, err := p.env.Kernel(false)
	if err != nil {
		return nil, err
	}
	p.k = k
	return k, nil
}

// request performs one NBWG_ROUTE request and returns the answer.
func (p *prog) request(op, family uint32, msg []byte) ([]byte, error) {
	k, err := p.kernel()
	if err != nil {
		return nil, err
	}
	room := firstRoom
	if op == sys.ROUTE_WRITE {
		room = writeRoom
	}
	for {
		req := sys.RouteReq{Op: op, Family: family, InLen: uint32(len(msg)), OutLen: uint32(room)}
		arg := req.Marshal()
		buf := make([]byte, max(room, len(msg)))
		copy(buf, msg)
		err := k.Ioctl(sys.NBWG_ROUTE, arg, buf)
		if errors.Is(err, sys.ENXIO) {
			// cli's stand-in: no kernel runs.
			p.kNone = true
			return p.standIn(op, msg)
		}
		if err != nil {
			return nil, err
		}
		back, err := sys.UnmarshalRouteReq(arg)
		if err != nil {
			return nil, err
		}
		need := int(back.OutLen)
		if need <= room {
			return buf[:min(need, room)], nil
		}
		if op == sys.ROUTE_WRITE {
			// A write is not repeated; its answer always fits.
			return nil, fmt.Errorf("answer of %d bytes: %w", need, sys.ENOBUFS)
		}
		if need > maxRoom {
			return nil, fmt.Errorf("routing table of %d bytes: %w", need, sys.ENOMEM)
		}
		room = need
	}
}

// standIn answers as a kernel without interfaces: an empty table, so a
// route to add has no interface (ENETUNREACH) and nothing is found
// (ESRCH); changes are refused to anybody but root first (EACCES), as a
// running kernel refuses them.
func (p *prog) standIn(op uint32, msg []byte) ([]byte, error) {
	if op == sys.ROUTE_DUMP {
		return nil, nil
	}
	h, err := sys.UnmarshalRtMsghdr(msg)
	if err != nil {
		return nil, sys.EINVAL
	}
	switch {
	case h.Type != sys.RTM_GET && p.uid != 0:
		return nil, sys.EACCES
	case h.Type == sys.RTM_ADD:
		return nil, sys.ENETUNREACH
	}
	return nil, sys.ESRCH
}
