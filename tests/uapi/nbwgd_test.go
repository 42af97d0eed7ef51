//go:build linux

package uapi

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"nbwg/internal/hosts"
)

// nbwgHost is a host whose kernel has a wg0 with a key and an address,
// configured the NetBSD way.
func nbwgHost(t *testing.T, name string, key keyPair, addr string) *hosts.Host {
	t.Helper()
	h := hosts.New(t, name)
	h.WriteFile(t, "wg/wg0", []byte(key.priv+"\n"), 0o600)
	h.MustRun(t, "ifconfig wg0 create && wgconfig wg0 set private-key /etc/wg/wg0 && ifconfig wg0 inet "+addr)
	return h
}

// TestWgOnNbwg: wg(8) shows and configures an interface made by
// `ifconfig wg0 create`, and what each of wg(8) and wgconfig(8) does,
// the other sees: one interface through both doors.
func TestWgOnNbwg(t *testing.T) {
	hosts.Integration(t)
	needWG(t)
	ka, kb, kc := newKeyPair(t), newKeyPair(t), newKeyPair(t)
	a := nbwgHost(t, "A", ka, "10.0.0.1/24")
	psk := newPSK()
	a.WriteFile(t, "wg/psk", []byte(psk+"\n"), 0o600)

	// A NetBSD peer, seen by wg show.
	a.MustRun(t, "wgconfig wg0 add peer netbsd "+kc.pub+" --allowed-ips=10.0.3.0/24 --endpoint=192.0.2.3:3")
	if diff := cmp.Diff(ka.pub+"\n", a.MustRun(t, "wg show wg0 public-key")); diff != "" {
		t.Errorf("wg show wg0 public-key (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(kc.pub+"\t10.0.3.0/24\n", a.MustRun(t, "wg show wg0 allowed-ips")); diff != "" {
		t.Errorf("wg show wg0 allowed-ips (-want +got):\n%s", diff)
	}

	// wg set adds a peer; wgconfig shows it under its generated name.
	a.MustRun(t, "wg set wg0 listen-port 51820 peer "+kb.pub+" allowed-ips 10.0.2.0/24,fd00:2::/64 endpoint 192.0.2.2:51820 persistent-keepalive 25 preshared-key /etc/wg/psk")
	name := kb.pub[:8]
	want := "peer: " + name + "\n" +
		"\tpublic-key: " + kb.pub + "\n" +
		"\tendpoint: 192.0.2.2:51820\n" +
		"\tpreshared-key: " + psk + "\n" +
		"\tallowed-ips: 10.0.2.0/24,fd00:2::/64\n" +
		"\tpersistent-keepalive: every 25 seconds\n" +
		"\tlatest-handshake: (never)\n"
	if diff := cmp.Diff(want, a.MustRun(t, "wgconfig wg0 show peer "+name+" --show-preshared-key")); diff != "" {
		t.Errorf("wgconfig wg0 show peer %s (-want +got):\n%s", name, diff)
	}
	if got := a.MustRun(t, "wgconfig wg0"); !strings.Contains(got, "\tlisten-port: 51820\n") {
		t.Errorf("wgconfig wg0 after wg set listen-port 51820:\n%s", got)
	}

	// wg showconf: both peers, in the order they were added.
	want = "[Interface]\n" +
		"ListenPort = 51820\n" +
		"PrivateKey = " + ka.priv + "\n" +
		"\n" +
		"[Peer]\n" +
		"PublicKey = " + kc.pub + "\n" +
		"AllowedIPs = 10.0.3.0/24\n" +
		"Endpoint = 192.0.2.3:3\n" +
		"\n" +
		"[Peer]\n" +
		"PublicKey = " + kb.pub + "\n" +
		"PresharedKey = " + psk + "\n" +
		"AllowedIPs = 10.0.2.0/24, fd00:2::/64\n" +
		"Endpoint = 192.0.2.2:51820\n" +
		"PersistentKeepalive = 25\n"
	if diff := cmp.Diff(want, a.MustRun(t, "wg showconf wg0")); diff != "" {
		t.Errorf("wg showconf wg0 (-want +got):\n%s", diff)
	}

	// wg set on the NetBSD peer changes it in place: an allowed IP of
	// the other peer moves to it (WireGuard's rule), and wgconfig sees
	// both lists change.
	a.MustRun(t, "wg set wg0 peer "+kc.pub+" allowed-ips 10.0.3.0/24,fd00:2::/64")
	if got := a.MustRun(t, "wgconfig wg0 show peer netbsd"); !strings.Contains(got, "allowed-ips: 10.0.3.0/24,fd00:2::/64\n") {
		t.Errorf("wgconfig after wg set on the NetBSD peer:\n%s", got)
	}
	if got := a.MustRun(t, "wgconfig wg0 show peer "+name); !strings.Contains(got, "allowed-ips: 10.0.2.0/24\n") {
		t.Errorf("wgconfig of the peer that lost a prefix:\n%s", got)
	}

	// wg setconf replaces the whole configuration.
	kd := newKeyPair(t)
	conf := "[Interface]\nPrivateKey = " + ka.priv + "\nListenPort = 51821\n\n" +
		"[Peer]\nPublicKey = " + kd.pub + "\nAllowedIPs = 10.0.4.0/24\nEndpoint = [2001:db8::4]:4\n"
	a.WriteFile(t, "wg/setconf.conf", []byte(conf), 0o600)
	a.MustRun(t, "wg setconf wg0 /etc/wg/setconf.conf")
	want = "interface: wg0\n" +
		"\tprivate-key: (hidden)\n" +
		"\tlisten-port: 51821\n" +
		"\tpeer: " + kd.pub[:8] + "\n" +
		"\t\tpublic-key: " + kd.pub + "\n" +
		"\t\tendpoint: 2001:db8::4:4\n" + // NetBSD prints it so
		"\t\tpreshared-key: (hidden)\n" +
		"\t\tallowed-ips: 10.0.4.0/24\n" +
		"\t\tlatest-handshake: (never)\n"
	if diff := cmp.Diff(want, a.MustRun(t, "wgconfig wg0")); diff != "" {
		t.Errorf("wgconfig wg0 after wg setconf (-want +got):\n%s", diff)
	}

	// wg syncconf changes only what differs: a peer added by wgconfig
	// and not in the file goes, the file's peer stays and changes.
	a.MustRun(t, "wgconfig wg0 add peer extra "+kc.pub+" --allowed-ips=10.0.3.0/24")
	conf = "[Interface]\nPrivateKey = " + ka.priv + "\nListenPort = 51821\n\n" +
		"[Peer]\nPublicKey = " + kd.pub + "\nAllowedIPs = 10.0.4.0/24, 10.0.5.0/24\nEndpoint = [2001:db8::4]:4\n"
	a.WriteFile(t, "wg/syncconf.conf", []byte(conf), 0o600)
	a.MustRun(t, "wg syncconf wg0 /etc/wg/syncconf.conf")
	if diff := cmp.Diff("\tpeer: "+kd.pub[:8]+"\n", a.MustRun(t, "wgconfig wg0 | grep 'peer:'")); diff != "" {
		t.Errorf("peers after wg syncconf (-want +got):\n%s", diff)
	}
	if got := a.MustRun(t, "wg show wg0 allowed-ips"); got != kd.pub+"\t10.0.4.0/24 10.0.5.0/24\n" {
		t.Errorf("wg show wg0 allowed-ips after syncconf: %q", got)
	}

	// fwmark marks the sockets (SO_MARK), and 0 unmarks them.
	a.MustRun(t, "wg set wg0 fwmark 0x4d2")
	if got := a.MustRun(t, "wg show wg0 fwmark"); got != "0x4d2\n" {
		t.Errorf("wg show wg0 fwmark: %q", got)
	}
	if got := a.MustRun(t, "ss -uaneH 'sport = 51821' 2>/dev/null"); strings.Count(got, "fwmark:0x4d2") != 2 {
		t.Errorf("the sockets of port 51821 are not both marked:\n%s", got)
	}
	a.MustRun(t, "wg set wg0 fwmark 0")
	if got := a.MustRun(t, "wg show wg0 fwmark"); got != "off\n" {
		t.Errorf("wg show wg0 fwmark after 0: %q", got)
	}

	// A refusal of the kernel reaches wg(8) as its errno: a port
	// another interface has.
	a.MustRun(t, "ifconfig wg1 create && wg set wg1 listen-port 51822")
	r := a.Run(t, "wg set wg1 listen-port 51821")
	if r.Code == 0 || r.Stderr != "Unable to modify interface: Address already in use\n" {
		t.Errorf("wg set wg1 listen-port 51821, wg0's port: %+v", r)
	}
	if got := a.MustRun(t, "wg show wg1 listen-port"); got != "51822\n" {
		t.Errorf("wg1's port after the refusal: %q", got)
	}
}

// TestWgNamespaces: wg(8) in a namespace sees that namespace's nbwg
// interfaces and no other's, even when both have a wg0, and a wg show in
// a namespace without a kernel sees neither.
func TestWgNamespaces(t *testing.T) {
	hosts.Integration(t)
	needWG(t)
	ka, kb := newKeyPair(t), newKeyPair(t)
	a := nbwgHost(t, "A", ka, "10.0.0.1/24")
	b := nbwgHost(t, "B", kb, "10.0.0.2/24")
	// A name no other test on the machine uses.
	wgN := fmt.Sprintf("wg%d", 1000+rand.IntN(9000))
	a.MustRun(t, "ifconfig "+wgN+" create")
	c := hosts.New(t, "C")

	// Userspace implementations' interfaces (wireguard-go's, of this
	// machine's other tests, say) are seen from every namespace, as
	// before nbwg: leave them out.
	// wg(8) lists them in the directory's order: sort.
	ours := func(out string) string {
		var kept []string
		for _, l := range lines(out) {
			if strings.HasPrefix(l, "wg0\t") || strings.HasPrefix(l, wgN+"\t") {
				kept = append(kept, l)
			}
		}
		slices.Sort(kept)
		return strings.Join(kept, "\n")
	}
	for _, tc := range []struct {
		h    *hosts.Host
		want string
	}{
		{a, "wg0\t" + ka.pub + "\n" + wgN + "\t(none)"},
		{b, "wg0\t" + kb.pub},
	} {
		if diff := cmp.Diff(tc.want, ours(tc.h.MustRun(t, "wg show all public-key"))); diff != "" {
			t.Errorf("%s# wg show all public-key (-want +got):\n%s", tc.h.Name, diff)
		}
	}
	// Neither A's nor B's interfaces anywhere else: not listed, not
	// even as an interface wg(8) cannot access, whatever else runs
	// there (the machine's own namespace may have interfaces of its
	// own, wireguard-go's of any namespace among them).
	for _, who := range []struct {
		name string
		run  func(string) hosts.Result
	}{
		{"C", func(s string) hosts.Result { return c.Run(t, s) }},
		{"the initial namespace", func(s string) hosts.Result { return runHere(t, s) }},
	} {
		r := who.run("wg show all public-key")
		all := r.Stdout + r.Stderr
		if strings.Contains(all, ka.pub) || strings.Contains(all, kb.pub) || strings.Contains(all, wgN) {
			t.Errorf("%s sees another namespace's interface:\n%s", who.name, all)
		}
	}
	if r := c.Run(t, "wg show "+wgN); r.Code == 0 {
		t.Errorf("C# wg show %s succeeded: %+v", wgN, r)
	}

	// The sockets are root's alone, in the kernel's directory.
	sock := kernelDir(t, a) + "/wireguard/wg0.sock"
	fi, err := os.Stat(sock)
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	if fi.Mode()&os.ModeSocket == 0 || fi.Mode().Perm() != 0o700 || st.Uid != 0 {
		t.Errorf("%s: mode %v, uid %d; want a socket of root's, mode 0700", sock, fi.Mode(), st.Uid)
	}

	// Destroyed, the interface goes from wg(8)'s view, and its socket
	// and links with it.
	a.MustRun(t, "ifconfig "+wgN+" destroy")
	if diff := cmp.Diff("wg0\t"+ka.pub, ours(a.MustRun(t, "wg show all public-key"))); diff != "" {
		t.Errorf("A# wg show all public-key after destroying %s (-want +got):\n%s", wgN, diff)
	}
	for _, p := range []string{
		kernelDir(t, a) + "/wireguard/" + wgN + ".sock",
		filepath.Join(a.Etc, "nbwg-uapi", wgN+".sock"),
		"/var/run/wireguard/" + wgN + ".sock",
	} {
		if _, err := os.Lstat(p); err == nil {
			t.Errorf("%s is still there after ifconfig %s destroy", p, wgN)
		}
	}
}

// TestWgNbwgTunnel: two nbwg kernels configured with wg(8) alone (the
// addresses aside) reach each other through the tunnel, and wg show
// reports the handshake and the bytes.
func TestWgNbwgTunnel(t *testing.T) {
	hosts.Integration(t)
	needWG(t)
	ka, kb := newKeyPair(t), newKeyPair(t)
	a := nbwgHost(t, "A", ka, "10.0.0.1/24")
	b := nbwgHost(t, "B", kb, "10.0.0.2/24")
	hosts.Link(t, a, "192.168.9.1/24", b, "192.168.9.2/24")
	a.MustRun(t, "wg set wg0 listen-port 51820 peer "+kb.pub+" allowed-ips 10.0.0.2/32 endpoint 192.168.9.2:51820")
	b.MustRun(t, "wg set wg0 listen-port 51820 peer "+ka.pub+" allowed-ips 10.0.0.1/32")
	if err := a.Ping(t, "10.0.0.2", 10*time.Second); err != nil {
		t.Fatal(err)
	}
	// B learnt A's endpoint from the handshake.
	if diff := cmp.Diff(ka.pub+"\t192.168.9.1:51820\n", b.MustRun(t, "wg show wg0 endpoints")); diff != "" {
		t.Errorf("B# wg show wg0 endpoints (-want +got):\n%s", diff)
	}
	dump := lines(a.MustRun(t, "wg show wg0 dump"))
	if len(dump) != 2 {
		t.Fatalf("A# wg show wg0 dump:\n%s", strings.Join(dump, "\n"))
	}
	f := strings.Split(dump[1], "\t")
	// public-key psk endpoint allowed-ips latest-handshake rx tx keepalive
	if len(f) != 8 || f[4] == "0" || f[5] == "0" || f[6] == "0" {
		t.Errorf("A's peer in wg show dump has no handshake or no bytes: %q", dump[1])
	}
}

// runHere runs a script in the test's own namespace (the machine's).
func runHere(t *testing.T, script string) hosts.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), hosts.CommandTimeout)
	defer cancel()
	r, err := hosts.Exec(exec.CommandContext(ctx, "sh", "-c", script))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// kernelDir is the host's kernel directory, /run/nbwg/net-INODE.
func kernelDir(t *testing.T, h *hosts.Host) string {
	t.Helper()
	var st syscall.Stat_t
	if err := syscall.Stat("/run/netns/"+h.NS, &st); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("/run/nbwg/net-%d", st.Ino)
}
