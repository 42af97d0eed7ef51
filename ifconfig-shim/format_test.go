package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSnprintb(t *testing.T) {
	tests := []struct {
		v     uint64
		names []string
		want  string
	}{
		{0x8041, iffBits, "0x8041<UP,RUNNING,MULTICAST>"},
		{0x8000, iffBits, "0x8000<MULTICAST>"},
		{0, iffBits, "0"},
		{0x8, in6IffBits, "0x8<DETACHED>"},
		{0x2, in6IffBits, "0x2<TENTATIVE>"},
		{0x20, in6IffBits, "0x20<NODAD>"},
		{0x4, inIffBits, "0x4<DETACHED>"},
		{0x10, inIffBits, "0x10"}, // no name for the bit
		{0x13, inIffBits, "0x13<TENTATIVE,DUPLICATED>"},
	}
	for _, tt := range tests {
		if got := snprintb(tt.v, tt.names); got != tt.want {
			t.Errorf("snprintb(%#x) = %q, want %q", tt.v, got, tt.want)
		}
	}
}

func TestHumanize(t *testing.T) {
	tests := []struct {
		n    uint64
		want string
	}{
		{0, ", 0 bytes"},
		{1, ", 1 byte"},
		{999, ", 999 bytes"},
		{1000, ", 1.0K byte"}, // NetBSD's atof("1.0K") == 1.0
		{1024, ", 1.0K byte"},
		{1536, ", 1.5K bytes"},
		{5000, ", 4.9K bytes"},
		{50000, ", 49K bytes"},
		{1 << 20, ", 1.0M byte"},
		{123456789, ", 118M bytes"},
		{1 << 40, ", 1.0T byte"},
	}
	for _, tt := range tests {
		if got := humanizeBytes(tt.n); got != tt.want {
			t.Errorf("humanizeBytes(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestPlural(t *testing.T) {
	for _, tt := range []struct {
		n    uint64
		want string
	}{{0, "\tinput: 0 packets"}, {1, "\tinput: 1 packet"}, {2, "\tinput: 2 packets"}} {
		if got := plural("\tinput: ", tt.n, "packet"); got != tt.want {
			t.Errorf("plural(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestStrtoimax(t *testing.T) {
	type res struct {
		V    int64
		Rest string
		OK   bool
	}
	tests := []struct {
		in   string
		base int
		want res
	}{
		{"1420", 10, res{1420, "", true}},
		{"", 10, res{0, "", true}},
		{" +12x", 10, res{12, "x", true}},
		{"-5", 10, res{-5, "", true}},
		{"abc", 10, res{0, "abc", true}},
		{"9223372036854775807", 10, res{maxInt64, "", true}},
		{"9223372036854775808", 10, res{maxInt64, "", false}},
		{"-9223372036854775808", 10, res{minInt64, "", true}},
		{"0x10", 0, res{16, "", true}},
		{"010", 0, res{8, "", true}},
		{"0x", 0, res{0, "x", true}},
		{"0x10", 10, res{0, "x10", true}},
	}
	for _, tt := range tests {
		v, rest, ok := strtoimax(tt.in, tt.base)
		if diff := cmp.Diff(tt.want, res{v, rest, ok}); diff != "" {
			t.Errorf("strtoimax(%q, %d) (-want +got):\n%s", tt.in, tt.base, diff)
		}
	}
}

func TestPrefixLen(t *testing.T) {
	for _, tt := range []struct {
		mask []byte
		want int
	}{
		{[]byte{255, 255, 255, 0}, 24},
		{[]byte{0, 0, 0, 0}, 0},
		{[]byte{255, 255, 255, 255}, 32},
		{[]byte{255, 0, 255, 0}, -1},
		{[]byte{255, 255, 255, 254}, 31},
	} {
		if got := inPrefixLen(tt.mask); got != tt.want {
			t.Errorf("inPrefixLen(%v) = %d, want %d", tt.mask, got, tt.want)
		}
	}
	for _, tt := range []struct {
		mask []byte
		want int
	}{
		{[]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0}, 64},
		{[]byte{0xff, 0xff, 0xfe, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 23},
		{make([]byte, 16), 0},
		{[]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, 128},
		{[]byte{0xff, 0, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 0}, // not contiguous
		{[]byte{0xff, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 0},
	} {
		if got := in6PrefixLen(tt.mask); got != tt.want {
			t.Errorf("in6PrefixLen(%v) = %d, want %d", tt.mask, got, tt.want)
		}
	}
	m, ok := prefixlenToMask(24, 64)
	if !ok || in6PrefixLen(m.sa[8:24]) != 64 {
		t.Errorf("prefixlenToMask(inet6, 64) = %v", m)
	}
	if m, ok := prefixlenToMask(2, 0); !ok || inPrefixLen(m.sa[4:8]) != 32 {
		t.Errorf("prefixlenToMask(inet, 0) = %v, want /32", m)
	}
	for _, bad := range []struct{ af, plen int }{{2, 33}, {2, -1}, {24, 129}, {18, 8}} {
		if _, ok := prefixlenToMask(bad.af, bad.plen); ok {
			t.Errorf("prefixlenToMask(%d, %d) succeeded", bad.af, bad.plen)
		}
	}
}
