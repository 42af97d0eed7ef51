package man

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"nbwg/internal/hosts"
)

// The commands the pages describe are built from this module by
// hosts.Bin (or taken from $NBWG_BIN, which make test sets to bin/), so
// that their usage texts can be read.

func TestMain(m *testing.M) { hosts.Main(m) }

// moduleRoot is the directory of go.mod.
func moduleRoot(t testing.TB) string { return hosts.ModuleRoot(t) }

// command returns the path of a built command.
func command(t testing.TB, name string) string {
	t.Helper()
	p := filepath.Join(hosts.Bin(t), name)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("command %s: %v", name, err)
	}
	return p
}

// usageText runs a command with arguments it refuses and returns what it
// prints on standard error, which must be its usage text, after checking
// that it exits 1 and prints nothing on standard output.  The command
// talks to no kernel: the arguments are refused before that, and
// NBWG_SOCKET names a socket nobody listens on in case they are not.
func usageText(t *testing.T, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(command(t, name), args...)
	cmd.Env = append(os.Environ(), "NBWG_SOCKET=@nbwg-man-test-no-kernel", "LC_ALL=C")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("%s %q: want exit status 1 and a usage text, got %v\nstderr:\n%s", name, args, err, stderr.Bytes())
	}
	if stdout.Len() != 0 {
		t.Fatalf("%s %q printed on standard output:\n%s", name, args, stdout.Bytes())
	}
	return stderr.String()
}
