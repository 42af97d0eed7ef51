package main

import (
	"context"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"nbwg/internal/addrinfo"
	"nbwg/kernel/sys"
)

// fakeResolver replaces the host and service databases and the
// interface names for a test: the network namespace has lo (1) and
// vio0 (2).
func fakeResolver(t *testing.T) {
	hosts := map[string][]netip.Addr{
		"vpn.example":    {netip.MustParseAddr("192.0.2.7"), netip.MustParseAddr("2001:db8::7")},
		"v4only.example": {netip.MustParseAddr("198.51.100.7")},
	}
	old := resolver
	resolver = &addrinfo.Resolver{
		LookupHost: func(_ context.Context, network, host string) ([]netip.Addr, error) {
			if a, ok := hosts[host]; ok {
				return a, nil
			}
			if host == "flaky.example" {
				return nil, &net.DNSError{Err: "timeout", Name: host, IsTemporary: true}
			}
			return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
		},
		LookupService: func(name, proto string) (int, bool) {
			if name == "http" {
				return 80, true
			}
			return 0, false
		},
		IfNameToIndex: fakeInterfaces.index,
		IfIndexToName: fakeInterfaces.name,
	}
	t.Cleanup(func() { resolver = old })
}

// interfaces is a network namespace's interface table for a test.
type interfaces []string

var fakeInterfaces = interfaces{1: "lo", 2: "vio0"}

func (l interfaces) index(name string) (uint32, bool) {
	for i, n := range l {
		if n != "" && n == name {
			return uint32(i), true
		}
	}
	return 0, false
}

func (l interfaces) name(index uint32) (string, bool) {
	if int(index) < len(l) && l[index] != "" {
		return l[index], true
	}
	return "", false
}

// writeFile writes a key file and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func ip(s string) []byte {
	a := netip.MustParseAddr(s)
	if a.Is4() {
		b := a.As4()
		return b[:]
	}
	b := a.As16()
	return b[:]
}

// allowedIP is an allowedips entry as NetBSD's wgconfig sends it: the
// family as uint8, the prefix length as uint16.
func allowedIP(family uint64, addr string, cidr uint64) map[string]any {
	return map[string]any{"family": u(family), "ip": ip(addr), "cidr": u(cidr)}
}

// runSet runs a configuring command and returns its result and the one
// request the kernel received (nil if none).
func runSet(t *testing.T, args ...string) (result, *setRequest) {
	t.Helper()
	k := &fakeKernel{t: t}
	got := runWith(t, k, args...)
	switch len(k.sets) {
	case 0:
		return got, nil
	case 1:
		return got, &k.sets[0]
	}
	t.Fatalf("%q sent %d requests", args, len(k.sets))
	return got, nil
}

func TestSetPrivateKey(t *testing.T) {
	want := &setRequest{"wg0", sys.WG_IOCTL_SET_PRIVATE_KEY, map[string]any{"private_key": key(t, privA)}}
	for _, content := range []string{
		privA + "\n",               // as wg-keygen writes it
		privA,                      // no newline
		privA + "and then garbage", // only 44 characters count
	} {
		path := writeFile(t, "key", content)
		got, req := runSet(t, "wgconfig", "wg0", "set", "private-key", path)
		diffResult(t, []string{content}, result{0, "", ""}, got)
		if diff := cmp.Diff(want, req); diff != "" {
			t.Errorf("%q: request -want +got:\n%s", content, diff)
		}
	}
	// White space counts among the 44 characters: these end before
	// the padding, inside a quantum.
	path := writeFile(t, "key", privA[:20]+"\n"+privA[20:])
	got, req := runSet(t, "wgconfig", "wg0", "set", "private-key", path)
	diffResult(t, nil, result{1, "", "wgconfig: b64_pton failed\n"}, got)
	if req != nil {
		t.Errorf("a request was sent: %+v", req)
	}
}

func TestSetListenPort(t *testing.T) {
	for arg, port := range map[string]uint64{"51820": 51820, "1": 1, "65535": 65535, " 80": 80, "+80": 80, "080": 80} {
		got, req := runSet(t, "wgconfig", "wg0", "set", "listen-port", arg)
		diffResult(t, []string{arg}, result{0, "", ""}, got)
		want := &setRequest{"wg0", sys.WG_IOCTL_SET_LISTEN_PORT, map[string]any{"listen_port": u(port)}}
		if diff := cmp.Diff(want, req); diff != "" {
			t.Errorf("%q: request -want +got:\n%s", arg, diff)
		}
	}
}

func TestAddPeer(t *testing.T) {
	fakeResolver(t)
	psk := writeFile(t, "psk", pskAB+"\n")
	base := func(extra map[string]any) map[string]any {
		m := map[string]any{"name": "B", "public_key": key(t, pubB)}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name string
		opts []string
		want map[string]any
	}{
		{"no options", nil, base(nil)},
		{
			"man page example",
			[]string{"--preshared-key=" + psk, "--allowed-ips=10.2.0.42/32,fd00:2::42/128"},
			base(map[string]any{
				"preshared_key": key(t, pskAB),
				"allowedips":    []any{allowedIP(2, "10.2.0.42", 32), allowedIP(24, "fd00:2::42", 128)},
			}),
		},
		{"psk file, man page spelling", []string{"--preshared-key-file=" + psk}, base(map[string]any{"preshared_key": key(t, pskAB)})},
		{"v4 endpoint", []string{"--endpoint=192.0.2.123:1234"}, base(map[string]any{"endpoint": sin("192.0.2.123:1234")})},
		{"bracketed v6 endpoint", []string{"--endpoint=[2001:db8::1]:51820"}, base(map[string]any{"endpoint": sin6("[2001:db8::1]:51820", 0)})},
		{"bare v6 endpoint", []string{"--endpoint=fc00::2:51820"}, base(map[string]any{"endpoint": sin6("[fc00::2]:51820", 0)})},
		{"bracketed v4 endpoint", []string{"--endpoint=[192.0.2.1]:80"}, base(map[string]any{"endpoint": sin("192.0.2.1:80")})},
		{"scoped endpoint", []string{"--endpoint=[fe80::1%2]:51820"}, base(map[string]any{"endpoint": sin6("[fe80::1]:51820", 2)})},
		{"scoped bare endpoint", []string{"--endpoint=fe80::1%2:51820"}, base(map[string]any{"endpoint": sin6("[fe80::1]:51820", 2)})},
		{"v4-mapped endpoint stays v6", []string{"--endpoint=::ffff:192.0.2.1:7"}, base(map[string]any{"endpoint": sin6("[::ffff:192.0.2.1]:7", 0)})},
		// getaddrinfo reads IPv4 with inet_aton (getaddrinfo.c 1.123
		// explore_numeric): shorthand, octal and hexadecimal parts.
		{"inet_aton shorthand", []string{"--endpoint=10.1:7"}, base(map[string]any{"endpoint": sin("10.0.0.1:7")})},
		{"inet_aton hex and octal", []string{"--endpoint=0x7f.01:7"}, base(map[string]any{"endpoint": sin("127.0.0.1:7")})},
		{"scope named after an interface", []string{"--endpoint=[fe80::1%vio0]:51820"}, base(map[string]any{"endpoint": sin6("[fe80::1]:51820", 2)})},
		{"link-local multicast scope by name", []string{"--endpoint=[ff02::1%vio0]:51820"}, base(map[string]any{"endpoint": sin6("[ff02::1]:51820", 2)})},
		{"numeric scope of a global address", []string{"--endpoint=[fd00::1%7]:51820"}, base(map[string]any{"endpoint": sin6("[fd00::1]:51820", 7)})},
		{"service name", []string{"--endpoint=192.0.2.1:http"}, base(map[string]any{"endpoint": sin("192.0.2.1:80")})},
		{"strtoul port", []string{"--endpoint=192.0.2.1: +42"}, base(map[string]any{"endpoint": sin("192.0.2.1:42")})},
		// nbwg sends the name beside the address (endpoint_host), for
		// the kernel to resolve it again; NetBSD's kernel ignores it.
		{"host name, IPv6 first", []string{"--endpoint=vpn.example:51820"}, base(map[string]any{"endpoint": sin6("[2001:db8::7]:51820", 0), "endpoint_host": "vpn.example:51820"})},
		{"host name, IPv4 only", []string{"--endpoint=v4only.example:51820"}, base(map[string]any{"endpoint": sin("198.51.100.7:51820"), "endpoint_host": "v4only.example:51820"})},
		{
			"allowed-ips forms",
			[]string{"--allowed-ips=::ffff:10.0.0.1/128,10.0.0.1/ 8,10.0.0.0/200,0.0.0.0/0,fe80::1%3/64,::/0,10.1/8,010.0.0.1/8,fe80::2%vio0/64"},
			base(map[string]any{"allowedips": []any{
				allowedIP(24, "::ffff:10.0.0.1", 128),
				allowedIP(2, "10.0.0.1", 8),
				allowedIP(2, "10.0.0.0", 200),
				allowedIP(2, "0.0.0.0", 0),
				allowedIP(24, "fe80::1", 64),
				allowedIP(24, "::", 0),
				allowedIP(2, "10.0.0.1", 8), // inet_aton shorthand
				allowedIP(2, "8.0.0.1", 8),  // inet_aton octal
				allowedIP(24, "fe80::2", 64),
			}}),
		},
		{
			"the last option wins",
			[]string{"--allowed-ips=10.0.0.1/32", "--endpoint=192.0.2.1:1", "--allowed-ips=10.0.0.2/32", "--endpoint=192.0.2.2:2"},
			base(map[string]any{"allowedips": []any{allowedIP(2, "10.0.0.2", 32)}, "endpoint": sin("192.0.2.2:2")}),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"wgconfig", "wg0", "add", "peer", "B", pubB}, tt.opts...)
			got, req := runSet(t, args...)
			diffResult(t, args, result{0, "", ""}, got)
			want := &setRequest{"wg0", sys.WG_IOCTL_ADD_PEER, tt.want}
			if diff := cmp.Diff(want, req); diff != "" {
				t.Errorf("request -want +got:\n%s", diff)
			}
		})
	}
}

func TestAddPeerNamesAndKeys(t *testing.T) {
	for _, tt := range []struct{ name, pub string }{
		{"sixteen-chars-ok", pubB},
		{"", pubB}, // an unnamed peer
		// A low-order point: wgconfig checks only the syntax.
		{"low", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="},
	} {
		got, req := runSet(t, "wgconfig", "wg0", "add", "peer", tt.name, tt.pub)
		diffResult(t, nil, result{0, "", ""}, got)
		want := &setRequest{"wg0", sys.WG_IOCTL_ADD_PEER, map[string]any{"name": tt.name, "public_key": key(t, tt.pub)}}
		if diff := cmp.Diff(want, req); diff != "" {
			t.Errorf("request -want +got:\n%s", diff)
		}
	}
}

func TestDeletePeer(t *testing.T) {
	got, req := runSet(t, "wgconfig", "wg0", "delete", "peer", "B")
	diffResult(t, nil, result{0, "", ""}, got)
	want := &setRequest{"wg0", sys.WG_IOCTL_DELETE_PEER, map[string]any{"name": "B"}}
	if diff := cmp.Diff(want, req); diff != "" {
		t.Errorf("request -want +got:\n%s", diff)
	}
}

// TestCommandErrors checks the diagnostics NetBSD's wgconfig gives before
// reaching the kernel: all exit with status 1 and send nothing.
func TestCommandErrors(t *testing.T) {
	fakeResolver(t)
	dir := t.TempDir()
	short := writeFile(t, "short", "abc\n")
	empty := writeFile(t, "empty", "")
	bad := writeFile(t, "bad", strings.Repeat("*", 44)+"\n")
	spaced := writeFile(t, "spaced", " "+privA+"\n")
	add := func(opts ...string) []string {
		return append([]string{"wgconfig", "wg0", "add", "peer", "B", pubB}, opts...)
	}
	port := func(p string) []string { return []string{"wgconfig", "wg0", "set", "listen-port", p} }
	tests := []struct {
		args []string
		want string
	}{
		// Names and keys.
		{[]string{"wgconfig", "wg0", "add", "peer", "seventeen-chars-x", pubB}, "peer name too long"},
		{[]string{"wgconfig", "wg0", "delete", "peer", "seventeen-chars-x"}, "peer name too long"},
		{[]string{"wgconfig", "wg0", "add", "peer", "B", pubB[:43]}, "invalid public-key length: 43"},
		{[]string{"wgconfig", "wg0", "add", "peer", "B", pubB + "A"}, "invalid public-key length: 45"},
		{[]string{"wgconfig", "wg0", "add", "peer", "B", ""}, "invalid public-key length: 0"},
		{[]string{"wgconfig", "wg0", "add", "peer", "B", strings.Repeat("A", 44)}, "b64_pton failed"},
		{[]string{"wgconfig", "wg0", "add", "peer", "B", pubB[:42] + "Z="}, "b64_pton failed"},
		// Ports.
		{port("0"), "port 0 is not allowed"},
		{port("-0"), "port 0 is not allowed"},
		{port("abc"), "strtol: not a number"},
		{port(""), "strtol: not a number"},
		{port(" "), "strtol: not a number"},
		{port("-"), "strtol: not a number"},
		{port("80x"), "strtol: trailing garbage"},
		{port("80 "), "strtol: trailing garbage"},
		{port("65536"), "out of range"},
		{port("-1"), "out of range"},
		{port("99999999999999999999"), "strtol: Result too large or too small"},
		{port("-99999999999999999999"), "strtol: Result too large or too small"},
		{port("9223372036854775807"), "out of range"},
		// Endpoints.
		{add("--endpoint=192.0.2.1"), "no ':' found in endpoint"},
		{add("--endpoint="), "no ':' found in endpoint"},
		{add("--endpoint=[::1]"), "invalid endpoint format"},
		{add("--endpoint=[::1]x80"), "invalid endpoint format"},
		{add("--endpoint=[::1:51820"), "invalid endpoint format"},
		{add("--endpoint=192.0.2.1:99999"), "getaddrinfo: 192.0.2.1:99999 (servname not supported for ai_socktype)"},
		{add("--endpoint=192.0.2.1:"), "getaddrinfo: 192.0.2.1: (servname not supported for ai_socktype)"},
		{add("--endpoint=192.0.2.1:-1"), "getaddrinfo: 192.0.2.1:-1 (servname not supported for ai_socktype)"},
		{add("--endpoint=192.0.2.1:nosuchservice"), "getaddrinfo: 192.0.2.1:nosuchservice (servname not supported for ai_socktype)"},
		{add("--endpoint=[::1]:"), "getaddrinfo: ::1: (servname not supported for ai_socktype)"},
		{add("--endpoint=nosuch.invalid:51820"), "getaddrinfo: nosuch.invalid:51820 (No address associated with hostname)"},
		{add("--endpoint=flaky.example:51820"), "getaddrinfo: flaky.example:51820 (Temporary failure in name resolution)"},
		{add("--endpoint=fe80::1%:51820"), "getaddrinfo: fe80::1%:51820 (No address associated with hostname)"},
		{add("--endpoint=[fe80::1%wg0]:51820"), "getaddrinfo: fe80::1%wg0:51820 (No address associated with hostname)"},
		{add("--endpoint=[fd00::1%vio0]:51820"), "getaddrinfo: fd00::1%vio0:51820 (No address associated with hostname)"},
		{add("--endpoint=09.1.2.3:7"), "getaddrinfo: 09.1.2.3:7 (No address associated with hostname)"},
		{add("--endpoint=192.0.2.1 :7"), "getaddrinfo: 192.0.2.1 :7 (No address associated with hostname)"},
		// Allowed IPs.  NetBSD hands errno, not getaddrinfo's result, to
		// gai_strerror: errno is 0 ("Success") unless a scope id
		// overflowed (ERANGE, past gai_strerror's table).
		{add("--allowed-ips=10.0.0.1"), "no '/' found in allowed-ip"},
		{add("--allowed-ips="), "no '/' found in allowed-ip"},
		{add("--allowed-ips=10.0.0.1/32,"), "no '/' found in allowed-ip"},
		{add("--allowed-ips=10.0.0.1/"), "strtol: not a number"},
		{add("--allowed-ips=10.0.0.1/x"), "strtol: not a number"},
		{add("--allowed-ips=10.0.0.1/8x"), "strtol: trailing garbage"},
		{add("--allowed-ips=10.0.0.1/8/9"), "strtol: trailing garbage"},
		{add("--allowed-ips=10.0.0.1/65536"), "out of range"},
		{add("--allowed-ips=10.0.0.1/-1"), "out of range"},
		{add("--allowed-ips=10.0.0.1/99999999999999999999"), "strtol: Result too large or too small"},
		{add("--allowed-ips=10.0.0.256/32"), "getaddrinfo: Success"},
		{add("--allowed-ips=09.0.0.1/8"), "getaddrinfo: Success"},
		{add("--allowed-ips=10.0.0.1 /8"), "getaddrinfo: Success"},
		{add("--allowed-ips=10.0.0.1x/8"), "getaddrinfo: Success"},
		{add("--allowed-ips=fd00::1%vio0/64"), "getaddrinfo: Success"},
		{add("--allowed-ips=vpn.example/32"), "getaddrinfo: Success"},
		{add("--allowed-ips=fe80::1%x/64"), "getaddrinfo: Success"},
		{add("--allowed-ips=fe80::1%99999999999999999999999/64"), "getaddrinfo: Unknown error"},
		// Key files.
		{add("--preshared-key=" + filepath.Join(dir, "nope")), "fopen: " + filepath.Join(dir, "nope") + ": No such file or directory"},
		{add("--preshared-key=" + short), "base64 key len is short: 4"},
		{add("--preshared-key=" + empty), "base64 key len is short: 0"},
		{add("--preshared-key=" + dir), "base64 key len is short: 0"},
		{add("--preshared-key=" + bad), "b64_pton failed"},
		{add("--preshared-key=" + spaced), "b64_pton failed"},
		{[]string{"wgconfig", "wg0", "set", "private-key", filepath.Join(dir, "nope")}, "fopen: " + filepath.Join(dir, "nope") + ": No such file or directory"},
		{[]string{"wgconfig", "wg0", "set", "private-key", short}, "base64 key len is short: 4"},
		{[]string{"wgconfig", "wg0", "set", "private-key", bad}, "b64_pton failed"},
		// Options.
		{add("--bogus"), "invalid option: --bogus"},
		{add("--endpoint"), "invalid option: --endpoint"},
		{add("--preshared-key"), "invalid option: --preshared-key"},
		{add("extra"), "invalid option: extra"},
		{add("--allowed-ips=10.0.0.1/32", "--nope=1"), "invalid option: --nope=1"},
	}
	for _, tt := range tests {
		got, req := runSet(t, tt.args...)
		diffResult(t, tt.args, result{1, "", "wgconfig: " + tt.want + "\n"}, got)
		if req != nil {
			t.Errorf("%q: a request was sent: %+v", tt.args, req)
		}
	}
}

// TestKeyFileUnreadable: a key file the user may not read is fopen's
// EACCES.  Root reads files whatever their mode, so as root (CI) the test
// runs again as nobody; tests/privilege_test.go covers the same through
// a kernel.
func TestKeyFileUnreadable(t *testing.T) {
	if os.Geteuid() == 0 {
		rerunAsNobody(t)
		return
	}
	p := writeFile(t, "key", privA+"\n")
	if err := os.Chmod(p, 0); err != nil {
		t.Fatal(err)
	}
	got, _ := runSet(t, "wgconfig", "wg0", "set", "private-key", p)
	diffResult(t, nil, result{1, "", "wgconfig: fopen: " + p + ": Permission denied\n"}, got)
}
