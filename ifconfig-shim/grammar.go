package main

import (
	"maps"

	"nbwg/internal/ctype"
)

// The command-line grammar, after sbin/ifconfig/parse.c: a graph of small
// parsers (keywords, addresses, integers, strings, interface names,
// branches and terminals).  Matching a word yields a match holding the
// environment so far (the keys words set: "if", "af", "address",
// "alias", "mtu", ...), the parser for the next word and the word's
// action.  Words are matched from left to right; when they run out the
// parser graph is followed with no word until a parser accepts the end.
// Any word no parser accepts is a usage error: NetBSD has no "unknown
// keyword" message.

// penv is a parse environment (NetBSD keeps it in a proplib dictionary).
// Values are int64, bool, string, []byte or *sockaddr.  A penv is never
// changed once made: set returns a copy.
type penv map[string]any

// set returns e with key set to v; an empty key adds nothing.
func (e penv) set(key string, v any) penv {
	n := maps.Clone(e)
	if n == nil {
		n = penv{}
	}
	if key != "" {
		n[key] = v
	}
	return n
}

// augment returns e overridden by top, as prop_dictionary_augment does.
func (e penv) augment(top penv) penv {
	n := maps.Clone(e)
	if n == nil {
		n = penv{}
	}
	maps.Copy(n, top)
	return n
}

func (e penv) has(key string) bool { _, ok := e[key]; return ok }

func (e penv) int64(key string) (int64, bool) { v, ok := e[key].(int64); return v, ok }

func (e penv) bool(key string) (bool, bool) { v, ok := e[key].(bool); return v, ok }

func (e penv) str(key string) (string, bool) { v, ok := e[key].(string); return v, ok }

func (e penv) data(key string) ([]byte, bool) { v, ok := e[key].([]byte); return v, ok }

func (e penv) addr(key string) (*sockaddr, bool) { v, ok := e[key].(*sockaddr); return v, ok }

// af is getaf(): the family word given, or -1.
func (e penv) af() int {
	if v, ok := e.int64("af"); ok {
		return int(v)
	}
	return -1
}

// action is what a matched word does when the words are executed.  It
// returns nil, an *actionFailed (NetBSD's -1 with errno) or an
// exitStatus.
type action func(p *prog, e penv) error

// support says whether nbwg's ifconfig carries out a word.
type support int

const (
	supported support = iota
	// notForWG: the word configures something wg(4) interfaces do not
	// have (media, vlan, tunnel, carp, ...).
	notForWG
)

// match is one matched word (or end of words).
type match struct {
	env  penv
	next parser
	exec action
	word string
	// support of the keyword this word is or belongs to.
	support support
}

// outcome of a parser's attempt at a word.
type outcome int

const (
	noMatch outcome = iota
	matched
	// forbidden: the word is a keyword that may not appear here (a
	// second "alias"); parse.c's return value 1.
	forbidden
)

// parser matches one word, or the end of the words when arg is nil.  in
// is the environment built by the words before.  An error return ends
// the run at once (some parsers call err(3) while parsing).
type parser interface {
	match(p *prog, in penv, arg *string) (match, outcome, error)
}

// maxMatches is the size of sbin/ifconfig's match array: a command line
// needing more matches is a usage error.
const maxMatches = 32

// parse matches args starting at start; a parse failure prints the usage.
func (p *prog) parse(args []string, start parser) ([]match, error) {
	var ms []match
	in := penv{}
	cur := start
	for i := 0; cur != nil; i++ {
		var arg *string
		if i < len(args) {
			if len(ms) >= maxMatches {
				return nil, p.usage()
			}
			arg = &args[i]
		} else if len(ms) >= maxMatches {
			// parse.c stops matching the end of the words when
			// its array is full, and calls that a success.
			break
		}
		m, o, err := cur.match(p, in, arg)
		if err != nil {
			return nil, err
		}
		if o != matched {
			return nil, p.usage()
		}
		if arg != nil {
			m.word = *arg
		}
		ms = append(ms, m)
		in = m.env
		cur = m.next
	}
	// Words left when the graph ends (after "destroy", or the interface
	// of -s) are ignored, as parse() leaves them to main, which does not
	// look at them.
	return ms, nil
}

// keyword is one word of a keyword parser (struct kwinst).
type keyword struct {
	word string
	// key and val: what the word sets; val nil sets nothing.  When neg
	// is set "-word" matches too and sets negVal instead.
	key         string
	val, negVal any
	neg         bool
	// act: the word exists only once act is set; deact, altdeact: the
	// word is forbidden once they are set.
	act, deact, altdeact string
	next                 parser
	exec                 action
	support              support
}

// kwParser matches one of its keywords (struct pkw).  Its exec, when
// set, runs for every keyword (parse.c prefers the parser's exec).
type kwParser struct {
	words []keyword
	exec  action
}

func (k *kwParser) match(p *prog, in penv, arg *string) (match, outcome, error) {
	if arg == nil {
		return match{}, noMatch, nil
	}
	for i := range k.words {
		w := &k.words[i]
		if w.act != "" && !in.has(w.act) {
			continue
		}
		var v any
		switch {
		case w.neg && len(*arg) > 1 && (*arg)[0] == '-' && (*arg)[1:] == w.word:
			v = w.negVal
		case *arg == w.word:
			v = w.val
		default:
			continue
		}
		if (w.altdeact != "" && in.has(w.altdeact)) || (w.deact != "" && in.has(w.deact)) {
			return match{}, forbidden, nil
		}
		key := w.key
		if v == nil {
			key = "" // the word sets nothing
		}
		env := in.set(key, v)
		exec := k.exec
		if exec == nil {
			exec = w.exec
		}
		return match{env: env, next: w.next, exec: exec, support: w.support}, matched, nil
	}
	return match{}, noMatch, nil
}

// branchParser tries its branches in order and takes the first that
// matches (struct pbranch; every branch list of ifconfig matches first).
// A nil branch accepts the end of the words.
type branchParser struct {
	branches []parser
}

func (b *branchParser) match(p *prog, in penv, arg *string) (match, outcome, error) {
	for _, sub := range b.branches {
		if sub == nil {
			if arg == nil {
				return match{env: in.set("", nil)}, matched, nil
			}
			continue
		}
		m, o, err := sub.match(p, in, arg)
		if err != nil || o != noMatch {
			return m, o, err
		}
	}
	return match{}, noMatch, nil
}

// termParser accepts only the end of the words (struct pterm).
type termParser struct {
	key  string
	exec action
}

func (t *termParser) match(p *prog, in penv, arg *string) (match, outcome, error) {
	if arg != nil {
		return match{}, noMatch, nil
	}
	return match{env: in.set(t.key, true), exec: t.exec}, matched, nil
}

// ifaceParser takes an interface name (struct piface): anything up to
// IFNAMSIZ characters.
type ifaceParser struct {
	key  string
	exec action
	next parser
}

func (f *ifaceParser) match(p *prog, in penv, arg *string) (match, outcome, error) {
	if arg == nil || len(*arg) > ifnamsiz {
		return match{}, noMatch, nil
	}
	return match{env: in.set(f.key, *arg), next: f.next, exec: f.exec}, matched, nil
}

// intParser takes a decimal (or, base 0, C-prefixed) integer within
// [min, max] (struct pinteger).
type intParser struct {
	key      string
	base     int
	min, max int64
	exec     action
	next     parser
}

// anyInt64 is the range of a pinteger without explicit bounds.
const (
	minInt64 = -1 << 63
	maxInt64 = 1<<63 - 1
)

func (n *intParser) match(p *prog, in penv, arg *string) (match, outcome, error) {
	if arg == nil {
		return match{}, noMatch, nil
	}
	v, rest, ok := strtoimax(*arg, n.base)
	if !ok || rest != "" || v < n.min || v > n.max {
		return match{}, noMatch, nil
	}
	return match{env: in.set(n.key, v), next: n.next, exec: n.exec}, matched, nil
}

// strParser takes a string of at most 128 bytes, given in hexadecimal
// after "0x" when hexOK (struct pstr, util.c's get_string).
type strParser struct {
	key   string
	hexOK bool
	exec  action
	next  parser
}

// maxStr is the buffer get_string fills for a pstr.
const maxStr = 128

func (s *strParser) match(p *prog, in penv, arg *string) (match, outcome, error) {
	if arg == nil {
		return match{}, noMatch, nil
	}
	b, ok := p.getString(*arg, s.hexOK, maxStr)
	if !ok {
		return match{}, noMatch, nil
	}
	return match{env: in.set(s.key, b), next: s.next, exec: s.exec}, matched, nil
}

// getString is util.c's get_string without separators: the bytes of val,
// or of the hex digits after "0x"; it warns about bad input as NetBSD
// does, and the word then does not match.
func (p *prog) getString(val string, hexOK bool, max int) ([]byte, bool) {
	hex := hexOK && len(val) >= 2 && val[0] == '0' && (val[1] == 'x' || val[1] == 'X')
	if !hex {
		if len(val) > max {
			p.warnx("strings too long")
			return nil, false
		}
		return []byte(val), true
	}
	val = val[2:]
	var b []byte
	for len(val) > 0 {
		if len(val) < 2 || !ctype.IsXDigit(val[0]) || !ctype.IsXDigit(val[1]) {
			p.warnx("bad hexadecimal digits")
			return nil, false
		}
		if len(b) >= max {
			p.warnx("hexadecimal digits too long")
			return nil, false
		}
		b = append(b, ctype.HexVal(val[0])<<4|ctype.HexVal(val[1]))
		val = val[2:]
	}
	return b, true
}
