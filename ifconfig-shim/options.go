package main

import "nbwg/internal/getopt"

// options are sbin/ifconfig's global flags.
type options struct {
	a, b, C, d, h, l, N, s, u, v, z, w, W bool
	// L (af_inet6.c) and m (media.c) are flags modules register.
	L, m         bool
	wsecs, Wsecs int64
	// start is the parser the words begin with, as the flags choose it.
	start parser
}

// optstring is gflags with the module flags: "AabCdhlNsuvW:w:z" + "L" +
// "m".
const optstring = "AabCdhlNsuvW:w:zLm"

// getopt parses the flags as NetBSD's getopt(3) does (package getopt)
// and returns the words after them.  As the flags are read the start
// parser moves, in main()'s order.
func (p *prog) getopt(argv []string) ([]string, error) {
	g := newGrammar()
	o := &p.opts
	o.start = g.ifaceStart
	if len(argv) <= 1 {
		// No arguments at all: ifconfig -a.
		o.a = true
		o.start = g.optFamilyOnly
	}
	flags := getopt.New(argv, optstring)
	for flags.Next() {
		if err := p.option(g, flags.Opt(), flags.Arg()); err != nil {
			return nil, err
		}
	}
	if err := flags.Err(); err != nil {
		p.warnx("%v", err)
		return nil, p.usage()
	}
	return argv[flags.Optind():], nil
}

// option records one flag and moves the start parser as main() does.
func (p *prog) option(g *grammar, c byte, optarg string) error {
	o := &p.opts
	switch c {
	case 'A':
		p.warnx("-A is deprecated")
	case 'a':
		o.a = true
	case 'b':
		o.b = true
	case 'C':
		o.C = true
	case 'd':
		o.d = true
	case 'h':
		o.h = true
	case 'l':
		o.l = true
	case 'N':
		o.N = true
	case 's':
		o.s = true
	case 'u':
		o.u = true
	case 'v':
		o.v = true
	case 'w', 'W':
		n, ok := strtoi(optarg, 0, 1<<31-1)
		if !ok {
			return p.errx("%s: not a number", optarg)
		}
		if c == 'w' {
			o.w, o.wsecs = true, n
		} else {
			o.W, o.Wsecs = true, n
		}
	case 'z':
		o.z = true
	case 'L':
		o.L = true
	case 'm':
		o.m = true
	}
	switch c {
	case 'a':
		o.start = g.optFamilyOnly
	case 'L', 'm', 'z':
		if o.start != g.optFamilyOnly {
			o.start = g.ifaceOptFamilyOnly
		}
	case 'C':
		o.start = g.cloneTerm
	case 'l':
		o.start = g.noCmds
	case 's':
		if o.start != g.noCmds && o.start != g.optFamilyOnly {
			o.start = g.ifaceOnly
		}
	case 'w':
		o.start = g.waitDAD
	}
	return nil
}

// checkOptions refuses the flag combinations main() refuses: -l, -C and
// -w each stand alone.
func (p *prog) checkOptions() error {
	o := &p.opts
	alone := o.l || o.C || o.w
	if alone && (o.a || o.m || o.v || o.z || o.L) {
		return p.usage()
	}
	if o.l && o.C || o.l && o.w || o.C && o.w {
		return p.usage()
	}
	return nil
}

// strtoi is strtoi(3) in base 10 with bounds: the whole string must be a
// number within [min, max].
func strtoi(s string, min, max int64) (int64, bool) {
	v, rest, ok := strtoimax(s, 10)
	if !ok || rest != "" || rest == s || v < min || v > max {
		return 0, false
	}
	return v, true
}
