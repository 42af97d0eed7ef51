//go:build linux

package dataplane

import (
	"strings"
	"testing"

	"nbwg/internal/hosts"
)

// TestDownUpKeepsInet6: `ifconfig wg0 down; ifconfig wg0 up` on one side
// (as an administrator bounces a tunnel) keeps the interface's IPv6
// addresses, as NetBSD does, and ping6 through the tunnel works again.
// Linux drops a device's IPv6 addresses when it goes down, and before
// nbwg kept them it stayed broken until the interface was destroyed.
func TestDownUpKeepsInet6(t *testing.T) {
	hosts.Skip(t)
	p := setupBasic(t, false, "")
	pingable(t, p.peer, "fd00::1")
	pingable(t, p.peer, "10.0.0.1")
	p.local.MustRun(t, "ifconfig wg0 down && ifconfig wg0 up")
	if addrs := p.local.MustRun(t, "ip -6 -o addr show dev wg0"); !strings.Contains(addrs, "fd00::1/64") {
		t.Errorf("after down and up the TUN device lacks fd00::1/64:\n%s", addrs)
	}
	pingable(t, p.peer, "fd00::1")
	pingable(t, p.peer, "10.0.0.1")
}
