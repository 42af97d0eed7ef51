package main

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"nbwg/internal/cli"
	"nbwg/kernel/sys"
	"nbwg/kernel/sys/wgsysctl"
)

// firstRoom is the answer buffer of a first request: enough for any
// value and for the listing of net.wg, so a second round is rare.  maxRoom
// bounds it (the carrier's limit).  Tests lower both.
var (
	firstRoom = 1024
	maxRoom   = sys.MaxBuffer
)

// request performs one sys.NBWG_SYSCTL request: a read (flags 0), a
// description (sys.SYSCTL_DESCRIBE) or a write (sys.SYSCTL_WRITE, with
// newval) of the dotted name, and returns the kernel's answer: the value,
// the old value of a write, or "name=text" lines for an interior node.
// A read whose answer needs more room than offered is asked again with
// the room the kernel said it needs.  A write is never repeated: its
// answer, one number, always fits.
//
// When no kernel runs in the network namespace, cli's stand-in answers
// ENXIO; standIn answers instead.
func (p *prog) request(flags uint32, name, newval string) (string, error) {
	k, err := p.kernel(flags&sys.SYSCTL_WRITE != 0)
	if err != nil {
		return "", err
	}
	out, err := ask(k, flags, name, newval)
	if errors.Is(err, sys.ENXIO) {
		p.kNone = true
		out, err = standIn(flags, name)
	}
	return out, err
}

// ask is request against one kernel.
func ask(k cli.Kernel, flags uint32, name, newval string) (string, error) {
	room := firstRoom
	for {
		req := sys.SysctlReq{Flags: flags, NameLen: uint32(len(name)), NewLen: uint32(len(newval)), OldLen: uint32(room)}
		arg := req.Marshal()
		buf := make([]byte, max(room, len(name)+len(newval)))
		copy(buf, name)
		copy(buf[len(name):], newval)
		if err := k.Ioctl(sys.NBWG_SYSCTL, arg, buf); err != nil {
			return "", err
		}
		back, err := sys.UnmarshalSysctlReq(arg)
		if err != nil {
			return "", err
		}
		need := int(back.OldLen)
		if need <= room || flags&sys.SYSCTL_WRITE != 0 {
			return string(buf[:min(need, room)]), nil
		}
		if need > maxRoom {
			return "", fmt.Errorf("answer of %d bytes: %w", need, sys.ENOMEM)
		}
		room = need
	}
}

// kernel returns the kernel to talk to, dialled once; start asks for one
// that may have been started for the request (writes), so the stand-in
// for no kernel, found by a read, is replaced at the first write.
func (p *prog) kernel(start bool) (cli.Kernel, error) {
	if p.k != nil && (p.kStart || !start || !p.kNone) {
		return p.k, nil
	}
	k, err := p.env.Kernel(start)
	if err != nil {
		return nil, err
	}
	p.k, p.kStart, p.kNone = k, start, false
	return k, nil
}

// standIn answers a request as a kernel not running yet would, from
// the net.wg table, with the kernel's text (kernel/sysctl's Tree.Ioctl):
// a read gets the value every kernel starts with, the variable's default
// (for net.wg, "name=value" lines in name order), a description the
// table's ("name=description" lines).  A write is refused with EPERM, as
// a running kernel refuses an unprivileged caller: only such a caller
// meets no kernel on a write, root's starts one (cli.Env.Kernel(true)).
// An unknown name is ENOENT, as the kernel answers it.
func standIn(flags uint32, name string) (string, error) {
	var below []*wgsysctl.Var
	for _, v := range wgsysctl.Vars {
		if full := v.FullName(); full == name || strings.HasPrefix(full, name+".") {
			below = append(below, v)
		}
	}
	leaf := len(below) == 1 && below[0].FullName() == name
	switch {
	case flags&sys.SYSCTL_WRITE != 0 && !leaf, len(below) == 0:
		return "", sys.ENOENT
	case flags&sys.SYSCTL_WRITE != 0:
		return "", sys.EPERM
	case flags&sys.SYSCTL_DESCRIBE == 0 && leaf:
		return below[0].Type.Format(below[0].Default), nil
	}
	slices.SortFunc(below, func(a, b *wgsysctl.Var) int { return strings.Compare(a.Name, b.Name) })
	var b strings.Builder
	for _, v := range below {
		text := v.Type.Format(v.Default)
		if flags&sys.SYSCTL_DESCRIBE != 0 {
			text = v.Desc
		}
		fmt.Fprintf(&b, "%s=%s\n", v.FullName(), text)
	}
	return b.String(), nil
}

// listing parses the "name=text" lines of an interior node's answer.
func listing(out string) map[string]string {
	m := make(map[string]string)
	for line := range strings.Lines(out) {
		name, text, ok := strings.Cut(strings.TrimSuffix(line, "\n"), "=")
		if ok {
			m[name] = text
		}
	}
	return m
}

// parseValue reads a value as the kernel formats it (sys.CtlType.Format)
// into the bits sysctl(3) would have copied out: an int's 32 bits, a
// bool's 0 or 1, a quad's 64.
func parseValue(typ sys.CtlType, text string) (uint64, error) {
	switch typ {
	case sys.CTLTYPE_QUAD:
		v, err := strconv.ParseUint(text, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("kernel answered %q: %w", text, sys.EINVAL)
		}
		return v, nil
	default:
		v, err := strconv.ParseInt(text, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("kernel answered %q: %w", text, sys.EINVAL)
		}
		return uint64(v), nil
	}
}
