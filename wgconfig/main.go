// Command wgconfig configures wg(4) interfaces as NetBSD's wgconfig(8)
// does (usr.sbin/wgconfig/wgconfig.c, rev 1.7): it reads and sets an
// interface's private key and listen port and adds, shows and deletes
// its peers, through SIOCSDRVSPEC/SIOCGDRVSPEC and proplib dictionaries.
//
// Sub-commands, usage text, diagnostics, exit statuses, output and the
// dictionaries sent to the kernel are NetBSD's.  Where nbwg differs, on
// purpose:
//   - show reads any number of peers: the reply buffer starts at NetBSD's
//     4096 bytes; nbwg's kernel then tells the size needed, and NetBSD's
//     kernel, which does not, gets a buffer that doubles while it answers
//     EINVAL or ENOMEM;
//   - add peer accepts --preshared-key-file= as well as --preshared-key=
//     (wgconfig(8) documents the former, the code accepts the latter);
//   - a key file holding fewer than 32 bytes of base64 leaves the rest
//     of the key zero, where NetBSD leaves uninitialized stack bytes.
//
// A link-local %scope names an interface of the network namespace
// wgconfig runs in, as the kernel's UDP sockets see them (package
// addrinfo does getaddrinfo(3) and getnameinfo(3)).
package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"strings"

	"nbwg/internal/cli"
	"nbwg/kernel/sys"
)

func main() {
	gcForOneCommand()
	os.Exit(run(cli.ProcessEnv()))
}

// gcForOneCommand turns the collector off below a soft memory limit.
// wgconfig lives for one request, and what it allocates stays live until
// it exits: a show of 10,000 peers spent a third of its time collecting
// and freed almost nothing (peak RSS 20.4 MB with GOGC=100, 19.9 MB
// without).  The limit keeps a show of a configuration far larger than
// that bounded.  GOGC or GOMEMLIMIT in the environment win.
func gcForOneCommand() {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetMemoryLimit(gcMemoryLimit)
	debug.SetGCPercent(-1)
}

// gcMemoryLimit is the heap wgconfig grows to before collecting.
const gcMemoryLimit = 256 << 20

// wgconfig is one invocation.
type wgconfig struct {
	env   *cli.Env
	iface string
	// out collects standard output: it may hold secrets, so it is
	// written once and cleared, and it is flushed before a
	// diagnostic so that the two streams read in order on a terminal.
	out bytes.Buffer
}

// command is one of wgconfig's sub-commands: <verb> <target> [args].
type command struct {
	verb, target string
	run          func(c *wgconfig, args []string) error
}

// commands is the dispatch table, tried in order (wgconfig.c: commands).
var commands = []command{
	{"show", "all", (*wgconfig).showAll},
	{"show", "peer", (*wgconfig).showPeer},
	{"show", "private-key", (*wgconfig).showPrivateKey},
	{"set", "private-key", (*wgconfig).setPrivateKey},
	{"set", "listen-port", (*wgconfig).setListenPort},
	{"add", "peer", (*wgconfig).addPeer},
	{"delete", "peer", (*wgconfig).deletePeer},
}

// extCommands are nbwg's extensions, tried after NetBSD's commands so
// that none of NetBSD's spellings changes meaning; the usage text, which
// is NetBSD's, does not list them (wgconfig.8 does).
var extCommands = []command{
	{"show", "public-key", (*wgconfig).showPublicKey},
	{"set", "peer", (*wgconfig).setPeer},
}

// run is wgconfig with its world in env; it returns the exit status.
func run(env *cli.Env) int {
	c := &wgconfig{env: env}
	defer func() {
		clear(c.out.Bytes()[:c.out.Cap()])
	}()
	err := c.main(env.Args)
	c.flush()
	var f *failure
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errUsage):
		c.usage()
	case errors.As(err, &f):
		env.Warnx("%s", f.msg)
	case errors.Is(err, errSilent):
	default:
		env.Warnx("%v", err)
	}
	return 1
}

// main parses the command line as wgconfig.c's main does: the verb and
// the target are matched by prefix (the argument must begin with them).
func (c *wgconfig) main(args []string) error {
	if len(args) < 2 || args[1] == "-h" || args[1] == "-?" || args[1] == "--help" {
		return errUsage
	}
	c.iface = args[1]
	// NetBSD compares with IFNAMSIZ itself, then truncates the name
	// into ifd_name.
	if len(c.iface) > sys.IFNAMSIZ {
		return errx("interface name too long")
	}
	if len(args) == 2 {
		return c.showAll(nil)
	}
	if len(args) < 4 {
		return errUsage
	}
	verb, target := args[2], args[3]
	for _, cmd := range append(commands[:len(commands):len(commands)], extCommands...) {
		if strings.HasPrefix(verb, cmd.verb) && strings.HasPrefix(target, cmd.target) {
			return cmd.run(c, args[4:])
		}
	}
	return errUsage
}

// usage prints NetBSD's usage text to standard error, byte for byte:
// nbwg's extensions are in wgconfig(8), not here, so that scripts and
// tests matching NetBSD's text keep working.
func (c *wgconfig) usage() {
	var b strings.Builder
	b.WriteString("Usage:\n")
	for _, s := range []string{
		"[show all]",
		"show peer <peer name> [--show-preshared-key]",
		"show private-key",
		"set private-key <file path>",
		"set listen-port <port>",
		"add peer <peer name> <base64 public key>\n" +
			"\t                     [--preshared-key=<file path>] [--endpoint=<ip>:<port>]\n" +
			"\t                     [--allowed-ips=<ip1>/<cidr1>[,<ip2>/<cidr2>]...]",
		"delete peer <peer name>",
	} {
		fmt.Fprintf(&b, "\t%s <interface> %s\n", c.env.Progname(), s)
	}
	fmt.Fprint(c.env.Stderr, b.String())
}

// printf appends to standard output.
func (c *wgconfig) printf(format string, a ...any) {
	fmt.Fprintf(&c.out, format, a...)
}

// print appends strings to standard output, as printf with %s would,
// without formatting: a show of thousands of peers prints many lines.
func (c *wgconfig) print(s ...string) {
	for _, x := range s {
		c.out.WriteString(x)
	}
}

// flush writes what standard output holds so far.
func (c *wgconfig) flush() {
	if c.out.Len() == 0 {
		return
	}
	c.env.Stdout.Write(c.out.Bytes())
	clear(c.out.Bytes())
	c.out.Reset()
}

// warnx prints a warning as warnx(3), after the output so far.
func (c *wgconfig) warnx(format string, a ...any) {
	c.flush()
	c.env.Warnx(format, a...)
}
