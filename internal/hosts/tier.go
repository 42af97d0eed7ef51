package hosts

import (
	"fmt"
	"os"
	"os/exec"
	"testing"
)

// The test tiers are decided here, for every package of the module:
//
//   - go test -short (make test-unit) runs the unit tests only.  Every
//     test that makes network namespaces, hosts, TUN devices or kernels
//     (New, and kernel/netlink/nstest) calls Integration first, which
//     skips it under -short before it has made anything.
//   - Without -short the integration tests run where they can.  Where
//     they are meant to run, in CI (CI=true) and as root, a missing
//     prerequisite (root itself, ip(8), wireguard-go, systemd-analyze,
//     mandoc, ...) fails the test: a broken setup must not pass as a run
//     of skipped tests.  scripts/setup.sh installs all of them.  Anywhere
//     else (a developer's unprivileged run) the test skips, naming what
//     is missing.

// Integration marks t as an integration test: it skips t under -short,
// and needs root (see Missing).
func Integration(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("skipping: integration test (-short runs unit tests only)")
	}
	if os.Geteuid() != 0 {
		Missing(t, "root: integration tests make network namespaces and TUN devices")
	}
}

// Strict reports whether a missing prerequisite fails a test rather
// than skipping it: in CI (CI=true) and as root, where scripts/setup.sh
// is expected to have installed everything.
func Strict() bool {
	return os.Getenv("CI") == "true" || os.Geteuid() == 0
}

// Missing ends t for a missing prerequisite described by format and
// args: it fails t where the prerequisites are expected (Strict), and
// skips it elsewhere.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	what := fmt.Sprintf(format, args...)
	if Strict() {
		t.Fatalf("missing prerequisite: %s (scripts/setup.sh installs what the tests need; "+
			"a test skips for it only when not root and CI is not \"true\")", what)
	}
	t.Skipf("skipping: missing prerequisite: %s", what)
}

// LookPath returns the path of the command name, or ends t as Missing
// says; pkg is the Debian package that provides it.
func LookPath(t testing.TB, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		Missing(t, "%s is not installed (Debian package %s)", name, pkg)
	}
	return p
}
