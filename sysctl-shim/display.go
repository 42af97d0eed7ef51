package main

import (
	"encoding/binary"
	"fmt"

	"nbwg/kernel/sys"
)

// How a value is shown (sysctl.c: DISPLAY_VALUE, DISPLAY_OLD,
// DISPLAY_NEW): a read prints "name = value"; a write prints
// "name: old -> new", in two calls.
const (
	displayValue = iota
	displayOld
	displayNew
)

// displayNumber prints a number as sysctl.c's display_number does for
// int, bool and quad nodes under the flags: nothing with -q; -n drops
// the name and the old value of a write; -r writes the raw bytes (as
// sysctl(3) copies them out, in host order) and no newline; -x prints
// 0x and as many hex digits as the value has bytes; -xx a hex dump.
// nbwg's nodes have neither CTLFLAG_HEX nor CTLFLAG_UNSIGNED, so an int
// prints signed.
func (p *prog) displayNumber(typ sys.CtlType, name string, v uint64, how int) {
	o := &p.opts
	if o.q > 0 {
		return
	}
	if (o.n > 0 || o.r > 0) && how == displayOld {
		return
	}
	if o.r > 0 {
		p.out.Write(rawBytes(typ, v))
		return
	}
	if o.n == 0 {
		switch how {
		case displayValue:
			fmt.Fprintf(p.out, "%s%s", name, p.eq)
		case displayOld:
			fmt.Fprintf(p.out, "%s: ", name)
		}
	}
	if o.x > 1 {
		if how != displayNew {
			p.out.WriteString("\n")
		}
		p.hexDump(rawBytes(typ, v))
		return
	}
	switch typ {
	case sys.CTLTYPE_INT:
		if o.x > 0 {
			fmt.Fprintf(p.out, "0x%08x", uint32(v))
		} else {
			fmt.Fprintf(p.out, "%d", int32(v))
		}
	case sys.CTLTYPE_BOOL:
		if o.x > 0 {
			fmt.Fprintf(p.out, "0x%02x", v&1)
		} else {
			fmt.Fprintf(p.out, "%d", v&1)
		}
	case sys.CTLTYPE_QUAD:
		if o.x > 0 {
			fmt.Fprintf(p.out, "0x%016x", v)
		} else {
			fmt.Fprintf(p.out, "%d", v)
		}
	}
	if how == displayOld {
		p.out.WriteString(" -> ")
	} else {
		p.out.WriteString("\n")
	}
}

// rawBytes is a value as sysctl(3) copies it out: a C int, bool or
// u_quad_t in the host's byte order.
func rawBytes(typ sys.CtlType, v uint64) []byte {
	switch typ {
	case sys.CTLTYPE_BOOL:
		return []byte{byte(v & 1)}
	case sys.CTLTYPE_QUAD:
		return binary.NativeEndian.AppendUint64(nil, v)
	}
	return binary.NativeEndian.AppendUint32(nil, uint32(v))
}

// hexDump prints bytes as sysctl.c's hex_dump does: lines of 16 bytes,
// each an offset, the bytes in hex and the printable ones between bars,
// then the count.
func (p *prog) hexDump(b []byte) {
	var line [78]byte
	blank := func() {
		for i := range line {
			line[i] = ' '
		}
	}
	blank()
	pending := false
	for i, c := range b {
		j := i % 16
		if j == 0 {
			line[58], line[77] = '|', '|'
			copy(line[0:7], fmt.Sprintf("%07x", i))
			pending = true
		}
		copy(line[9+j*3:], fmt.Sprintf("%02x", c))
		if c >= 0x20 && c < 0x7f {
			line[60+j] = c
		} else {
			line[60+j] = '.'
		}
		if j == 15 {
			fmt.Fprintf(p.out, "%s\n", line[:])
			blank()
			pending = false
		}
	}
	if pending {
		fmt.Fprintf(p.out, "%s\n", line[:])
	}
	fmt.Fprintf(p.out, "%07d bytes\n", len(b))
}
