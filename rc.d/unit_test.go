package rcd

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"nbwg/internal/hosts"
)

// installedScript is where nbwg@.service expects the rc.d script.
const installedScript = "/etc/rc.d/nbwg"

// unitKeys reads the [Service] settings of nbwg@.service.
func unitKeys(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open("nbwg@.service")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	keys := map[string]string{}
	section := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		switch {
		case l == "" || strings.HasPrefix(l, "#"):
		case strings.HasPrefix(l, "["):
			section = l
		case section == "[Service]":
			k, v, ok := strings.Cut(l, "=")
			if !ok {
				t.Fatalf("nbwg@.service: %q: not key=value", l)
			}
			if _, dup := keys[k]; dup {
				t.Fatalf("nbwg@.service: %s twice", k)
			}
			keys[k] = v
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return keys
}

// TestUnitCommands runs the unit's ExecStart, ExecReload and ExecStop
// for wg0 (the script at its repository path) on a fake host whose
// rc.conf says nbwg=NO: enabling the unit is the switch, and the unit
// touches its own interface only.
func TestUnitCommands(t *testing.T) {
	keys := unitKeys(t)
	for k, want := range map[string]string{"Type": "oneshot", "RemainAfterExit": "yes", "KillMode": "process"} {
		if keys[k] != want {
			t.Errorf("nbwg@.service: %s=%s, want %s", k, keys[k], want)
		}
	}
	script := filepath.Join(rcdDir(t), "network")
	command := func(key string) []string {
		f := strings.Fields(keys[key])
		if len(f) == 0 || f[0] != installedScript {
			t.Fatalf("nbwg@.service: %s=%s: want %s ...", key, keys[key], installedScript)
		}
		f[0] = script
		for i := range f {
			f[i] = strings.ReplaceAll(f[i], "%i", "wg0")
		}
		return f
	}
	h := newFakeHost(t)
	h.writeEtc(t, "rc.conf", "nbwg=NO\n")
	h.writeEtc(t, "ifconfig.wg0", wg0File)
	h.writeEtc(t, "ifconfig.wg1", wg1File)
	sh := posixShells(t)[0]
	steps := []struct {
		key        string
		want       hosts.Result
		wantIfaces []string
	}{
		{"ExecStart", hosts.Result{Stdout: "Configuring network interfaces: wg0.\n"}, []string{"wg0+"}},
		// reload changes only what differs: nothing, here.
		{"ExecReload", hosts.Result{Stdout: "Reloading network interfaces: wg0.\n"}, []string{"wg0+"}},
		{"ExecStop", hosts.Result{Stdout: "Downing network interfaces: wg0.\n"}, nil},
		{"ExecStop", hosts.Result{Stdout: "Downing network interfaces:.\n"}, nil},
	}
	for _, s := range steps {
		if diff := cmp.Diff(s.want, h.run(t, sh, "", command(s.key)...)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", s.key, diff)
		}
		if diff := cmp.Diff(s.wantIfaces, h.ifaces(t)); diff != "" {
			t.Errorf("%s: interfaces after (-want +got):\n%s", s.key, diff)
		}
	}
}

// TestUnitVerify has systemd check the unit, the script's path made the
// repository's.
func TestUnitVerify(t *testing.T) {
	analyze := hosts.LookPath(t, "systemd-analyze", "systemd")
	text, err := os.ReadFile("nbwg@.service")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	unit := strings.ReplaceAll(string(text), installedScript, filepath.Join(rcdDir(t), "network"))
	for _, name := range []string{"nbwg@.service", "nbwg@wg0.service"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(unit), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(analyze, "verify", "--man=no", filepath.Join(dir, "nbwg@wg0.service"))
	if out, err := cmd.CombinedOutput(); err != nil || len(out) != 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}

// TestInstalledLayout installs the scripts as "make install" should
// (the script alone in etc/rc.d, its line naming the library directory
// rewritten by sed, rc.subr and ifconfig.subr in libexec/nbwg) and runs
// the installed copy.
func TestInstalledLayout(t *testing.T) {
	root := t.TempDir()
	rcd, lib := filepath.Join(root, "etc", "rc.d"), filepath.Join(root, "libexec", "nbwg")
	for _, d := range []string{rcd, lib} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	installed := filepath.Join(rcd, "nbwg")
	sed := exec.Command("sed", "s|^_nbwg_libexec=.*|_nbwg_libexec="+lib+"|", "network")
	text, err := sed.Output()
	if err != nil {
		t.Fatalf("sed: %v", err)
	}
	if !strings.Contains(string(text), "\n_nbwg_libexec="+lib+"\n") {
		t.Fatal("sed did not rewrite the _nbwg_libexec line")
	}
	if err := os.WriteFile(installed, text, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"rc.subr", "ifconfig.subr", "reload.subr"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(lib, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	eachShell(t, func(t *testing.T, sh shell) {
		h := newFakeHost(t)
		h.writeEtc(t, "ifconfig.wg0", wg0File)
		if diff := cmp.Diff(hosts.Result{Stdout: "Configuring network interfaces: wg0.\n"}, h.run(t, sh, "", installed, "start")); diff != "" {
			t.Errorf("installed start (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"wg0+"}, h.ifaces(t)); diff != "" {
			t.Errorf("interfaces after (-want +got):\n%s", diff)
		}
	})
}

// TestKernelUnit: nbwgd.service supervises the kernel: it restarts a
// kernel that failed (killed, crashed), not one that halted, and applies
// every interface's file after each start; systemd accepts it beside
// nbwg@.service, which wants it.
func TestKernelUnit(t *testing.T) {
	text, err := os.ReadFile("nbwgd.service")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"\nExecStart=/usr/local/sbin/nbwgd -f\n",
		"\nExecStartPost=" + installedScript + " onestart\n",
		"\nRestart=on-failure\n",
		"\nKillMode=mixed\n",
	} {
		if !strings.Contains(string(text), want) {
			t.Errorf("nbwgd.service lacks %q", strings.TrimSpace(want))
		}
	}
	at, err := os.ReadFile("nbwg@.service")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"\nWants=nbwgd.service\n", "\nAfter=nbwgd.service\n"} {
		if !strings.Contains(string(at), want) {
			t.Errorf("nbwg@.service lacks %q", strings.TrimSpace(want))
		}
	}
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		if os.Getenv("CI") != "" || os.Geteuid() == 0 {
			t.Fatal("systemd-analyze is not installed (scripts/setup.sh installs systemd)")
		}
		t.Skip("skipping: systemd-analyze is not installed")
	}
	dir := t.TempDir()
	script := filepath.Join(rcdDir(t), "network")
	for name, body := range map[string]string{
		"nbwgd.service":    strings.ReplaceAll(strings.ReplaceAll(string(text), installedScript, script), "/usr/local/sbin/nbwgd", "/bin/true"),
		"nbwg@.service":    strings.ReplaceAll(string(at), installedScript, script),
		"nbwg@wg0.service": strings.ReplaceAll(string(at), installedScript, script),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(analyze, "verify", "--man=no", filepath.Join(dir, "nbwgd.service"), filepath.Join(dir, "nbwg@wg0.service"))
	if out, err := cmd.CombinedOutput(); err != nil || len(out) != 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}
