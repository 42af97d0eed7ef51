package rcd

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"nbwg/internal/hosts"
)

// network runs the rc.d script with args on the fake host, and returns
// what it printed with "network" for the script's path and "$ETC" for
// the host's etc.
func (h *fakeHost) network(t *testing.T, sh shell, args ...string) hosts.Result {
	t.Helper()
	script := filepath.Join(rcdDir(t), "network")
	r := h.run(t, sh, "", append([]string{script}, args...)...)
	for _, p := range []*string{&r.Stdout, &r.Stderr} {
		*p = strings.ReplaceAll(*p, script, "network")
		*p = strings.ReplaceAll(*p, h.etc, "$ETC")
	}
	return r
}

const (
	wg0File = "inet 10.2.0.1/24\nup\n"
	wg1File = "create\ninet 10.3.0.1/24\n"
)

// TestNetwork checks the script's output against NetBSD's
// etc/rc.d/network 1.74 (2018/06/29; the line numbers are that file's):
// start prints "Configuring network interfaces:" (line 250), " wgN" for
// each interface it configures (269) and "." (343), once; stop
// "Downing network interfaces:" (542), " wgN" (551) and "." (563).
// NetBSD ends the line before a warning (261) and goes on with the next
// name on the following line; nbwg's FILE:LINE reports, its own addition,
// do the same.
func TestNetwork(t *testing.T) {
	tests := []struct {
		name       string
		files      map[string]string // under etc
		existing   []string          // interfaces there before, "+" if up
		env        []string
		args       []string
		want       hosts.Result
		wantLog    []string
		wantIfaces []string
	}{{
		name: "no rc.conf: every ifconfig.wgN file, in order",
		files: map[string]string{
			"ifconfig.wg0": wg0File, "ifconfig.wg1": wg1File,
			// Not wgN: NetBSD would take "orig" and "wg0~" for
			// interface names.
			"ifconfig.wg0.orig": "up\n", "ifconfig.wg0~": "up\n", "ifconfig.wgx": "up\n",
			"ifconfig.tun0": "up\n",
		},
		args: []string{"start"},
		want: hosts.Result{Stdout: "Configuring network interfaces: wg0 wg1.\n"},
		wantLog: []string{
			"ifconfig|wg0|create", "ifconfig|wg0|inet|10.2.0.1/24", "ifconfig|wg0|up",
			"ifconfig|wg1|create", "ifconfig|wg1|inet|10.3.0.1/24",
		},
		wantIfaces: []string{"wg0+", "wg1"},
	}, {
		// The report ends the line of progress, as NetBSD's echo
		// before a warning (1.74 line 261); wg1 goes on on the next
		// line, with no second heading (line 269).
		name:  "a failing line: reported, the others still brought up, exit 1",
		files: map[string]string{"ifconfig.wg0": "create\nnet 10.2.0.1/24\nup\n", "ifconfig.wg1": wg1File},
		args:  []string{"start"},
		want: hosts.Result{
			Stdout: "Configuring network interfaces: wg0\n wg1.\n",
			Stderr: "$ETC/ifconfig.wg0:2: ifconfig wg0 net 10.2.0.1/24: not valid ifconfig(8) arguments (its usage message left out); exit status 1\n",
			Code:   1,
		},
		wantLog: []string{
			"ifconfig|wg0|create", "ifconfig|wg0|net|10.2.0.1/24", "ifconfig|wg0|up",
			"ifconfig|wg1|create", "ifconfig|wg1|inet|10.3.0.1/24",
		},
		wantIfaces: []string{"wg0+", "wg1"},
	}, {
		name:     "start leaves an existing interface alone",
		files:    map[string]string{"ifconfig.wg0": wg0File, "ifconfig.wg1": wg1File},
		existing: []string{"wg0+"},
		args:     []string{"start"},
		want: hosts.Result{
			// The heading comes first (line 250), the message
			// after it on a line of its own.
			Stdout: "Configuring network interfaces:\n wg1.\n",
			Stderr: "network: wg0 exists already; its configuration is not applied again (use restart)\n",
		},
		wantLog:    []string{"ifconfig|wg1|create", "ifconfig|wg1|inet|10.3.0.1/24"},
		wantIfaces: []string{"wg0+", "wg1"},
	}, {
		name:  "create fails: that file is not applied, the others are",
		files: map[string]string{"ifconfig.wg0": wg0File, "ifconfig.wg1": wg1File},
		env:   []string{"FAKE_CREATE_FAIL=wg0"},
		args:  []string{"start"},
		want: hosts.Result{
			Stdout: "Configuring network interfaces: wg0\n wg1.\n",
			Stderr: "$ETC/ifconfig.wg0: ifconfig: clone_command: Operation not permitted\n" +
				"$ETC/ifconfig.wg0: ifconfig: exec_matches: Operation not permitted\n" +
				"$ETC/ifconfig.wg0: ifconfig wg0 create: exit status 1\n",
			Code: 1,
		},
		wantLog:    []string{"ifconfig|wg0|create", "ifconfig|wg1|create", "ifconfig|wg1|inet|10.3.0.1/24"},
		wantIfaces: []string{"wg1"},
	}, {
		name:       "an interface named twice is started once",
		files:      map[string]string{"ifconfig.wg0": wg0File},
		args:       []string{"start", "wg0", "wg0"},
		want:       hosts.Result{Stdout: "Configuring network interfaces: wg0.\n"},
		wantLog:    []string{"ifconfig|wg0|create", "ifconfig|wg0|inet|10.2.0.1/24", "ifconfig|wg0|up"},
		wantIfaces: []string{"wg0+"},
	}, {
		name:       "stop: down and destroy those with a configuration",
		files:      map[string]string{"ifconfig.wg0": wg0File, "ifconfig.wg1": wg1File},
		existing:   []string{"wg0+", "wg1", "wg5+"},
		args:       []string{"stop"},
		want:       hosts.Result{Stdout: "Downing network interfaces: wg0 wg1.\n"},
		wantLog:    []string{"ifconfig|wg0|down", "ifconfig|wg0|destroy", "ifconfig|wg1|down", "ifconfig|wg1|destroy"},
		wantIfaces: []string{"wg5+"},
	}, {
		name:       "stop a named interface, configured or not",
		files:      map[string]string{"ifconfig.wg0": wg0File},
		existing:   []string{"wg0+", "wg5+"},
		args:       []string{"stop", "wg5", "wg9"},
		want:       hosts.Result{Stdout: "Downing network interfaces: wg5.\n"},
		wantLog:    []string{"ifconfig|wg5|down", "ifconfig|wg5|destroy"},
		wantIfaces: []string{"wg0+"},
	}, {
		name:       "start a named interface",
		files:      map[string]string{"ifconfig.wg0": wg0File, "ifconfig.wg1": wg1File},
		args:       []string{"start", "wg1"},
		want:       hosts.Result{Stdout: "Configuring network interfaces: wg1.\n"},
		wantLog:    []string{"ifconfig|wg1|create", "ifconfig|wg1|inet|10.3.0.1/24"},
		wantIfaces: []string{"wg1"},
	}, {
		name:  "start a named interface without configuration",
		files: map[string]string{"ifconfig.wg0": wg0File},
		args:  []string{"start", "wg7"},
		want: hosts.Result{
			// The dot alone after the warning (lines 261, 343).
			Stdout: "Configuring network interfaces:\n.\n",
			Stderr: "network: WARNING: $ETC/ifconfig.wg7 missing and ifconfig_wg7 not set; interface wg7 not configured.\n",
			Code:   1,
		},
	}, {
		name: "start an interface that is not wg",
		args: []string{"start", "em0"},
		want: hosts.Result{
			Stderr: "network: WARNING: em0: not a wg interface; nbwg configures only wg(4) interfaces\n",
			Code:   1,
		},
	}, {
		name:  "nbwg=NO",
		files: map[string]string{"ifconfig.wg0": wg0File, "rc.conf": "nbwg=NO\n"},
		args:  []string{"start"},
		want: hosts.Result{
			Stderr: "$nbwg is not enabled - see rc.conf(5).\nUse the following if you wish to perform the operation:\n  network onestart\n",
			Code:   1,
		},
	}, {
		name:       "nbwg=NO, onestart",
		files:      map[string]string{"ifconfig.wg0": wg0File, "rc.conf": "nbwg=NO\n"},
		args:       []string{"onestart"},
		want:       hosts.Result{Stdout: "Configuring network interfaces: wg0.\n"},
		wantLog:    []string{"ifconfig|wg0|create", "ifconfig|wg0|inet|10.2.0.1/24", "ifconfig|wg0|up"},
		wantIfaces: []string{"wg0+"},
	}, {
		name:  "rc.conf.d/nbwg is read after rc.conf",
		files: map[string]string{"ifconfig.wg0": wg0File, "rc.conf": "nbwg=YES\n", "rc.conf.d/nbwg": "nbwg=off\n"},
		args:  []string{"start"},
		want: hosts.Result{
			Stderr: "$nbwg is not enabled - see rc.conf(5).\nUse the following if you wish to perform the operation:\n  network onestart\n",
			Code:   1,
		},
	}, {
		name: "auto_ifconfig=NO: net_interfaces, its wg ones",
		files: map[string]string{
			"ifconfig.wg0": wg0File, "ifconfig.wg1": wg1File,
			"rc.conf": "auto_ifconfig=NO\nnet_interfaces='em0 wg1 wg2'\n",
		},
		args: []string{"start"},
		want: hosts.Result{
			// NetBSD's very output for these files (lines 250,
			// 269, 261-264, 343).
			Stdout: "Configuring network interfaces: wg1\n.\n",
			Stderr: "network: WARNING: $ETC/ifconfig.wg2 missing and ifconfig_wg2 not set; interface wg2 not configured.\n",
		},
		wantLog:    []string{"ifconfig|wg1|create", "ifconfig|wg1|inet|10.3.0.1/24"},
		wantIfaces: []string{"wg1"},
	}, {
		// NetBSD skips network_start_interfaces, heading and all
		// (lines 47-48), and network_stop_interfaces (499-500).
		name:  "net_interfaces=NO",
		files: map[string]string{"ifconfig.wg0": wg0File, "rc.conf": "net_interfaces=NO\n"},
		args:  []string{"start"},
	}, {
		name:       "net_interfaces=NO, stop",
		files:      map[string]string{"ifconfig.wg0": wg0File, "rc.conf": "net_interfaces=NO\n"},
		existing:   []string{"wg0+"},
		args:       []string{"stop"},
		wantIfaces: []string{"wg0+"},
	}, {
		name:       "net_interfaces=NO, named",
		files:      map[string]string{"ifconfig.wg0": wg0File, "rc.conf": "net_interfaces=NO\n"},
		args:       []string{"start", "wg0"},
		want:       hosts.Result{Stdout: "Configuring network interfaces: wg0.\n"},
		wantLog:    []string{"ifconfig|wg0|create", "ifconfig|wg0|inet|10.2.0.1/24", "ifconfig|wg0|up"},
		wantIfaces: []string{"wg0+"},
	}, {
		name:  "auto_ifconfig not set properly",
		files: map[string]string{"ifconfig.wg0": wg0File, "rc.conf": "auto_ifconfig=maybe\n"},
		args:  []string{"start"},
		want: hosts.Result{
			Stdout: "Configuring network interfaces:.\n",
			Stderr: "network: WARNING: $auto_ifconfig is not set properly - see rc.conf(5).\n",
		},
	}, {
		name:  "an rc.conf variable alone brings an interface up",
		files: map[string]string{"rc.conf": "ifconfig_wg3='inet 10.4.0.1/24; up'\n"},
		args:  []string{"start"},
		want:  hosts.Result{Stdout: "Configuring network interfaces: wg3.\n"},
		wantLog: []string{
			"ifconfig|wg3|create", "ifconfig|wg3|inet|10.4.0.1/24", "ifconfig|wg3|up",
		},
		wantIfaces: []string{"wg3+"},
	}, {
		name:     "status",
		files:    map[string]string{"ifconfig.wg0": wg0File, "ifconfig.wg1": wg1File, "ifconfig.wg2": wg1File},
		existing: []string{"wg0+", "wg1", "wg5+"},
		args:     []string{"status"},
		want: hosts.Result{
			Stdout: "wg0 is up.\nwg1 is down.\nwg2 does not exist.\n",
			Code:   1,
		},
		wantIfaces: []string{"wg0+", "wg1", "wg5+"},
	}, {
		name:       "status, all up",
		files:      map[string]string{"ifconfig.wg0": wg0File},
		existing:   []string{"wg0+"},
		args:       []string{"status"},
		want:       hosts.Result{Stdout: "wg0 is up.\n"},
		wantIfaces: []string{"wg0+"},
	}, {
		name: "rcvar",
		args: []string{"rcvar"},
		want: hosts.Result{Stdout: "# nbwg\n$nbwg=YES\n"},
	}, {
		name: "unknown directive",
		args: []string{"bogus"},
		want: hosts.Result{
			Stderr: "network: unknown directive 'bogus'.\nUsage: network [fast|force|one](start|stop|restart|rcvar|status|reload)\n",
			Code:   1,
		},
	}, {
		name: "no directive",
		want: hosts.Result{
			Stderr: "Usage: network [fast|force|one](start|stop|restart|rcvar|status|reload)\n",
			Code:   1,
		},
	}, {
		name:  "no wg cloner",
		files: map[string]string{"ifconfig.wg0": wg0File},
		env:   []string{"FAKE_CLONERS=gif vlan"},
		args:  []string{"start"},
		want: hosts.Result{
			Stderr: "network: WARNING: ifconfig -C lists no wg cloner: no wg(4) in this kernel, or not nbwg's ifconfig first on PATH\n",
			Code:   1,
		},
	}, {
		name:  "forcestart ignores failures, as rc.subr's force does",
		files: map[string]string{"ifconfig.wg0": "net 10.2.0.1/24\nup\n"},
		args:  []string{"forcestart"},
		want: hosts.Result{
			Stdout: "Configuring network interfaces: wg0\n.\n",
			Stderr: "$ETC/ifconfig.wg0:1: ifconfig wg0 net 10.2.0.1/24: not valid ifconfig(8) arguments (its usage message left out); exit status 1\n",
		},
		wantLog:    []string{"ifconfig|wg0|create", "ifconfig|wg0|net|10.2.0.1/24", "ifconfig|wg0|up"},
		wantIfaces: []string{"wg0+"},
	}}
	eachShell(t, func(t *testing.T, sh shell) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				h := newFakeHost(t)
				h.env = tt.env
				for name, text := range tt.files {
					h.writeEtc(t, name, text)
				}
				for _, i := range tt.existing {
					h.addIface(t, strings.TrimSuffix(i, "+"), strings.HasSuffix(i, "+"))
				}
				if diff := cmp.Diff(tt.want, h.network(t, sh, tt.args...)); diff != "" {
					t.Errorf("network %q (-want +got):\n%s", tt.args, diff)
				}
				if diff := cmp.Diff(tt.wantLog, h.takeLog(t)); diff != "" {
					t.Errorf("commands (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff(tt.wantIfaces, h.ifaces(t)); diff != "" {
					t.Errorf("interfaces after (-want +got):\n%s", diff)
				}
			})
		}
	})
}

// TestRestart checks that start, start again, restart and stop apply
// each file exactly once and leave nothing behind.
func TestRestart(t *testing.T) {
	eachShell(t, func(t *testing.T, sh shell) {
		h := newFakeHost(t)
		h.writeEtc(t, "ifconfig.wg0", wg0File)
		h.writeEtc(t, "ifconfig.wg1", wg1File)
		apply := []string{
			"ifconfig|wg0|create", "ifconfig|wg0|inet|10.2.0.1/24", "ifconfig|wg0|up",
			"ifconfig|wg1|create", "ifconfig|wg1|inet|10.3.0.1/24",
		}
		destroy := []string{"ifconfig|wg0|down", "ifconfig|wg0|destroy", "ifconfig|wg1|down", "ifconfig|wg1|destroy"}
		steps := []struct {
			args       []string
			want       hosts.Result
			wantLog    []string
			wantIfaces []string
		}{{
			args:       []string{"start"},
			want:       hosts.Result{Stdout: "Configuring network interfaces: wg0 wg1.\n"},
			wantLog:    apply,
			wantIfaces: []string{"wg0+", "wg1"},
		}, {
			args: []string{"start"},
			want: hosts.Result{
				Stdout: "Configuring network interfaces:\n.\n",
				Stderr: "network: wg0 exists already; its configuration is not applied again (use restart)\n" +
					"network: wg1 exists already; its configuration is not applied again (use restart)\n",
			},
			wantIfaces: []string{"wg0+", "wg1"},
		}, {
			args:       []string{"restart"},
			want:       hosts.Result{Stdout: "Downing network interfaces: wg0 wg1.\nConfiguring network interfaces: wg0 wg1.\n"},
			wantLog:    append(append([]string{}, destroy...), apply...),
			wantIfaces: []string{"wg0+", "wg1"},
		}, {
			args:       []string{"restart", "wg1"},
			want:       hosts.Result{Stdout: "Downing network interfaces: wg1.\nConfiguring network interfaces: wg1.\n"},
			wantLog:    []string{"ifconfig|wg1|down", "ifconfig|wg1|destroy", "ifconfig|wg1|create", "ifconfig|wg1|inet|10.3.0.1/24"},
			wantIfaces: []string{"wg0+", "wg1"},
		}, {
			args:    []string{"stop"},
			want:    hosts.Result{Stdout: "Downing network interfaces: wg0 wg1.\n"},
			wantLog: destroy,
		}, {
			args: []string{"stop"},
			want: hosts.Result{Stdout: "Downing network interfaces:.\n"},
		}}
		for _, s := range steps {
			if diff := cmp.Diff(s.want, h.network(t, sh, s.args...)); diff != "" {
				t.Errorf("network %q (-want +got):\n%s", s.args, diff)
			}
			if diff := cmp.Diff(s.wantLog, h.takeLog(t)); diff != "" {
				t.Errorf("network %q: commands (-want +got):\n%s", s.args, diff)
			}
			if diff := cmp.Diff(s.wantIfaces, h.ifaces(t)); diff != "" {
				t.Errorf("network %q: interfaces after (-want +got):\n%s", s.args, diff)
			}
		}
	})
}
