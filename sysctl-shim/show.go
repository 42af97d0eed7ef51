package main

import (
	"errors"
	"fmt"
	"strings"

	"nbwg/kernel/sys"
	"nbwg/kernel/sys/wgsysctl"
)

// show prints a name of ours as sysctl.c's print_tree does: a leaf's
// value (or, with -d, its description), or for net.wg every leaf below
// it, one line each, in the kernel's order.  req says whether the name
// was asked for (parse sets req): errors reading a name asked for are
// reported; print_tree clears req before it descends, so errors below an
// interior node, and all of -a's, are reported only with -A.
func (p *prog) show(t target, req bool) {
	if p.opts.M > 0 {
		// -M prints MIB numbers, sizes and flags of the kernel's
		// nodes; nbwg's kernel has none of them to give.
		p.perror("%s: -M: %s\n", t.display, sys.EOPNOTSUPP)
		return
	}
	if t.leaf != nil {
		p.showLeaf(t.leaf, t.display, req)
		return
	}
	p.showNode(t, req)
}

// showLeaf prints one leaf's value or description under the name shown.
func (p *prog) showLeaf(n *wgsysctl.Var, name string, req bool) {
	if p.opts.d > 0 {
		desc := ""
		if out, err := p.request(sys.SYSCTL_DESCRIBE, n.FullName(), ""); err == nil {
			desc = listing(out)[n.FullName()]
		}
		p.describe(name, desc)
		return
	}
	out, err := p.request(0, n.FullName(), "")
	if err == nil {
		var v uint64
		if v, err = parseValue(n.Type, out); err == nil {
			p.displayNumber(n.Type, name, v, displayValue)
			return
		}
	}
	p.sysctlError(name, err, true, req)
}

// showNode prints every leaf of net.wg.  The kernel answers them in one
// request; NetBSD's sysctl asks for each, with the same output.
func (p *prog) showNode(t target, req bool) {
	node := wgsysctl.Top + "." + wgsysctl.Node
	if p.opts.d > 0 {
		if p.opts.A > 0 {
			// print_tree describes interior nodes only for -A.
			p.describe(t.display, wgsysctl.Desc)
		}
		out, _ := p.request(sys.SYSCTL_DESCRIBE, node, "")
		descs := listing(out)
		for _, n := range p.nodes {
			desc := descs[n.FullName()]
			// A child without a description is skipped, unless -A.
			if desc != "" || p.opts.A > 0 {
				p.describe(t.display+t.sep+n.Name, desc)
			}
		}
		return
	}
	out, err := p.request(0, node, "")
	if err != nil {
		p.sysctlError(t.display, err, true, req)
		return
	}
	vals := listing(out)
	for _, n := range p.nodes {
		name := t.display + t.sep + n.Name
		text, ok := vals[n.FullName()]
		if !ok {
			// A kernel of another nbwg version may lack a node.
			continue
		}
		v, err := parseValue(n.Type, text)
		if err != nil {
			p.sysctlError(name, err, true, false)
			continue
		}
		p.displayNumber(n.Type, name, v, displayValue)
	}
}

// describe prints one -d line: "name: description", or only the
// description with -n.
func (p *prog) describe(name, desc string) {
	if p.opts.n == 0 {
		fmt.Fprintf(p.out, "%s: ", name)
	}
	if desc == "" {
		desc = "(no description)"
	}
	fmt.Fprintf(p.out, "%s\n", desc)
}

// sysctlError reports a failed read or write of name as sysctl.c's
// sysctlerror does.  soft (a read) turns the errors that mean "no such
// value here" into "the value is not available (...)"; a write's
// failure (soft false) is fatal, which the caller sees to.  Nothing is
// printed unless the name was asked for (req) or -A.  An errno from the
// kernel (sys.Errno) prints as strerror(3); an error from elsewhere (the
// carrier, the kernel's start) with its whole text.
func (p *prog) sysctlError(name string, err error, soft, req bool) {
	if p.opts.A == 0 && !req {
		return
	}
	var e sys.Errno
	if soft && errors.As(err, &e) {
		switch e {
		case sys.ENOENT, sys.ENOPROTOOPT, sys.ENOTDIR, sys.EINVAL, sys.EOPNOTSUPP, sys.EPROTONOSUPPORT:
			p.perror("%s: the value is not available (%v)\n", name, err)
			return
		}
	}
	p.perror("%s: %v\n", name, err)
}

// perror is sysctl.c's sysctlperror: "sysctl: " (and "file#line: "
// under -f), the message, to standard error (standard output with -A);
// it counts an error.
func (p *prog) perror(format string, a ...any) {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: ", p.env.Progname())
	if p.fn != "" {
		fmt.Fprintf(&b, "%s#%d: ", p.fn, p.nr)
	}
	fmt.Fprintf(&b, format, a...)
	p.warn(b.String())
	p.errs++
}
