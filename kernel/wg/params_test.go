package wg

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"nbwg/kernel/sys"
	"nbwg/kernel/sys/wgsysctl"
	"nbwg/kernel/wg/noise"
)

// TestParamsDefaults checks the net.wg table's defaults, which NewParams
// takes, against the protocol's constants ([W] 6.1).
func TestParamsDefaults(t *testing.T) {
	p := NewParams()
	secs := func(d time.Duration) int64 { return int64(d / time.Second) }
	quad := func(v uint64) int64 { return int64(v) }
	for _, tc := range []struct {
		v          *wgsysctl.Var
		got, proto int64
	}{
		{&wgsysctl.RekeyAfterMessages, int64(p.RekeyAfterMessages.Load()), quad(noise.RekeyAfterMessages)},
		{&wgsysctl.RejectAfterMessages, int64(p.RejectAfterMessages.Load()), quad(noise.RejectAfterMessages)},
		{&wgsysctl.RekeyAfterTime, secs(p.RekeyAfterTime()), secs(noise.RekeyAfterTime)},
		{&wgsysctl.RejectAfterTime, secs(p.RejectAfterTime()), secs(noise.RejectAfterTime)},
		{&wgsysctl.RekeyAttemptTime, secs(p.RekeyAttemptTime()), secs(noise.RekeyAttemptTime)},
		{&wgsysctl.RekeyTimeout, secs(p.RekeyTimeout()), secs(noise.RekeyTimeout)},
		{&wgsysctl.KeepaliveTimeout, secs(p.KeepaliveTimeout()), secs(noise.KeepaliveTimeout)},
	} {
		if tc.v.Default != tc.proto || tc.got != tc.proto {
			t.Errorf("%s: table %d, NewParams %d, protocol %d", tc.v.Name, tc.v.Default, tc.got, tc.proto)
		}
	}
	if p.ForceUnderload.Load() || p.Debug.Load() != 0 {
		t.Errorf("force_underload %v, debug %d: want off", p.ForceUnderload.Load(), p.Debug.Load())
	}
}

// TestParamsSysctl checks the kernel's net.wg nodes against the table:
// every variable once, in its order, with its type, description and
// default, and its lower bound enforced.
func TestParamsSysctl(t *testing.T) {
	type node struct {
		Name    string
		Type    sys.CtlType
		Desc    string
		Default int64
		Value   string
	}
	var want, got []node
	for _, v := range wgsysctl.Vars {
		want = append(want, node{v.FullName(), v.Type, v.Desc, v.Default, v.Type.Format(v.Default)})
	}
	nodes := NewParams().Sysctl()
	for _, n := range nodes {
		got = append(got, node{n.Name, n.Type, n.Desc, n.Default, n.Format()})
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("net.wg nodes (-table +kernel):\n%s", diff)
	}
	for i, v := range wgsysctl.Vars {
		n := nodes[i]
		below := v.Min - 1
		if v.Type == sys.CTLTYPE_QUAD && v.Min == 0 || v.Min == -1<<31 {
			continue // the type's least value: nothing below it to refuse
		}
		if err := n.Set(below); !errors.Is(err, sys.EINVAL) {
			t.Errorf("%s = %d: %v, want EINVAL", n.Name, below, err)
		}
		if n.Get() != v.Default {
			t.Errorf("%s: %d after a refused write, want %d", n.Name, n.Get(), v.Default)
		}
		if err := n.Set(v.Min); err != nil || n.Get() != v.Min {
			t.Errorf("%s = %d: %v, now %d", n.Name, v.Min, err, n.Get())
		}
	}
}
