//go:build linux

package tests

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"nbwg/internal/hosts"
)

// usingIt is the README's "Using it" block, without the lines that
// build nbwg and put it on PATH (the test hosts have it there).
func usingIt(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)## Using it\n.*?```sh\n(.*?)```").FindSubmatch(b)
	if m == nil {
		t.Fatal("README.md has no \"Using it\" block")
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimSuffix(string(m[1]), "\n"), "\n") {
		if strings.HasPrefix(l, "make") || strings.HasPrefix(l, "export PATH=") {
			continue
		}
		lines = append(lines, l)
	}
	return lines
}

// The README's first configuration works as written on a fresh host
// (issue 12.5): it makes the key it uses, in a directory of mode 700,
// and nothing is said on standard error.
func TestReadmeUsingIt(t *testing.T) {
	hosts.Integration(t)
	h := hosts.New(t, "R")
	b := newKeyPair(t)
	script := "set -e\n" + strings.ReplaceAll(strings.Join(usingIt(t), "\n"), "<B's public key>", b.pub) + "\n"
	r := h.Run(t, script)
	if r.Code != 0 || r.Stderr != "" {
		t.Fatalf("the README's commands: exit %d\nstderr:\n%s", r.Code, r.Stderr)
	}
	priv := strings.TrimSuffix(h.ReadFile(t, "wg/wg0"), "\n")
	want := publicKey(t, priv) + "\n" + // wg-keygen --pub
		"interface: wg0\n" +
		"\tprivate-key: (hidden)\n" +
		"\tlisten-port: 1234\n" +
		"\tpeer: B\n" +
		"\t\tpublic-key: " + b.pub + "\n" +
		"\t\tendpoint: (none)\n" +
		"\t\tpreshared-key: (hidden)\n" +
		"\t\tallowed-ips: 10.2.0.42/32\n" +
		"\t\tlatest-handshake: (never)\n"
	if diff := cmp.Diff(want, r.Stdout); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}
	if got := h.MustRun(t, "stat -c %a /etc/wg/wg0"); got != "600\n" {
		t.Errorf("/etc/wg/wg0 has mode %s", got)
	}
	// On a host without /etc/wg the block's mkdir makes it, mode 700.
	dir := t.TempDir()
	var mkdir string
	for _, l := range usingIt(t) {
		if strings.HasPrefix(l, "mkdir ") {
			mkdir = strings.ReplaceAll(l, "/etc/wg", dir+"/wg")
		}
	}
	if got := h.MustRun(t, mkdir+"\nstat -c %a "+dir+"/wg"); got != "700\n" {
		t.Errorf("%q: the directory has mode %s", mkdir, got)
	}
}

// The README's Linux notes on forwarding: nbwg's sysctl hands NetBSD's
// names to the host's sysctl untranslated, which refuses them, and
// Linux's names work through it, per network namespace.
func TestReadmeForwarding(t *testing.T) {
	hosts.Integration(t)
	h := hosts.New(t, "F")
	if _, err := os.Stat("/proc/sys/net/ipv6/conf/all/forwarding"); err != nil {
		t.Skip("no IPv6 sysctls:", err)
	}
	check(t, h, "sysctl -w net.inet.ip.forwarding=1", hosts.Result{
		Stderr: "sysctl: cannot stat /proc/sys/net/inet/ip/forwarding: No such file or directory\n", Code: 1})
	check(t, h, "sysctl -w net.ipv4.ip_forward=1", hosts.Result{Stdout: "net.ipv4.ip_forward = 1\n"})
	check(t, h, "sysctl -w net.ipv6.conf.all.forwarding=1", hosts.Result{Stdout: "net.ipv6.conf.all.forwarding = 1\n"})
	check(t, h, "sysctl net.ipv4.ip_forward", hosts.Result{Stdout: "net.ipv4.ip_forward = 1\n"})
	// Another namespace keeps its own setting.
	check(t, hosts.New(t, "G"), "sysctl net.ipv4.ip_forward", hosts.Result{Stdout: "net.ipv4.ip_forward = 0\n"})
}
