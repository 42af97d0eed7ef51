package man

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

// The commands the pages describe, built from this module so that their
// usage texts can be read: $NBWG_BIN when set (make test sets it to
// bin/), else a temporary directory built once per test binary.

// commandPackages maps each command to the package it is built from, as
// the Makefile's COMMANDS does.
var commandPackages = map[string]string{
	"wg-keygen": "./wg-keygen",
	"wgconfig":  "./wgconfig",
	"ifconfig":  "./ifconfig-shim",
	"nbwgd":     "./kernel/cmd/nbwgd",
	"sysctl":    "./sysctl-shim",
}

var (
	buildOnce sync.Once
	builtDir  string // removed by TestMain when this test made it
	binDir    string
	buildErr  error
)

// commandDir returns the directory of the built commands.  On Linux the
// integration test's hosts build them (examples_linux_test.go sets this
// to hosts.Bin), so that they are built once.
var commandDir = buildCommands

// cleanups run when the tests are over.
var cleanups []func()

func TestMain(m *testing.M) {
	code := m.Run()
	for _, f := range cleanups {
		f()
	}
	if builtDir != "" {
		os.RemoveAll(builtDir)
	}
	os.Exit(code)
}

// moduleRoot is the directory of go.mod: the man directory's parent.
func moduleRoot(t testing.TB) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("no go.mod above the man directory: %v", err)
	}
	return root
}

// goTool finds the go command that runs these tests.
func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return filepath.Join(runtime.GOROOT(), "bin", "go")
}

// command returns the path of a built command.
func command(t testing.TB, name string) string {
	t.Helper()
	p := filepath.Join(commandDir(t), name)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("command %s: %v", name, err)
	}
	return p
}

// buildCommands builds the commands into a temporary directory, once.
func buildCommands(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		if dir := os.Getenv("NBWG_BIN"); dir != "" {
			binDir, buildErr = filepath.Abs(dir)
			return
		}
		root := moduleRoot(t)
		dir, err := os.MkdirTemp("", "nbwg-man-bin-")
		if err != nil {
			buildErr = err
			return
		}
		builtDir, binDir = dir, dir
		for out, pkg := range commandPackages {
			cmd := exec.Command(goTool(), "build", "-o", filepath.Join(dir, out), pkg)
			cmd.Dir = root
			if b, err := cmd.CombinedOutput(); err != nil {
				buildErr = fmt.Errorf("go build %s: %v\n%s", pkg, err, b)
				return
			}
		}
	})
	if buildErr != nil {
		t.Fatalf("building the commands: %v", buildErr)
	}
	return binDir
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
