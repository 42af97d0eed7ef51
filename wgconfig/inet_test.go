package main

import (
	"net/netip"
	"testing"
	"time"
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
		b, ok := inetPton4(tt.in)
		got := ""
		if ok {
			got = netip.AddrFrom4(b).String()
		}
		if got != tt.want {
			t.Errorf("inetPton4(%q) = %q, want %q", tt.in, got, tt.want)
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
	}
	for _, tt := range tests {
		b, ok := inetPton6(tt.in)
		got := ""
		if ok {
			got = netip.AddrFrom16(b).String()
		}
		if got != tt.want {
			t.Errorf("inetPton6(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCtime(t *testing.T) {
	for sec, want := range map[int64]string{
		1:                 "Thu Jan  1 00:00:01 1970\n",
		1795617440:        "Wed Nov 25 14:37:20 2026\n",
		951782400 + 86399: "Tue Feb 29 23:59:59 2000\n",
	} {
		if got := ctime(sec); got != want {
			t.Errorf("ctime(%d) = %q, want %q", sec, got, want)
		}
	}
	if got := time.Unix(1795617440, 0).UTC().Format(time.RFC3339); got != "2026-11-25T14:37:20Z" {
		t.Errorf("test vector is %s", got)
	}
}
