package rcd

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"nbwg/internal/hosts"
)

// runIfconfig applies ifconfig.wg0 (text) to an existing wg0 with
// nbwg_ifconfig_run, after the shell assignments vars, and returns
// what it printed, with "$ETC" for the host's etc and the status
// nbwg_ifconfig_run returned as the exit code.
func runIfconfig(t *testing.T, sh shell, h *fakeHost, vars, text, stdin string) hosts.Result {
	t.Helper()
	if text != "" {
		h.writeEtc(t, "ifconfig.wg0", text)
	}
	h.addIface(t, "wg0", false)
	h.env = append(h.env, "VARS="+vars)
	r := h.run(t, sh, stdin, "-c", `. "$RCD/ifconfig.subr"; eval "$VARS"; nbwg_ifconfig_run wg0`)
	r.Stdout = strings.ReplaceAll(r.Stdout, h.etc, "$ETC")
	r.Stderr = strings.ReplaceAll(r.Stderr, h.etc, "$ETC")
	return r
}

func TestRun(t *testing.T) {
	tests := []struct {
		name    string
		vars    string
		text    string
		stdin   string
		env     []string
		want    hosts.Result
		wantLog []string
	}{{
		name: "seed file, in order, create ignored",
		text: seedA,
		wantLog: []string{
			"ifconfig|wg0|inet|10.2.0.1/24",
			"ifconfig|wg0|inet6|fd00:2::1/64",
			"wgconfig|wg0|set|private-key|/etc/wg/wg0",
			"wgconfig|wg0|set|listen-port|1234",
			"wgconfig|wg0|add|peer|B|X7EGm3T3IfodBcyilkaC89j0SH3XD6+/pwvp7Dgp5SU=|--preshared-key=/etc/wg/wg0.A-B|--allowed-ips=10.2.0.42/32,fd00:2::42/128",
			"ifconfig|wg0|up",
		},
	}, {
		name: "seed typo: file and line, and the rest still runs",
		text: strings.Replace(seedA, "inet 10.2.0.1/24", "net 10.2.0.1/24", 1),
		want: hosts.Result{
			Stderr: "$ETC/ifconfig.wg0:2: ifconfig wg0 net 10.2.0.1/24: not valid ifconfig(8) arguments (its usage message left out); exit status 1\n",
			Code:   1,
		},
		wantLog: []string{
			"ifconfig|wg0|net|10.2.0.1/24",
			"ifconfig|wg0|inet6|fd00:2::1/64",
			"wgconfig|wg0|set|private-key|/etc/wg/wg0",
			"wgconfig|wg0|set|listen-port|1234",
			"wgconfig|wg0|add|peer|B|X7EGm3T3IfodBcyilkaC89j0SH3XD6+/pwvp7Dgp5SU=|--preshared-key=/etc/wg/wg0.A-B|--allowed-ips=10.2.0.42/32,fd00:2::42/128",
			"ifconfig|wg0|up",
		},
	}, {
		name: "ifconfig's message carries file and line",
		text: "inet 10.0.0.1/24\n# a typo:\ninet 10.0.0.1/33\nup\n",
		want: hosts.Result{
			Stderr: "$ETC/ifconfig.wg0:3: ifconfig: paddr_match: prefixlen_to_mask(2, 33): Invalid argument\n" +
				"$ETC/ifconfig.wg0:3: ifconfig wg0 inet 10.0.0.1/33: exit status 1\n",
			Code: 1,
		},
		wantLog: []string{"ifconfig|wg0|inet|10.0.0.1/24", "ifconfig|wg0|inet|10.0.0.1/33", "ifconfig|wg0|up"},
	}, {
		// The kernel updates an address given again in place, so
		// ifconfig succeeds in silence, as NetBSD's does.
		name:    "an address given twice is no error",
		text:    "inet 10.0.0.1/24\n# again:\ninet 10.0.0.1/24\nup\n",
		wantLog: []string{"ifconfig|wg0|inet|10.0.0.1/24", "ifconfig|wg0|inet|10.0.0.1/24", "ifconfig|wg0|up"},
	}, {
		name: "failing shell lines are reported, not fatal",
		text: "!wgconfig $int set private-key /etc/wg/$int\n!wgconfig $int set listen-port 1234\n!exit 3\nup\n",
		env:  []string{"FAKE_WGCONFIG_FAIL=set listen-port"},
		want: hosts.Result{
			Stderr: "wgconfig: listen-port: Invalid argument\n" +
				"$ETC/ifconfig.wg0:2: !wgconfig $int set listen-port 1234: exit status 1\n" +
				"$ETC/ifconfig.wg0:3: !exit 3: exit status 3\n",
			Code: 1,
		},
		wantLog: []string{"wgconfig|wg0|set|private-key|/etc/wg/wg0", "wgconfig|wg0|set|listen-port|1234", "ifconfig|wg0|up"},
	}, {
		name: "shell lines see $int and rc.conf, and cannot change them",
		vars: "wg_port=1234",
		text: "!int=other; wg_port=1; echo \"$int $wg_port\"\n!echo \"$int $wg_port\"\n",
		want: hosts.Result{Stdout: "other 1\nwg0 1234\n"},
	}, {
		name:  "shell lines read the caller's input, not the file",
		text:  "!read x; echo \"read $x\"\nup\n",
		stdin: "hello\n",
		want:  hosts.Result{Stdout: "read hello\n"},
		wantLog: []string{
			"ifconfig|wg0|up",
		},
	}, {
		// What matters here is the arguments ifconfig gets.
		name:    "ifconfig lines: quotes, variables, no globbing, trailing comment",
		vars:    "mtu=1380",
		text:    "description 'my tunnel'\nmtu $mtu # from rc.conf\ndescription *\n",
		want:    hosts.Result{},
		wantLog: []string{"ifconfig|wg0|description|my tunnel", "ifconfig|wg0|mtu|1380", "ifconfig|wg0|description|*"},
	}, {
		name: "ifconfig line the shell cannot parse",
		text: "description 'unterminated\nup\n",
		want: hosts.Result{
			Stderr: "$ETC/ifconfig.wg0:1: (shell's message)\n" +
				"$ETC/ifconfig.wg0:1: ifconfig wg0 description 'unterminated: exit status 2\n",
			Code: 1,
		},
		wantLog: []string{"ifconfig|wg0|up"},
	}, {
		name:    "dhcp is refused",
		text:    "dhcp\nup\n",
		want:    hosts.Result{Stderr: "$ETC/ifconfig.wg0:1: dhcp: not supported: a wg(4) interface has no DHCP\n", Code: 1},
		wantLog: []string{"ifconfig|wg0|up"},
	}, {
		name: "rc.conf variable, lines numbered by ';'",
		vars: `ifconfig_wg0='inet 10.2.0.1/24; net 10.2.0.2/24; up'`,
		want: hosts.Result{
			Stderr: "ifconfig_wg0:2: ifconfig wg0 net 10.2.0.2/24: not valid ifconfig(8) arguments (its usage message left out); exit status 1\n",
			Code:   1,
		},
		wantLog: []string{"ifconfig|wg0|inet|10.2.0.1/24", "ifconfig|wg0|net|10.2.0.2/24", "ifconfig|wg0|up"},
	}, {
		name: "continued line reported at its first line",
		text: "# a peer\n!wgconfig $int add peer B KEY \\\n  --allowed-ips=10.2.0.42/32\nup\n",
		env:  []string{"FAKE_WGCONFIG_FAIL=add peer"},
		want: hosts.Result{
			Stderr: "wgconfig: peer: Invalid argument\n" +
				"$ETC/ifconfig.wg0:2: !wgconfig $int add peer B KEY --allowed-ips=10.2.0.42/32: exit status 1\n",
			Code: 1,
		},
		wantLog: []string{"wgconfig|wg0|add|peer|B|KEY|--allowed-ips=10.2.0.42/32", "ifconfig|wg0|up"},
	}, {
		name: "no configuration",
		want: hosts.Result{Stderr: "$ETC/ifconfig.wg0: cannot read the configuration of wg0\n", Code: 1},
	}}
	eachShell(t, func(t *testing.T, sh shell) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				h := newFakeHost(t)
				h.env = tt.env
				got := runIfconfig(t, sh, h, tt.vars, tt.text, tt.stdin)
				// Each shell words a syntax error its own way.
				if strings.Contains(tt.want.Stderr, "(shell's message)") {
					lines := strings.SplitN(got.Stderr, "\n", 2)
					if len(lines) == 2 && strings.HasPrefix(lines[0], "$ETC/ifconfig.wg0:1: ") {
						got.Stderr = "$ETC/ifconfig.wg0:1: (shell's message)\n" + lines[1]
					}
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("nbwg_ifconfig_run (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff(tt.wantLog, h.takeLog(t)); diff != "" {
					t.Errorf("commands (-want +got):\n%s", diff)
				}
			})
		}
	})
}
