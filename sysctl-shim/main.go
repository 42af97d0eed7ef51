// Command sysctl is NetBSD's sysctl(8) for the wg(4) variables of nbwg's
// emulated kernel, net.wg.*, and hands every other name to the host's own
// sysctl.  For net.wg names the command line, output, diagnostics and
// exit statuses are those of NetBSD's sbin/sysctl/sysctl.c (rev
// 1.157.2.1, the newest in reach; see README.md in this directory):
//
//	sysctl [-dneq] [-x[x]|-r] variable ...
//	sysctl [-ne] [-q] -w variable=value ...
//	sysctl [-dne] -a
//	sysctl [-dne] -A
//	sysctl [-ne] -M
//	sysctl [-dne] [-q] -f file
//
// "net.wg.x = v" for a read (-e: "net.wg.x=v", -n: "v", -q: nothing),
// "net.wg.x: old -> new" for a write, "net.wg.x: description" with -d,
// every leaf for the interior node net.wg, 0x… with -x, a hex dump with
// -xx, raw bytes with -r (or -b), and "sysctl: third level name 'nope'
// in 'net.wg.nope' is invalid" for an unknown name.  '/' may separate
// the components, name?=value sets quietly only if it may.
//
// The variables live in the kernel of the network namespace (nbwgd),
// reached through the ioctl carrier with nbwg's sys.NBWG_SYSCTL.  A
// write starts that kernel if none runs (only root can; anyone else gets
// EPERM, as the kernel would answer); a read with no kernel running
// answers what a kernel would start with, the defaults of the net.wg
// table (kernel/sys/wgsysctl), which also gives the names and types.
// The kernel itself is not linked in: this program parses, asks the
// kernel through the carrier and prints.
//
// Which names are whose (see README.md for the reasons):
//   - A command line with no name under net.wg (sysctl kernel.hostname,
//     sysctl -p, sysctl --system, ...) is the host's: its sysctl is
//     executed with the arguments unchanged.
//   - A command line mixing both has its net.wg names handled here, in
//     order, then the host's sysctl run once with the flags as given and
//     the other names.
//   - -a and -A list net.wg here, then hand the command line to the
//     host's sysctl for the rest (not with -d, -M or -r, whose meaning
//     differs there).
//   - -f file: net.wg lines here, the other lines to the host's sysctl.
//
// On systems other than Linux (NetBSD, whose kernel has net.wg itself)
// every command line is the host's.
package main

import (
	"bufio"
	"io"
	"os"

	"nbwg/internal/cli"
	"nbwg/kernel/sys/wgsysctl"
)

func main() { os.Exit(run(cli.ProcessEnv())) }

// run is sysctl with its world in env; it returns the exit status (when
// the host's sysctl does not take over the process).
func run(env *cli.Env) int { return newProg(env).main() }

// prog is one run of sysctl.
type prog struct {
	env *cli.Env
	out *bufio.Writer
	// eq separates name and value: " = ", or "=" with -e.
	eq   string
	opts options
	// nodes are net.wg's leaves, in the order sysctl lists them.
	nodes []*wgsysctl.Var

	// fn and nr are the -f file and its line, while reading it.
	fn string
	nr int
	// errs counts errors reported, for the exit status.
	errs int

	// The kernel, dialled at the first request (kStart: dialled to
	// start one; kNone: it answered that none runs, and standIn
	// answers instead).
	k             cli.Kernel
	kStart, kNone bool

	// execHost takes over the process for the host's sysctl; tests
	// run it as a child instead.
	execHost hostRunner
}

func newProg(env *cli.Env) *prog {
	return &prog{
		env:      env,
		out:      bufio.NewWriter(env.Stdout),
		eq:       " = ",
		nodes:    wgsysctl.Vars,
		execHost: execHost,
	}
}

// main is sysctl.c's main().
func (p *prog) main() int {
	defer p.flush()
	args := p.env.Args
	if len(args) == 0 {
		args = []string{"sysctl"}
	}
	if !ownsWG {
		return p.handOff(args[1:], nil)
	}
	optind, uerr := p.getopt(args)
	if uerr != nil {
		// NetBSD's sysctl refuses the flags; Linux's may take them
		// (-p, -N, --system).  The command line is ours only if it
		// names one of our variables.
		for _, a := range args[1:] {
			if isOurs(a) {
				return p.usage(uerr)
			}
		}
		return p.handOff(args[1:], nil)
	}
	operands := args[optind:]
	o := &p.opts
	if o.e {
		p.eq = "="
	}
	if (o.x > 0 && o.r > 0) || ((o.a > 0 || o.A > 0) && o.q > 0) {
		return p.usage(nil)
	}
	if (o.A > 0 || o.M > 0 || o.d > 0) && len(operands) == 0 && o.f == "" {
		o.a++
	}
	if o.a > 0 {
		return p.all(args[1:])
	}
	if o.f != "" {
		return p.file()
	}
	if len(operands) == 0 {
		return p.usage(nil)
	}
	var theirs []string
	for _, l := range operands {
		if !isOurs(l) {
			theirs = append(theirs, l)
		}
	}
	if len(theirs) == len(operands) {
		return p.handOff(args[1:], nil)
	}
	for _, l := range operands {
		if isOurs(l) && p.parse(l) {
			return 1
		}
	}
	if len(theirs) == 0 {
		return p.status()
	}
	return p.handOff(append(append([]string(nil), args[1:optind]...), theirs...), nil)
}

// all is -a (and -A, and -d or -M alone): net.wg's leaves, then the host's
// listing.  NetBSD's -a ignores names given with it and exits 0.
func (p *prog) all(args []string) int {
	m := mibName{sep: ".", parts: []string{wgsysctl.Top, wgsysctl.Node}}
	t, _ := resolve(m, p.nodes)
	if p.opts.M == 0 {
		p.show(t, false)
	}
	o := &p.opts
	if o.d > 0 || o.M > 0 || o.r > 0 {
		// Linux's sysctl reads -d as -h and -r as a pattern; it has
		// no descriptions and no MIB to dump.
		return 0
	}
	p.errs = 0 // -a's status is 0 whatever it met
	return p.handOff(args, nil)
}

// status is the exit status after the operands: 1 after any error.
func (p *prog) status() int {
	if p.errs > 0 {
		return 1
	}
	return 0
}

// flush writes out what standard output holds.
func (p *prog) flush() { p.out.Flush() }

// warn writes a diagnostic where sysctl.c's warnfp points: standard
// error, or standard output with -A.  Standard output is flushed first,
// so that the two read in order on a terminal.
func (p *prog) warn(s string) {
	if p.opts.A > 0 {
		p.out.WriteString(s)
		return
	}
	p.flush()
	io.WriteString(p.env.Stderr, s)
}
