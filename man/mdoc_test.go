package man

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// A reader of the mdoc(7) these pages are written in: enough of it to
// find sections, macro arguments, SYNOPSIS forms and list items.  It
// reads the source rather than mandoc's rendering so that a keyword
// (Cm) can be told from a placeholder (Ar).

// page is one manual page source.
type page struct {
	path  string // relative to the man directory, e.g. "man8/wgconfig.8"
	name  string // "wgconfig"
	sect  string // "8"
	lines []string
}

// ref is the page's name as cross references write it: "wgconfig(8)".
func (p *page) ref() string { return p.name + "(" + p.sect + ")" }

// loadPages reads every page of the tree: man<section>/<name>.<section>.
func loadPages(t *testing.T) []*page {
	t.Helper()
	paths, err := filepath.Glob("man[0-9]/*.[0-9]")
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatal("no manual pages under man[0-9]/")
	}
	sort.Strings(paths)
	var pages []*page
	for _, path := range paths {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		base := filepath.Base(path)
		ext := filepath.Ext(base)
		pages = append(pages, &page{
			path:  path,
			name:  strings.TrimSuffix(base, ext),
			sect:  ext[1:],
			lines: strings.Split(strings.TrimSuffix(string(b), "\n"), "\n"),
		})
	}
	return pages
}

// loadPage reads one page of the tree, e.g. "man8/wgconfig.8".
func loadPage(t *testing.T, path string) *page {
	t.Helper()
	for _, p := range loadPages(t) {
		if p.path == path {
			return p
		}
	}
	t.Fatalf("no page %s", path)
	return nil
}

// section returns the lines of section name (between its .Sh and the
// next), without the .Sh line.
func (p *page) section(name string) []string {
	return between(p.lines, "Sh", name)
}

// sectionLine returns the line number (from 1) of the .Sh line of
// section name, so that an index into section(name) plus it is the line
// number of that line in the file.
func (p *page) sectionLine(name string) int {
	for i, l := range p.lines {
		if w := macroWords(l); len(w) > 1 && w[0] == "Sh" && strings.Join(w[1:], " ") == name {
			return i + 1
		}
	}
	return 0
}

// subsection returns the lines of subsection name within lines.
func subsection(lines []string, name string) []string {
	return between(lines, "Ss", name)
}

// between returns the lines after the heading macro ("Sh" or "Ss")
// whose argument is name, up to the next heading of the same or a higher
// level.
func between(lines []string, macro, name string) []string {
	var out []string
	in := false
	for _, l := range lines {
		w := macroWords(l)
		if len(w) > 0 && (w[0] == macro || w[0] == "Sh") {
			if in {
				break
			}
			in = w[0] == macro && strings.Join(w[1:], " ") == name
			continue
		}
		if in {
			out = append(out, l)
		}
	}
	return out
}

// macroWords splits a macro line into its macro name and arguments, as
// mdoc does: words separated by blanks, a double-quoted argument taken
// whole ("" inside quotes is a quote).  Escapes are left as they are
// (see unescape).  A text line or a comment gives nil.
func macroWords(line string) []string {
	if !strings.HasPrefix(line, ".") || strings.HasPrefix(line, `.\"`) {
		return nil
	}
	s := strings.TrimLeft(line[1:], " \t")
	var words []string
	for {
		s = strings.TrimLeft(s, " \t")
		if s == "" {
			return words
		}
		if s[0] == '"' {
			var b strings.Builder
			i := 1
			for ; i < len(s); i++ {
				if s[i] == '"' {
					if i+1 < len(s) && s[i+1] == '"' {
						b.WriteByte('"')
						i++
						continue
					}
					break
				}
				b.WriteByte(s[i])
			}
			words = append(words, b.String())
			if i >= len(s) {
				return words
			}
			s = s[i+1:]
			continue
		}
		i := strings.IndexAny(s, " \t")
		if i < 0 {
			return append(words, s)
		}
		words = append(words, s[:i])
		s = s[i:]
	}
}

// unescape turns the roff escapes these pages use into the characters
// they print: \- \e \& \(aq and the unpaddable space "\ ".
func unescape(s string) string {
	r := strings.NewReplacer(`\-`, "-", `\e`, `\`, `\&`, "", `\(aq`, "'", `\ `, " ")
	return r.Replace(s)
}

// callable are the mdoc macros that may appear as arguments of others on
// the lines these tests read; a word that is one of them starts a new
// macro rather than being an argument.
var callable = map[string]bool{
	"Ar": true, "Cm": true, "Fl": true, "Ic": true, "Li": true, "Nm": true,
	"Ns": true, "Oc": true, "Oo": true, "Op": true, "Pc": true, "Po": true,
	"Pq": true, "Ql": true, "Sy": true, "Va": true, "Ev": true, "Xr": true,
	"No": true, "Pa": true, "Dv": true, "Er": true, "Vt": true, "Sx": true,
}

// delimiter reports whether w is one of mdoc's delimiters, which end a
// Cm phrase and are no argument.
func delimiter(w string) bool {
	switch w {
	case ",", "|", ";", ".", ":", "(", ")", "[", "]", "?", "!":
		return true
	}
	return false
}

// usage is what a stretch of mdoc says a command line may hold.
type usage struct {
	// phrases are the Cm phrases, words of one Cm run joined by a
	// blank ("show peer"), split at delimiters ("arp , \-arp" is
	// "arp" and "-arp").
	phrases []string
	// long are options of two dashes, "--pub" or, written
	// "Fl \-endpoint Ns =", "--endpoint=".
	long []string
	// short are single-letter flags; "Fl df" gives 'd' and 'f'.
	short []byte
	// args are the Ar placeholders.
	args []string
}

func (u *usage) add(v usage) {
	u.phrases = append(u.phrases, v.phrases...)
	u.long = append(u.long, v.long...)
	u.short = append(u.short, v.short...)
	u.args = append(u.args, v.args...)
}

// parseUsage reads the macro words of one line (after its macro name
// when the line starts with a callable one, it counts too).
func parseUsage(words []string) usage {
	var u usage
	cur := ""
	var phrase []string
	endPhrase := func() {
		if len(phrase) > 0 {
			u.phrases = append(u.phrases, strings.Join(phrase, " "))
			phrase = nil
		}
	}
	dashes := 0    // leading dashes of the Fl being read
	flagWords := 0 // words read since the last Fl
	lastLong := -1 // index in u.long of the option just read, for "Ns ="
	pendingNs := false
	for _, w := range words {
		if callable[w] {
			if w == "Ns" {
				pendingNs = true
				continue
			}
			endPhrase()
			if w == "Fl" {
				if cur == "Fl" && flagWords == 0 {
					dashes++
				} else {
					dashes = 1
				}
				flagWords = 0
			}
			if w != "Fl" {
				lastLong = -1
			}
			cur = w
			pendingNs = false
			continue
		}
		if pendingNs && w == "=" && lastLong >= 0 {
			u.long[lastLong] += "="
			lastLong = -1
			pendingNs = false
			continue
		}
		pendingNs = false
		if delimiter(w) {
			endPhrase()
			continue
		}
		text := unescape(w)
		switch cur {
		case "Cm":
			phrase = append(phrase, text)
		case "Fl":
			flagWords++
			flag := strings.Repeat("-", dashes) + text
			switch {
			case strings.HasPrefix(flag, "--"):
				u.long = append(u.long, flag)
				lastLong = len(u.long) - 1
			case len(flag) > 1:
				u.short = append(u.short, flag[1:]...)
			}
		case "Ar":
			u.args = append(u.args, text)
		}
	}
	endPhrase()
	return u
}

// synopsisForms splits a SYNOPSIS into its forms, one per .Nm line, and
// reads each.
func synopsisForms(lines []string) []usage {
	var forms []usage
	for _, l := range lines {
		w := macroWords(l)
		if len(w) == 0 {
			continue
		}
		if w[0] == "Nm" {
			forms = append(forms, usage{})
		}
		if len(forms) == 0 {
			continue
		}
		forms[len(forms)-1].add(parseUsage(w))
	}
	return forms
}

// allOf merges forms.
func allOf(forms []usage) usage {
	var u usage
	for _, f := range forms {
		u.add(f)
	}
	return u
}

// item is one .It of a list: what its head line says and the lines of
// its body.
type item struct {
	line string // the .It line itself
	head usage
	body []string
}

// items returns the .It entries found in lines, nested lists included.
func items(lines []string) []item {
	var out []item
	for _, l := range lines {
		w := macroWords(l)
		if len(w) > 0 && w[0] == "It" {
			out = append(out, item{line: l, head: parseUsage(w)})
			continue
		}
		if len(w) > 0 && (w[0] == "El" || w[0] == "Bl") {
			continue
		}
		if len(out) > 0 {
			out[len(out)-1].body = append(out[len(out)-1].body, l)
		}
	}
	return out
}

// displays returns the text of the displays (.Bd ... .Ed) found in lines,
// one string each, escapes resolved, a newline after every line.
func displays(lines []string) []string {
	var out []string
	var b strings.Builder
	in := false
	for _, l := range lines {
		w := macroWords(l)
		switch {
		case len(w) > 0 && w[0] == "Bd":
			in = true
			b.Reset()
		case len(w) > 0 && w[0] == "Ed":
			in = false
			out = append(out, b.String())
		case in:
			b.WriteString(unescape(l) + "\n")
		}
	}
	return out
}

// set returns the distinct strings of a list, sorted.
func set[T ~string | ~byte](list []T) []string {
	m := map[string]bool{}
	for _, v := range list {
		m[string(v)] = true
	}
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestMacroWords(t *testing.T) {
	for _, tt := range []struct {
		line string
		want []string
	}{
		{`.Nm wgconfig`, []string{"Nm", "wgconfig"}},
		{`.Op Cm "show all"`, []string{"Op", "Cm", "show all"}},
		{`.Ql "say ""hi"""`, []string{"Ql", `say "hi"`}},
		{`.\" a comment`, nil},
		{`plain text`, nil},
	} {
		if got := macroWords(tt.line); strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("macroWords(%q) = %q, want %q", tt.line, got, tt.want)
		}
	}
}

func TestParseUsage(t *testing.T) {
	u := parseUsage(macroWords(`.Op Fl \-endpoint Ns = Ns Ar host : Ns Ar port`))
	if strings.Join(u.long, " ") != "--endpoint=" || strings.Join(u.args, " ") != "host port" {
		t.Errorf("endpoint: %+v", u)
	}
	u = parseUsage(macroWords(`.Op Fl Fl show-preshared-key`))
	if strings.Join(u.long, " ") != "--show-preshared-key" {
		t.Errorf("Fl Fl: %+v", u)
	}
	u = parseUsage(macroWords(`.Op Fl df`))
	if string(u.short) != "df" {
		t.Errorf("cluster: %+v", u)
	}
	u = parseUsage(macroWords(`.It Cm arp , \-arp , show peer Ar name , Cm up`))
	if strings.Join(u.phrases, "|") != "arp|-arp|show peer|up" {
		t.Errorf("phrases: %q", u.phrases)
	}
}
