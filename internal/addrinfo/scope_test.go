package addrinfo

import (
	"net/netip"
	"testing"
)

func TestNumericHost6(t *testing.T) {
	tests := []struct {
		addr  string
		scope uint32
		want  string
	}{
		{"fe80::1", 0, "fe80::1"},
		{"fe80::1", 2, "fe80::1%wg0"}, // link-local: the interface's name
		{"febf::1", 1, "febf::1%lo"},  // all of fe80::/10
		{"fe80::1", 9, "fe80::1%9"},   // no interface 9: the number
		{"ff02::1", 2, "ff02::1%wg0"}, // link-local multicast
		{"ff12::1", 2, "ff12::1%wg0"}, // with flags
		{"ff01::1", 2, "ff01::1%2"},   // interface-local multicast: numbered
		{"fec0::1", 2, "fec0::1%2"},   // site-local: numbered
		{"fd00::1", 2, "fd00::1%2"},   // global: numbered
		{"fd00::1", 4000000000, "fd00::1%4000000000"},
		{"::ffff:192.0.2.1", 0, "::ffff:192.0.2.1"}, // inet_ntop's text
		{"::192.0.2.1", 0, "::192.0.2.1"},
	}
	r := fake()
	for _, tt := range tests {
		if got := r.NumericHost6(netip.MustParseAddr(tt.addr).As16(), tt.scope); got != tt.want {
			t.Errorf("NumericHost6(%s, %d) = %q, want %q", tt.addr, tt.scope, got, tt.want)
		}
	}
}

// TestScopeRoundTrip: what getnameinfo writes, getaddrinfo reads back.
func TestScopeRoundTrip(t *testing.T) {
	r := fake()
	for _, tt := range []struct {
		addr  string
		scope uint32
	}{{"fe80::1", 2}, {"fe80::1", 9}, {"ff02::1", 1}, {"fd00::1", 2}} {
		text := r.NumericHost6(netip.MustParseAddr(tt.addr).As16(), tt.scope)
		res, err := r.Getaddrinfo(&text, nil, &Hints{Flags: AI_NUMERICHOST, Socktype: SOCK_DGRAM})
		if err != nil || len(res) != 1 || res[0].Addr.String() != tt.addr || res[0].ScopeID != tt.scope {
			t.Errorf("%s: %+v, %v; want %s scope %d", text, res, err, tt.addr, tt.scope)
		}
	}
}
