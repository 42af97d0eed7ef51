//go:build linux

package rcd

import (
	"strings"
	"testing"

	"nbwg/internal/hosts"
)

// A description line in an ifconfig.wgN file (issue 12.2): the quoted
// string reaches ifconfig as one argument and the display shows it, as
// NetBSD 10's ifconfig does, right after the flags line.  The boot's
// header line is left to the tests of the script's wording.
func TestBootDescription(t *testing.T) {
	hosts.Skip(t)
	a := bootHost{hosts.New(t, "A"), t.TempDir()}
	a.write(t, "ifconfig.wg0", "create\ndescription \"to site B\"\ninet 10.2.0.1/24\nup\n")
	a.write(t, "ifconfig.wg1", "descr 'spare link' # a comment\n-descr\nup\n")
	r := a.network(t, "start")
	if r.Code != 0 || r.Stderr != "" {
		t.Fatalf("start: exit %d\n%s", r.Code, r.Stderr)
	}
	want := "wg0: flags=0x8041<UP,RUNNING,MULTICAST> mtu 1420\n\tdescription: \"to site B\"\n\tstatus: down\n"
	if out := a.MustRun(t, "ifconfig wg0"); !strings.HasPrefix(out, want) {
		t.Errorf("ifconfig wg0: want it to start with\n%s\ngot:\n%s", want, out)
	}
	if out := a.MustRun(t, "ifconfig wg1"); strings.Contains(out, "description") {
		t.Errorf("ifconfig wg1: the description was removed:\n%s", out)
	}
}
