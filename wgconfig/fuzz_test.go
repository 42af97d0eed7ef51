package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"nbwg/internal/addrinfo"
	"nbwg/internal/b64key"
	"nbwg/internal/cli"
	"nbwg/internal/inet"
	"nbwg/kernel/kern"
	"nbwg/kernel/prop"
	"nbwg/kernel/sys"
)

// What wgconfig reads from its command line and from key files is typed
// by an administrator or comes from a configuration file someone else
// may have written: whatever it is, wgconfig must not panic, must exit 0
// or 1 (wgconfig(8), EXIT STATUS), and what it sends the kernel must be
// well formed.

// fuzzResolver puts fakeResolver's databases in place for a fuzz target
// (no name service is asked: a name is looked up in a table).
func fuzzResolver(f *testing.F) {
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
	f.Cleanup(func() { resolver = old })
}

// failed reports whether err is one of wgconfig's diagnostics (printed
// as "wgconfig: ..." with status 1), as every refusal of input must be.
func failed(t *testing.T, err error) {
	t.Helper()
	var f *failure
	if !errors.As(err, &f) || f.msg == "" {
		t.Fatalf("error %T %v is not a wgconfig diagnostic", err, err)
	}
}

// FuzzAllowedIPs: --allowed-ips=<ip>/<cidr>[,...].  An accepted list
// has one entry per item, each of a family whose address has its length,
// and each entry's text as show prints it (ntop/cidr) reads back to the
// same entry.
func FuzzAllowedIPs(f *testing.F) {
	for _, s := range []string{
		"10.2.0.42/32,fd00:2::42/128",
		"0.0.0.0/0,::/0",
		"10.2.0.0/24",
		"127.1/8",
		"0x7f.1/8",
		"10.0.0.1/",
		"10.0.0.1",
		"10.0.0.1/65536",
		"10.0.0.1/-1",
		"10.0.0.1/ 8",
		"10.0.0.1/99999999999999999999",
		"fe80::1%lo/64",
		"::ffff:10.0.0.1/96",
		"vpn.example/32",
		",",
		"",
		"10.0.0.1/8,,",
	} {
		f.Add(s)
	}
	fuzzResolver(f)
	f.Fuzz(func(t *testing.T, value string) {
		d := prop.NewDictionary()
		if err := optionAllowedIPs(value, d); err != nil {
			failed(t, err)
			return
		}
		list, ok := d.GetArray(sys.WGKeyAllowedIPs)
		if !ok {
			t.Fatalf("%q: no allowedips array", value)
		}
		items := strings.Split(value, ",")
		if list.Len() != len(items) {
			t.Fatalf("%q: %d entries for %d items", value, list.Len(), len(items))
		}
		for i, o := range list.Items() {
			e := o.(*prop.Dictionary)
			family, _ := e.GetUint8(sys.WGKeyFamily)
			ip, _ := e.GetData(sys.WGKeyIP)
			cidr, ok := e.GetUint16(sys.WGKeyCIDR)
			if !ok {
				t.Fatalf("%q: entry %d without a cidr", value, i)
			}
			var text string
			switch {
			case family == sys.AF_INET && len(ip) == 4:
				text = inet.Ntop4([4]byte(ip))
			case family == sys.AF_INET6 && len(ip) == 16:
				text = inet.Ntop6([16]byte(ip))
			default:
				t.Fatalf("%q: entry %d has family %d and a %d-byte address", value, i, family, len(ip))
			}
			again := prop.NewDictionary()
			shown := text + "/" + strconv.Itoa(int(cidr))
			if err := optionAllowedIPs(shown, again); err != nil {
				t.Fatalf("%q: entry %d shows as %q, which is refused: %v", value, i, shown, err)
			}
			back, _ := again.GetArray(sys.WGKeyAllowedIPs)
			if !prop.Equal(back.Get(0), e) {
				t.Fatalf("%q: entry %d shows as %q, which reads back differently", value, i, shown)
			}
		}
		roundTrip(t, d)
	})
}

// roundTrip checks that the request externalizes and that the kernel
// would internalize it unchanged.
func roundTrip(t *testing.T, d *prop.Dictionary) {
	t.Helper()
	xml, err := prop.Externalize(d)
	if err != nil {
		t.Fatalf("request does not externalize: %v", err)
	}
	back, err := prop.Internalize(xml)
	if err != nil || !prop.Equal(back, d) {
		t.Fatalf("request does not internalize back (%v):\n%s", err, xml)
	}
}

// FuzzEndpoint: --endpoint=<ip>:<port>.  An accepted endpoint is a
// sockaddr_in or sockaddr_in6 with its sa_len and family, and the text
// show prints for it (sockaddr_snprintf's "%a:%p") reads back to the
// same sockaddr, unless NetBSD's buffer cut the text short.
func FuzzEndpoint(f *testing.F) {
	for _, s := range []string{
		"192.0.2.1:51820",
		"[192.0.2.1]:51820",
		"[fc00::2]:51820",
		"fc00::2:51820",
		"fe80::1%vio0:1234",
		"[fe80::1%2]:1234",
		"[fe80::1%99999999999]:1234",
		"vpn.example:http",
		"v4only.example:1",
		"nowhere.example:1",
		"192.0.2.1:65536",
		"192.0.2.1:",
		"192.0.2.1",
		"[::]:0",
		"[::]",
		"[",
		":",
		"::ffff:192.0.2.1:7",
	} {
		f.Add(s)
	}
	fuzzResolver(f)
	f.Fuzz(func(t *testing.T, value string) {
		d := prop.NewDictionary()
		if err := optionEndpoint(value, d); err != nil {
			failed(t, err)
			return
		}
		o, ok := d.Get(sys.WGKeyEndpoint)
		sa, _ := o.(prop.Data)
		if !ok || len(sa) < 2 {
			t.Fatalf("%q: endpoint %v", value, o)
		}
		switch {
		case sa[1] == sys.AF_INET && len(sa) == sys.SizeofSockaddrIn && sa[0] == sys.SizeofSockaddrIn:
		case sa[1] == sys.AF_INET6 && len(sa) == sys.SizeofSockaddrIn6 && sa[0] == sys.SizeofSockaddrIn6:
		default:
			t.Fatalf("%q: endpoint % x", value, sa)
		}
		text, err := formatEndpoint(o)
		if err != nil {
			t.Fatalf("%q: show cannot print the endpoint % x: %v", value, sa, err)
		}
		if len(text) < inet6AddrStrLen-1 {
			again := prop.NewDictionary()
			if err := optionEndpoint(text, again); err != nil {
				t.Fatalf("%q: endpoint shows as %q, which is refused: %v", value, text, err)
			}
			if o2, _ := again.Get(sys.WGKeyEndpoint); !prop.Equal(o2, o) {
				t.Fatalf("%q: endpoint shows as %q, which reads back as % x, not % x", value, text, o2, sa)
			}
		}
		roundTrip(t, d)
	})
}

// FuzzReadKey: a key file (set private-key, --preshared-key=).  Its
// first 44 bytes are the key's base64, as b64_pton reads it; an
// accepted file gives those bytes, zero-padded.
func FuzzReadKey(f *testing.F) {
	for _, s := range []string{
		privA + "\n",
		privA,
		pskAB + "\r\n",
		privA[:43],
		privA[:43] + "\n",
		" " + privA,
		privA[:20] + "\x00" + privA[20:],
		"AAAA" + strings.Repeat(" ", 40),
		strings.Repeat("=", 44),
		"",
		"-----BEGIN PRIVATE KEY-----\n",
	} {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	path := filepath.Join(dir, "key")
	f.Fuzz(func(t *testing.T, content []byte) {
		if err := os.WriteFile(path, content, 0o600); err != nil {
			t.Fatal(err)
		}
		var key [b64key.KeyLen]byte
		_, err := readKey(path, &key)
		if len(content) < b64key.Base64Len {
			if err == nil {
				t.Fatalf("%q: a %d-byte file accepted", content, len(content))
			}
			failed(t, err)
			return
		}
		var want [b64key.KeyLen]byte
		_, werr := b64key.Decode(want[:], content[:b64key.Base64Len])
		switch {
		case (err == nil) != (werr == nil):
			t.Fatalf("%q: readKey: %v, b64_pton of the first 44 bytes: %v", content, err, werr)
		case err != nil:
			failed(t, err)
		case key != want:
			t.Fatalf("%q: key % x, want % x", content, key, want)
		}
	})
}

// Keys of the fuzzed command lines' world: the interface's private key
// and the preshared key, which an unprivileged user must never see.
var (
	fuzzPriv = bytes.Repeat([]byte{0x42}, 32)
	fuzzPSK  = bytes.Repeat([]byte{0x17}, 32)
)

// fuzzKernel is an emulated kernel with wg0 configured as in
// wgconfig(8)'s EXAMPLES: a private key, a port and peer B with a
// preshared key, an endpoint and two allowed IPs.
func fuzzKernel(t *testing.T) *kern.Kernel {
	t.Helper()
	k := kern.New(kern.Parts{})
	t.Cleanup(k.Halt)
	r := sys.Ifreq{}
	copy(r.Name[:], "wg0")
	if _, err := k.Ioctl(sys.Cred{}, sys.SIOCIFCREATE, r.Marshal(), nil); err != nil {
		t.Fatal(err)
	}
	set := func(cmd uint64, d *prop.Dictionary) {
		xml, err := prop.Externalize(d)
		if err != nil {
			t.Fatal(err)
		}
		ifd := sys.Ifdrv{Cmd: cmd, Len: uint64(len(xml))}
		copy(ifd.Name[:], "wg0")
		if _, err := k.Ioctl(sys.Cred{}, sys.SIOCSDRVSPEC, ifd.Marshal(), xml); err != nil {
			t.Fatalf("SIOCSDRVSPEC %d: %v", cmd, err)
		}
	}
	d := prop.NewDictionary()
	d.SetData(sys.WGKeyPrivateKey, fuzzPriv)
	set(sys.WG_IOCTL_SET_PRIVATE_KEY, d)
	d = prop.NewDictionary()
	d.SetUint16(sys.WGKeyListenPort, 1234)
	set(sys.WG_IOCTL_SET_LISTEN_PORT, d)
	d = prop.NewDictionary()
	d.SetString(sys.WGKeyName, "B")
	d.SetData(sys.WGKeyPublicKey, key(t, pubB))
	d.SetData(sys.WGKeyPresharedKey, fuzzPSK)
	if err := optionEndpoint("192.0.2.2:1234", d); err != nil {
		t.Fatal(err)
	}
	if err := optionAllowedIPs("10.2.0.42/32,fd00:2::42/128", d); err != nil {
		t.Fatal(err)
	}
	set(sys.WG_IOCTL_ADD_PEER, d)
	return k
}

// FuzzArgs runs wgconfig with any command line ('\x00' separates the
// arguments) against an emulated kernel, as root or as nobody (the
// selector's low bit).  Key files named "key", "psk", "short" and
// "junk" are in the working directory.  Whatever the arguments:
//   - the exit status is 0 or 1, and wgconfig never starts a kernel;
//   - a failure says why on standard error, except that show peer of an
//     unknown peer is silent (wgconfig.c returns without a message);
//     a success prints no diagnostic;
//   - an unprivileged user never sees a key of the interface's.
func FuzzArgs(f *testing.F) {
	for _, s := range []string{
		"wg0",
		"wg0\x00show\x00all",
		"wg0\x00show\x00peer\x00B\x00--show-preshared-key",
		"wg0\x00show\x00peer\x00C",
		"wg0\x00show\x00private-key",
		"wg0\x00set\x00private-key\x00key",
		"wg0\x00set\x00private-key\x00short",
		"wg0\x00set\x00private-key\x00nonexistent",
		"wg0\x00set\x00listen-port\x0051820",
		"wg0\x00set\x00listen-port\x000",
		"wg0\x00add\x00peer\x00C\x00" + pubC + "\x00--preshared-key=psk\x00--endpoint=[fc00::2]:51820\x00--allowed-ips=10.2.0.43/32,fd00:2::43/128",
		"wg0\x00add\x00peer\x00C\x00" + pubC + "\x00--preshared-key-file=junk\x00--endpoint=vpn.example:http",
		"wg0\x00add\x00peer\x00B\x00" + pubB,
		"wg0\x00add\x00peer\x00C\x00" + pubC + "\x00--allowed-ips=10.2.0.0/33",
		"wg0\x00delete\x00peer\x00B",
		"wg0\x00delete\x00peer\x00nobody",
		"wg1\x00show\x00all",
		"wg0123456789abcdef",
		"-h",
		"wg0\x00sh\x00pe\x00B",
		"wg0\x00set",
		"",
	} {
		f.Add(s, uint8(0))
		f.Add(s, uint8(1))
	}
	dir := f.TempDir()
	for name, text := range map[string]string{
		"key":   base64.StdEncoding.EncodeToString(fuzzPriv) + "\n",
		"psk":   base64.StdEncoding.EncodeToString(fuzzPSK) + "\n",
		"short": "AAAA\n",
		"junk":  strings.Repeat("*", 60),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			f.Fatal(err)
		}
	}
	f.Chdir(dir)
	fuzzResolver(f)
	secrets := [][]byte{
		b64key.AppendEncode(nil, fuzzPriv), b64key.AppendEncode(nil, fuzzPSK),
	}
	f.Fuzz(func(t *testing.T, line string, sel uint8) {
		if specialPath(line) {
			return
		}
		args := append([]string{"wgconfig"}, strings.Split(line, "\x00")...)
		if line == "" {
			args = args[:1]
		}
		cred := sys.Cred{}
		if sel&1 != 0 {
			cred = sys.Cred{UID: 65534, GID: 65534}
		}
		k := fuzzKernel(t)
		var stdout, stderr bytes.Buffer
		env := &cli.Env{
			Args:   args,
			Stdin:  strings.NewReader(""),
			Stdout: &stdout,
			Stderr: &stderr,
			Kernel: func(start bool) (cli.Kernel, error) {
				if start {
					t.Errorf("wgconfig asked for a kernel to be started")
				}
				return cli.Local(k, cred), nil
			},
		}
		status := run(env)
		silent := len(args) > 4 && strings.HasPrefix(args[2], "show") && strings.HasPrefix(args[3], "peer")
		switch {
		case status != 0 && status != 1:
			t.Errorf("%q: exit status %d", args, status)
		case status == 1 && stderr.Len() == 0 && !silent:
			t.Errorf("%q: exit status 1 and nothing on standard error", args)
		case status == 0 && stderr.Len() != 0:
			t.Errorf("%q: exit status 0 after a diagnostic:\n%s", args, stderr.String())
		}
		if cred.UID != 0 {
			for _, s := range secrets {
				if bytes.Contains(stdout.Bytes(), s) || bytes.Contains(stderr.Bytes(), s) {
					t.Errorf("%q as nobody: a key is shown:\n%s%s", args, stdout.String(), stderr.String())
				}
			}
		}
	})
}

// specialPath reports whether a command line names a file under /dev,
// /proc, /sys or /run, which could block a read for ever (a FIFO, a
// terminal) or never end (/dev/zero): the fuzzer is kept to the files
// of its working directory and ordinary ones.
func specialPath(line string) bool {
	for _, dir := range []string{"/dev", "/proc", "/sys", "/run"} {
		if strings.Contains(line, dir) {
			return true
		}
	}
	return false
}
