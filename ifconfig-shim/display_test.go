package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// seed configures wg0 as wg(4)'s EXAMPLES do: an IPv4 and an IPv6
// address, a peer, up.
func seed(h *host) {
	h.t.Helper()
	h.must("wg0", "create")
	h.must("wg0", "inet", "10.2.0.1/24")
	h.must("wg0", "inet6", "fd00:2::1/64")
	h.addPeer("wg0", 1)
	h.must("wg0", "up")
}

// The in-memory kernel has no host: the link-local interface id is
// 02:00:00:ff:fe:00:00:01 and interfaces are numbered from 2.
const (
	seedDisplay = "wg0: flags=0x8041<UP,RUNNING,MULTICAST> mtu 1420\n" +
		"\tstatus: active\n" +
		"\tinet6 fe80::200:ff:fe00:1%wg0/64 flags 0 scopeid 0x2\n" +
		"\tinet6 fd00:2::1/64 flags 0\n" +
		"\tinet 10.2.0.1/24 flags 0\n"
	// seedDisplay3 is seedDisplay when wg0 has index 3.
	seedDisplay3 = "wg0: flags=0x8041<UP,RUNNING,MULTICAST> mtu 1420\n" +
		"\tstatus: active\n" +
		"\tinet6 fe80::200:ff:fe00:1%wg0/64 flags 0 scopeid 0x3\n" +
		"\tinet6 fd00:2::1/64 flags 0\n" +
		"\tinet 10.2.0.1/24 flags 0\n"
	freshDisplay = "wg0: flags=0x8000<MULTICAST> mtu 1420\n" +
		"\tstatus: down\n"
)

func TestSeedDisplay(t *testing.T) {
	h := newHost(t)
	seed(h)
	if diff := cmp.Diff(seedDisplay, h.must("wg0")); diff != "" {
		t.Errorf("ifconfig wg0 (-want +got):\n%s", diff)
	}
}

func TestDisplay(t *testing.T) {
	tests := []struct {
		name  string
		setup func(h *host)
		args  []string
		want  string
	}{{
		name:  "fresh interface",
		setup: func(h *host) { h.must("wg0", "create") },
		args:  []string{"wg0"},
		want:  freshDisplay,
	}, {
		// No peer yet: the link is down, so IPv6 addresses are
		// DETACHED; the first IPv4 address came before the interface
		// was up and is not.
		name: "addresses without a peer",
		setup: func(h *host) {
			h.must("wg0", "create")
			h.must("wg0", "inet", "10.2.0.1/24")
			h.must("wg0", "inet6", "fd00:2::1/64")
			h.must("wg0", "inet", "10.3.0.1/24", "alias")
		},
		args: []string{"wg0"},
		want: "wg0: flags=0x8041<UP,RUNNING,MULTICAST> mtu 1420\n" +
			"\tstatus: down\n" +
			"\tinet6 fe80::200:ff:fe00:1%wg0/64 flags 0x8<DETACHED> scopeid 0x2\n" +
			"\tinet6 fd00:2::1/64 flags 0x8<DETACHED>\n" +
			"\tinet 10.2.0.1/24 flags 0\n" +
			"\tinet 10.3.0.1/24 flags 0x4<DETACHED>\n",
	}, {
		name:  "down",
		setup: func(h *host) { seed(h); h.must("wg0", "down") },
		args:  []string{"wg0"},
		want: "wg0: flags=0x8000<MULTICAST> mtu 1420\n" +
			"\tstatus: active\n" +
			"\tinet6 fe80::200:ff:fe00:1%wg0/64 flags 0x8<DETACHED> scopeid 0x2\n" +
			"\tinet6 fd00:2::1/64 flags 0x8<DETACHED>\n" +
			"\tinet 10.2.0.1/24 flags 0x4<DETACHED>\n",
	}, {
		name:  "last peer deleted",
		setup: func(h *host) { seed(h); h.deletePeer("wg0", 1) },
		args:  []string{"wg0"},
		want: "wg0: flags=0x8041<UP,RUNNING,MULTICAST> mtu 1420\n" +
			"\tstatus: down\n" +
			"\tinet6 fe80::200:ff:fe00:1%wg0/64 flags 0x8<DETACHED> scopeid 0x2\n" +
			"\tinet6 fd00:2::1/64 flags 0x8<DETACHED>\n" +
			"\tinet 10.2.0.1/24 flags 0x4<DETACHED>\n",
	}, {
		name:  "inet6 only",
		setup: seed,
		args:  []string{"wg0", "inet6"},
		want: "wg0: flags=0x8041<UP,RUNNING,MULTICAST> mtu 1420\n" +
			"\tstatus: active\n" +
			"\tinet6 fe80::200:ff:fe00:1%wg0/64 flags 0 scopeid 0x2\n" +
			"\tinet6 fd00:2::1/64 flags 0\n",
	}, {
		name:  "inet only",
		setup: seed,
		args:  []string{"wg0", "inet"},
		want: "wg0: flags=0x8041<UP,RUNNING,MULTICAST> mtu 1420\n" +
			"\tstatus: active\n" +
			"\tinet 10.2.0.1/24 flags 0\n",
	}, {
		name:  "link family shows no address",
		setup: seed,
		args:  []string{"wg0", "link"},
		want: "wg0: flags=0x8041<UP,RUNNING,MULTICAST> mtu 1420\n" +
			"\tstatus: active\n",
	}, {
		name:  "-L: manual and link-local addresses live for ever",
		setup: seed,
		args:  []string{"-L", "wg0"},
		want:  seedDisplay,
	}, {
		name:  "-N names what has a name",
		setup: seed,
		args:  []string{"-N", "wg0"},
		want: "wg0: flags=0x8041<UP,RUNNING,MULTICAST> mtu 1420\n" +
			"\tstatus: active\n" +
			"\tinet6 fe80::200:ff:fe00:1%wg0/64 flags 0 scopeid 0x2\n" +
			"\tinet6 fd00:2::1/64 flags 0\n" +
			"\tinet a.example/24 flags 0\n",
	}, {
		name: "-a: every interface in creation order",
		setup: func(h *host) {
			h.must("wg1", "create")
			seed(h)
		},
		args: []string{"-a"},
		want: "wg1: flags=0x8000<MULTICAST> mtu 1420\n" +
			"\tstatus: down\n" + seedDisplay3,
	}, {
		name:  "no arguments is -a",
		setup: func(h *host) { h.must("wg1", "create"); seed(h) },
		args:  nil,
		want:  "wg1: flags=0x8000<MULTICAST> mtu 1420\n\tstatus: down\n" + seedDisplay3,
	}, {
		name:  "-a inet",
		setup: func(h *host) { h.must("wg1", "create"); seed(h) },
		args:  []string{"-a", "inet"},
		want: "wg1: flags=0x8000<MULTICAST> mtu 1420\n\tstatus: down\n" +
			"wg0: flags=0x8041<UP,RUNNING,MULTICAST> mtu 1420\n\tstatus: active\n" +
			"\tinet 10.2.0.1/24 flags 0\n",
	}, {
		name:  "-a -u: up interfaces",
		setup: func(h *host) { h.must("wg1", "create"); seed(h) },
		args:  []string{"-a", "-u"},
		want:  seedDisplay3,
	}, {
		name:  "-a -d: down interfaces",
		setup: func(h *host) { h.must("wg1", "create"); seed(h) },
		args:  []string{"-a", "-d"},
		want:  freshDisplayOf("wg1"),
	}, {
		name:  "-a -s: interfaces whose link is not down",
		setup: func(h *host) { h.must("wg1", "create"); seed(h) },
		args:  []string{"-as"},
		want:  seedDisplay3,
	}, {
		name:  "-a -b: no broadcast interface",
		setup: func(h *host) { h.must("wg1", "create"); seed(h) },
		args:  []string{"-a", "-b"},
		want:  "",
	}, {
		name: "-a without interfaces",
		args: []string{"-a"},
		want: "",
	}, {
		name:  "-l",
		setup: func(h *host) { h.must("wg1", "create"); seed(h); h.must("wg7", "create") },
		args:  []string{"-l"},
		want:  "wg1 wg0 wg7\n",
	}, {
		name:  "-l -u",
		setup: func(h *host) { h.must("wg1", "create"); seed(h); h.must("wg7", "create") },
		args:  []string{"-l", "-u"},
		want:  "wg0\n",
	}, {
		name:  "-l -d",
		setup: func(h *host) { h.must("wg1", "create"); seed(h); h.must("wg7", "create") },
		args:  []string{"-ld"},
		want:  "wg1 wg7\n",
	}, {
		name:  "-l -s",
		setup: func(h *host) { h.must("wg1", "create"); seed(h); h.must("wg7", "create") },
		args:  []string{"-l", "-s"},
		want:  "wg0\n",
	}, {
		name:  "-l -b",
		setup: seed,
		args:  []string{"-l", "-b"},
		want:  "\n",
	}, {
		name: "-l without interfaces",
		args: []string{"-l"},
		want: "\n",
	}, {
		name: "-C",
		args: []string{"-C"},
		want: "wg\n",
	}, {
		name: "-v",
		setup: func(h *host) {
			h.must("wg0", "create")
			ifp := h.n.Lookup("wg0")
			ifp.Ipackets.Store(1)
			ifp.Ibytes.Store(1)
			ifp.Opackets.Store(2)
			ifp.Obytes.Store(2048)
		},
		args: []string{"-v", "wg0"},
		want: "wg0: flags=0x8000<MULTICAST> mtu 1420\n" +
			"\tlinkstate: down\n" +
			"\tstatus: down\n" +
			"\tinput: 1 packet, 1 byte\n" +
			"\toutput: 2 packets, 2048 bytes\n",
	}, {
		name: "-v: the optional counters, singular and plural",
		setup: func(h *host) {
			seed(h)
			ifp := h.n.Lookup("wg0")
			ifp.Ierrors.Store(1)
			ifp.Iqdrops.Store(2)
			ifp.Noproto.Store(1)
			ifp.Oerrors.Store(3)
		},
		args: []string{"-v", "wg0", "inet"},
		want: "wg0: flags=0x8041<UP,RUNNING,MULTICAST> mtu 1420\n" +
			"\tlinkstate: up\n" +
			"\tstatus: active\n" +
			"\tinput: 0 packets, 0 bytes, 1 error, 2 queue drops, 1 unknown protocol\n" +
			"\toutput: 0 packets, 0 bytes, 3 errors\n" +
			"\tinet 10.2.0.1/24 flags 0\n",
	}, {
		name: "-v -h: bytes humanized",
		setup: func(h *host) {
			h.must("wg0", "create")
			ifp := h.n.Lookup("wg0")
			ifp.Ibytes.Store(1024)
			ifp.Obytes.Store(5 << 20)
		},
		args: []string{"-vh", "wg0"},
		want: "wg0: flags=0x8000<MULTICAST> mtu 1420\n" +
			"\tlinkstate: down\n" +
			"\tstatus: down\n" +
			"\tinput: 0 packets, 1.0K byte\n" +
			"\toutput: 0 packets, 5.0M bytes\n",
	}, {
		name: "-z shows the counters and zeroes them",
		setup: func(h *host) {
			h.must("wg0", "create")
			h.n.Lookup("wg0").Ipackets.Store(5)
			if r := h.run("-z", "wg0"); r.Code != 0 || r.Stdout != freshDisplay+"\tinput: 5 packets, 0 bytes\n\toutput: 0 packets, 0 bytes\n" {
				h.t.Errorf("-z: %+v", r)
			}
		},
		args: []string{"-v", "wg0"},
		want: "wg0: flags=0x8000<MULTICAST> mtu 1420\n" +
			"\tlinkstate: down\n" +
			"\tstatus: down\n" +
			"\tinput: 0 packets, 0 bytes\n" +
			"\toutput: 0 packets, 0 bytes\n",
	}, {
		name: "flags the interface may change",
		setup: func(h *host) {
			h.must("wg0", "create")
			h.must("wg0", "-arp", "debug", "link0")
			h.must("wg0", "link2", "-link0")
		},
		args: []string{"wg0"},
		want: "wg0: flags=0xc084<DEBUG,NOARP,LINK2,MULTICAST> mtu 1420\n" +
			"\tstatus: down\n",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHost(t)
			if tt.setup != nil {
				tt.setup(h)
			}
			r := h.run(tt.args...)
			want := result{Stdout: tt.want}
			if diff := cmp.Diff(want, r); diff != "" {
				t.Errorf("ifconfig %q (-want +got):\n%s", tt.args, diff)
			}
		})
	}
}

func freshDisplayOf(name string) string {
	return name + ": flags=0x8000<MULTICAST> mtu 1420\n\tstatus: down\n"
}

// -s shows nothing: its exit status says whether the link is up.
func TestCarrierStatus(t *testing.T) {
	h := newHost(t)
	h.must("wg0", "create")
	if diff := cmp.Diff(result{Code: 1}, h.run("-s", "wg0")); diff != "" {
		t.Errorf("-s wg0 without a peer (-want +got):\n%s", diff)
	}
	h.addPeer("wg0", 1)
	if diff := cmp.Diff(result{Code: 0}, h.run("-s", "wg0")); diff != "" {
		t.Errorf("-s wg0 with a peer (-want +got):\n%s", diff)
	}
	// Words after the interface are left alone, as NetBSD leaves them.
	if diff := cmp.Diff(result{Code: 0}, h.run("-s", "wg0", "up", "whatever")); diff != "" {
		t.Errorf("-s wg0 up whatever (-want +got):\n%s", diff)
	}
	want := result{Stderr: "ifconfig: SIOCGIFFLAGS wg9: Device not configured\n", Code: 1}
	if diff := cmp.Diff(want, h.run("-s", "wg9")); diff != "" {
		t.Errorf("-s wg9 (-want +got):\n%s", diff)
	}
	// Unprivileged callers may ask.
	if diff := cmp.Diff(result{Code: 0}, h.runAs(nobody, "-s", "wg0")); diff != "" {
		t.Errorf("-s wg0 as nobody (-want +got):\n%s", diff)
	}
}

// Everything that only reads works unprivileged; -z writes.
func TestDisplayUnprivileged(t *testing.T) {
	h := newHost(t)
	seed(h)
	for _, args := range [][]string{{"wg0"}, {"-a"}, {"-l"}, {"-C"}, {"-L", "wg0"}} {
		want := h.run(args...)
		if diff := cmp.Diff(want, h.runAs(nobody, args...)); diff != "" {
			t.Errorf("ifconfig %q as nobody (-want +got):\n%s", args, diff)
		}
	}
	want := result{
		Stdout: "wg0: flags=0x8041<UP,RUNNING,MULTICAST> mtu 1420\n\tstatus: active\n",
		Stderr: "ifconfig: SIOCZIFDATA: Operation not permitted\n",
		Code:   1,
	}
	if diff := cmp.Diff(want, h.runAs(nobody, "-z", "wg0")); diff != "" {
		t.Errorf("-z wg0 as nobody (-want +got):\n%s", diff)
	}
}
