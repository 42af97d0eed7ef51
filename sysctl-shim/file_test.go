package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFparseln(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want []logicalLine
	}{
		{"plain", "a=1\nb=2\n", []logicalLine{{"a=1", 1, 1}, {"b=2", 2, 2}}},
		{"no final newline", "a=1", []logicalLine{{"a=1", 1, 1}}},
		{"empty line", "a\n\nb\n", []logicalLine{{"a", 1, 1}, {"", 2, 2}, {"b", 3, 3}}},
		{"comment lines skipped", "# one\n# two\na\n", []logicalLine{{"a", 1, 3}}},
		{"trailing comment", "a=1 # why\n", []logicalLine{{"a=1 ", 1, 1}}},
		{"escaped comment", "a=\\#1\n", []logicalLine{{"a=\\#1", 1, 1}}},
		{"continuation", "a=\\\n1\nb\n", []logicalLine{{"a=1", 1, 2}, {"b", 3, 3}}},
		{"escaped backslash ends no line", "a=\\\\\nb\n", []logicalLine{{"a=\\\\", 1, 1}, {"b", 2, 2}}},
		// A comment line ends a continued line.
		{"continuation then comment", "a=\\\n# c\n1\n", []logicalLine{{"a=", 1, 2}, {"1", 3, 3}}},
		{"comment at the end", "a\n# end\n", []logicalLine{{"a", 1, 1}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lines := strings.SplitAfter(tc.in, "\n")
			if lines[len(lines)-1] == "" {
				lines = lines[:len(lines)-1]
			}
			var got []logicalLine
			for next := 0; ; {
				l, ok := fparseln(lines, &next)
				if !ok {
					break
				}
				got = append(got, l)
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(logicalLine{})); diff != "" {
				t.Errorf("fparseln(%q) (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

func TestFile(t *testing.T) {
	for _, tc := range []struct {
		name    string
		content string
		flags   []string
		want    result
		debug   int64
	}{
		{"ours", "# nbwg\nnet.wg.debug=3\n\nnet.wg.keepalive_timeout= 20 \nnet.wg.rekey_timeout\n", nil,
			ok("net.wg.debug: 0 -> 3\nnet.wg.keepalive_timeout: 10 -> 20\nnet.wg.rekey_timeout = 5\n"), 3},
		{"-n", "net.wg.debug=3\n", []string{"-n"}, ok("3\n"), 3},
		{"-q", "net.wg.debug=3\n", []string{"-q"}, ok(""), 3},
		// Errors carry the file and line and do not stop the run.
		{"errors", "net.wg.nope=1\nnet.wg.debug=x\nnet.wg.rekey_timeout=0\nnet.wg.debug=\\\n4\n", nil,
			result{Stdout: "net.wg.debug: 0 -> 4\n", Stderr: "sysctl: F#1: third level name 'nope' in 'net.wg.nope' is invalid\n" +
				"sysctl: F#2: x: not a number\n" +
				"sysctl: F#3: net.wg.rekey_timeout: Invalid argument\n", Code: 1}, 4},
		// The key is not trimmed (sysctl.c trims only the value).
		{"spaces around =", "net.wg.debug = 3\n", nil, fails("sysctl: F#1: third level name 'debug ' in 'net.wg.debug ' is invalid\n"), 0},
		// A file of the host's alone goes to it unchanged.
		{"host's", "kernel.a = 1\n", []string{"-n"}, ok("host: [-n] [-f] [F]\n"), 0},
		// A mixed file: the host's sysctl reads the rest, line
		// numbers kept.
		{"mixed", "kernel.a = 1\n# c\nnet.wg.debug=2\nkernel.b = 2", []string{"-n", "-e"},
			ok("2\nhost: [-n] [-p] [-]\nstdin: kernel.a = 1\nstdin: \nstdin: \nstdin: kernel.b = 2\n"), 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHost(t)
			path := filepath.Join(t.TempDir(), "sysctl.conf")
			if err := os.WriteFile(path, []byte(tc.content), 0o644); err != nil {
				t.Fatal(err)
			}
			got := h.run(append(tc.flags, "-f", path)...)
			got.Stdout = strings.ReplaceAll(got.Stdout, path, "F")
			got.Stderr = strings.ReplaceAll(got.Stderr, path, "F")
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("sysctl -f with %q (-want +got):\n%s", tc.content, diff)
			}
			if d := h.params.Debug.Load(); d != tc.debug {
				t.Errorf("net.wg.debug = %d, want %d", d, tc.debug)
			}
		})
	}
}

func TestFileMissing(t *testing.T) {
	h := newHost(t)
	want := fails("sysctl: /nonexistent/sysctl.conf: No such file or directory\n")
	if diff := cmp.Diff(want, h.run("-f", "/nonexistent/sysctl.conf")); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
