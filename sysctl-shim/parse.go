package main

import (
	"errors"
	"math"
	"strconv"
	"strings"

	"nbwg/kernel/sys"
	"nbwg/kernel/sys/wgsysctl"
)

// parse handles one operand of ours as sysctl.c's parse() does: resolve
// the name, then show it or, given a value, set it.  It returns true
// when sysctl must stop at once with status 1: NetBSD's EXIT(), which
// exits unless reading a -f file (where it goes on to the next line),
// and exit() for a value given without -w.
func (p *prog) parse(l string) (stop bool) {
	o := splitOperand(l)
	t, nerr := resolve(parseName(o.key), p.nodes)
	if nerr != nil {
		if o.optional {
			return false
		}
		p.parseError(nerr, o.key)
		return p.exit()
	}
	if !o.hasValue {
		p.show(t, true)
		return false
	}
	value := o.value
	if p.fn != "" {
		value = strings.TrimLeft(value, " \t\n\v\f\r")
	}
	if p.opts.w == 0 {
		p.perror("Must specify -w to set variables\n")
		return true
	}
	if t.leaf == nil {
		// "XXX old behavior is to print": a value for an interior
		// node lists it, and print_tree, told to add the node's
		// name, adds it to the name sysctlgetmibinfo already gave,
		// so the lines read "net.wg.wg.<leaf> = ...".
		t.display += t.sep + wgsysctl.Node
		p.show(t, true)
		return false
	}
	return p.writeNumber(t, value, o.optional)
}

// parseError reports an unknown name as sysctl.c's sysctlparseerror:
// the ordinal of the component that matched nothing, that component and
// the whole name.  -q silences it (the error still counts).
func (p *prog) parseError(e *nameError, key string) {
	if p.opts.q > 0 {
		p.errs++
		return
	}
	level := "?"
	if e.level < len(levelNames) {
		level = levelNames[e.level]
	}
	p.perror("%s level name '%s' in '%s' is invalid\n", level, e.token, key)
}

// exit is NetBSD's EXIT(EXIT_FAILURE): stop, unless reading a file.
func (p *prog) exit() bool { return p.fn == "" }

// writeNumber sets an int, bool or quad leaf as sysctl.c's write_number
// does: the value is read with strtoull(3), so it may be decimal, 0x
// hex or 0 octal and may carry a sign; an int takes any value whose
// upper 32 bits are all 0 or all 1 (so 4294967295 is -1), and a bool is
// true for any nonzero value.  The kernel gets the value in its type
// and answers the old one; "name: old -> new" follows.  With "?=", a
// refusal for want of privilege is silent.
func (p *prog) writeNumber(t target, value string, optional bool) (stop bool) {
	n := t.leaf
	if p.fn != "" {
		value = strings.Trim(value, " \t\n\v\f\r")
	}
	qi, used, erange := strtoull(value)
	if qi == math.MaxUint64 && erange {
		p.perror("%s: %s\n", value, sys.ERANGE)
		return p.exit()
	}
	if used == 0 || used != len(value) {
		p.perror("%s: not a number\n", value)
		return p.exit()
	}
	var text string
	var nv uint64
	switch n.Type {
	case sys.CTLTYPE_INT:
		if hi := uint32(qi >> 32); hi != math.MaxUint32 && hi != 0 {
			p.perror("%s: %s\n", value, sys.ERANGE)
			return p.exit()
		}
		nv = uint64(uint32(qi))
		text = strconv.FormatInt(int64(int32(qi)), 10)
	case sys.CTLTYPE_BOOL:
		if qi != 0 {
			nv = 1
		}
		text = strconv.FormatUint(nv, 10)
	case sys.CTLTYPE_QUAD:
		nv = qi
		text = strconv.FormatUint(qi, 10)
	}
	out, err := p.request(sys.SYSCTL_WRITE, n.FullName(), text)
	var ov uint64
	if err == nil {
		ov, err = parseValue(n.Type, out)
	}
	if err != nil {
		if optional && errors.Is(err, sys.EPERM) {
			return false
		}
		p.sysctlError(t.display, err, false, true)
		return p.exit()
	}
	p.displayNumber(n.Type, t.display, ov, displayOld)
	p.displayNumber(n.Type, t.display, nv, displayNew)
	return false
}
