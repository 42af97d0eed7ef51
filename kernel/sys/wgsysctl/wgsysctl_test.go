package wgsysctl

import (
	"math"
	"testing"

	"nbwg/kernel/sys"
)

// TestVars checks the table's shape: names unique and under net.wg, a
// description for each (sysctl -d skips a variable without one), and a
// default the variable's own bound and type take.
func TestVars(t *testing.T) {
	seen := map[string]bool{}
	for _, v := range Vars {
		if v.Name == "" || seen[v.Name] {
			t.Errorf("%q: empty or listed twice", v.Name)
		}
		seen[v.Name] = true
		if v.FullName() != "net.wg."+v.Name {
			t.Errorf("%s: full name %q", v.Name, v.FullName())
		}
		if v.Desc == "" {
			t.Errorf("%s: no description", v.Name)
		}
		if !v.InRange(v.Default) {
			t.Errorf("%s: default %d below Min %d", v.Name, v.Default, v.Min)
		}
		switch v.Type {
		case sys.CTLTYPE_INT:
			if v.Default != int64(int32(v.Default)) || v.Min != int64(int32(v.Min)) {
				t.Errorf("%s: default %d or Min %d outside a C int", v.Name, v.Default, v.Min)
			}
		case sys.CTLTYPE_BOOL:
			if v.Default != 0 && v.Default != 1 {
				t.Errorf("%s: bool default %d", v.Name, v.Default)
			}
		case sys.CTLTYPE_QUAD:
		default:
			t.Errorf("%s: type %d", v.Name, v.Type)
		}
	}
}

// TestInRange compares in the node's type: a quad's values are
// unsigned, so the bits of -1 are its largest value, not below 1.
func TestInRange(t *testing.T) {
	for _, tc := range []struct {
		v    *Var
		x    int64
		want bool
	}{
		{&RekeyTimeout, 1, true},
		{&RekeyTimeout, 0, false},
		{&RekeyTimeout, -5, false},
		{&RekeyAfterMessages, 0, false},
		{&RekeyAfterMessages, 1, true},
		{&RekeyAfterMessages, -1, true}, // 2^64-1
		{&Debug, math.MinInt32, true},
		{&Debug, -1, true},
		{&ForceUnderload, 0, true},
		{&ForceUnderload, 1, true},
	} {
		if got := tc.v.InRange(tc.x); got != tc.want {
			t.Errorf("%s.InRange(%d) = %v, want %v", tc.v.Name, tc.x, got, tc.want)
		}
	}
}
