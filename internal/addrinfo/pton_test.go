package addrinfo

import (
	"net/netip"
	"testing"
)

func TestInetPton4(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" when refused
	}{
		{"192.0.2.1", "192.0.2.1"},
		{"0.0.0.0", "0.0.0.0"},
		{"255.255.255.255", "255.255.255.255"},
		{"09.1.2.3", "9.1.2.3"}, // a 0 before 9 does not make octal
		{"1.2.3.4 ", "1.2.3.4"}, // trailing white space ends the text
		{"1.2.3.4\tanything", "1.2.3.4"},
		{"4294967297.0.0.0", "1.0.0.0"}, // 32-bit accumulation wraps
		{"010.0.0.1", ""},               // octal
		{"0x1.0.0.1", ""},               // hex
		{"1.2.3", ""},                   // no shorthand
		{"1", ""},
		{"1.2.3.4.5", ""},
		{"256.0.0.1", ""},
		{"1.2.3.4x", ""},
		{"1..2.3", ""},
		{"", ""},
		{" 1.2.3.4", ""},
	}
	for _, tt := range tests {
		b, ok := InetPton4(tt.in)
		got := ""
		if ok {
			got = netip.AddrFrom4(b).String()
		}
		if got != tt.want {
			t.Errorf("InetPton4(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestInetPton6(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" when refused
	}{
		{"::", "::"},
		{"::1", "::1"},
		{"2001:db8::1", "2001:db8::1"},
		{"2001:DB8:0:0:0:0:0:1", "2001:db8::1"},
		{"fd00:2::42", "fd00:2::42"},
		{"::ffff:1.2.3.4", "::ffff:1.2.3.4"},
		{"1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"},
		{"1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304"},
		{"1::", "1::"},
		{":1", ""},
		{"1:", ""},
		{"1:::2", ""},
		{"1::2::3", ""},
		{"12345::", ""},
		{"1:2:3:4:5:6:7:8:9", ""},
		{"1:2:3:4:5:6:7::8", ""},
		{"1:2:3:4:5:6:7:8::", ""},
		{"::1.2.3", ""},
		{"g::", ""},
		{"", ""},
		// The embedded dotted quad is inet_pton's: "09" is nine,
		// octal is refused, and white space after it ends the text.
		{"::09.1.2.3", "::901:203"},
		{"::010.1.2.3", ""},
		{"::1.2.3.4 junk", "::102:304"},
		{"1::%1", ""},
	}
	for _, tt := range tests {
		b, ok := InetPton6(tt.in)
		got := ""
		if ok {
			got = netip.AddrFrom16(b).String()
		}
		if got != tt.want {
			t.Errorf("InetPton6(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestInetAton(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" for invalid
	}{
		{"10.2.0.1", "10.2.0.1"},
		{"10.1", "10.0.0.1"},
		{"10.1.2", "10.1.0.2"},
		{"167772161", "10.0.0.1"},
		{"0xffffff00", "255.255.255.0"},
		{"0x0a.0.0.1", "10.0.0.1"},
		{"012.0.0.1", "10.0.0.1"},
		{"0", "0.0.0.0"},
		{"10.0.0.1 trailing", "10.0.0.1"},
		{"10.0.0.256", ""},
		{"256.0.0.1", ""},
		{"10.0.0.1.1", ""},
		{"10..0.1", ""},
		{"09.0.0.1", ""},
		{"0x", ""},
		{"", ""},
		{"10.0.0.1x", ""},
		{"10.1.65536", ""},
		{"fd00::1", ""},
		// Parts accumulate in a u_long: a part before a dot that
		// would wrap to a small value in 32 bits is still too large,
		// and a lone part keeps its low 32 bits.
		{"4294967296.1", ""},
		{"1.4294967296", ""},
		{"4294967297", "0.0.0.1"},
		{"0x100000001", "0.0.0.1"},
		{"00", "0.0.0.0"},
		{"0x10.0x20.0x30.0x40", "16.32.48.64"},
		{"1.2.3.4\t", "1.2.3.4"},
		{"1.2.3.4\xa0", ""}, // no byte above 0x7f is a space
	}
	for _, tt := range tests {
		a, ok := InetAton(tt.in)
		got := ""
		if ok {
			got = netip.AddrFrom4(a).String()
		}
		if got != tt.want {
			t.Errorf("InetAton(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
