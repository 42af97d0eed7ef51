package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"nbwg/internal/cli"
	"nbwg/kernel/kern"
	"nbwg/kernel/sys"
)

// emulated is an in-memory kernel with wg0, its private key privA and
// listen port 1234, and peer B; cmd runs wgconfig against it as root or
// nobody.
type emulated struct {
	t *testing.T
	k *kern.Kernel
}

func newEmulated(t *testing.T) *emulated {
	t.Helper()
	e := &emulated{t: t, k: kern.New(kern.Parts{})}
	if _, err := e.k.Ioctl(sys.Cred{}, sys.SIOCIFCREATE, (&sys.Ifreq{Name: mustName(t, "wg0")}).Marshal(), nil); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	privFile := filepath.Join(dir, "wg0")
	os.WriteFile(privFile, []byte(privA+"\n"), 0o600)
	for _, args := range [][]string{
		{"set", "private-key", privFile},
		{"set", "listen-port", "1234"},
		{"add", "peer", "B", pubB, "--allowed-ips=10.2.0.42/32", "--endpoint=192.0.2.45:5678"},
	} {
		if r := e.run(0, args...); r.Status != 0 {
			t.Fatalf("wgconfig wg0 %q: %+v", args, r)
		}
	}
	return e
}

func mustName(t *testing.T, s string) sys.Name {
	n, err := sys.MakeName(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (e *emulated) run(uid int, args ...string) result {
	e.t.Helper()
	cred := sys.Cred{UID: uint32(uid), GID: uint32(uid)}
	k := cli.Local(e.k, cred)
	var out, errb strings.Builder
	env := &cli.Env{
		Args:   append([]string{"wgconfig", "wg0"}, args...),
		Stdin:  strings.NewReader(""),
		Stdout: &out,
		Stderr: &errb,
		Kernel: func(bool) (cli.Kernel, error) { return k, nil },
		Euid:   func() int { return uid },
	}
	status := run(env)
	return result{status, out.String(), errb.String()}
}

const nobodyUID = 65534

func TestSetPeerInPlace(t *testing.T) {
	e := newEmulated(t)
	diffResult(t, nil, result{Stdout: "peer: B\n" +
		"\tpublic-key: " + pubB + "\n" +
		"\tendpoint: 192.0.2.45:5678\n" +
		"\tpreshared-key: (hidden)\n" +
		"\tallowed-ips: 10.2.0.42/32\n" +
		"\tlatest-handshake: (never)\n"}, e.run(0, "show", "peer", "B"))

	dir := t.TempDir()
	pskFile := filepath.Join(dir, "psk")
	os.WriteFile(pskFile, []byte(pskAB+"\n"), 0o600)
	if r := e.run(0, "set", "peer", "B", "--allowed-ips=10.2.0.42/32,10.3.0.0/24", "--endpoint=[fd00::45]:6789",
		"--persistent-keepalive=25", "--preshared-key="+pskFile); r != (result{}) {
		t.Fatalf("set peer: %+v", r)
	}
	want := "peer: B\n" +
		"\tpublic-key: " + pubB + "\n" +
		"\tendpoint: fd00::45:6789\n" +
		"\tpreshared-key: " + pskAB + "\n" +
		"\tallowed-ips: 10.2.0.42/32,10.3.0.0/24\n" +
		"\tpersistent-keepalive: every 25 seconds\n" +
		"\tlatest-handshake: (never)\n"
	diffResult(t, nil, result{Stdout: want}, e.run(0, "show", "peer", "B", "--show-preshared-key"))
	// The new prefix routes to B in the kernel's table.
	if r := e.run(0, "set", "peer", "B", "--persistent-keepalive=off", "--no-preshared-key"); r != (result{}) {
		t.Fatalf("set peer: %+v", r)
	}
	want = strings.Replace(want, "\tpersistent-keepalive: every 25 seconds\n", "", 1)
	want = strings.Replace(want, pskAB, "(none)", 1)
	diffResult(t, nil, result{Stdout: want}, e.run(0, "show", "peer", "B", "--show-preshared-key"))
	// show all carries the keepalive line too, after allowed-ips.
	e.run(0, "set", "peer", "B", "--persistent-keepalive=1")
	if got := e.run(0).Stdout; !strings.Contains(got, "\t\tallowed-ips: 10.2.0.42/32,10.3.0.0/24\n\t\tpersistent-keepalive: every 1 seconds\n\t\tlatest-handshake") {
		t.Errorf("show all:\n%s", got)
	}
}

// TestSetPeerRefusals: each refused variant leaves the configuration
// byte-identical and says why.
func TestSetPeerRefusals(t *testing.T) {
	e := newEmulated(t)
	if r := e.run(0, "add", "peer", "C", pubC, "--allowed-ips=10.9.0.0/16"); r.Status != 0 {
		t.Fatal(r)
	}
	state := func() string {
		return e.run(0).Stdout + e.run(0, "show", "peer", "B", "--show-preshared-key").Stdout
	}
	before := state()
	for _, tc := range []struct {
		args   []string
		stderr string
	}{
		{[]string{"set", "peer", "X", "--persistent-keepalive=5"}, "wgconfig: set peer: wg0 has no peer named X\n"},
		{[]string{"set", "peer", "B", "--persistent-keepalive=-1"}, "wgconfig: invalid persistent-keepalive: \"-1\" (seconds, 1..65535; 0 or off for none)\n"},
		{[]string{"set", "peer", "B", "--persistent-keepalive=65536"}, "wgconfig: invalid persistent-keepalive: \"65536\" (seconds, 1..65535; 0 or off for none)\n"},
		{[]string{"set", "peer", "B", "--persistent-keepalive=10s"}, "wgconfig: invalid persistent-keepalive: \"10s\" (seconds, 1..65535; 0 or off for none)\n"},
		{[]string{"set", "peer", "B", "--persistent-keepalive="}, "wgconfig: invalid persistent-keepalive: \"\" (seconds, 1..65535; 0 or off for none)\n"},
		// 10.9.0.0/16 is C's: all or nothing, so the keepalive given
		// with it does not apply either.
		{[]string{"set", "peer", "B", "--persistent-keepalive=5", "--allowed-ips=10.2.0.42/32,10.9.0.0/16"},
			"wgconfig: ioctl(SIOCSDRVSPEC): cmd=65536: File exists\n"},
		{[]string{"set", "peer", "B", "--allowed-ips=10.2.0.300/32"}, ""},
		{[]string{"set", "peer", "B", "--no-preshared-key", "--preshared-key=/dev/null"}, ""},
		{[]string{"set", "peer", "B", "--bogus"}, "wgconfig: invalid option: --bogus\n"},
	} {
		r := e.run(0, tc.args...)
		if r.Status != 1 || (tc.stderr != "" && r.Stderr != tc.stderr) || r.Stderr == "" {
			t.Errorf("%q: %+v, want exit 1 and %q", tc.args, r, tc.stderr)
		}
		if got := state(); got != before {
			t.Errorf("%q changed the configuration:\n%s", tc.args, got)
		}
	}
	// Without anything to change it is a usage error, as NetBSD's
	// commands with missing arguments are.
	if r := e.run(0, "set", "peer", "B"); r.Status != 1 || !strings.HasPrefix(r.Stderr, "Usage:\n") {
		t.Errorf("set peer B: %+v", r)
	}
	// Nobody changes nothing.
	if r := e.run(nobodyUID, "set", "peer", "B", "--persistent-keepalive=5"); r.Status != 1 || r.Stderr != "wgconfig: ioctl(SIOCSDRVSPEC): cmd=65536: Operation not permitted\n" {
		t.Errorf("as nobody: %+v", r)
	}
}

func TestShowPublicKey(t *testing.T) {
	k := kern.New(kern.Parts{})
	k.Ioctl(sys.Cred{}, sys.SIOCIFCREATE, (&sys.Ifreq{Name: mustName(t, "wg0")}).Marshal(), nil)
	e := &emulated{t: t, k: k}
	diffResult(t, nil, result{Stdout: "public-key: (none)\n"}, e.run(0, "show", "public-key"))
	e = newEmulated(t)
	for _, uid := range []int{0, nobodyUID} {
		diffResult(t, nil, result{Stdout: "public-key: " + pubA + "\n"}, e.run(uid, "show", "public-key"))
	}
}

func TestVerboseAndDump(t *testing.T) {
	e := newEmulated(t)
	e.run(0, "set", "peer", "B", "--persistent-keepalive=25")
	want := "interface: wg0\n" +
		"\tpublic-key: " + pubA + "\n" +
		"\tprivate-key: (hidden)\n" +
		"\tlisten-port: 1234\n" +
		"\tpeer: B\n" +
		"\t\tpublic-key: " + pubB + "\n" +
		"\t\tendpoint: 192.0.2.45:5678\n" +
		"\t\tpreshared-key: (hidden)\n" +
		"\t\tallowed-ips: 10.2.0.42/32\n" +
		"\t\tpersistent-keepalive: every 25 seconds\n" +
		"\t\tlatest-handshake: (never)\n" +
		"\t\ttransfer: 0 B received, 0 B sent\n"
	for _, uid := range []int{0, nobodyUID} {
		diffResult(t, nil, result{Stdout: want}, e.run(uid, "show", "all", "--verbose"))
	}
	dumpRoot := "wg0\t" + privA + "\t" + pubA + "\t1234\n" +
		"B\t" + pubB + "\t(none)\t192.0.2.45:5678\t10.2.0.42/32\t0\t0\t0\t25\n"
	diffResult(t, nil, result{Stdout: dumpRoot}, e.run(0, "show", "all", "--dump"))
	dumpNobody := "wg0\t(hidden)\t" + pubA + "\t1234\n" +
		"B\t" + pubB + "\t(hidden)\t192.0.2.45:5678\t10.2.0.42/32\t0\t0\t0\t25\n"
	diffResult(t, nil, result{Stdout: dumpNobody}, e.run(nobodyUID, "show", "all", "--dump"))
	// Every line has the documented number of columns.
	for _, l := range strings.Split(strings.TrimSpace(dumpRoot), "\n")[1:] {
		if n := strings.Count(l, "\t") + 1; n != 9 {
			t.Errorf("peer line has %d columns: %q", n, l)
		}
	}
}

func TestHumanBytes(t *testing.T) {
	for _, tc := range []struct {
		n    uint64
		want string
	}{
		{0, "0 B"}, {1023, "1023 B"}, {1024, "1.00 KiB"}, {1536, "1.50 KiB"},
		{5 << 20, "5.00 MiB"}, {3 << 30, "3.00 GiB"}, {2 << 40, "2.00 TiB"},
	} {
		if got := humanBytes(tc.n); got != tc.want {
			t.Errorf("humanBytes(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}
