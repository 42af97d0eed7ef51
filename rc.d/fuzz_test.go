package rcd

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The ifconfig.wgN reader is shell (ifconfig.subr: nbwg_ifconfig_source,
// nbwg_ifconfig_lines, nbwg_ifconfig_parse; see doc.go for why), so it is
// fuzzed as shell: the fuzzer's text goes, as the file or as the rc.conf
// variable, through the reader under every POSIX shell found, and what
// each prints must be what a model of ifconfig.if(5)'s rules in Go says,
// byte for byte.  Only the reading is fuzzed: applying the lines evaluates
// them as shell, which is what they are for, and no fuzzer should.
//
// The inputs are bounded: at most maxFuzzText bytes, without NUL (a
// shell variable cannot hold one, and a file with one is not text).

const maxFuzzText = 4096

// fuzzShell is a shell to run the reader under.
type fuzzShell struct {
	name string
	argv []string
}

// fuzzShells finds the shells posixShells finds.
func fuzzShells(f *testing.F) []fuzzShell {
	var shs []fuzzShell
	if p, err := exec.LookPath("dash"); err == nil {
		shs = append(shs, fuzzShell{"dash", []string{p}})
	} else if p, err := exec.LookPath("sh"); err == nil {
		shs = append(shs, fuzzShell{"sh", []string{p}})
	} else {
		f.Skip("no sh on PATH")
	}
	if p, err := exec.LookPath("busybox"); err == nil && exec.Command(p, "ash", "-c", ":").Run() == nil {
		shs = append(shs, fuzzShell{"ash", []string{p, "ash"}})
	}
	if p, err := exec.LookPath("bash"); err == nil {
		shs = append(shs, fuzzShell{"bash", []string{p, "--posix"}})
	}
	return shs
}

// trimBlanks drops leading and trailing spaces and tabs, as _nbwg_trim
// (and read with the default IFS) does.
func trimBlanks(s string) string { return strings.Trim(s, " \t") }

// modelParse is nbwg_ifconfig_parse's output for text, from the rules
// of ifconfig.if(5) as ifconfig.subr's header states them: physical
// lines, the last one even without a newline; one CR before the newline
// dropped; each line trimmed; a line ending in a backslash joined to the
// next without it; the logical line trimmed, numbered by its first
// physical line, and left out when empty or a comment; then "create",
// "!..." (shell), "dhcp" or ifconfig arguments.
func modelParse(text string) string {
	phys := strings.SplitAfter(text, "\n")
	if phys[len(phys)-1] == "" {
		phys = phys[:len(phys)-1]
	}
	var out strings.Builder
	emit := func(n int, l string) {
		l = trimBlanks(l)
		switch {
		case l == "" || strings.HasPrefix(l, "#"):
		case l == "create":
			fmt.Fprintf(&out, "%d\tcreate\t\n", n)
		case strings.HasPrefix(l, "!"):
			fmt.Fprintf(&out, "%d\tshell\t%s\n", n, l[1:])
		case l == "dhcp":
			fmt.Fprintf(&out, "%d\tdhcp\t\n", n)
		default:
			fmt.Fprintf(&out, "%d\tifconfig\t%s\n", n, l)
		}
	}
	acc, first := "", 0
	for i, l := range phys {
		l = strings.TrimSuffix(l, "\n")
		l = trimBlanks(strings.TrimSuffix(l, "\r"))
		if first == 0 {
			first = i + 1
		}
		if strings.HasSuffix(l, "\\") {
			acc += l[:len(l)-1]
			continue
		}
		emit(first, acc+l)
		acc, first = "", 0
	}
	emit(first, acc) // a backslash on the last line joins nothing
	return out.String()
}

// modelSource is the text nbwg_ifconfig_source finds in a non-empty
// ifconfig_wg0 variable: ';' separates lines unless the value holds a
// newline, and the command substitution that splits it drops trailing
// newlines.
func modelSource(v string) string {
	if strings.Contains(v, "\n") {
		return v
	}
	return strings.TrimRight(strings.ReplaceAll(v, ";", "\n"), "\n")
}

// FuzzIfconfigReader reads text as /etc/ifconfig.wg0 (fromVar false) or
// as rc.conf's ifconfig_wg0 (fromVar true) with nbwg_ifconfig_source
// and nbwg_ifconfig_parse, under each shell, and compares with the model.
func FuzzIfconfigReader(f *testing.F) {
	for _, s := range []string{
		seedA,
		"create\nnet 10.2.0.1/24\n",
		"# wg0: the tunnel to B\n\n   # indented comment\n\t\ninet 10.0.0.1/24 # eval drops this\n#up\nup\n",
		"!wgconfig $int set listen-port 1234\n  !  echo \"$int\" ; true\n!\n",
		"  create  \ncreate inet 10.0.0.1/24\ncreated\n",
		"dhcp\n",
		"create\r\ninet 10.0.0.1/24 \r\n# comment\r\n\r\n!wgconfig $int set listen-port 1234\r\nup\r\n",
		"inet 10.0.0.1/24\r\nup\r",
		"!wgconfig $int add peer B KEY \\\n    --allowed-ips=10.2.0.42/32 \\\n\t--endpoint=192.0.2.123:1234\ninet\\\n6 fd00::1/64\nup\n",
		"# not this \\\ninet 10.0.0.1/24\nup\n",
		"up \\",
		"description a\\ b\\\\c\n",
		"\tinet\t10.0.0.1/24\t\n",
		"inet 10.2.0.1/24; !wgconfig $int set listen-port 1234;; # comment; up",
		"a\t\tb\n\\\n\\\\\n\r\r\n",
		"",
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	shells := fuzzShells(f)
	rcd, err := filepath.Abs(".")
	if err != nil {
		f.Fatal(err)
	}
	// Reading the script here lets go test's cache see it change (the
	// shells' reads are invisible to it).
	if _, err := os.ReadFile(filepath.Join(rcd, "ifconfig.subr")); err != nil {
		f.Fatal(err)
	}
	etc := f.TempDir()
	file := filepath.Join(etc, "ifconfig.wg0")
	const script = `. "$RCD/ifconfig.subr"
		if nbwg_ifconfig_source wg0; then
			printf '%s' "$_nbwg_text" | nbwg_ifconfig_parse
		else
			echo none
		fi`
	f.Fuzz(func(t *testing.T, text string, fromVar bool) {
		if len(text) > maxFuzzText || strings.IndexByte(text, 0) >= 0 {
			return
		}
		env := []string{"PATH=/usr/bin:/bin", "NBWG_ETC=" + etc, "RCD=" + rcd, "LC_ALL=C"}
		var want string
		switch {
		case fromVar && text != "":
			env = append(env, "ifconfig_wg0="+text)
			os.Remove(file)
			want = modelParse(modelSource(text))
		case fromVar:
			os.Remove(file)
			want = "none\n"
		default:
			if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			want = modelParse(text)
		}
		for _, sh := range shells {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			cmd := exec.CommandContext(ctx, sh.argv[0], append(sh.argv[1:], "-c", script)...)
			cmd.Env = env
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			cancel()
			if err != nil || stderr.Len() != 0 {
				t.Fatalf("%s: %v\n%s", sh.name, err, stderr.String())
			}
			if got := stdout.String(); got != want {
				t.Fatalf("%s reads %q (fromVar %v) as\n%q\nthe rules say\n%q", sh.name, text, fromVar, got, want)
			}
		}
	})
}
