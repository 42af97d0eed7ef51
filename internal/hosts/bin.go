package hosts

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

// Bin returns a directory holding nbwg's commands (ifconfig, wgconfig,
// wg-keygen, sysctl, route, nbwgd, nbwg-go), made once per test binary: copied from
// $NBWG_BIN when set (make test points it at bin/), else built from this
// module.  The directory is the tests' own and open to every user, so
// that RunAs reaches the commands even when the checkout is not (a clone
// in a mktemp -d directory is mode 0700).
func Bin(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = makeBin()
	})
	if buildErr != nil {
		t.Fatalf("building nbwg: %v", buildErr)
	}
	return binDir
}

// commands maps each command to the package it is built from, as the
// Makefile's COMMANDS does.
var commands = map[string]string{
	"ifconfig": "./ifconfig-shim", "wgconfig": "./wgconfig", "wg-keygen": "./wg-keygen",
	"nbwgd": "./kernel/cmd/nbwgd", "sysctl": "./sysctl-shim", "route": "./route-shim",
	"nbwg-go": "./kernel/cmd/nbwg-go",
}

func makeBin() (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "nbwg-bin-")
	if err != nil {
		return "", err
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		return "", err
	}
	from := os.Getenv("NBWG_BIN")
	for out, pkg := range commands {
		if _, err := os.Stat(filepath.Join(root, pkg)); err != nil {
			continue // not written yet
		}
		dst := filepath.Join(dir, out)
		if from != "" {
			if err := copyFile(dst, filepath.Join(from, out)); err != nil {
				return "", fmt.Errorf("$NBWG_BIN: %w", err)
			}
			continue
		}
		cmd := exec.Command(goTool(), "build", "-o", dst, pkg)
		cmd.Dir = root
		if b, err := cmd.CombinedOutput(); err != nil {
			return "", fmt.Errorf("go build %s: %v\n%s", pkg, err, b)
		}
	}
	return dir, nil
}

func copyFile(dst, src string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, b, 0o755)
}

// Main runs a package's tests and then removes what Bin made: the
// TestMain of every package that uses hosts is
//
//	func TestMain(m *testing.M) { hosts.Main(m) }
func Main(m *testing.M) {
	code := m.Run()
	cleanup()
	os.Exit(code)
}

// cleanup removes what Bin made.
func cleanup() {
	if binDir != "" {
		os.RemoveAll(binDir)
	}
}

// goTool finds the go command: on PATH, else the one of the toolchain
// the tests were built with.
func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return filepath.Join(runtime.GOROOT(), "bin", "go")
}

// ModuleRoot returns the directory of this module's go.mod, above the
// test's working directory.
func ModuleRoot(t testing.TB) string {
	t.Helper()
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above the test's directory")
		}
		dir = parent
	}
}
