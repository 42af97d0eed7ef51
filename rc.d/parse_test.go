package rcd

import (
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// line is one action nbwg_ifconfig_parse found: the number of its first
// physical line, its kind (create, shell, dhcp, ifconfig) and its text.
type line struct {
	N    int
	Kind string
	Text string
}

// parse runs nbwg_ifconfig_parse on text.
func parse(t *testing.T, sh shell, text string) []line {
	t.Helper()
	h := newFakeHost(t)
	r := h.run(t, sh, text, "-c", `. "$RCD/ifconfig.subr" && nbwg_ifconfig_parse`)
	if r.Code != 0 || r.Stderr != "" {
		t.Fatalf("nbwg_ifconfig_parse: exit %d, stderr %q", r.Code, r.Stderr)
	}
	return parseOutput(t, r.Stdout)
}

// parseOutput reads "N<tab>KIND<tab>TEXT" lines.
func parseOutput(t *testing.T, out string) []line {
	t.Helper()
	var ls []line
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if l == "" {
			continue
		}
		f := strings.SplitN(l, "\t", 3)
		if len(f) != 3 {
			t.Fatalf("parse output %q: want N<tab>KIND<tab>TEXT", l)
		}
		n, err := strconv.Atoi(f[0])
		if err != nil {
			t.Fatalf("parse output %q: %v", l, err)
		}
		ls = append(ls, line{n, f[1], f[2]})
	}
	return ls
}

// seedA is the file of issue 4 for host A, with its two mistakes fixed.
const seedA = `create
inet 10.2.0.1/24
inet6 fd00:2::1/64
!wgconfig $int set private-key /etc/wg/$int
!wgconfig $int set listen-port 1234
!wgconfig $int add peer B X7EGm3T3IfodBcyilkaC89j0SH3XD6+/pwvp7Dgp5SU= --preshared-key=/etc/wg/$int.A-B --allowed-ips=10.2.0.42/32,fd00:2::42/128
up
`

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []line
	}{{
		name: "seed file",
		text: seedA,
		want: []line{
			{1, "create", ""},
			{2, "ifconfig", "inet 10.2.0.1/24"},
			{3, "ifconfig", "inet6 fd00:2::1/64"},
			{4, "shell", "wgconfig $int set private-key /etc/wg/$int"},
			{5, "shell", "wgconfig $int set listen-port 1234"},
			{6, "shell", "wgconfig $int add peer B X7EGm3T3IfodBcyilkaC89j0SH3XD6+/pwvp7Dgp5SU= --preshared-key=/etc/wg/$int.A-B --allowed-ips=10.2.0.42/32,fd00:2::42/128"},
			{7, "ifconfig", "up"},
		},
	}, {
		name: "seed typo is an ifconfig line like any other",
		text: "create\nnet 10.2.0.1/24\n",
		want: []line{{1, "create", ""}, {2, "ifconfig", "net 10.2.0.1/24"}},
	}, {
		name: "no create",
		text: "inet 10.2.0.42/24\nup\n",
		want: []line{{1, "ifconfig", "inet 10.2.0.42/24"}, {2, "ifconfig", "up"}},
	}, {
		name: "comments and blank lines",
		text: "# wg0: the tunnel to B\n\n   # indented comment\n\t\ninet 10.0.0.1/24 # eval drops this\n#up\nup\n",
		want: []line{{5, "ifconfig", "inet 10.0.0.1/24 # eval drops this"}, {7, "ifconfig", "up"}},
	}, {
		name: "shell lines keep $int and the rest for eval",
		text: "!wgconfig $int set listen-port 1234\n  !  echo \"$int\" ; true\n!\n",
		want: []line{
			{1, "shell", "wgconfig $int set listen-port 1234"},
			{2, "shell", "  echo \"$int\" ; true"},
			{3, "shell", ""},
		},
	}, {
		name: "create only when alone on its line",
		text: "  create  \ncreate inet 10.0.0.1/24\ncreated\n",
		want: []line{{1, "create", ""}, {2, "ifconfig", "create inet 10.0.0.1/24"}, {3, "ifconfig", "created"}},
	}, {
		name: "dhcp",
		text: "dhcp\n",
		want: []line{{1, "dhcp", ""}},
	}, {
		name: "CRLF",
		text: "create\r\ninet 10.0.0.1/24 \r\n# comment\r\n\r\n!wgconfig $int set listen-port 1234\r\nup\r\n",
		want: []line{
			{1, "create", ""},
			{2, "ifconfig", "inet 10.0.0.1/24"},
			{5, "shell", "wgconfig $int set listen-port 1234"},
			{6, "ifconfig", "up"},
		},
	}, {
		name: "no newline at the end",
		text: "inet 10.0.0.1/24\nup",
		want: []line{{1, "ifconfig", "inet 10.0.0.1/24"}, {2, "ifconfig", "up"}},
	}, {
		name: "CRLF and no newline at the end",
		text: "inet 10.0.0.1/24\r\nup\r",
		want: []line{{1, "ifconfig", "inet 10.0.0.1/24"}, {2, "ifconfig", "up"}},
	}, {
		name: "backslash continuation",
		text: "!wgconfig $int add peer B KEY \\\n    --allowed-ips=10.2.0.42/32 \\\n\t--endpoint=192.0.2.123:1234\ninet\\\n6 fd00::1/64\nup\n",
		want: []line{
			{1, "shell", "wgconfig $int add peer B KEY --allowed-ips=10.2.0.42/32 --endpoint=192.0.2.123:1234"},
			{4, "ifconfig", "inet6 fd00::1/64"},
			{6, "ifconfig", "up"},
		},
	}, {
		name: "continuation with CRLF",
		text: "inet 10.0.0.1/24 \\\r\n  alias\r\n",
		want: []line{{1, "ifconfig", "inet 10.0.0.1/24 alias"}},
	}, {
		name: "a continued comment swallows the next line",
		text: "# not this \\\ninet 10.0.0.1/24\nup\n",
		want: []line{{3, "ifconfig", "up"}},
	}, {
		name: "backslash on the last line",
		text: "up \\",
		want: []line{{1, "ifconfig", "up"}},
	}, {
		name: "other backslashes stay",
		text: "description a\\ b\\\\c\n",
		want: []line{{1, "ifconfig", "description a\\ b\\\\c"}},
	}, {
		name: "tabs",
		text: "\tinet\t10.0.0.1/24\t\n",
		want: []line{{1, "ifconfig", "inet\t10.0.0.1/24"}},
	}, {
		name: "empty",
		text: "",
		want: nil,
	}, {
		name: "only comments",
		text: "# nothing\n\n",
		want: nil,
	}}
	eachShell(t, func(t *testing.T, sh shell) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if diff := cmp.Diff(tt.want, parse(t, sh, tt.text)); diff != "" {
					t.Errorf("parse %q (-want +got):\n%s", tt.text, diff)
				}
			})
		}
	})
}

// TestSource checks where a configuration comes from: an rc.conf
// variable wins over the file, and its ";" separate lines unless it
// holds newlines.
func TestSource(t *testing.T) {
	const script = `. "$RCD/ifconfig.subr"
		eval "$VARS"
		if nbwg_ifconfig_source wg0; then
			echo "$_nbwg_src" >&2
			printf '%s' "$_nbwg_text" | nbwg_ifconfig_parse
		else
			echo none >&2
		fi`
	tests := []struct {
		name    string
		vars    string // shell assignments, as rc.conf makes them
		file    string // ifconfig.wg0, if not empty
		wantSrc string // "file" for the file's path
		want    []line
	}{{
		name:    "variable with semicolons",
		vars:    `ifconfig_wg0='inet 10.2.0.1/24; !wgconfig $int set listen-port 1234;; # comment; up'`,
		wantSrc: "ifconfig_wg0",
		want: []line{
			{1, "ifconfig", "inet 10.2.0.1/24"},
			{2, "shell", "wgconfig $int set listen-port 1234"},
			{5, "ifconfig", "up"},
		},
	}, {
		name:    "variable with newlines keeps its semicolons",
		vars:    "ifconfig_wg0='inet 10.2.0.1/24\n!echo a; echo b\nup'",
		wantSrc: "ifconfig_wg0",
		want: []line{
			{1, "ifconfig", "inet 10.2.0.1/24"},
			{2, "shell", "echo a; echo b"},
			{3, "ifconfig", "up"},
		},
	}, {
		name:    "variable wins over the file",
		vars:    `ifconfig_wg0='up'`,
		file:    "inet 10.9.9.9/24\n",
		wantSrc: "ifconfig_wg0",
		want:    []line{{1, "ifconfig", "up"}},
	}, {
		name:    "empty variable leaves the file",
		vars:    `ifconfig_wg0=`,
		file:    "inet 10.9.9.9/24\nup",
		wantSrc: "file",
		want:    []line{{1, "ifconfig", "inet 10.9.9.9/24"}, {2, "ifconfig", "up"}},
	}, {
		name:    "neither",
		wantSrc: "none",
	}}
	eachShell(t, func(t *testing.T, sh shell) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				h := newFakeHost(t)
				if tt.file != "" {
					h.writeEtc(t, "ifconfig.wg0", tt.file)
				}
				h.env = []string{"VARS=" + tt.vars}
				r := h.run(t, sh, "", "-c", script)
				if r.Code != 0 {
					t.Fatalf("exit %d, stderr %q", r.Code, r.Stderr)
				}
				wantSrc := tt.wantSrc
				if wantSrc == "file" {
					wantSrc = h.etc + "/ifconfig.wg0"
				}
				if got := strings.TrimSuffix(r.Stderr, "\n"); got != wantSrc {
					t.Errorf("source %q, want %q", got, wantSrc)
				}
				if diff := cmp.Diff(tt.want, parseOutput(t, r.Stdout)); diff != "" {
					t.Errorf("lines (-want +got):\n%s", diff)
				}
			})
		}
	})
}
