// Command ifconfig is NetBSD's ifconfig(8) for nbwg's wg(4) interfaces:
// the same command line, the same output byte for byte and the same
// diagnostics and exit statuses as NetBSD 10's sbin/ifconfig, for what a
// wg interface can be: create and destroy, up and down, IPv4 and IPv6
// addresses, the MTU, and the display forms (-a, -l, -C, -s, -v, -z, -L,
// -w).  Words NetBSD knows for other kinds of interface (media, vlan,
// tunnel, carp, ...) are parsed as NetBSD parses them and then refused.
//
// The program follows sbin/ifconfig's structure: options pick a start
// parser, a grammar of keyword, address and integer parsers matches the
// words (grammar.go, words.go), every matched word's action runs in
// command-line order, and the address commit (commit.go) comes last.
// Displays walk the kernel's SIOCGIFCONF list, which stands in for
// getifaddrs(3) (ifaddrs.go).
//
// On Linux the kernel is nbwg's emulated one and this ifconfig refuses
// names that are not wg interfaces (guard_linux.go): it never touches the
// host's own interfaces.  On NetBSD the same code issues the real ioctls.
package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"time"

	"nbwg/internal/cli"
	"nbwg/kernel/sys"
)

func main() { os.Exit(run(cli.ProcessEnv())) }

// run is ifconfig with its world in env; it returns the exit status.
func run(env *cli.Env) int {
	p := newProg(env)
	defer p.out.Flush()
	return p.main()
}

// prog is one run of ifconfig.
type prog struct {
	env *cli.Env
	out *bufio.Writer

	// The kernel, dialled at the first request; start says whether the
	// dial may start it (only `create` does, see cli.Env.Kernel), kStart
	// whether k was dialled so.
	k      cli.Kernel
	start  bool
	kStart bool

	opts options

	// oenv is sbin/ifconfig's "output environment": what actions leave
	// for later ones and for the address commit (netmask, dst,
	// broadcast), overriding what the words themselves set.
	oenv penv
	// flags caches the interface flags once an action has read them
	// (getifflags(3) keeps them in oenv).
	flags    uint16
	gotFlags bool

	// Name service, replaceable in tests: lookupHost resolves a
	// non-numeric address word (getaddrinfo(3)), lookupAddr a name for
	// -N (getnameinfo(3)).
	lookupHost func(ctx context.Context, network, host string) ([]netip.Addr, error)
	lookupAddr func(ctx context.Context, a netip.Addr) ([]string, error)
	lookupPort func(ctx context.Context, network, service string) (int, error)

	// The clock and sleep of -w, replaceable in tests.
	now   func() time.Time
	sleep func(time.Duration)
}

func newProg(env *cli.Env) *prog {
	return &prog{
		env:  env,
		out:  bufio.NewWriter(env.Stdout),
		oenv: penv{},
		lookupHost: func(ctx context.Context, network, host string) ([]netip.Addr, error) {
			return net.DefaultResolver.LookupNetIP(ctx, network, host)
		},
		lookupAddr: func(ctx context.Context, a netip.Addr) ([]string, error) {
			return net.DefaultResolver.LookupAddr(ctx, a.String())
		},
		lookupPort: net.DefaultResolver.LookupPort,
		now:        time.Now,
		sleep:      time.Sleep,
	}
}

// exitStatus ends the run with a status; whatever had to be said has
// been said.  It plays the part of exit(3), err(3) and errx(3).
type exitStatus int

func (e exitStatus) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// main is sbin/ifconfig's main(): options, parse, the words' actions,
// then the address commit.
func (p *prog) main() int {
	err := p.runCommand()
	var st exitStatus
	switch {
	case err == nil:
		return 0
	case errors.As(err, &st):
		return int(st)
	default:
		// An error nobody reported: say it, as err(3) would.
		p.warnx("%v", err)
		return 1
	}
}

func (p *prog) runCommand() error {
	args, err := p.getopt(p.env.Args)
	if err != nil {
		return err
	}
	if err := p.checkOptions(); err != nil {
		return err
	}
	matches, err := p.parse(args, p.opts.start)
	if err != nil {
		return err
	}
	last := penv{}
	if len(matches) > 0 {
		last = matches[len(matches)-1].env
	}
	if name, ok := last.str("if"); ok {
		if err := p.checkName(name); err != nil {
			return err
		}
	}
	if err := p.refuse(matches, last); err != nil {
		return err
	}
	if cmd, ok := last.int64("clonecmd"); ok && uint32(cmd) == sys.SIOCIFCREATE {
		p.start = true
	}
	if err := p.execMatches(matches); err != nil {
		return err
	}
	e := last.augment(p.oenv)
	if err := p.commitAddress(e); err != nil {
		return err
	}
	return p.setPreference(e)
}

// execMatches is matches_exec: each word's action in command-line order.
// An action failing with an errno ends the run as
// err(EXIT_FAILURE, "exec_matches") does.
func (p *prog) execMatches(matches []match) error {
	for _, m := range matches {
		if m.exec == nil {
			continue
		}
		err := m.exec(p, m.env.augment(p.oenv))
		var fail *actionFailed
		if errors.As(err, &fail) {
			return p.err(fail.err, "exec_matches")
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// actionFailed is an action's -1 return with errno set: matches_exec
// stops and main reports "exec_matches: <strerror>".
type actionFailed struct{ err error }

func (a *actionFailed) Error() string { return a.err.Error() }

// warnx is warnx(3).
func (p *prog) warnx(format string, a ...any) {
	p.out.Flush()
	p.env.Warnx(format, a...)
}

// warn is warn(3) with the errno of err.
func (p *prog) warn(err error, format string, a ...any) {
	p.out.Flush()
	p.env.Warn(err, format, a...)
}

// err is err(EXIT_FAILURE, ...): warn, then end the run.
func (p *prog) err(err error, format string, a ...any) error {
	p.warn(err, format, a...)
	return exitStatus(1)
}

// errx is errx(EXIT_FAILURE, ...).
func (p *prog) errx(format string, a ...any) error {
	p.warnx(format, a...)
	return exitStatus(1)
}

// printf writes to standard output.
func (p *prog) printf(format string, a ...any) { fmt.Fprintf(p.out, format, a...) }

// kernel returns the kernel, dialling it at the first request.  A
// kernel dialled while parsing (to look up a scope's interface) without
// leave to start one is dialled again for `create`, which has it.
func (p *prog) kernel() (cli.Kernel, error) {
	if p.k != nil && (p.kStart || !p.start) {
		return p.k, nil
	}
	k, err := p.env.Kernel(p.start)
	if err != nil {
		return nil, err
	}
	p.k, p.kStart = k, p.start
	return k, nil
}

// ioctl performs one request with ioctl(2)'s semantics.
func (p *prog) ioctl(cmd uint32, arg, buf []byte) error {
	k, err := p.kernel()
	if err != nil {
		return err
	}
	return k.Ioctl(cmd, arg, buf)
}
