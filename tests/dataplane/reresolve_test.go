//go:build linux

package dataplane

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"nbwg/internal/hosts"
)

// TestEndpointReresolved: a peer configured by host name moves to another
// address and its name follows (dynamic DNS, here /etc/hosts); the kernel
// resolves the name again once handshakes to the old address keep
// failing, and the tunnel comes back without touching the configuration.
func TestEndpointReresolved(t *testing.T) {
	hosts.Skip(t)
	l, p := hosts.New(t, "L"), hosts.New(t, "P")
	hosts.Link(t, l, "192.168.1.1/24", p, "192.168.1.2/24")
	l.WriteFile(t, "hosts", []byte("127.0.0.1 localhost\n192.168.1.2 peerp.test\n"), 0o644)
	_, pubL := keys(t, l, "wg0")
	_, pubP := keys(t, p, "wg0")
	p.MustRun(t, strings.Join([]string{
		"ifconfig wg0 create", "ifconfig wg0 inet 10.0.0.2/24",
		"wgconfig wg0 set private-key /etc/wg/wg0", "wgconfig wg0 set listen-port 51820",
		"wgconfig wg0 add peer L " + pubL + " --allowed-ips=10.0.0.1/32", "ifconfig wg0 up",
	}, " && "))
	l.MustRun(t, strings.Join([]string{
		// Handshakes retried every second; silence noticed after two.
		"sysctl -w net.wg.rekey_timeout=1 >/dev/null", "sysctl -w net.wg.keepalive_timeout=1 >/dev/null",
		"ifconfig wg0 create", "ifconfig wg0 inet 10.0.0.1/24",
		"wgconfig wg0 set private-key /etc/wg/wg0",
		"wgconfig wg0 add peer P " + pubP + " --allowed-ips=10.0.0.2/32 --endpoint=peerp.test:51820", "ifconfig wg0 up",
	}, " && "))
	pingable(t, l, "10.0.0.2")
	if got := l.MustRun(t, "wgconfig wg0 show peer P"); !strings.Contains(got, "endpoint: 192.168.1.2:51820") {
		t.Fatalf("before the move:\n%s", got)
	}

	// P moves; its name follows.
	p.MustRun(t, "ip addr del 192.168.1.2/24 dev vL && ip addr add 192.168.1.3/24 dev vL")
	l.WriteFile(t, "hosts", []byte("127.0.0.1 localhost\n192.168.1.3 peerp.test\n"), 0o644)
	if err := l.Ping(t, "10.0.0.2", 30*time.Second); err != nil {
		t.Fatalf("the tunnel did not come back after P moved: %v\n%s", err, l.MustRun(t, "wgconfig wg0 show peer P"))
	}
	if got := l.MustRun(t, "wgconfig wg0 show peer P"); !strings.Contains(got, "endpoint: 192.168.1.3:51820") {
		t.Errorf("after the move:\n%s", got)
	}
	if log := l.MustRun(t, "cat $NBWG_LOGDIR/*.log"); !strings.Contains(log, fmt.Sprintf("peer P: peerp.test now resolves to %s (was %s)", "192.168.1.3:51820", "192.168.1.2:51820")) {
		t.Errorf("the kernel did not log the new address:\n%s", log)
	}
}
