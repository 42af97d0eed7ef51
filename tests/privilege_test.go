//go:build linux

package tests

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"nbwg/internal/hosts"
)

// nobody is the unprivileged caller: NetBSD's kauth lets anyone read an
// interface's configuration but not its secrets, and only root change
// it.
const nobody = 65534

// TestUnprivileged: a user who is not root sees what root sees, except
// the keys, and can change nothing; the kernel refuses with EPERM, which
// wgconfig reports as NetBSD's does.
func TestUnprivileged(t *testing.T) {
	hosts.Integration(t)
	a := newHostA(t)
	if diff := cmp.Diff(out("65534\n"), a.RunAs(t, nobody, "id -u")); diff != "" {
		t.Fatalf("RunAs does not run as nobody (-want +got):\n%s", diff)
	}

	// The displays are root's, byte for byte.
	for _, script := range []string{
		"wgconfig wg0", "wgconfig wg0 show all", "wgconfig wg0 show peer B",
		"ifconfig wg0", "ifconfig -a", "ifconfig -l",
	} {
		root := a.Run(t, script)
		if root.Code != 0 || root.Stdout == "" {
			t.Fatalf("A# %s: %+v", script, root)
		}
		if diff := cmp.Diff(root, a.RunAs(t, nobody, script)); diff != "" {
			t.Errorf("%s as nobody (-root +nobody):\n%s", script, diff)
		}
	}
	if diff := cmp.Diff(out(showAll("wg0", "1234", a.b)), a.RunAs(t, nobody, "wgconfig wg0")); diff != "" {
		t.Errorf("wgconfig wg0 as nobody (-want +got):\n%s", diff)
	}

	// The secrets: root reads them, nobody gets (none).
	for _, tt := range []struct {
		script       string
		root, nobody hosts.Result
	}{
		{"wgconfig wg0 show private-key", out("private-key: " + a.key.priv + "\n"), out("private-key: (none)\n")},
		{"wgconfig wg0 show peer B --show-preshared-key", out(showPeer(a.b, a.psk)), out(showPeer(a.b, "(none)"))},
	} {
		check(t, a.Host, tt.script, tt.root)
		if diff := cmp.Diff(tt.nobody, a.RunAs(t, nobody, tt.script)); diff != "" {
			t.Errorf("%s as nobody (-want +got):\n%s", tt.script, diff)
		}
	}

	// Changes: key files nobody can read, so that the request reaches
	// the kernel.
	dir := publicDir(t)
	c := newKeyPair(t)
	for name, text := range map[string]string{"key": newKeyPair(t).priv, "psk": newPSK()} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	const eperm = "Operation not permitted\n"
	before := a.state(t)
	for _, tt := range []struct {
		script string
		want   hosts.Result
	}{
		{"wgconfig wg0 set private-key " + dir + "/key", fails("wgconfig: ioctl(SIOCSDRVSPEC): cmd=1: " + eperm)},
		{"wgconfig wg0 set listen-port 4321", fails("wgconfig: ioctl(SIOCSDRVSPEC): cmd=2: " + eperm)},
		{"wgconfig wg0 add peer C " + c.pub, fails("wgconfig: ioctl(SIOCSDRVSPEC): cmd=4: " + eperm)},
		{"wgconfig wg0 add peer C " + c.pub + " --preshared-key=" + dir + "/psk --allowed-ips=10.2.0.43/32 --endpoint=198.51.100.46:1234",
			fails("wgconfig: ioctl(SIOCSDRVSPEC): cmd=4: " + eperm)},
		{"wgconfig wg0 delete peer B", fails("wgconfig: ioctl(SIOCSDRVSPEC): cmd=8: " + eperm)},
		// The privilege check comes first: not ENOENT.
		{"wgconfig wg0 delete peer Z", fails("wgconfig: ioctl(SIOCSDRVSPEC): cmd=8: " + eperm)},
		// Root's key files are out of reach anyway.
		{"wgconfig wg0 set private-key /etc/wg/wg0", fails("wgconfig: fopen: /etc/wg/wg0: Permission denied\n")},
	} {
		if diff := cmp.Diff(tt.want, a.RunAs(t, nobody, tt.script)); diff != "" {
			t.Errorf("%s as nobody (-want +got):\n%s", tt.script, diff)
		}
		if diff := cmp.Diff(before, a.state(t)); diff != "" {
			t.Errorf("after %s as nobody, wg0 changed (-before +after):\n%s", tt.script, diff)
		}
	}
}
