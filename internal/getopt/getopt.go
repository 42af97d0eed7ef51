// Package getopt reads a command line's flags as NetBSD's getopt(3) does
// (lib/libc/stdlib/getopt.c), for the front ends whose main() mirrors a
// C one:
//
//   - flags come first: the first word that is not a flag ends them, and
//     so does "--", which is consumed (no permutation, unlike GNU's);
//   - a word "-" alone, or one not starting with '-', is an operand;
//   - flags may cluster: "-ab" is "-a -b";
//   - a letter followed by ':' in the option string takes an argument:
//     the rest of its word ("-ffile") or else the next word ("-f file"),
//     whatever that word is;
//   - ':' is never a flag.
//
// Where getopt(3) prints its complaint and returns '?', a Parser stops
// and returns it as an error whose text is getopt's message ("unknown
// option -- c", "option requires an argument -- c"): the caller prints
// it as its own warnings are printed, or not at all.  NetBSD's special
// cases for an option string that begins with ':' (silence) or lists
// '-' (a lone "-" is a flag) are not provided; no nbwg front end uses
// them.
package getopt

import (
	"fmt"
	"strings"
)

// Error is getopt's complaint about a flag.
type Error struct {
	// Opt is the flag's letter (getopt's optopt).
	Opt byte
	// Missing tells that the flag takes an argument and none follows;
	// otherwise the flag is not in the option string.
	Missing bool
}

// Error returns getopt(3)'s message, without the program name.
func (e *Error) Error() string {
	if e.Missing {
		return fmt.Sprintf("option requires an argument -- %c", e.Opt)
	}
	return fmt.Sprintf("unknown option -- %c", e.Opt)
}

// Parser reads the flags of one command line, one per call to Next, as
// the C loop `while ((ch = getopt(argc, argv, optstring)) != -1)` does.
type Parser struct {
	argv      []string
	optstring string
	// ind is getopt's optind: the word being read, or after the flags
	// the first operand.
	ind int
	// place is the index in argv[ind] of the next letter of a flag
	// cluster; 0 when the next word is yet to be looked at.
	place int
	opt   byte
	arg   string
	err   error
	done  bool
}

// New returns a Parser for argv, whose first word is the program name,
// with the flags optstring allows (getopt(3)'s third argument).
func New(argv []string, optstring string) *Parser {
	return &Parser{argv: argv, optstring: optstring, ind: 1}
}

// Next reads the next flag, which Opt and Arg then return.  It returns
// false at the end of the flags, or at a flag getopt(3) complains about:
// then Err says which, and Optind gives the first operand.  Once Next has
// returned false it keeps doing so.
func (p *Parser) Next() bool {
	if p.done {
		return false
	}
	if p.place == 0 {
		if p.ind >= len(p.argv) {
			return p.stop(nil)
		}
		w := p.argv[p.ind]
		if w == "--" {
			p.ind++
			return p.stop(nil)
		}
		if len(w) < 2 || w[0] != '-' {
			return p.stop(nil)
		}
		p.place = 1
	}
	w := p.argv[p.ind]
	c := w[p.place]
	p.place++
	p.opt, p.arg = c, ""
	k := -1
	if c != ':' {
		k = strings.IndexByte(p.optstring, c)
	}
	if k < 0 {
		return p.stop(&Error{Opt: c})
	}
	if k+1 < len(p.optstring) && p.optstring[k+1] == ':' {
		switch {
		case p.place < len(w):
			p.arg = w[p.place:]
		case p.ind+1 < len(p.argv):
			p.ind++
			p.arg = p.argv[p.ind]
		default:
			return p.stop(&Error{Opt: c, Missing: true})
		}
		p.place = len(w)
	}
	if p.place >= len(w) {
		p.ind++
		p.place = 0
	}
	return true
}

// stop ends the flags, with err when a flag was refused.
func (p *Parser) stop(err error) bool {
	p.done, p.err = true, err
	return false
}

// Opt returns the letter of the flag Next read.
func (p *Parser) Opt() byte { return p.opt }

// Arg returns the argument of the flag Next read (getopt's optarg), ""
// for a flag that takes none.
func (p *Parser) Arg() string { return p.arg }

// Err returns the complaint that stopped Next, as an *Error, or nil when
// the flags ended normally.
func (p *Parser) Err() error { return p.err }

// Optind returns the index in argv of the first operand once Next has
// returned false without an error (getopt's optind).
func (p *Parser) Optind() int { return p.ind }
