//go:build linux

package main

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"nbwg/internal/hosts"
)

// The integration tests run the built ifconfig in network namespaces
// (internal/hosts): the first create starts the namespace's kernel
// (nbwgd), whose wg interfaces are mirrored onto Linux TUN devices.  They
// need root and skip without it.

func TestMain(m *testing.M) { hosts.Main(m) }

// linuxAddrs returns the addresses "ip -o addr show dev wg0" lists on a
// host, as "inet 10.2.0.1/24" and "inet6 fd00:2::1/64".
func linuxAddrs(t *testing.T, h *hosts.Host) []string {
	t.Helper()
	out := h.MustRun(t, "ip -o addr show dev wg0")
	re := regexp.MustCompile(`\s(inet6?) (\S+)`)
	var addrs []string
	for _, m := range re.FindAllStringSubmatch(out, -1) {
		addrs = append(addrs, m[1]+" "+m[2])
	}
	return addrs
}

func TestLifecycleInNamespace(t *testing.T) {
	h := hosts.New(t, "A")

	// No kernel runs yet: nothing to list, the wg cloner to show.
	if diff := cmp.Diff(hosts.Result{Stdout: "wg\n"}, h.Run(t, "ifconfig -C")); diff != "" {
		t.Errorf("ifconfig -C before create (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(hosts.Result{Stdout: "\n"}, h.Run(t, "ifconfig -l")); diff != "" {
		t.Errorf("ifconfig -l before create (-want +got):\n%s", diff)
	}
	want := hosts.Result{Stderr: "ifconfig: SIOCGIFFLAGS wg0: Device not configured\n", Code: 1}
	if diff := cmp.Diff(want, h.Run(t, "ifconfig wg0")); diff != "" {
		t.Errorf("ifconfig wg0 before create (-want +got):\n%s", diff)
	}

	h.MustRun(t, "ifconfig wg0 create")
	if diff := cmp.Diff(freshDisplay, h.MustRun(t, "ifconfig wg0")); diff != "" {
		t.Errorf("fresh wg0 (-want +got):\n%s", diff)
	}
	h.MustRun(t, "ifconfig wg0 inet 10.2.0.1/24 && ifconfig wg0 inet6 fd00:2::1/64 && ifconfig wg0 up")

	// Linux mirrors the addresses, the link-local one included; its
	// interface id and the TUN device's index are the host's.
	addrs := linuxAddrs(t, h)
	var ll string
	for _, a := range addrs {
		if strings.HasPrefix(a, "inet6 fe80:") {
			ll = strings.TrimSuffix(strings.TrimPrefix(a, "inet6 "), "/64")
		}
	}
	if ll == "" {
		t.Fatalf("no link-local address on the TUN device: %q", addrs)
	}
	for _, a := range []string{"inet 10.2.0.1/24", "inet6 fd00:2::1/64", "inet6 " + ll + "/64"} {
		if !strings.Contains(strings.Join(addrs, "\n")+"\n", a+"\n") {
			t.Errorf("ip addr lacks %q: %q", a, addrs)
		}
	}
	var index int
	fmt.Sscanf(h.MustRun(t, "ip -o link show wg0"), "%d:", &index)
	display := "wg0: flags=0x8041<UP,RUNNING,MULTICAST> mtu 1420\n" +
		"\tstatus: down\n" +
		fmt.Sprintf("\tinet6 %s%%wg0/64 flags 0x8<DETACHED> scopeid 0x%x\n", ll, index) +
		"\tinet6 fd00:2::1/64 flags 0x8<DETACHED>\n" +
		"\tinet 10.2.0.1/24 flags 0\n"
	if diff := cmp.Diff(display, h.MustRun(t, "ifconfig wg0")); diff != "" {
		t.Errorf("ifconfig wg0 (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(display, h.MustRun(t, "ifconfig -a")); diff != "" {
		t.Errorf("ifconfig -a lists the host's interfaces too (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff("wg0\n", h.MustRun(t, "ifconfig -l")); diff != "" {
		t.Errorf("ifconfig -l (-want +got):\n%s", diff)
	}

	// Replacing the IPv4 address and the MTU show on the host too.
	h.MustRun(t, "ifconfig wg0 inet 10.3.0.1/16 mtu 1400")
	addrs = linuxAddrs(t, h)
	if s := strings.Join(addrs, ","); !strings.Contains(s, "inet 10.3.0.1/16") || strings.Contains(s, "10.2.0.1") {
		t.Errorf("after inet 10.3.0.1/16: %q", addrs)
	}
	if out := h.MustRun(t, "ip -o link show wg0"); !strings.Contains(out, " mtu 1400 ") {
		t.Errorf("after mtu 1400: %s", out)
	}

	// The host's own interfaces are not this ifconfig's.
	want = hosts.Result{Stderr: "ifconfig: lo: not a wg interface: this ifconfig only manages nbwg's emulated wg(4) interfaces\n", Code: 1}
	if diff := cmp.Diff(want, h.Run(t, "ifconfig lo down")); diff != "" {
		t.Errorf("ifconfig lo down (-want +got):\n%s", diff)
	}
	if out := h.MustRun(t, "ip -o link show lo"); !strings.Contains(out, "UP") {
		t.Errorf("lo went down: %s", out)
	}

	// Unprivileged: displays work, changes are refused with NetBSD's
	// wording.
	if got := h.RunAs(t, 65534, "ifconfig wg0"); got.Code != 0 || !strings.HasPrefix(got.Stdout, "wg0: flags=0x8041<UP,RUNNING,MULTICAST> mtu 1400\n") {
		t.Errorf("ifconfig wg0 as nobody: %+v", got)
	}
	for _, tt := range []struct {
		script string
		want   hosts.Result
	}{
		{"ifconfig wg1 create", hosts.Result{Stderr: "ifconfig: clone_command: Operation not permitted\nifconfig: exec_matches: Operation not permitted\n", Code: 1}},
		{"ifconfig wg0 up", hosts.Result{Stderr: "ifconfig: exec_matches: Operation not permitted\n", Code: 1}},
		{"ifconfig wg0 inet6 fd00:3::1/64", hosts.Result{Stderr: "ifconfig: SIOCAIFADDR_IN6: Operation not permitted\n", Code: 1}},
		{"ifconfig wg0 mtu 1280", hosts.Result{Stderr: "ifconfig: SIOCSIFMTU: Operation not permitted\n"}},
		{"ifconfig wg0 destroy", hosts.Result{Stderr: "ifconfig: clone_command: Operation not permitted\nifconfig: exec_matches: Operation not permitted\n", Code: 1}},
		{"ifconfig -l", hosts.Result{Stdout: "wg0\n"}},
	} {
		if diff := cmp.Diff(tt.want, h.RunAs(t, 65534, tt.script)); diff != "" {
			t.Errorf("%s as nobody (-want +got):\n%s", tt.script, diff)
		}
	}

	// Destroying the last interface removes the TUN device (and the
	// kernel halts).
	h.MustRun(t, "ifconfig wg0 destroy")
	err := hosts.Poll(5*time.Second, func() error {
		if r := h.Run(t, "ip link show wg0"); r.Code == 0 {
			return fmt.Errorf("wg0 still on the host: %s", r.Stdout)
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
	if diff := cmp.Diff(hosts.Result{Stdout: "\n"}, h.Run(t, "ifconfig -l")); diff != "" {
		t.Errorf("ifconfig -l after destroy (-want +got):\n%s", diff)
	}
	// And create starts a kernel again.
	h.MustRun(t, "ifconfig wg0 create")
	if diff := cmp.Diff("wg0\n", h.MustRun(t, "ifconfig -l")); diff != "" {
		t.Errorf("ifconfig -l after a second create (-want +got):\n%s", diff)
	}
}

// Each namespace is a host of its own: its kernel, its interfaces.
func TestNamespacesAreSeparate(t *testing.T) {
	a, b := hosts.New(t, "A"), hosts.New(t, "B")
	a.MustRun(t, "ifconfig wg0 create && ifconfig wg0 inet 10.2.0.1/24 && ifconfig wg1 create")
	if diff := cmp.Diff(hosts.Result{Stdout: "\n"}, b.Run(t, "ifconfig -l")); diff != "" {
		t.Errorf("B: ifconfig -l (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(hosts.Result{}, b.Run(t, "ifconfig -a")); diff != "" {
		t.Errorf("B: ifconfig -a (-want +got):\n%s", diff)
	}
	want := hosts.Result{Stderr: "ifconfig: SIOCGIFFLAGS wg0: Device not configured\n", Code: 1}
	if diff := cmp.Diff(want, b.Run(t, "ifconfig wg0")); diff != "" {
		t.Errorf("B: ifconfig wg0 (-want +got):\n%s", diff)
	}

	b.MustRun(t, "ifconfig wg0 create && ifconfig wg0 inet 10.2.0.2/24")
	if diff := cmp.Diff("wg0 wg1\n", a.MustRun(t, "ifconfig -l")); diff != "" {
		t.Errorf("A: ifconfig -l (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff("wg0\n", b.MustRun(t, "ifconfig -l")); diff != "" {
		t.Errorf("B: ifconfig -l (-want +got):\n%s", diff)
	}
	if got := a.MustRun(t, "ifconfig wg0 inet"); !strings.Contains(got, "\tinet 10.2.0.1/24 flags 0\n") || strings.Contains(got, "10.2.0.2") {
		t.Errorf("A: ifconfig wg0 inet:\n%s", got)
	}
	if got := b.MustRun(t, "ifconfig wg0 inet"); !strings.Contains(got, "\tinet 10.2.0.2/24 flags 0\n") || strings.Contains(got, "10.2.0.1") {
		t.Errorf("B: ifconfig wg0 inet:\n%s", got)
	}
	b.MustRun(t, "ifconfig wg0 destroy")
	if diff := cmp.Diff("wg0 wg1\n", a.MustRun(t, "ifconfig -l")); diff != "" {
		t.Errorf("A after B's destroy: ifconfig -l (-want +got):\n%s", diff)
	}
}
