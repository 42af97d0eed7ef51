package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// NetBSD 10's ifconfig.c: "description str" (or "descr str") sets the
// description with SIOCSIFDESCR, "-description" (or "-descr") removes
// it, and status() prints it after the flags line as
// `\tdescription: "str"`.  A description of IFDESCRSIZE (64) bytes or
// more, NUL included, is refused by ifconfig itself with err(3).
func TestDescription(t *testing.T) {
	h := newHost(t)
	seed(h)
	h.must("wg0", "description", "to site B")
	want := "wg0: flags=0x8041<UP,RUNNING,MULTICAST> mtu 1420\n" +
		"\tdescription: \"to site B\"\n" +
		seedDisplay[strings.Index(seedDisplay, "\tstatus:"):]
	if diff := cmp.Diff(want, h.must("wg0")); diff != "" {
		t.Errorf("ifconfig wg0 (-want +got):\n%s", diff)
	}
	// Anyone may read it; -a shows it too.
	if diff := cmp.Diff(result{Stdout: want}, h.runAs(nobody, "-a")); diff != "" {
		t.Errorf("ifconfig -a as nobody (-want +got):\n%s", diff)
	}
	// With -v it still comes right after the flags line.
	if got := h.must("-v", "wg0"); !strings.HasPrefix(got, "wg0: flags=0x8041<UP,RUNNING,MULTICAST> mtu 1420\n\tdescription: \"to site B\"\n\tlinkstate: up\n") {
		t.Errorf("ifconfig -v wg0:\n%s", got)
	}

	// descr is the same word; the string is taken as it is (not as
	// hexadecimal, unlike linkstr's), with the quotes it holds.
	for _, tc := range []struct {
		args []string
		line string
	}{
		{[]string{"wg0", "descr", "0x41"}, "\tdescription: \"0x41\"\n"},
		{[]string{"wg0", "description", `say "hi"`}, "\tdescription: \"say \"hi\"\"\n"},
		{[]string{"wg0", "description", ""}, "\tdescription: \"\"\n"},
		{[]string{"wg0", "description", strings.Repeat("x", 63)}, "\tdescription: \"" + strings.Repeat("x", 63) + "\"\n"},
		{[]string{"wg0", "up", "description", "last one wins", "descr", "B"}, "\tdescription: \"B\"\n"},
	} {
		h.must(tc.args...)
		if got := h.must("wg0"); !strings.Contains(got, tc.line) {
			t.Errorf("after %q: no %q in\n%s", tc.args, tc.line, got)
		}
	}

	for _, neg := range []string{"-description", "-descr"} {
		h.must("wg0", "description", "x")
		h.must("wg0", neg)
		if diff := cmp.Diff(seedDisplay, h.must("wg0")); diff != "" {
			t.Errorf("after %s (-want +got):\n%s", neg, diff)
		}
		// Removing what is not there is no error.
		h.must("wg0", neg)
	}
}

func TestDescriptionErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want result
	}{
		// setifdescr: err(EXIT_FAILURE, "description too long") with
		// the EINVAL parse() left in errno; nothing is sent.
		{"64 characters", []string{"wg0", "description", strings.Repeat("x", 64)},
			fails("ifconfig: description too long: Invalid argument\n")},
		// Words run in order: the mtu after it is never set.
		{"before other words", []string{"wg0", "descr", strings.Repeat("x", 100), "mtu", "1400"},
			fails("ifconfig: description too long: Invalid argument\n")},
		// pstr's 128-byte buffer: get_string warns and the word does
		// not parse, so the usage follows.
		{"129 characters", []string{"wg0", "description", strings.Repeat("x", 129)},
			fails("ifconfig: strings too long\n" + usageText)},
		{"no string", []string{"wg0", "description"}, fails(usageText)},
		{"missing interface", []string{"wg7", "description", "x"},
			fails("ifconfig: SIOCSIFDESCR: Device not configured\n")},
		{"missing interface, -descr", []string{"wg7", "-descr"},
			fails("ifconfig: SIOCSIFDESCR: Device not configured\n")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHost(t)
			h.must("wg0", "create")
			if diff := cmp.Diff(tt.want, h.run(tt.args...)); diff != "" {
				t.Errorf("ifconfig %q (-want +got):\n%s", tt.args, diff)
			}
			if got := h.must("wg0"); strings.Contains(got, "description") || strings.Contains(got, "mtu 1400") {
				t.Errorf("the interface changed:\n%s", got)
			}
		})
	}
}
