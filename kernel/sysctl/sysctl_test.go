package sysctl

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"nbwg/kernel/sys"
)

// request makes an NBWG_SYSCTL request of tree; it returns what the
// kernel copied out, the size it says the answer needs, and its error.
func request(t *testing.T, tree *Tree, cred sys.Cred, flags uint32, name, newval string, room int) (string, uint32, error) {
	t.Helper()
	req := sys.SysctlReq{Flags: flags, NameLen: uint32(len(name)), NewLen: uint32(len(newval)), OldLen: uint32(room)}
	arg := req.Marshal()
	out, err := tree.Ioctl(cred, sys.NBWG_SYSCTL, arg, []byte(name+newval))
	back, uerr := sys.UnmarshalSysctlReq(arg)
	if uerr != nil {
		t.Fatalf("the kernel's request structure: %v", uerr)
	}
	return string(out), back.OldLen, err
}

func TestTree(t *testing.T) {
	var timeout int64 = 5
	var flag int64
	var quad int64 = 1 << 60
	tree := &Tree{}
	tree.Add(
		Node{Name: "net.wg.rekey_timeout", Type: sys.CTLTYPE_INT, Desc: "retry", Default: 5,
			Get: func() int64 { return timeout },
			Set: func(v int64) error {
				if v < 1 {
					return sys.EINVAL
				}
				timeout = v
				return nil
			}},
		Node{Name: "net.wg.force_underload", Type: sys.CTLTYPE_BOOL, Desc: "load",
			Get: func() int64 { return flag }, Set: func(v int64) error { flag = v; return nil }},
		Node{Name: "net.wg.rekey_after_messages", Type: sys.CTLTYPE_QUAD, Desc: "msgs", Default: 1 << 60,
			Get: func() int64 { return quad }, Set: func(v int64) error { quad = v; return nil }},
	)
	root, nobody := sys.Cred{}, sys.Cred{UID: 65534}

	if out, _, err := request(t, tree, nobody, 0, "net.wg.rekey_timeout", "", 64); err != nil || out != "5" {
		t.Errorf("read: %q, %v", out, err)
	}
	out, need, err := request(t, tree, nobody, 0, "net.wg", "", 4096)
	want := "net.wg.force_underload=0\nnet.wg.rekey_after_messages=1152921504606846976\nnet.wg.rekey_timeout=5\n"
	if err != nil || need != uint32(len(want)) {
		t.Fatalf("list: %v, need %d", err, need)
	}
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("list (-want +got):\n%s", diff)
	}
	// Less room than the answer needs.  NetBSD's sysctl(3) fails with
	// ENOMEM and the size needed in *oldlenp; NBWG_SYSCTL cannot, as
	// the carrier copies nothing back with an error (sys.Dispatch), so
	// its contract (kernel/sys/sysctl.go) is success, what fits, and the
	// size needed in OldLen; the front end grows its buffer and asks
	// again, and says ENOMEM only past its own limit.
	out, need, err = request(t, tree, nobody, 0, "net", "", 10)
	if err != nil {
		t.Errorf("short room: %v", err)
	}
	if out != want[:10] || need != uint32(len(want)) {
		t.Errorf("short room: %q out, need %d; want %q, %d", out, need, want[:10], len(want))
	}
	if !tree.AllDefault() {
		t.Error("fresh tree not at defaults")
	}
	if out, _, err := request(t, tree, root, sys.SYSCTL_WRITE, "net.wg.rekey_timeout", "3", 64); err != nil || out != "5" || timeout != 3 {
		t.Errorf("write: old %q, err %v, now %d", out, err, timeout)
	}
	if tree.AllDefault() {
		t.Error("changed tree still at defaults")
	}
	for _, tc := range []struct {
		cred  sys.Cred
		flags uint32
		name  string
		val   string
		want  sys.Errno
	}{
		{nobody, sys.SYSCTL_WRITE, "net.wg.rekey_timeout", "3", sys.EPERM},
		{root, sys.SYSCTL_WRITE, "net.wg.rekey_timeout", "0", sys.EINVAL},
		{root, sys.SYSCTL_WRITE, "net.wg.rekey_timeout", "abc", sys.EINVAL},
		{root, sys.SYSCTL_WRITE, "net.wg.rekey_timeout", "99999999999", sys.EINVAL},
		{root, sys.SYSCTL_WRITE, "net.wg.force_underload", "2", sys.EINVAL},
		{root, sys.SYSCTL_WRITE, "net.wg", "1", sys.ENOENT},
		{root, 0, "net.wg.nope", "", sys.ENOENT},
		{root, 0, "net.w", "", sys.ENOENT},
	} {
		if _, _, err := request(t, tree, tc.cred, tc.flags, tc.name, tc.val, 64); !errors.Is(err, tc.want) {
			t.Errorf("%s=%q as %d: %v, want %v", tc.name, tc.val, tc.cred.UID, err, tc.want)
		}
	}
	if out, _, err := request(t, tree, nobody, sys.SYSCTL_DESCRIBE, "net.wg.rekey_timeout", "", 64); err != nil || out != "net.wg.rekey_timeout=retry\n" {
		t.Errorf("describe: %q, %v", out, err)
	}
}
