package main

import (
	"os"
	"strings"

	"nbwg/kernel/sys"
)

// logicalLine is one line as fparseln(3) returns it, with the physical
// lines (1-based, inclusive) it was read from.
type logicalLine struct {
	text        string
	first, last int
}

// fparseln reads the next logical line from lines (physical lines, each
// with its newline but perhaps the last) as fparseln(3) does with the
// default delimiters (escape '\\', continuation '\\', comment '#') and
// no flags, which sysctl.c passes: an unescaped '#' starts a comment to
// the end of the line, a line that is only a comment is skipped, an
// unescaped '\\' at the end joins the next line, and escapes stay in
// the text.  *next is the index of the next physical line; ok is false
// at the end of the file.
func fparseln(lines []string, next *int) (l logicalLine, ok bool) {
	var buf []byte
	have := false
	l.first = *next + 1
	for more := true; more; {
		more = false
		if *next >= len(lines) {
			break
		}
		line := lines[*next]
		*next++
		s := len(line)
		for i := 0; i < s; i++ {
			if line[i] == '#' && !escaped(line, i) {
				s = i
				more = s == 0 && !have
				break
			}
		}
		if s > 0 && line[s-1] == '\n' {
			s--
		}
		if s > 0 && line[s-1] == '\\' && !escaped(line, s-1) {
			s--
			more = true
		}
		if s == 0 && (more || have) {
			continue
		}
		buf = append(buf, line[:s]...)
		have = true
	}
	l.text, l.last = string(buf), *next
	return l, have
}

// escaped reports whether line[i] follows an odd number of backslashes.
func escaped(line string, i int) bool {
	n := 0
	for i--; i >= 0 && line[i] == '\\'; i-- {
		n++
	}
	return n%2 == 1
}

// file is -f: each non-empty line of the file is an operand, as if given
// on the command line, except that errors carry "file#line: " and do
// not end the run (sysctl.c's EXIT returns under -f); the status is 1
// after any error.
//
// Lines naming the host's variables go to the host's sysctl, in one run
// after the lines of ours: a file with none of ours is handed over with
// the command line unchanged (Linux's sysctl reads -f as -p), otherwise
// its sysctl reads the file from standard input ("-p -") with the lines
// handled here blanked, so its line numbers stay the file's, and is
// given of the flags only those meaning the same to it (-n, -q).
func (p *prog) file() int {
	data, err := os.ReadFile(p.opts.f)
	if err != nil {
		p.flush()
		p.env.Warn(sys.ErrnoOf(err, sys.EIO), "%s", p.opts.f)
		return 1
	}
	lines := strings.SplitAfter(string(data), "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	var mine, theirs []logicalLine
	for next := 0; ; {
		l, ok := fparseln(lines, &next)
		if !ok {
			break
		}
		switch {
		case l.text == "":
		case isOurs(l.text):
			mine = append(mine, l)
		default:
			theirs = append(theirs, l)
		}
	}
	if len(mine) == 0 && len(theirs) > 0 {
		return p.handOff(p.env.Args[1:], nil)
	}
	p.fn = p.opts.f
	for _, l := range mine {
		p.nr = l.last
		if p.parse(l.text) {
			p.flush()
			return 1
		}
	}
	p.fn, p.nr = "", 0
	if len(theirs) == 0 {
		p.flush()
		return p.status()
	}
	var in strings.Builder
	for i, line := range lines {
		if covered(mine, i+1) {
			line = "\n"
		} else if !strings.HasSuffix(line, "\n") {
			line += "\n"
		}
		in.WriteString(line)
	}
	var args []string
	for range p.opts.n {
		args = append(args, "-n")
	}
	for range p.opts.q {
		args = append(args, "-q")
	}
	return p.handOff(append(args, "-p", "-"), strings.NewReader(in.String()))
}

// covered reports whether physical line n belongs to one of ls.
func covered(ls []logicalLine, n int) bool {
	for _, l := range ls {
		if n >= l.first && n <= l.last {
			return true
		}
	}
	return false
}
