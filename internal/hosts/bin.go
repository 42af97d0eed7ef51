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
// wg-keygen, sysctl, nbwgd), built once per test binary from this module,
// or $NBWG_BIN when set.
func Bin(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		if dir := os.Getenv("NBWG_BIN"); dir != "" {
			binDir, buildErr = filepath.Abs(dir)
			return
		}
		root, err := moduleRoot()
		if err != nil {
			buildErr = err
			return
		}
		dir, err := os.MkdirTemp("", "nbwg-bin-")
		if err != nil {
			buildErr = err
			return
		}
		// Unprivileged callers (RunAs) must reach the commands too.
		if err := os.Chmod(dir, 0o755); err != nil {
			buildErr = err
			return
		}
		for out, pkg := range map[string]string{
			"ifconfig": "./ifconfig-shim", "wgconfig": "./wgconfig", "wg-keygen": "./wg-keygen",
			"nbwgd": "./kernel/cmd/nbwgd", "sysctl": "./sysctl-shim",
		} {
			if _, err := os.Stat(filepath.Join(root, pkg)); err != nil {
				continue // not written yet
			}
			cmd := exec.Command(goTool(), "build", "-o", filepath.Join(dir, out), pkg)
			cmd.Dir = root
			if b, err := cmd.CombinedOutput(); err != nil {
				buildErr = fmt.Errorf("go build %s: %v\n%s", pkg, err, b)
				return
			}
		}
		binDir = dir
	})
	if buildErr != nil {
		t.Fatalf("building nbwg: %v", buildErr)
	}
	return binDir
}

// Cleanup removes what Bin built; TestMain calls it.
func Cleanup() {
	if binDir != "" && os.Getenv("NBWG_BIN") == "" {
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
