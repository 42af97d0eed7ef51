//go:build linux

package dataplane

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"nbwg/internal/hosts"
)

// TestExamples runs wg(4)'s EXAMPLES verbatim on two hosts — A
// stationary at 192.0.2.123 listening on 1234, B roaming at
// 198.51.100.45 — then pings through the tunnel both ways over IPv4 and
// IPv6, and checks that A learnt where B is and when they last shook
// hands.
func TestExamples(t *testing.T) {
	hosts.Skip(t)
	a, b := hosts.New(t, "A"), hosts.New(t, "B")
	hosts.Link(t, a, "192.0.2.123/24", b, "198.51.100.45/24")
	_, pubA := keys(t, a, "wg0")
	_, pubB := keys(t, b, "wg0")
	psk := a.MustRun(t, "(umask 0077; wg-keygen --psk > /etc/wg/wg0.A-B) && cat /etc/wg/wg0.A-B")
	b.WriteFile(t, "wg/wg0.A-B", []byte(psk), 0o600)

	a.MustRun(t, strings.Join([]string{
		"ifconfig wg0 create",
		"ifconfig wg0 inet 10.2.0.1/24",
		"ifconfig wg0 inet6 fd00:2::1/64",
		"wgconfig wg0 set private-key /etc/wg/wg0",
		"wgconfig wg0 set listen-port 1234",
		"wgconfig wg0 add peer B " + pubB + " --preshared-key=/etc/wg/wg0.A-B --allowed-ips=10.2.0.42/32,fd00:2::42/128",
		"ifconfig wg0 up",
	}, " && "))
	b.MustRun(t, strings.Join([]string{
		"ifconfig wg0 create",
		"ifconfig wg0 inet 10.2.0.42/24",
		"ifconfig wg0 inet6 fd00:2::42/64",
		"wgconfig wg0 set private-key /etc/wg/wg0",
		"wgconfig wg0 add peer A " + pubA + " --preshared-key=/etc/wg/wg0.A-B --allowed-ips=10.2.0.1/32,fd00:2::1/128 --endpoint=192.0.2.123:1234",
		"ifconfig wg0 up",
	}, " && "))

	// Before any traffic A knows neither where B is nor a handshake.
	before := a.MustRun(t, "wgconfig wg0 show peer B")
	for _, want := range []string{"\tendpoint: (none)\n", "\tlatest-handshake: (never)\n"} {
		if !strings.Contains(before, want) {
			t.Errorf("before traffic, A's show peer B lacks %q:\n%s", want, before)
		}
	}

	// B initiates (only B knows an endpoint), then both ways, both families.
	pingable(t, b, "10.2.0.1")
	pingable(t, b, "fd00:2::1")
	pingable(t, a, "10.2.0.42")
	pingable(t, a, "fd00:2::42")
	for _, h := range []*hosts.Host{a, b} {
		for _, cmd := range []string{"ping -c 3 -i 0.2 -W 2 ", "ping -6 -c 3 -i 0.2 -W 2 "} {
			dst := map[string]map[bool]string{"A": {false: "10.2.0.42", true: "fd00:2::42"}, "B": {false: "10.2.0.1", true: "fd00:2::1"}}[h.Name][strings.Contains(cmd, "-6")]
			h.MustRun(t, cmd+dst)
		}
	}

	// A now shows B's endpoint as B's address and the port B's kernel
	// chose, and a ctime(3) date as the latest handshake.
	show := a.MustRun(t, "wgconfig wg0 show peer B")
	ep := regexp.MustCompile(`(?m)^\tendpoint: 198\.51\.100\.45:(\d+)$`).FindStringSubmatch(show)
	if ep == nil || ep[1] == "0" {
		t.Errorf("A's endpoint for B is not B's address:\n%s", show)
	}
	hs := regexp.MustCompile(`(?m)^\tlatest-handshake: (.*)$`).FindStringSubmatch(show)
	if hs == nil {
		t.Fatalf("no latest-handshake line:\n%s", show)
	}
	when, err := time.ParseInLocation("Mon Jan _2 15:04:05 2006", hs[1], time.Local)
	if err != nil {
		t.Fatalf("latest-handshake %q is not a ctime(3) date: %v", hs[1], err)
	}
	if d := time.Since(when); d < -time.Minute || d > 5*time.Minute {
		t.Errorf("latest-handshake %v is not recent", when)
	}
	t.Logf("A sees B at %s, last handshake %s", strings.TrimPrefix(ep[0], "\t"), hs[1])

	// B roams: a new address on its outer interface; A follows.
	b.MustRun(t, "ip addr add 198.51.100.46/32 dev vA && ip addr del 198.51.100.45/24 dev vA && ip route replace 192.0.2.123/32 dev vA src 198.51.100.46")
	a.MustRun(t, "ip route add 198.51.100.46/32 dev vB")
	pingable(t, b, "10.2.0.1")
	if err := hosts.Poll(5*time.Second, func() error {
		show := a.MustRun(t, "wgconfig wg0 show peer B")
		if !strings.Contains(show, "\tendpoint: 198.51.100.46:") {
			return fmt.Errorf("A did not follow B to 198.51.100.46:\n%s", show)
		}
		return nil
	}); err != nil {
		t.Error(err)
	}
	pingable(t, a, "10.2.0.42")
}
