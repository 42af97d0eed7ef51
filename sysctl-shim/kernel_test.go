package main

import (
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"nbwg/internal/cli"
	"nbwg/kernel/sys"
	"nbwg/kernel/sys/wgsysctl"
	"nbwg/kernel/sysctl"
	"nbwg/kernel/wg"
)

// TestStandIn compares standIn, which answers from the net.wg table while
// no kernel runs, with a fresh kernel's sysctl tree asked by nobody: the
// same text and the same errno for every request sysctl makes, so that
// a read answers the same whether a kernel runs yet or not.
func TestStandIn(t *testing.T) {
	var tree sysctl.Tree
	tree.Add(wg.NewParams().Sysctl()...)
	kernel := cli.Local(&tree, nobody)
	names := []string{"net", "net.wg", "net.w", "net.wg.nope", "net.wg.debug.x", "net.wg."}
	for _, v := range wgsysctl.Vars {
		names = append(names, v.FullName())
	}
	answer := func(out string, err error) string {
		if err != nil {
			var e sys.Errno
			if !errors.As(err, &e) {
				return fmt.Sprintf("error %v", err)
			}
			return fmt.Sprintf("errno %d", e)
		}
		return out
	}
	for _, name := range names {
		for _, flags := range []uint32{0, sys.SYSCTL_DESCRIBE, sys.SYSCTL_WRITE} {
			newval := ""
			if flags == sys.SYSCTL_WRITE {
				newval = "1"
			}
			want := answer(ask(kernel, flags, name, newval))
			got := answer(standIn(flags, name))
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s, flags %d (-kernel +standIn):\n%s", name, flags, diff)
			}
		}
	}
}
