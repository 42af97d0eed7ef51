package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestZeroPaddedUnit: NetBSD's if_clone_lookup reads "wg01" as unit 1 and
// if_initname names the interface wg1, so "ifconfig wg01 create" succeeds
// in silence and wg1 appears; the name given names nothing afterwards
// (sys/net/if.c; kernel/ifnet TestCloneUnits has the references).
func TestZeroPaddedUnit(t *testing.T) {
	h := newHost(t)
	h.must("wg01", "create")
	if diff := cmp.Diff(result{Stdout: "wg1\n"}, h.run("-l")); diff != "" {
		t.Errorf("ifconfig -l after wg01 create (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(fails("ifconfig: SIOCGIFFLAGS wg01: Device not configured\n"), h.run("wg01")); diff != "" {
		t.Errorf("ifconfig wg01 (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(fails("ifconfig: clone_command: File exists\nifconfig: exec_matches: File exists\n"), h.run("wg001", "create")); diff != "" {
		t.Errorf("ifconfig wg001 create with wg1 there (-want +got):\n%s", diff)
	}
	h.must("wg1", "destroy")
}
