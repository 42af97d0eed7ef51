package nbwg_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// makeInstall runs `make install` with the given variables and returns
// its standard error and whether it succeeded.
func makeInstall(t *testing.T, vars ...string) (string, bool) {
	t.Helper()
	cmd := exec.Command("make", append([]string{"-s", "install"}, vars...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err := cmd.Run()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatalf("make: %v", err)
	}
	return stderr.String(), err == nil
}

// The install guard refuses to replace a host's own ifconfig or sysctl,
// and with DESTDIR (a staged install, for a package) it also refuses a
// PREFIX whose commands on this host the package would replace (issue
// 12.5).
func TestInstallGuard(t *testing.T) {
	if testing.Short() {
		t.Skip("builds every command")
	}
	for _, tool := range []string{"make", "install", "go"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skip("no " + tool)
		}
	}
	tmp := t.TempDir()
	host := filepath.Join(tmp, "host") // a PREFIX with the host's own ifconfig
	if err := os.MkdirAll(filepath.Join(host, "sbin"), 0o755); err != nil {
		t.Fatal(err)
	}
	netTools := filepath.Join(host, "sbin", "ifconfig")
	if err := os.WriteFile(netTools, []byte("#!/bin/sh\necho net-tools\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	refusal := "install: " + netTools + " is not nbwg's; refusing to replace it (use PREFIX=/usr/local)\n"

	// Into the host's PREFIX itself.
	// make adds its own line after the refusal.
	stderr, ok := makeInstall(t, "PREFIX="+host)
	if ok || !strings.HasPrefix(stderr, refusal) {
		t.Errorf("make install PREFIX=host: ok=%v, stderr %q, want %q", ok, stderr, refusal)
	}
	if b, _ := os.ReadFile(netTools); string(b) != "#!/bin/sh\necho net-tools\n" {
		t.Errorf("the host's ifconfig was replaced")
	}

	// Staged for that PREFIX: refused as well, nothing of ifconfig's
	// or sysctl's staged.
	stage := filepath.Join(tmp, "stage")
	stderr, ok = makeInstall(t, "PREFIX="+host, "DESTDIR="+stage)
	if ok || !strings.HasPrefix(stderr, refusal) {
		t.Errorf("make install PREFIX=host DESTDIR=stage: ok=%v, stderr %q, want %q", ok, stderr, refusal)
	}
	for _, name := range []string{"ifconfig", "sysctl"} {
		if _, err := os.Stat(filepath.Join(stage, host, "sbin", name)); err == nil {
			t.Errorf("%s was staged", name)
		}
	}

	// Staged for a PREFIX where the host has no such commands: done.
	free := filepath.Join(tmp, "free")
	stage = filepath.Join(tmp, "stage2")
	if stderr, ok := makeInstall(t, "PREFIX="+free, "DESTDIR="+stage); !ok || stderr != "" {
		t.Fatalf("make install PREFIX=free DESTDIR=stage2: ok=%v, stderr %q", ok, stderr)
	}
	for _, f := range []string{"sbin/ifconfig", "sbin/sysctl", "sbin/wgconfig", "share/man/man4/wg.4"} {
		if _, err := os.Stat(filepath.Join(stage, free, f)); err != nil {
			t.Errorf("not staged: %v", err)
		}
	}
	if _, err := os.Stat(filepath.Join(stage, "etc", "rc.d", "nbwg")); err != nil {
		t.Errorf("rc.d script not staged: %v", err)
	}
}
