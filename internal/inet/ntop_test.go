package inet

import (
	"net/netip"
	"testing"
)

func TestNtop4(t *testing.T) {
	for _, tt := range []struct {
		in   [4]byte
		want string
	}{
		{[4]byte{0, 0, 0, 0}, "0.0.0.0"},
		{[4]byte{192, 0, 2, 1}, "192.0.2.1"},
		{[4]byte{255, 255, 255, 255}, "255.255.255.255"},
	} {
		if got := Ntop4(tt.in); got != tt.want {
			t.Errorf("Ntop4(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestNtop6 holds the cases ifconfig-shim and wgconfig pinned when each
// had its own inet_ntop.
func TestNtop6(t *testing.T) {
	// ifconfig-shim's (format_test.go).
	tests := []struct{ in, want string }{
		{"fe80::22f7:d6ff:fe3a:1e60", "fe80::22f7:d6ff:fe3a:1e60"},
		{"fd00:2::1", "fd00:2::1"},
		{"::", "::"},
		{"::1", "::1"},
		{"1::", "1::"},
		{"1:0:0:1:0:0:0:1", "1:0:0:1::1"},
		{"1:0:0:1:1:0:0:1", "1::1:1:0:0:1"}, // the first of equal runs
		{"1:0:1:1:1:1:1:1", "1:0:1:1:1:1:1:1"},
		{"::ffff:10.0.0.1", "::ffff:10.0.0.1"},
		{"::10.0.0.1", "::10.0.0.1"}, // IPv4-compatible, as inet_ntop shows it
		{"::1:10.0.0.1", "::1:a00:1"},
	}
	for _, tt := range tests {
		if got := Ntop6(netip.MustParseAddr(tt.in).As16()); got != tt.want {
			t.Errorf("Ntop6(%s) = %q, want %q", tt.in, got, tt.want)
		}
	}
	// wgconfig's (inet_test.go).
	for in, want := range map[string]string{
		"::":                   "::",
		"::1":                  "::1",
		"::2":                  "::2",
		"1::":                  "1::",
		"2001:db8::9":          "2001:db8::9",
		"2001:db8:0:1:0:0:0:1": "2001:db8:0:1::1",
		"2001:0:0:1:0:0:0:1":   "2001:0:0:1::1",
		"2001:0:0:1:1:0:0:1":   "2001::1:1:0:0:1", // the first longest run
		"1:0:2:3:4:5:6:7":      "1:0:2:3:4:5:6:7", // a lone zero stays
		"::ffff:192.0.2.1":     "::ffff:192.0.2.1",
		"::192.0.2.1":          "::192.0.2.1", // IPv4-compatible, unlike Go
		"fe80::1":              "fe80::1",
		"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff": "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
	} {
		b := netip.MustParseAddr(in).As16()
		if got := Ntop6(b); got != want {
			t.Errorf("Ntop6(%s) = %q, want %q", in, got, want)
		}
	}
}

// TestAppendNtop checks that the Append forms add to what dst holds, and
// Ntop4 against net/netip, whose dotted quads are inet_ntop's.
func TestAppendNtop(t *testing.T) {
	for i := range 1 << 12 {
		a := [4]byte{byte(i), byte(i >> 4 * 7), byte(i >> 8 * 31), byte(i * 13)}
		want := netip.AddrFrom4(a).String()
		if got := string(AppendNtop4([]byte("x:"), a)); got != "x:"+want {
			t.Fatalf("AppendNtop4(x:, %v) = %q, want %q", a, got, "x:"+want)
		}
		if got := Ntop4(a); got != want {
			t.Fatalf("Ntop4(%v) = %q, want %q", a, got, want)
		}
	}
	a := netip.MustParseAddr("2001:db8::9").As16()
	if got := string(AppendNtop6([]byte("x:"), a)); got != "x:2001:db8::9" {
		t.Fatalf("AppendNtop6 = %q", got)
	}
}
