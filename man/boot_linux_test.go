//go:build linux

package man

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"nbwg/internal/hosts"
)

// TestBootExamples boots hosts A and B from the configuration that
// ifconfig.if(5)'s EXAMPLES show, A from its /etc/ifconfig.wg0 and B from
// its ifconfig_wg0 variable, with the repository's rc.d script: each
// comes up, B reaches A through the tunnel, and the restart shown prints
// what the page says.  As in TestExamples, the keys of the page stand for
// the hosts' own, and the hosts' /etc is a directory named by NBWG_ETC.
func TestBootExamples(t *testing.T) {
	hosts.Integration(t)
	p := loadPage(t, "man5/ifconfig.if.5")
	var fileA, rcconfB, restart string
	for _, d := range displays(p.section("EXAMPLES")) {
		switch {
		case strings.HasPrefix(d, "# A:"):
			fileA = d
		case strings.HasPrefix(d, "ifconfig_wg0=\""):
			rcconfB = d
		case strings.HasPrefix(d, "# /etc/rc.d/nbwg restart"):
			restart = d
		}
	}
	if fileA == "" || rcconfB == "" || restart == "" {
		t.Fatalf("%s EXAMPLES: want A's file, B's rc.conf and a restart, found %q, %q, %q", p.path, fileA, rcconfB, restart)
	}

	a, b := hosts.New(t, "A"), hosts.New(t, "B")
	hosts.Link(t, a, "192.0.2.123/24", b, "198.51.100.45/24")
	script := filepath.Join(moduleRoot(t), "rc.d", "network")
	pub := map[string]string{}
	for name, h := range map[string]*hosts.Host{"A": a, "B": b} {
		h.MustRun(t, "(umask 077; wg-keygen > /etc/wg/wg0)")
		pub[name] = strings.TrimSpace(h.MustRun(t, "wg-keygen --pub < /etc/wg/wg0"))
	}
	psk := a.MustRun(t, "(umask 077; wg-keygen --psk > /etc/wg/wg0.A-B) && cat /etc/wg/wg0.A-B")
	b.WriteFile(t, "wg/wg0.A-B", []byte(psk), 0o600)

	// "add peer B <key>" names B's public key, and so on.
	peerKey := regexp.MustCompile(`add peer ([AB]) (\S{44})`)
	withKeys := func(text string) string {
		return peerKey.ReplaceAllStringFunc(text, func(m string) string {
			s := peerKey.FindStringSubmatch(m)
			return "add peer " + s[1] + " " + pub[s[1]]
		})
	}
	etcA, etcB := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(etcA, "ifconfig.wg0"), []byte(withKeys(fileA)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(etcB, "rc.conf"), []byte(withKeys(rcconfB)), 0o644); err != nil {
		t.Fatal(err)
	}

	for _, boot := range []struct {
		h   *hosts.Host
		etc string
	}{{a, etcA}, {b, etcB}} {
		r := boot.h.Run(t, fmt.Sprintf("NBWG_ETC=%s %s start", boot.etc, script))
		if r.Code != 0 || r.Stderr != "" || r.Stdout != "Configuring network interfaces: wg0.\n" {
			t.Fatalf("%s: rc.d start: exit status %d\nstdout:\n%s\nstderr:\n%s", boot.h.Name, r.Code, r.Stdout, r.Stderr)
		}
	}
	for _, want := range []struct {
		h    *hosts.Host
		text string
	}{
		{a, "listen-port: 1234"}, {a, "peer: B"}, {a, "allowed-ips: 10.2.0.42/32,fd00:2::42/128"},
		{b, "listen-port: (none)"}, {b, "peer: A"}, {b, "endpoint: 192.0.2.123:1234"},
		{b, "allowed-ips: 10.2.0.1/32,fd00:2::1/128"},
	} {
		if out := want.h.MustRun(t, "wgconfig wg0"); !strings.Contains(out, want.text) {
			t.Errorf("%s: wgconfig wg0 lacks %q:\n%s", want.h.Name, want.text, out)
		}
	}
	if err := b.Ping(t, "10.2.0.1", 10*time.Second); err != nil {
		t.Fatalf("ping through the tunnel: %v", err)
	}

	// The restart shown, on A.
	lines := strings.Split(strings.TrimSuffix(restart, "\n"), "\n")
	cmd := strings.TrimPrefix(lines[0], "# ")
	cmd = strings.Replace(cmd, "/etc/rc.d/nbwg", "NBWG_ETC="+etcA+" "+script, 1)
	r := a.Run(t, cmd)
	want := strings.Join(lines[1:], "\n") + "\n"
	if r.Code != 0 || r.Stderr != "" || r.Stdout != want {
		t.Errorf("A# %s: exit status %d\nstdout:\n%s\nstderr:\n%s\nthe page shows:\n%s", lines[0][2:], r.Code, r.Stdout, r.Stderr, want)
	}
}
