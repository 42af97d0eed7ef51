package main

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"nbwg/internal/cli"
	"nbwg/kernel/prop"
	"nbwg/kernel/sys"
)

func TestMain(m *testing.M) {
	// ctime(3) prints local time; the expected texts are in UTC.
	timeLocation = time.UTC
	os.Exit(m.Run())
}

// Keys from NetBSD's tests/net/if_wg (common.sh, t_interoperability.sh).
const (
	privA = "uGXXwmh7Zz6QW3h6axZEGsmVmrwOyfB9VStCnpewgHQ="
	pubA  = "fdkPmFWHfpIwRavRLWuyzmBOOrKxT6KKLgqVb1g5LhY="
	pubB  = "0qqR7Z9K5SABuENaSd7MIBb+y6BReMJUE9L2qBz2rWk="
	pubC  = "2iWFzywbDvYu2gQW5Q7/z/g5/Cv4bDDd6L3OKXLOwxs="
	pskAB = "EF9D8AOkmxjlkiRFqBnfJS+RJJHbUy02u+VkGlBr9Eo="
)

func key(t testing.TB, b64 string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(b) != 32 {
		t.Fatalf("bad test key %q", b64)
	}
	return b
}

// setRequest is a SIOCSDRVSPEC the fake kernel received.
type setRequest struct {
	Name string
	Cmd  uint64
	Dict any // the internalized dictionary, as a tree (see tree)
}

// fakeKernel is an in-memory cli.Kernel.  It records SIOCSDRVSPEC
// requests, answering them with setErr, and answers SIOCGDRVSPEC with
// reply the way NetBSD's wg_ioctl_get does: the externalized document and
// a NUL copied out, or tooSmall when the buffer cannot hold them.
type fakeKernel struct {
	t        testing.TB
	reply    []byte    // SIOCGDRVSPEC document; nil: getErr
	getErr   error     // SIOCGDRVSPEC failure when reply is nil
	tooSmall sys.Errno // answer to a short buffer: EINVAL (NetBSD) or ENOMEM (nbwg)
	// tellsSize answers a short buffer as nbwg's kernel does when
	// asked with WG_IOCTL_NBWG_GET_MORE: success, nothing copied, the
	// size needed in ifd_len.
	tellsSize bool
	setErr    error

	sets     []setRequest
	getSizes []int // the buffer sizes SIOCGDRVSPEC was offered
}

var _ cli.Kernel = (*fakeKernel)(nil)

func (k *fakeKernel) Ioctl(cmd uint32, arg []byte, buf []byte) error {
	d, err := sys.UnmarshalIfdrv(arg)
	if err != nil {
		k.t.Fatalf("ioctl %#x: %v", cmd, err)
	}
	if d.Len != uint64(len(buf)) {
		k.t.Fatalf("ioctl %#x: ifd_len %d, buffer of %d bytes", cmd, d.Len, len(buf))
	}
	switch cmd {
	case sys.SIOCSDRVSPEC:
		// wgconfig sends strlen(xml) bytes: no NUL.
		if bytes.IndexByte(buf, 0) >= 0 {
			k.t.Errorf("SIOCSDRVSPEC document holds a NUL")
		}
		dict, err := prop.Internalize(buf)
		if err != nil {
			k.t.Fatalf("SIOCSDRVSPEC document does not internalize: %v\n%s", err, buf)
		}
		k.sets = append(k.sets, setRequest{d.Name.String(), d.Cmd, tree(dict)})
		return k.setErr
	case sys.SIOCGDRVSPEC:
		k.getSizes = append(k.getSizes, len(buf))
		if k.reply == nil {
			if k.getErr == nil {
				return sys.ENXIO
			}
			return k.getErr
		}
		if len(buf) < len(k.reply)+1 {
			if k.tellsSize && d.Cmd&sys.WG_IOCTL_NBWG_GET_MORE != 0 {
				d.Len = uint64(len(k.reply) + 1)
				copy(arg, d.Marshal())
				return nil
			}
			if k.tooSmall == 0 {
				return sys.EINVAL
			}
			return k.tooSmall
		}
		copy(buf, k.reply)
		buf[len(k.reply)] = 0
		return nil
	}
	k.t.Fatalf("unexpected ioctl %#x", cmd)
	return nil
}

// number is a proplib number in a tree: its signedness shows in the
// document (hex for unsigned) and is part of the request NetBSD sends.
type number struct {
	Unsigned bool
	Value    string
}

func u(v uint64) number { return number{true, fmt.Sprint(v)} }

// tree turns a property list into plain Go values that go-cmp can diff:
// maps, slices, strings, []byte, bool and number.
func tree(o prop.Object) any {
	switch v := o.(type) {
	case *prop.Dictionary:
		m := map[string]any{}
		for _, k := range v.Keys() {
			e, _ := v.Get(k)
			m[k] = tree(e)
		}
		return m
	case *prop.Array:
		l := []any{}
		for _, e := range v.Items() {
			l = append(l, tree(e))
		}
		return l
	case prop.String:
		return string(v)
	case prop.Data:
		return []byte(v)
	case prop.Bool:
		return bool(v)
	case prop.Number:
		if v.IsUnsigned() {
			x, _ := v.Uint64()
			return number{true, fmt.Sprint(x)}
		}
		x, _ := v.Int64()
		return number{false, fmt.Sprint(x)}
	}
	return fmt.Sprintf("unknown object %T", o)
}

// result is what a run of wgconfig leaves behind.
type result struct {
	Status int
	Stdout string
	Stderr string
}

// runWith runs wgconfig with args (argv[0] included) against k.
func runWith(t testing.TB, k cli.Kernel, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	env := &cli.Env{
		Args:   args,
		Stdin:  strings.NewReader(""),
		Stdout: &out,
		Stderr: &errb,
		Kernel: func(start bool) (cli.Kernel, error) {
			if start {
				t.Errorf("wgconfig asked for the kernel to be started")
			}
			return k, nil
		},
	}
	status := run(env)
	return result{status, out.String(), errb.String()}
}

func diffResult(t *testing.T, args []string, want, got result) {
	t.Helper()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%q: -want +got:\n%s", args, diff)
	}
}

const usageText = "Usage:\n" +
	"\twgconfig <interface> [show all]\n" +
	"\twgconfig <interface> show peer <peer name> [--show-preshared-key]\n" +
	"\twgconfig <interface> show private-key\n" +
	"\twgconfig <interface> set private-key <file path>\n" +
	"\twgconfig <interface> set listen-port <port>\n" +
	"\twgconfig <interface> add peer <peer name> <base64 public key>\n" +
	"\t                     [--preshared-key=<file path>] [--endpoint=<ip>:<port>]\n" +
	"\t                     [--allowed-ips=<ip1>/<cidr1>[,<ip2>/<cidr2>]...]\n" +
	"\twgconfig <interface> delete peer <peer name>\n"

func TestUsage(t *testing.T) {
	for _, args := range [][]string{
		{"wgconfig"},
		{"/usr/sbin/wgconfig", "-h"},
		{"wgconfig", "-?"},
		{"wgconfig", "--help"},
		{"wgconfig", "wg0", "show"},
		{"wgconfig", "wg0", "sh", "all"},
		{"wgconfig", "wg0", "frob", "all"},
		{"wgconfig", "wg0", "show", "everything"},
		{"wgconfig", "wg0", "show", "peer"},
		{"wgconfig", "wg0", "show", "peer", "a", "--show-preshared-key", "x"},
		{"wgconfig", "wg0", "show", "peer", "a", "--show-psk"},
		{"wgconfig", "wg0", "set", "private-key"},
		{"wgconfig", "wg0", "set", "private-key", "a", "b"},
		{"wgconfig", "wg0", "set", "listen-port"},
		{"wgconfig", "wg0", "set", "listen-port", "1", "2"},
		{"wgconfig", "wg0", "set", "peer", "x"},
		{"wgconfig", "wg0", "add", "peer", "x"},
		{"wgconfig", "wg0", "add", "private-key", "x"},
		{"wgconfig", "wg0", "delete", "peer"},
		{"wgconfig", "wg0", "delete", "peer", "a", "b"},
	} {
		k := &fakeKernel{t: t}
		got := runWith(t, k, args...)
		diffResult(t, args, result{1, "", usageText}, got)
		if len(k.sets)+len(k.getSizes) != 0 {
			t.Errorf("%q: the kernel was called", args)
		}
	}
}

func TestInterfaceName(t *testing.T) {
	k := &fakeKernel{t: t}
	// NetBSD refuses names longer than IFNAMSIZ ...
	got := runWith(t, k, "wgconfig", "wg0123456789abcde", "show", "all")
	diffResult(t, nil, result{1, "", "wgconfig: interface name too long\n"}, got)
	// ... and truncates one of IFNAMSIZ characters into ifd_name.
	got = runWith(t, k, "wgconfig", "wg0123456789abcd", "delete", "peer", "p")
	diffResult(t, nil, result{0, "", ""}, got)
	want := []setRequest{{"wg0123456789abc", sys.WG_IOCTL_DELETE_PEER, map[string]any{"name": "p"}}}
	if diff := cmp.Diff(want, k.sets); diff != "" {
		t.Errorf("-want +got:\n%s", diff)
	}
}

// TestDispatchPrefix checks that, as in NetBSD, the verb and the target
// need only begin with the command's words.
func TestDispatchPrefix(t *testing.T) {
	for _, args := range [][]string{
		{"wgconfig", "wg0", "show", "all"},
		{"wgconfig", "wg0", "showing", "allofit", "extra", "args"},
		{"wgconfig", "wg0", "show", "private-keys"},
	} {
		k := &fakeKernel{t: t, reply: mustExternalize(t, prop.NewDictionary())}
		got := runWith(t, k, args...)
		if got.Status != 0 || got.Stderr != "" || got.Stdout == "" {
			t.Errorf("%q: %+v", args, got)
		}
	}
}

func mustExternalize(t testing.TB, d *prop.Dictionary) []byte {
	t.Helper()
	b, err := prop.Externalize(d)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
