//go:build linux

package rcd

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"nbwg/internal/hosts"
)

// TestReload: after the file changes, reload applies only the
// differences to the running interface: a changed peer is changed in
// place (its session, hence its latest handshake, stays), a new one is
// added, a removed one deleted, addresses come and go, and traffic that
// the new allowed IPs admit flows.  A file with a bad line changes
// nothing.
func TestReload(t *testing.T) {
	hosts.Skip(t)
	a := bootHost{hosts.New(t, "A"), t.TempDir()}
	b := bootHost{hosts.New(t, "B"), t.TempDir()}
	hosts.Link(t, a.Host, "192.0.2.123/24", b.Host, "198.51.100.45/24")
	a.MustRun(t, "(umask 0077; wg-keygen > /etc/wg/wg0)")
	b.MustRun(t, "(umask 0077; wg-keygen > /etc/wg/wg0)")
	pubA := strings.TrimSpace(a.MustRun(t, "wg-keygen --pub < /etc/wg/wg0"))
	pubB := strings.TrimSpace(b.MustRun(t, "wg-keygen --pub < /etc/wg/wg0"))
	pubC := strings.TrimSpace(a.MustRun(t, "wg-keygen | wg-keygen --pub"))
	pubD := strings.TrimSpace(a.MustRun(t, "wg-keygen | wg-keygen --pub"))
	fileA := func(bAllowed, extra string) string {
		return fmt.Sprintf(`inet 10.2.0.1/24
inet6 fd00:2::1/64
!wgconfig $int set private-key /etc/wg/$int
!wgconfig $int set listen-port 1234
!wgconfig $int add peer B %s --allowed-ips=%s
%s
up
`, pubB, bAllowed, extra)
	}
	a.write(t, "ifconfig.wg0", fileA("10.2.0.42/32", "!wgconfig $int add peer D "+pubD+" --allowed-ips=10.9.0.0/24"))
	b.write(t, "ifconfig.wg0", fmt.Sprintf(`inet 10.2.0.42/24
inet 10.2.0.43/24 alias
!wgconfig $int set private-key /etc/wg/$int
!wgconfig $int add peer A %s --allowed-ips=10.2.0.0/24 --endpoint=192.0.2.123:1234
up
`, pubA))
	for _, h := range []bootHost{a, b} {
		if r := h.network(t, "start"); r.Code != 0 {
			t.Fatalf("%s: start: %+v", h.Name, r)
		}
	}
	ping(t, b.Host, "10.2.0.1")
	if t.Failed() {
		t.Logf("A:\n%s", a.MustRun(t, "wgconfig wg0; ifconfig wg0; ip addr; ip route; wgconfig wg0 show all --dump"))
		t.Logf("B:\n%s", b.MustRun(t, "wgconfig wg0; ifconfig wg0; ip addr; ip route"))
	}
	showB := func() string { return a.MustRun(t, "wgconfig wg0 show peer B") }
	before := showB()
	if !regexp.MustCompile(`latest-handshake: [A-Z]`).MatchString(before) {
		t.Fatalf("no handshake with B yet:\n%s", before)
	}
	if r := a.Run(t, "ping -c 1 -W 1 10.2.0.43"); r.Code == 0 {
		t.Fatal("10.2.0.43 answers before B may use it: the test proves nothing")
	}

	// The new file: B may use 10.2.0.43 too, C comes, D goes, an address
	// and a description come, fd00:2::1 goes.
	a.write(t, "ifconfig.wg0", strings.Replace(fileA("10.2.0.42/32,10.2.0.43/32", "!wgconfig $int add peer C "+pubC+" --allowed-ips=10.7.0.0/24"),
		"inet6 fd00:2::1/64\n", "inet 10.2.5.1/24 alias\ndescription \"to B\"\n", 1))
	want := hosts.Result{Stdout: "Reloading network interfaces: wg0.\n"}
	if diff := cmp.Diff(want, a.network(t, "reload")); diff != "" {
		t.Fatalf("A: reload (-want +got):\n%s", diff)
	}
	after := showB()
	if !strings.Contains(after, "allowed-ips: 10.2.0.42/32,10.2.0.43/32\n") {
		t.Errorf("B's allowed IPs after reload:\n%s", after)
	}
	hs := regexp.MustCompile(`latest-handshake: .*`)
	if hs.FindString(after) != hs.FindString(before) {
		t.Errorf("B's session was not kept: %q, was %q", hs.FindString(after), hs.FindString(before))
	}
	all := a.MustRun(t, "wgconfig wg0")
	if !strings.Contains(all, "\tpeer: C\n") || strings.Contains(all, "\tpeer: D\n") {
		t.Errorf("peers after reload:\n%s", all)
	}
	ifc := a.MustRun(t, "ifconfig wg0")
	if !strings.Contains(ifc, "inet 10.2.5.1/24") || strings.Contains(ifc, "fd00:2::1") || !strings.Contains(ifc, "description: \"to B\"") {
		t.Errorf("ifconfig wg0 after reload:\n%s", ifc)
	}
	ping(t, a.Host, "10.2.0.43")

	// Reloading the same file again changes nothing.
	state := a.MustRun(t, "wgconfig wg0; ifconfig wg0")
	if diff := cmp.Diff(want, a.network(t, "reload")); diff != "" {
		t.Errorf("A: second reload (-want +got):\n%s", diff)
	}
	if got := a.MustRun(t, "wgconfig wg0; ifconfig wg0"); got != state {
		t.Errorf("a reload of the same file changed the interface:\n%s\nwas\n%s", got, state)
	}

	// A bad line: reported, nothing changed, reload fails.
	a.write(t, "ifconfig.wg0", fileA("10.2.0.42/32", "inet 10.2.6.1/33"))
	r := a.network(t, "reload")
	if r.Code != 1 || !strings.Contains(r.Stderr, "$ETC/ifconfig.wg0:6: ") {
		t.Errorf("reload with a bad line: %+v", r)
	}
	if got := a.MustRun(t, "wgconfig wg0; ifconfig wg0"); got != state {
		t.Errorf("a failed reload changed the interface:\n%s\nwas\n%s", got, state)
	}
	ping(t, a.Host, "10.2.0.43")
}
