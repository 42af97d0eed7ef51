//go:build linux

package rcd

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"nbwg/internal/hosts"
)

// cutUsage keeps a usage message's first line only, as fakeIfconfig
// prints it.
func cutUsage(s string) string {
	if i := strings.Index(s, "usage: "); i >= 0 {
		if j := strings.IndexByte(s[i:], '\n'); j >= 0 {
			return s[:i+j+1]
		}
	}
	return s
}

// TestFakeIfconfigIsReal runs the same ifconfig commands through the unit
// tests' fakeIfconfig and through nbwg's ifconfig on an emulated host,
// in the same order from the same state (wg0 exists), and requires the
// same output and exit status: the rc.d unit tests see no error the real
// command does not print.  The fake's "create fails" ($FAKE_CREATE_FAIL)
// is the real command run by a user other than root.
func TestFakeIfconfigIsReal(t *testing.T) {
	hosts.Skip(t)
	if testing.Short() {
		t.Skip("skipping: integration test (-short)")
	}
	real := hosts.New(t, "R")
	real.MustRun(t, "ifconfig wg0 create")
	fake := newFakeHost(t)
	fake.addIface(t, "wg0", false)
	fake.env = []string{"FAKE_CREATE_FAIL=wg1"}
	sh := posixShells(t)[0]
	for _, tc := range []struct {
		uid  int
		args string
	}{
		{0, "wg0 create"},
		{nobodyUID, "wg1 create"},
		{0, "wg7"},
		{0, "wg7 destroy"},
		{0, "wg7 up"},
		{0, "wg7 down"},
		{0, "wg7 inet 10.0.0.1/24"},
		{0, "wg7 inet 10.0.0.1/33"},
		{0, "wg0 inet 10.0.0.1/33"},
		{0, "wg0 inet6 fd00::1/129"},
		{0, "wg0 inet 10.0.0.1/24"},
		{0, "wg0 inet 10.0.0.1/24"},
		{0, "wg0 inet6 fd00::1/64"},
		{0, "wg0 inet6 fd00::1/64"},
		{0, "wg0 mtu 1380"},
		{0, "wg0 description 'my tunnel'"},
		{0, "wg0 -description"},
		{0, "wg5 description x"},
		{0, "wg5 -description"},
		{0, "wg0 net 10.0.0.1/24"},
		{0, "wg0 up"},
		{0, "wg0 down"},
		{0, "-x"},
		{0, "wg0 destroy"},
		{0, "wg0 destroy"},
	} {
		script := "ifconfig " + tc.args
		want := real.RunAs(t, tc.uid, script)
		want.Stderr = cutUsage(want.Stderr)
		if diff := cmp.Diff(want, fake.run(t, sh, "", "-c", script)); diff != "" {
			t.Errorf("%s (uid %d): fake (+) and real (-) differ:\n%s", script, tc.uid, diff)
		}
	}
}

// nobodyUID is the uid of nobody, the user other than root.
const nobodyUID = 65534
