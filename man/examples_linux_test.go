//go:build linux

package man

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"nbwg/internal/hosts"
)

// step is one command of a page's EXAMPLES: "A# command" (or "# command"
// where one host is enough), with its continuation lines and
// here-document, and the output the page shows after it.
type step struct {
	host string // "A", "B", or "" for the only host
	cmd  string
	want []string
	line int // of the page, for messages
}

// promptLine is a command line of the examples: root's prompt "#", after
// the host's name when there are several.
var promptLine = regexp.MustCompile(`^([A-Z]?)# (.*)$`)

// hereDoc finds a here-document's delimiter in a command.
var hereDoc = regexp.MustCompile(`<<-?\s*'?([A-Za-z_]+)'?`)

// exampleSteps reads the commands of a page's EXAMPLES: every line of a
// literal display that starts with a prompt, the lines continuing it
// (after a backslash, or up to a here-document's delimiter), and the
// display's lines after it up to the next prompt, which are its output.
// A display without prompts (the drawing) holds no commands.
func exampleSteps(t *testing.T, p *page) []step {
	t.Helper()
	var steps []step
	lines := p.section("EXAMPLES")
	first := p.sectionLine("EXAMPLES")
	inDisplay := false
	var cur *step
	for i := 0; i < len(lines); i++ {
		w := macroWords(lines[i])
		switch {
		case len(w) > 0 && w[0] == "Bd":
			inDisplay, cur = true, nil
			continue
		case len(w) > 0 && w[0] == "Ed":
			inDisplay, cur = false, nil
			continue
		case !inDisplay:
			continue
		}
		text := unescape(lines[i])
		m := promptLine.FindStringSubmatch(text)
		if m == nil {
			if cur != nil && text != "" {
				cur.want = append(cur.want, text)
			}
			continue
		}
		s := step{host: m[1], cmd: m[2], line: first + i + 1}
		for strings.HasSuffix(s.cmd, `\`) && i+1 < len(lines) {
			i++
			s.cmd += "\n" + unescape(lines[i])
		}
		if h := hereDoc.FindStringSubmatch(s.cmd); h != nil {
			for i+1 < len(lines) {
				i++
				s.cmd += "\n" + unescape(lines[i])
				if unescape(lines[i]) == h[1] {
					break
				}
			}
		}
		steps = append(steps, s)
		cur = &steps[len(steps)-1]
	}
	if len(steps) == 0 {
		t.Fatalf("%s: no commands in EXAMPLES", p.path)
	}
	return steps
}

// The parts of an output line that differ from run to run, written in
// the page with the values of one run: the link-local address and its
// scope, which come from the host's interfaces; the port B's kernel
// picked, which A learns; the time of the handshake.
var variableParts = []*regexp.Regexp{
	regexp.MustCompile(`fe80::[0-9a-f:]+%wg0`),
	regexp.MustCompile(`scopeid 0x[0-9a-f]+`),
	regexp.MustCompile(`198\.51\.100\.45:[0-9]+`),
	regexp.MustCompile(`latest-handshake: [A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2} [0-9]{4}`),
}

// linePattern turns an output line of the page into a pattern that
// matches the line any run prints: the variable parts become their
// patterns, the rest must be equal.
func linePattern(line string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	for line != "" {
		first, end, which := -1, -1, -1
		for i, re := range variableParts {
			if loc := re.FindStringIndex(line); loc != nil && (first < 0 || loc[0] < first) {
				first, end, which = loc[0], loc[1], i
			}
		}
		if first < 0 {
			b.WriteString(regexp.QuoteMeta(line))
			break
		}
		b.WriteString(regexp.QuoteMeta(line[:first]))
		b.WriteString("(?:" + variableParts[which].String() + ")")
		line = line[end:]
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

// TestExamples runs wg(4)'s EXAMPLES on two emulated hosts, A at
// 192.0.2.123 and B at 198.51.100.45, joined by a link: every command as
// the page writes it, each of which must succeed in silence or print
// what the page shows.  What the test adds:
//   - the keys the page shows are those of one run; the public key that
//     "cat /etc/wg/wg0.pub" prints in the page stands, in the commands
//     and output after it, for the one the host made;
//   - the page copies the preshared key to B in prose; the test copies
//     it right after A makes it;
//   - /etc/ifconfig.wg0 and /etc/rc.d/nbwg are a directory of the host's
//     own and the repository's rc.d script run with NBWG_ETC naming that
//     directory (ip netns exec can give a host its own copy only of
//     files that exist in the real /etc, and the test must not make any);
//     /etc/wg is the host's own.
func TestExamples(t *testing.T) {
	hosts.Integration(t)
	p := loadPage(t, "man4/wg.4")
	steps := exampleSteps(t, p)

	a, b := hosts.New(t, "A"), hosts.New(t, "B")
	// The link first: the kernels take the interface identifier of
	// their link-local addresses from it.
	hosts.Link(t, a, "192.0.2.123/24", b, "198.51.100.45/24")
	byName := map[string]*hosts.Host{"A": a, "B": b}
	peerOf := map[string]*hosts.Host{"A": b, "B": a}

	script := filepath.Join(moduleRoot(t), "rc.d", "network")
	if _, err := os.Stat(script); err != nil {
		t.Fatalf("the rc.d script: %v", err)
	}
	bootDir := map[string]string{}
	for name := range byName {
		bootDir[name] = t.TempDir()
	}

	keys := map[string]string{} // the page's key → this run's
	for _, st := range steps {
		h, ok := byName[st.host]
		if !ok {
			t.Fatalf("%s:%d: host %q? The example has hosts A and B", p.path, st.line, st.host)
		}
		rewrite := func(cmd string) string {
			cmd = strings.ReplaceAll(cmd, "/etc/rc.d/nbwg", "NBWG_ETC="+bootDir[st.host]+" "+script)
			return strings.ReplaceAll(cmd, "/etc/ifconfig.", bootDir[st.host]+"/ifconfig.")
		}
		runStep(t, p, h, st, keys, rewrite)
		// The page's prose copies the preshared key from A to B.
		if strings.Contains(st.cmd, "> /etc/wg/wg0.A-B") {
			peerOf[st.host].WriteFile(t, "wg/wg0.A-B", []byte(h.ReadFile(t, "wg/wg0.A-B")), 0o600)
		}
	}
	if len(keys) != 2 {
		t.Errorf("the example showed %d public keys, want A's and B's", len(keys))
	}
}

// runStep runs one step on h and checks it: it must exit 0, print
// nothing on standard error, and print the output the page shows (its
// variable parts aside).  keys maps the keys of the page to this run's;
// a step "cat ....pub" adds the public key it prints.  rewrite, if not
// nil, changes the command before it runs; it must leave the real /etc
// alone.
func runStep(t *testing.T, p *page, h *hosts.Host, st step, keys map[string]string, rewrite func(string) string) {
	t.Helper()
	prompt := st.host + "# " + st.cmd
	cmd := st.cmd
	for pageKey, key := range keys {
		cmd = strings.ReplaceAll(cmd, pageKey, key)
	}
	if rewrite != nil {
		cmd = rewrite(cmd)
	}
	if realEtc.MatchString(cmd) {
		t.Fatalf("%s:%d: %q would touch the real /etc", p.path, st.line, cmd)
	}

	r := h.Run(t, cmd)
	if r.Code != 0 || r.Stderr != "" {
		t.Fatalf("%s:%d: %s\nexit status %d\nstdout:\n%s\nstderr:\n%s", p.path, st.line, prompt, r.Code, r.Stdout, r.Stderr)
	}
	var got []string
	if r.Stdout != "" {
		got = strings.Split(strings.TrimSuffix(r.Stdout, "\n"), "\n")
	}

	if strings.HasPrefix(st.cmd, "cat ") && strings.HasSuffix(st.cmd, ".pub") {
		if len(st.want) != 1 || len(got) != 1 {
			t.Fatalf("%s:%d: %s: want one key line in the page and the output, page %q, output %q", p.path, st.line, prompt, st.want, got)
		}
		if k, err := base64.StdEncoding.DecodeString(got[0]); err != nil || len(k) != 32 {
			t.Fatalf("%s:%d: %s printed %q, not a key", p.path, st.line, prompt, got[0])
		}
		keys[st.want[0]] = got[0]
		return
	}
	if len(got) != len(st.want) {
		t.Errorf("%s:%d: %s\nprinted %d lines, the page shows %d:\n%s", p.path, st.line, prompt, len(got), len(st.want), r.Stdout)
		return
	}
	for i, w := range st.want {
		for pageKey, key := range keys {
			w = strings.ReplaceAll(w, pageKey, key)
		}
		if !linePattern(w).MatchString(got[i]) {
			t.Errorf("%s:%d: %s\nline %d: got  %q\n         page %q", p.path, st.line, prompt, i+1, got[i], w)
		}
	}
}

// realEtc matches the files of the real /etc an example could change:
// those a host does not have a private copy of.
var realEtc = regexp.MustCompile(`/etc/(rc\.d|ifconfig\.|rc\.conf)`)

// TestPageExamples runs the EXAMPLES of the command pages, each on a
// host of its own, as TestExamples runs wg(4)'s: every command verbatim,
// printing what the page shows.  setup prepares what an example takes
// for granted.  nbwgd(8)'s examples are not run: they name a namespace A
// of the machine and follow a log for ever; nor nbwg-go(8)'s, which need
// wg-quick's files and a peer (tests/uapi runs the same commands).
func TestPageExamples(t *testing.T) {
	hosts.Skip(t)
	for _, tt := range []struct {
		path, setup string
	}{
		{"man8/wg-keygen.8", ""},
		{"man8/ifconfig.8", ""},
		{"man8/sysctl.8", ""},
		{"man8/route.8", "ifconfig wg0 create && ifconfig wg0 inet 10.2.0.1/24 && ifconfig wg0 inet6 fd00:2::1/64"},
		{"man8/wgconfig.8", "ifconfig wg0 create && (umask 077; wg-keygen > /etc/wg/wg0; wg-keygen --psk > /etc/wg/wg0.A-B)"},
	} {
		t.Run(strings.TrimPrefix(tt.path, "man8/"), func(t *testing.T) {
			p := loadPage(t, tt.path)
			h := hosts.New(t, "H")
			if tt.setup != "" {
				h.MustRun(t, tt.setup)
			}
			keys := map[string]string{}
			for _, st := range exampleSteps(t, p) {
				if st.host != "" {
					t.Fatalf("%s:%d: a command for host %s; this page's examples have one host", p.path, st.line, st.host)
				}
				runStep(t, p, h, st, keys, nil)
			}
		})
	}
}

func TestExampleSteps(t *testing.T) {
	steps := exampleSteps(t, loadPage(t, "man4/wg.4"))
	var heredocs, continued int
	for _, s := range steps {
		if strings.Contains(s.cmd, "<<'EOF'") {
			heredocs++
			if !strings.HasSuffix(s.cmd, "\nEOF") {
				t.Errorf("here-document not closed: %q", s.cmd)
			}
		}
		if strings.Contains(s.cmd, "\\\n") {
			continued++
		}
	}
	if heredocs != 2 || continued < 2 {
		t.Errorf("read %d here-documents and %d continued commands from wg(4); want 2 and at least 2", heredocs, continued)
	}
	for _, tt := range []struct{ page, got string }{
		{"\tinet6 fe80::5484:7aff:fe2c:12ab%wg0/64 flags 0 scopeid 0x3", "\tinet6 fe80::1c:2ff:fe03:405%wg0/64 flags 0 scopeid 0x1b"},
		{"\tendpoint: 198.51.100.45:55071", "\tendpoint: 198.51.100.45:4"},
		{"\tlatest-handshake: Wed Nov 25 16:20:01 2026", "\tlatest-handshake: Thu Jan  1 00:00:09 2032"},
	} {
		if !linePattern(tt.page).MatchString(tt.got) {
			t.Errorf("linePattern(%q) does not match %q", tt.page, tt.got)
		}
	}
	if linePattern("\tendpoint: 192.0.2.123:1234").MatchString("\tendpoint: 192.0.2.123:1235") {
		t.Error("a fixed endpoint matched another port")
	}
}
