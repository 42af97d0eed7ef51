//go:build !linux

package nstest

import (
	"context"
	"os/exec"
	"testing"
)

// Namespace is a network namespace; on this system none can be created.
type Namespace struct{}

// New skips t: network namespaces are Linux-only.
func New(t testing.TB) *Namespace {
	t.Helper()
	t.Skip("network namespaces need Linux")
	return nil
}

// Name returns "".
func (ns *Namespace) Name() string { return "" }

// Enter does nothing.
func (ns *Namespace) Enter(t testing.TB) {}

// Do runs fn.
func (ns *Namespace) Do(fn func() error) error { return fn() }

// Command returns a command that runs name directly.
func (ns *Namespace) Command(ctx context.Context, name string, args ...string) *exec.Cmd {
	return exec.CommandContext(ctx, name, args...)
}

// IP fails t.
func (ns *Namespace) IP(t testing.TB, args ...string) []byte {
	t.Helper()
	t.Fatal("ip: network namespaces need Linux")
	return nil
}
