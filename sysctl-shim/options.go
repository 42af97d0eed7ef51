package main

import (
	"fmt"

	"nbwg/internal/getopt"
)

// options are sysctl.c's flags; each counts its occurrences, as the C
// variables do (-xx is a hex dump, -x hex).
type options struct {
	A, a, d, M, n, q, r, w, x int
	e                         bool   // "=" between name and value
	f                         string // -f file
}

// optstring is sysctl.c's getopt(3) string; -b is -r ("FreeBSD compat").
const optstring = "Aabdef:Mnqrwx"

// usageError is a command line NetBSD's sysctl refuses with its usage;
// msg, if any, is getopt(3)'s complaint before it.  Whether to print it
// depends on whose command line it is (main).
type usageError struct{ msg string }

// getopt parses the flags as NetBSD's getopt(3) does (package getopt).
// It returns the index of the first operand.
func (p *prog) getopt(argv []string) (int, *usageError) {
	o := &p.opts
	flags := getopt.New(argv, optstring)
	for flags.Next() {
		switch flags.Opt() {
		case 'A':
			o.A++
		case 'a':
			o.a++
		case 'b', 'r':
			o.r++
		case 'd':
			o.d++
		case 'e':
			o.e = true
		case 'f':
			// -f implies -w.
			o.f = flags.Arg()
			o.w++
		case 'M':
			o.M++
		case 'n':
			o.n++
		case 'q':
			o.q++
		case 'w':
			o.w++
		case 'x':
			o.x++
		}
	}
	if err := flags.Err(); err != nil {
		return 0, &usageError{msg: err.Error()}
	}
	return flags.Optind(), nil
}

// usage prints sysctl.c's usage text (rev 1.157.2.1); the status is 1.
func (p *prog) usage(e *usageError) int {
	if e != nil && e.msg != "" {
		p.env.Warnx("%s", e.msg)
	}
	prog := p.env.Progname()
	fmt.Fprintf(p.env.Stderr, "usage:\t%s %s\n", prog, "[-dneq] [-x[x]|-r] variable ...")
	for _, l := range []string{
		"[-ne] [-q] -w variable=value ...",
		"[-dne] -a",
		"[-dne] -A",
		"[-ne] -M",
		"[-dne] [-q] -f file",
	} {
		fmt.Fprintf(p.env.Stderr, "\t%s %s\n", prog, l)
	}
	return 1
}
