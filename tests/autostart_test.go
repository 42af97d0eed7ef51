//go:build linux

package tests

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"nbwg/internal/hosts"
)

// TestConcurrentCreate: when several creates race on a host with no
// kernel yet, exactly one kernel starts and every interface is made in
// it.
func TestConcurrentCreate(t *testing.T) {
	hosts.Integration(t)
	h := hosts.New(t, "A")
	quiet(t, h, `for i in 0 1 2 3 4 5 6 7; do
		(ifconfig wg$i create 2>&1 || echo "wg$i create: exit status $?") &
	done
	wait`)

	got := strings.Fields(h.MustRun(t, "ifconfig -l"))
	slices.Sort(got)
	want := []string{"wg0", "wg1", "wg2", "wg3", "wg4", "wg5", "wg6", "wg7"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ifconfig -l (-want +got):\n%s", diff)
	}

	pids, err := exec.Command("ip", "netns", "pids", h.NS).Output()
	if err != nil {
		t.Fatal(err)
	}
	var kernels []string
	for _, pid := range strings.Fields(string(pids)) {
		comm, err := os.ReadFile("/proc/" + pid + "/comm")
		if err == nil && strings.TrimSpace(string(comm)) == "nbwgd" {
			kernels = append(kernels, pid)
		}
	}
	if len(kernels) != 1 {
		t.Errorf("%d kernels (nbwgd) run on the host, want 1: pids %v", len(kernels), kernels)
	}
}
