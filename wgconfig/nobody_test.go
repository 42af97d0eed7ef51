package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"nbwg/internal/hosts"
)

// nobody is the unprivileged user tests run as (NetBSD's and Debian's
// nobody).
const nobody = 65534

// rerunAsNobody runs the test t again, in a copy of this test binary, as
// nobody (setpriv(1)), for a test whose point is lost on root (root
// reads files whatever their mode).  It fails t unless that run passed,
// and did not skip.  The copy lives in a directory of its own that nobody
// can enter: go test's build directory is root's alone.
func rerunAsNobody(t *testing.T) {
	t.Helper()
	setpriv := hosts.LookPath(t, "setpriv", "util-linux")
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "nbwg-wgconfig-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	tmp := filepath.Join(dir, "tmp")
	if err := os.Mkdir(tmp, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, err := range []error{os.Chmod(dir, 0o755), os.Chown(tmp, nobody, nobody)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	bin := filepath.Join(dir, "wgconfig.test")
	b, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, b, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(setpriv, "--reuid=65534", "--regid=65534", "--clear-groups",
		bin, "-test.run=^"+t.Name()+"$", "-test.v", "-test.count=1")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: "+t.Name()) {
		t.Fatalf("%s as nobody: %v\n%s", t.Name(), err, out)
	}
}
