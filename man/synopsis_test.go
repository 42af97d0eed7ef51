package man

import (
	"go/ast"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Each command's SYNOPSIS against the command: the usage text the built
// program prints and the table or option string its parser reads.  A
// sub-command or option added to a parser, or to a usage text, without
// the page following fails here, and so does a page documenting what the
// program does not accept.

// documented returns the Cm phrases, long options and flag letters that
// head the .It entries of a page's DESCRIPTION.
func documented(p *page) usage {
	var u usage
	for _, sec := range []string{"DESCRIPTION", "NBWG EXTENSIONS"} {
		for _, it := range items(p.section(sec)) {
			u.add(it.head)
		}
	}
	return u
}

// missing returns the elements of want that got lacks.
func missing(want, got []string) []string {
	have := map[string]bool{}
	for _, g := range got {
		have[g] = true
	}
	var out []string
	for _, w := range want {
		if !have[w] {
			out = append(out, w)
		}
	}
	return out
}

// usageFlagLetters returns the flag letters in the synopsis lines of a
// usage text: the lines whose first word, after an optional "usage:", is
// the program's name.
func usageFlagLetters(text, prog string) []string {
	flag := regexp.MustCompile(`(?:^|[\s\[|])-([A-Za-z]+)`)
	var out []byte
	for _, l := range strings.Split(text, "\n") {
		f := strings.Fields(strings.TrimPrefix(strings.TrimSpace(l), "usage:"))
		if len(f) == 0 || f[0] != prog {
			continue
		}
		for _, m := range flag.FindAllStringSubmatch(strings.Join(f[1:], " "), -1) {
			out = append(out, m[1]...)
		}
	}
	return set(out)
}

func TestSynopsisWgconfig(t *testing.T) {
	p := loadPage(t, "man8/wgconfig.8")
	src := parseGoPackage(t, "wgconfig")

	// The parser: the commands table ({verb, target, func}) and add
	// peer's option table ({prefix, func}), and show peer's option.
	// NetBSD's commands are in "commands" and its usage text; nbwg's
	// extensions in "extCommands", add peer's options (which set peer
	// takes too) and some constants, and only on the page.
	var parserCmds, extCmds, parserOpts []string
	for _, row := range src.tableRows(t, "commands") {
		if len(row) != 2 {
			t.Fatalf("wgconfig commands row %q: want verb and target", row)
		}
		parserCmds = append(parserCmds, row[0]+" "+row[1])
	}
	for _, row := range src.tableRows(t, "extCommands") {
		if len(row) != 2 {
			t.Fatalf("wgconfig extCommands row %q: want verb and target", row)
		}
		extCmds = append(extCmds, row[0]+" "+row[1])
	}
	for _, table := range []string{"peerOptions"} {
		for _, row := range src.tableRows(t, table) {
			if len(row) != 1 {
				t.Fatalf("wgconfig %s row %q: want one prefix", table, row)
			}
			parserOpts = append(parserOpts, row[0])
		}
	}
	for _, name := range []string{"showPeerOption", "optVerbose", "optDump", "optNoPSK"} {
		parserOpts = append(parserOpts, src.constString(t, name))
	}

	// The usage text: "\twgconfig <interface> <verb> <target> ..." with
	// "[show all]" optional, and the options wherever they are.
	text := usageText(t, "wgconfig")
	if !strings.HasPrefix(text, "Usage:\n") {
		t.Fatalf("wgconfig usage text:\n%s", text)
	}
	var usageCmds []string
	line := regexp.MustCompile(`(?m)^\t\S+ <interface> (.*)$`)
	for _, m := range line.FindAllStringSubmatch(text, -1) {
		rest := m[1]
		if strings.HasPrefix(rest, "[") && strings.HasSuffix(rest, "]") && !strings.Contains(rest, "<") {
			usageCmds = append(usageCmds, strings.Trim(rest, "[]"))
			continue
		}
		var words []string
		for _, w := range strings.Fields(rest) {
			if strings.HasPrefix(w, "<") || strings.HasPrefix(w, "[") {
				break
			}
			words = append(words, w)
		}
		usageCmds = append(usageCmds, strings.Join(words, " "))
	}
	usageOpts := regexp.MustCompile(`--[a-z][a-z-]*=?`).FindAllString(text, -1)

	syn := allOf(synopsisForms(p.section("SYNOPSIS")))
	if diff := cmp.Diff(set(parserCmds), set(usageCmds)); diff != "" {
		t.Errorf("wgconfig's usage text and its commands table differ (-table +usage):\n%s", diff)
	}
	if m := missing(set(usageOpts), set(parserOpts)); len(m) > 0 {
		t.Errorf("wgconfig's usage text shows options its parser refuses: %q", m)
	}
	if diff := cmp.Diff(set(append(parserCmds, extCmds...)), set(syn.phrases)); diff != "" {
		t.Errorf("wgconfig.8 SYNOPSIS sub-commands (-parser +page):\n%s", diff)
	}
	if diff := cmp.Diff(set(append(parserOpts, usageOpts...)), set(syn.long)); diff != "" {
		t.Errorf("wgconfig.8 SYNOPSIS options (-parser and usage +page):\n%s", diff)
	}
	if len(syn.short) > 0 {
		t.Errorf("wgconfig.8 SYNOPSIS has flags wgconfig does not take: %q", syn.short)
	}
	doc := documented(p)
	if m := missing(set(append(parserCmds, extCmds...)), set(doc.phrases)); len(m) > 0 {
		t.Errorf("wgconfig.8 DESCRIPTION has no entry for sub-commands %q", m)
	}
	if m := missing(set(parserOpts), set(doc.long)); len(m) > 0 {
		t.Errorf("wgconfig.8 DESCRIPTION has no entry for options %q", m)
	}
}

func TestSynopsisWgKeygen(t *testing.T) {
	p := loadPage(t, "man8/wg-keygen.8")
	src := parseGoPackage(t, "wg-keygen")

	// The parser: the strings args[1] is compared with, and the form
	// without an argument.
	parserForms := []string{""}
	ast.Inspect(src.file(t, "main.go"), func(n ast.Node) bool {
		b, ok := n.(*ast.BinaryExpr)
		if !ok || b.Op.String() != "==" {
			return true
		}
		if ix, ok := b.X.(*ast.IndexExpr); ok {
			if id, ok := ix.X.(*ast.Ident); ok && id.Name == "args" {
				if s, ok := stringLit(b.Y); ok {
					parserForms = append(parserForms, s)
				}
			}
		}
		return true
	})
	if len(parserForms) == 1 {
		t.Fatal("wg-keygen/main.go: no comparison of args[1] with an option; update man's tests to the parser's new layout")
	}

	// The usage text: "\twg-keygen [--opt] : what it does".
	text := usageText(t, "wg-keygen", "--bad")
	var usageForms []string
	for _, m := range regexp.MustCompile(`(?m)^\t\S+ +(--\S+)? *:`).FindAllStringSubmatch(text, -1) {
		usageForms = append(usageForms, m[1])
	}

	var pageForms []string
	for _, f := range synopsisForms(p.section("SYNOPSIS")) {
		if len(f.long) > 1 || len(f.short) > 0 || len(f.phrases) > 0 {
			t.Errorf("wg-keygen.8 SYNOPSIS form %+v: wg-keygen takes one option or none", f)
		}
		pageForms = append(pageForms, strings.Join(f.long, ""))
	}
	if diff := cmp.Diff(set(parserForms), set(usageForms)); diff != "" {
		t.Errorf("wg-keygen's usage text and its parser differ (-parser +usage):\n%s", diff)
	}
	if diff := cmp.Diff(set(parserForms), set(pageForms)); diff != "" {
		t.Errorf("wg-keygen.8 SYNOPSIS (-parser +page):\n%s", diff)
	}
	if m := missing(set(parserForms[1:]), set(documented(p).long)); len(m) > 0 {
		t.Errorf("wg-keygen.8 DESCRIPTION has no entry for %q", m)
	}
}

// checkFlags compares a page's SYNOPSIS flags with a command's option
// string and usage text, and checks that DESCRIPTION has an entry for
// each.  unlisted are letters the parser takes that the SYNOPSIS leaves
// out on purpose (deprecated ones), which DESCRIPTION must still list.
func checkFlags(t *testing.T, p *page, optstring, usage, prog, unlisted string) {
	t.Helper()
	parser := set(letters(optstring))
	fromUsage := usageFlagLetters(usage, prog)
	syn := allOf(synopsisForms(p.section("SYNOPSIS")))
	if m := missing(fromUsage, parser); len(m) > 0 {
		t.Errorf("%s's usage text shows flags its option string %q lacks: %q", prog, optstring, m)
	}
	var want []string
	for _, l := range parser {
		if !strings.Contains(unlisted, l) {
			want = append(want, l)
		}
	}
	if diff := cmp.Diff(want, set(syn.short)); diff != "" {
		t.Errorf("%s SYNOPSIS flags (-option string %q +page):\n%s", p.path, optstring, diff)
	}
	if m := missing(fromUsage, set(syn.short)); len(m) > 0 {
		t.Errorf("%s SYNOPSIS lacks flags of the usage text: %q", p.path, m)
	}
	if len(syn.long) > 0 {
		t.Errorf("%s SYNOPSIS has long options %s does not take: %q", p.path, prog, syn.long)
	}
	if m := missing(parser, set(documented(p).short)); len(m) > 0 {
		t.Errorf("%s DESCRIPTION has no entry for flags %q", p.path, m)
	}
}

func TestSynopsisNbwgd(t *testing.T) {
	p := loadPage(t, "man8/nbwgd.8")
	src := parseGoPackage(t, "kernel/cmd/nbwgd")

	// The parser: the flag package's definitions, flag.Bool("f", ...).
	var optstring strings.Builder
	ast.Inspect(src.file(t, "main_linux.go"), func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || len(call.Args) == 0 {
			return true
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		if pkg, ok := sel.X.(*ast.Ident); !ok || pkg.Name != "flag" {
			return true
		}
		if s, ok := stringLit(call.Args[0]); ok {
			optstring.WriteString(s)
		}
		return true
	})
	if optstring.Len() == 0 {
		t.Fatal("kernel/cmd/nbwgd/main_linux.go defines no flags; update man's tests to the parser's new layout")
	}
	checkFlags(t, p, optstring.String(), usageText(t, "nbwgd", "-:"), "nbwgd", "")
}

// TestSynopsisNbwgGo: nbwg-go's SYNOPSIS against its usage text and its
// parser, which takes -f and --foreground (wireguard-go's spelling) and
// one interface.
func TestSynopsisNbwgGo(t *testing.T) {
	p := loadPage(t, "man8/nbwg-go.8")
	src := parseGoPackage(t, "kernel/cmd/nbwg-go")
	var parser []string
	ast.Inspect(src.file(t, "main_linux.go"), func(n ast.Node) bool {
		if e, ok := n.(ast.Expr); ok {
			if s, ok := stringLit(e); ok && (s == "-f" || strings.HasPrefix(s, "--")) && s != "--version" {
				parser = append(parser, s)
			}
		}
		return true
	})
	text := usageText(t, "nbwg-go")
	want := regexp.MustCompile(`^usage: nbwg-go \[-f \| --foreground\] interface\n$`)
	if !want.MatchString(text) {
		t.Fatalf("nbwg-go's usage text: %q", text)
	}
	syn := allOf(synopsisForms(p.section("SYNOPSIS")))
	var page []string
	for _, c := range syn.short {
		page = append(page, "-"+string(c))
	}
	page = append(page, syn.long...)
	if diff := cmp.Diff(set(parser), set(page)); diff != "" {
		t.Errorf("%s SYNOPSIS options (-parser +page):\n%s", p.path, diff)
	}
	if diff := cmp.Diff([]string{"interface"}, syn.args); diff != "" {
		t.Errorf("%s SYNOPSIS arguments (-usage +page):\n%s", p.path, diff)
	}
	if m := missing(set(parser), append(documentedOptions(p), "--version")); len(m) > 0 {
		t.Errorf("%s DESCRIPTION has no entry for %q", p.path, m)
	}
}

// documentedOptions are the options the .It heads of a page's DESCRIPTION
// name, as -x and --long.
func documentedOptions(p *page) []string {
	d := documented(p)
	out := append([]string(nil), d.long...)
	for _, c := range d.short {
		out = append(out, "-"+string(c))
	}
	return out
}

func TestSynopsisSysctl(t *testing.T) {
	p := loadPage(t, "man8/sysctl.8")
	src := parseGoPackage(t, "sysctl-shim")
	// A net.wg name keeps the command line this program's: one without
	// any goes to the host's sysctl, usage and all.
	text := usageText(t, "sysctl", "-:", "net.wg")
	checkFlags(t, p, src.constString(t, "optstring"), text, "sysctl", "")
}

// ifconfigPlaceholders are the words of ifconfig's usage text that stand
// for values, not keywords.
var ifconfigPlaceholders = []string{
	"address", "af", "dest_addr", "duration", "i", "iface",
	"local-cookie", "local-cookie-length", "local-session-id", "mask",
	"minst", "n", "network_id", "network_key", "opts", "p", "passphrase",
	"peer_addr", "remote-cookie", "remote-cookie-length",
	"remote-session-id", "src_addr", "str", "type",
}

// ifconfigWords reads the keywords of ifconfig-shim's grammar from a
// file: every keyword literal ({word: "up", ...}, "-word" too when it
// has neg: true), every flagWord("arp", ...) call (both forms) and, for
// the capability list, every string of a []string literal (flag words
// too).  support maps each word to the support value it is given.
func ifconfigWords(f *ast.File) (words []string, support map[string]string) {
	support = map[string]string{}
	add := func(w, s string) {
		words = append(words, w)
		support[w] = s
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CompositeLit:
			if at, ok := n.Type.(*ast.ArrayType); ok {
				if id, ok := at.Elt.(*ast.Ident); ok && id.Name == "string" {
					for _, e := range n.Elts {
						if s, ok := stringLit(e); ok {
							add(s, "flagWord")
							add("-"+s, "flagWord")
						}
					}
				}
				return true
			}
			var word, sup string
			neg := false
			for _, e := range n.Elts {
				kv, ok := e.(*ast.KeyValueExpr)
				if !ok {
					continue
				}
				key, ok := kv.Key.(*ast.Ident)
				if !ok {
					continue
				}
				switch key.Name {
				case "word":
					word, _ = stringLit(kv.Value)
				case "neg":
					id, ok := kv.Value.(*ast.Ident)
					neg = ok && id.Name == "true"
				case "support":
					if id, ok := kv.Value.(*ast.Ident); ok {
						sup = id.Name
					}
				}
			}
			if word != "" {
				add(word, sup)
				if neg {
					add("-"+word, sup)
				}
			}
		case *ast.CallExpr:
			id, ok := n.Fun.(*ast.Ident)
			if !ok || id.Name != "flagWord" || len(n.Args) != 4 {
				return true
			}
			if w, ok := stringLit(n.Args[0]); ok {
				sup := ""
				if s, ok := n.Args[3].(*ast.Ident); ok {
					sup = s.Name
				}
				add(w, sup)
				add("-"+w, sup)
			}
		}
		return true
	})
	return set(words), support
}

func TestSynopsisIfconfig(t *testing.T) {
	p := loadPage(t, "man8/ifconfig.8")
	src := parseGoPackage(t, "ifconfig-shim")
	text := usageText(t, "ifconfig", "-:")

	// Flags: every letter of the option string but the deprecated -A,
	// which DESCRIPTION lists.
	checkFlags(t, p, src.constString(t, "optstring"), text, "ifconfig", "A")

	// Keywords: words.go holds NetBSD's core grammar, which the page's
	// Parameters list must give word for word; foreign.go the words of
	// other kinds of interface, which the page lists as refused.
	own, _ := ifconfigWords(src.file(t, "words.go"))
	foreign, _ := ifconfigWords(src.file(t, "foreign.go"))
	var families []string
	for _, row := range src.tableRows(t, "families") {
		families = append(families, row[0])
	}

	desc := p.section("DESCRIPTION")
	var params usage
	paramItems := items(subsection(desc, "Parameters"))
	for _, it := range paramItems {
		params.add(it.head)
	}
	if diff := cmp.Diff(own, set(params.phrases)); diff != "" {
		t.Errorf("ifconfig.8 Parameters (-words.go +page):\n%s", diff)
	}
	var refused usage
	for _, l := range subsection(desc, "Parameters for other kinds of interface") {
		refused.add(parseUsage(macroWords(l)))
	}
	if diff := cmp.Diff(foreign, set(refused.phrases)); diff != "" {
		t.Errorf("ifconfig.8 Parameters for other kinds of interface (-foreign.go +page):\n%s", diff)
	}
	var fams usage
	for _, it := range items(subsection(desc, "Address families")) {
		fams.add(it.head)
	}
	if diff := cmp.Diff(set(families), set(fams.phrases)); diff != "" {
		t.Errorf("ifconfig.8 Address families (-words.go +page):\n%s", diff)
	}

	// The SYNOPSIS forms with a sub-command: create and destroy, as in
	// the usage text's last lines.
	syn := allOf(synopsisForms(p.section("SYNOPSIS")))
	var usageClone []string
	for _, m := range regexp.MustCompile(`(?m)^\s+\S+ interface (\S+)$`).FindAllStringSubmatch(text, -1) {
		usageClone = append(usageClone, m[1])
	}
	if diff := cmp.Diff(set(usageClone), set(syn.phrases)); diff != "" {
		t.Errorf("ifconfig.8 SYNOPSIS sub-commands (-usage +page):\n%s", diff)
	}
	if m := missing(set(syn.phrases), own); len(m) > 0 {
		t.Errorf("ifconfig.8 SYNOPSIS has sub-commands the grammar lacks: %q", m)
	}

	// The usage text's parameter lines hold keywords of the grammar and
	// placeholders, nothing else.
	known := map[string]bool{}
	for _, w := range append(append(append([]string{}, own...), foreign...), families...) {
		known[w] = true
	}
	seen := map[string]bool{}
	for _, l := range strings.Split(text, "\n") {
		if !strings.HasPrefix(l, "\t") {
			continue // the synopsis lines, read for flags above
		}
		for _, w := range strings.Fields(strings.NewReplacer("[", " ", "]", " ", "|", " ").Replace(l)) {
			seen[w] = true
			if !known[w] && !contains(ifconfigPlaceholders, w) {
				t.Errorf("ifconfig's usage text has %q, which is no keyword of its grammar and no placeholder this test knows", w)
			}
		}
	}
	for _, w := range ifconfigPlaceholders {
		if !seen[w] {
			t.Errorf("placeholder %q no longer appears in ifconfig's usage text; drop it from ifconfigPlaceholders", w)
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestSynopsisRoute(t *testing.T) {
	p := loadPage(t, "man8/route.8")
	src := parseGoPackage(t, "route-shim")
	// route.c's usage message begins "Usage:", capitalized.
	text := strings.Replace(usageText(t, "route"), "Usage: ", "usage: ", 1)
	checkFlags(t, p, src.constString(t, "optstring"), text, "route", "")

	// The commands: keywords.go's commands, the SYNOPSIS's and the
	// Commands list's.
	lit, ok := src.valueSpec(t, "commands").Values[0].(*ast.CompositeLit)
	if !ok {
		t.Fatal("route-shim: commands is not a composite literal; update man's tests")
	}
	var cmds []string
	for _, e := range lit.Elts {
		if s, ok := stringLit(e); ok {
			cmds = append(cmds, s)
		}
	}
	syn := allOf(synopsisForms(p.section("SYNOPSIS")))
	if diff := cmp.Diff(set(cmds), set(syn.phrases)); diff != "" {
		t.Errorf("route.8 SYNOPSIS commands (-commands +page):\n%s", diff)
	}
	var listed usage
	for _, it := range items(subsection(p.section("DESCRIPTION"), "Commands")) {
		listed.add(it.head)
	}
	if diff := cmp.Diff(set(cmds), set(listed.phrases)); diff != "" {
		t.Errorf("route.8 Commands (-commands +page):\n%s", diff)
	}

	// The modifiers: every other keyword has an entry ".It Fl word".
	isCmd := map[string]bool{}
	for _, c := range cmds {
		isCmd[c] = true
	}
	var modifiers []string
	for _, row := range src.tableRows(t, "keywords") {
		if len(row) != 1 {
			t.Fatalf("route-shim keywords row %q: want one word", row)
		}
		if !isCmd[row[0]] {
			modifiers = append(modifiers, row[0])
		}
	}
	var documented []string
	for _, it := range items(subsection(p.section("DESCRIPTION"), "Modifiers")) {
		if w := macroWords(it.line); len(w) > 2 && w[1] == "Fl" {
			documented = append(documented, w[2])
		}
	}
	if diff := cmp.Diff(set(modifiers), set(documented)); diff != "" {
		t.Errorf("route.8 Modifiers (-keywords.go +page):\n%s", diff)
	}
}
