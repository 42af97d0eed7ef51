// Command route is NetBSD's route(8) for the routes through nbwg's wg(4)
// interfaces: the same command line, the same output, diagnostics and
// exit statuses as NetBSD's sbin/route (route.c 1.155.4.2, show.c 1.48,
// rtutil.c 1.6, keywords of NetBSD 8; the formats NetBSD's ATF tests of
// 2017 check, such as route get's "flags: 0x843<UP,GATEWAY,DONE,STATIC>"):
//
//	route [-dfLnqSsTtv] add|delete|change|get [modifiers] destination [gateway]
//	route [-dfLnqSsTtv] show|flush|flushall [-inet|-inet6|-link|-host|-llinfo]
//
// The program follows route.c's structure: newroute reads the words of
// add, delete, change and get into socket addresses (getaddr.go), rtmsg
// writes the routing message (rtmsg.go) and print_getmsg prints what
// get finds (getmsg.go); show and flush read the table's dump (show.go)
// and print it as rtutil.c does (names.go).
//
// On Linux the routing table is nbwg's emulated kernel's, reached
// through the ioctl carrier with nbwg's sys.NBWG_ROUTE, which carries
// the routing messages a PF_ROUTE socket would.  It holds the routes
// through the kernel's wg interfaces, which it mirrors into the
// namespace's Linux table; a route through anything else is refused as
// NetBSD refuses a gateway no interface reaches ("Network is
// unreachable"), with a line saying to use the host's own tools.  The
// kernel itself is not linked in: this program parses, asks the kernel
// through the carrier and prints.
//
// On other systems (NetBSD) the system's own /sbin/route runs instead.
package main

import (
	"bufio"
	"os"
	"time"

	"nbwg/internal/cli"
	"nbwg/internal/getopt"
)

func main() { os.Exit(run(cli.ProcessEnv())) }

// run is route with its world in env; it returns the exit status.
func run(env *cli.Env) int {
	if !ownsRoutes {
		return handOff(env)
	}
	p := newProg(env)
	defer p.out.Flush()
	return p.main()
}

// optstring is route.c's opts: the flags route takes.
const optstring = "dfLnqSsTtv"

// prog is one run of route: route.c's globals.
type prog struct {
	env *cli.Env
	out *bufio.Writer

	// The kernel, dialled at the first request (kernel.go).
	k     cli.Kernel
	kNone bool
	// uid is the caller's effective user id, for the stand-in of a
	// kernel that does not run (tests set it).
	uid int

	// Flags.
	debugonly, doflush, qflag, Sflag, shortoutput, tflag bool
	Lflag, nflag, Tflag, verbose                         int

	// names resolves addresses to names and back (names.go); clock
	// is route get's clock for expiry times (nil: the real one).
	names *names
	clock func() time.Time

	// The state of newroute.
	sou        sou
	rtmAddrs   int32
	rtmInits   int32
	rtMetrics  metrics
	af, aflen  int
	forcehost  int
	forcenet   int
	iflag      int
	locking    bool
	lockrest   bool
	seq        int32
	gatewayIPs []gatewayIP // a gateway name's further addresses
	// dstCut is the destination's text after getaddr cut its "/bits"
	// off (the C string it writes a NUL into); ifpName is -ifp's word.
	dstCut  string
	ifpName string
}

func newProg(env *cli.Env) *prog {
	return &prog{
		env:   env,
		out:   bufio.NewWriter(env.Stdout),
		uid:   os.Geteuid(),
		names: systemNames(),
		aflen: sizeofSockaddrIn,
	}
}

// main is route.c's main().
func (p *prog) main() int {
	args := p.env.Args
	if len(args) < 2 {
		return p.usage("")
	}
	g := getopt.New(args, optstring)
	for g.Next() {
		switch g.Opt() {
		case 'd':
			p.debugonly = true
		case 'f':
			p.doflush = true
		case 'L':
			p.Lflag = rtLFLAG
		case 'n':
			p.nflag = rtNFLAG
		case 'q':
			p.qflag = true
		case 'S':
			// route.c reads -S and passes it nowhere.
			p.Sflag = true
		case 's':
			p.shortoutput = true
		case 'T':
			p.Tflag = rtTFLAG
		case 't':
			p.tflag = true
		case 'v':
			p.verbose = rtVFLAG
		}
	}
	if err := g.Err(); err != nil {
		p.env.Warnx("%v", err)
		return p.usage("")
	}
	argv := args[g.Optind():]

	var key int
	if len(argv) == 0 {
		if !p.doflush {
			return p.usage("")
		}
		key = kFLUSH
	} else {
		key = keyword(argv[0])
	}
	switch key {
	case kGET, kCHANGE, kADD, kDELETE:
		if p.doflush {
			p.flushroutes([]string{argv[0]}, false)
		}
		return p.newroute(argv)
	case kSHOW:
		return p.show(argv)
	case kMONITOR:
		p.flush()
		p.env.Warnx("monitor: not supported: nbwg's kernel sends no routing messages to listen to")
		return 1
	case kFLUSH:
		return p.flushroutes(argv, false)
	case kFLUSHALL:
		return p.flushroutes(argv, true)
	}
	return p.usage(argv[0])
}

// usage is route.c's usage(): "botched keyword" for a word it does not
// know, then the synopsis, on standard error, exit status 1.
func (p *prog) usage(cp string) int {
	p.flush()
	if cp != "" {
		p.env.Warnx("botched keyword: %s", cp)
	}
	p.errf("Usage: %s [-%s] cmd [[-<qualifers>] args]\n", p.env.Progname(), optstring)
	return 1
}

// flush writes out what standard output holds, so that it comes before
// what is written to standard error next, as on a terminal.
func (p *prog) flush() { p.out.Flush() }

// errf writes to standard error.
func (p *prog) errf(format string, a ...any) {
	p.flush()
	writef(p.env.Stderr, format, a...)
}

// fatal prints "route: message", as errx(3), and returns the status
// errx exits with.
func (p *prog) fatal(format string, a ...any) int {
	p.flush()
	p.env.Warnx(format, a...)
	return 1
}

// stop is a call of errx(3) or usage() deep in the parsing, which ends
// the run there: main reports it and exits 1.
type stop struct {
	usage bool   // usage(word) rather than errx
	word  string // usage's word, "" for none
	msg   string // errx's message
}

func (s *stop) Error() string { return s.msg }

// errx returns the stop of errx(3) with a message.
func errx(format string, a ...any) error { return &stop{msg: sprintf(format, a...)} }

// usageErr returns the stop of usage(word).
func usageErr(word string) error { return &stop{usage: true, word: word} }

// report ends the run for err, a stop or a failure to reach the kernel.
func (p *prog) report(err error) int {
	if s, ok := err.(*stop); ok {
		if s.usage {
			return p.usage(s.word)
		}
		return p.fatal("%s", s.msg)
	}
	return p.fatal("%v", err)
}
