//go:build linux

package dataplane

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"nbwg/internal/hosts"
)

// keys returns a fresh private key and its public key, made with
// wg-keygen on h and left in h's /etc/wg/<name> and <name>.pub.
func keys(t *testing.T, h *hosts.Host, name string) (priv, pub string) {
	t.Helper()
	priv = strings.TrimSpace(h.MustRun(t, fmt.Sprintf("(umask 077; wg-keygen > /etc/wg/%s) && cat /etc/wg/%s", name, name)))
	pub = strings.TrimSpace(h.MustRun(t, fmt.Sprintf("wg-keygen --pub < /etc/wg/%s | tee /etc/wg/%s.pub", name, name)))
	return priv, pub
}

// A leg of a transfer: from sends to dst, an address of to.
type leg struct {
	name     string
	from, to *hosts.Host
	dst      string
}

// transfer makes size random bytes on the first leg's sender and sends
// them over TCP (nc, port 5001) on each leg in turn, as a subtest, which
// fails unless the receiver got the same sha256.
func transfer(t *testing.T, size int, legs ...leg) {
	t.Helper()
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	src := filepath.Join(dir, "src")
	legs[0].from.MustRun(t, fmt.Sprintf("head -c %d /dev/urandom > %s", size, src))
	want := strings.Fields(legs[0].from.MustRun(t, "sha256sum "+src))[0]
	for _, l := range legs {
		t.Run(l.name, func(t *testing.T) {
			out := filepath.Join(dir, strings.ReplaceAll(l.name, " ", "-"))
			l.to.MustRun(t, fmt.Sprintf("setsid sh -c 'nc -l 5001 > %s' >/dev/null 2>&1 < /dev/null &", out))
			// The listener may need a moment; nc -N closes after EOF.
			if err := hosts.Poll(10e9, func() error {
				if r := l.from.Run(t, fmt.Sprintf("nc -N -w 30 %s 5001 < %s", l.dst, src)); r.Code != 0 {
					return fmt.Errorf("nc: %s", r.Stderr)
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if err := hosts.Poll(30e9, func() error {
				got := strings.Fields(l.to.MustRun(t, "sha256sum "+out+" 2>/dev/null || echo none"))[0]
				if got != want {
					return fmt.Errorf("received file's sha256 %s, sent %s", got, want)
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// pingable waits until h can ping addr through the tunnel.
func pingable(t *testing.T, h *hosts.Host, addr string) {
	t.Helper()
	if err := h.Ping(t, addr, 10*time.Second); err != nil {
		t.Fatal(err)
	}
}

// wireguardGo starts Debian's wireguard-go on h with an interface named
// ifname (unique per test: its control socket lives in the shared
// /var/run/wireguard) and returns once `wg` can talk to it.
func wireguardGo(t *testing.T, h *hosts.Host, ifname string) {
	t.Helper()
	hosts.LookPath(t, "wireguard-go", "wireguard-go")
	hosts.LookPath(t, "wg", "wireguard-tools")
	h.MustRun(t, fmt.Sprintf("WG_PROCESS_FOREGROUND=1 setsid wireguard-go %s >/dev/null 2>&1 < /dev/null &", ifname))
	t.Cleanup(func() { exec.Command("rm", "-f", "/var/run/wireguard/"+ifname+".sock").Run() })
	if err := hosts.Poll(10*time.Second, func() error {
		if r := h.Run(t, "wg show "+ifname); r.Code != 0 {
			return fmt.Errorf("wireguard-go %s did not come up: %s", ifname, r.Stderr)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// kernelLog returns what h's kernel has logged so far (nbwgd(8) writes
// it under $NBWG_LOGDIR, which hosts gives each host).
func kernelLog(t *testing.T, h *hosts.Host) string {
	t.Helper()
	return h.MustRun(t, `cat "$NBWG_LOGDIR"/nbwgd*.log 2>/dev/null || true`)
}

// waitLog waits until a line of h's kernel log contains every one of
// parts, the evidence that the kernel got as far as a test needs.  The
// protocol's events are logged with net.wg.debug=1 only.
func waitLog(t *testing.T, h *hosts.Host, parts ...string) string {
	t.Helper()
	var found string
	err := hosts.Poll(15*time.Second, func() error {
		for _, line := range strings.Split(kernelLog(t, h), "\n") {
			ok := true
			for _, p := range parts {
				ok = ok && strings.Contains(line, p)
			}
			if ok {
				found = line
				return nil
			}
		}
		return fmt.Errorf("no line with %q", parts)
	})
	if err != nil {
		t.Fatalf("%s's kernel log: %v:\n%s", h.Name, err, kernelLog(t, h))
	}
	return found
}
