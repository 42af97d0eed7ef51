package rcd

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"nbwg/internal/hosts"
)

// The scripts are tested under every POSIX shell found: dash is Debian's
// /bin/sh, busybox ash is the nearest to NetBSD's sh (both descend from
// ash), and bash in POSIX mode catches what only dash forgives.

// shell is a way to run a POSIX shell.
type shell struct {
	name string
	argv []string // the command and its options, before the script
}

// posixShells lists the shells on this machine; dash (or sh) always.
// As root or in CI all three must be there (hosts.Missing): a shell left
// out would leave the scripts untested under it without a word.
func posixShells(t *testing.T) []shell {
	t.Helper()
	var shs []shell
	if p, err := exec.LookPath("dash"); err == nil {
		shs = append(shs, shell{"dash", []string{p}})
	} else if p, err := exec.LookPath("sh"); err == nil && !hosts.Strict() {
		shs = append(shs, shell{"sh", []string{p}})
	} else {
		hosts.Missing(t, "dash (Debian package dash)")
	}
	if p, err := exec.LookPath("busybox"); err == nil && exec.Command(p, "ash", "-c", ":").Run() == nil {
		shs = append(shs, shell{"ash", []string{p, "ash"}})
	} else if hosts.Strict() {
		hosts.Missing(t, "busybox ash (Debian package busybox)")
	}
	if p, err := exec.LookPath("bash"); err == nil {
		shs = append(shs, shell{"bash", []string{p, "--posix"}})
	} else if hosts.Strict() {
		hosts.Missing(t, "bash (Debian package bash)")
	}
	return shs
}

// eachShell runs f as a subtest per shell.
func eachShell(t *testing.T, f func(t *testing.T, sh shell)) {
	for _, sh := range posixShells(t) {
		t.Run(sh.name, func(t *testing.T) { f(t, sh) })
	}
}

// rcdDir is the directory of the scripts (the package's own).
func rcdDir(t *testing.T) string {
	t.Helper()
	d, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// fakeIfconfig plays ifconfig(8) for the unit tests: interfaces are
// directories under $FAKE_STATE/if, their addresses lines of a file, and
// every command but the listings is logged to $FAKE_STATE/log with its
// arguments joined by "|".  $FAKE_CLONERS replaces the list of cloners,
// and create fails for the interface $FAKE_CREATE_FAIL names, as it does
// for a user other than root.
//
// Its failures are the real command's, word for word (nbwg's ifconfig on
// nbwg's kernel; TestFakeIfconfigIsReal compares them), except that a
// usage message is cut after its first line: an address or word it
// cannot read, an address whose prefix is too long, an interface that
// does not exist, create twice.  An address given again is not an error: the kernel updates
// it in place (kernel/ifnet/addr.go), as NetBSD's does.
const fakeIfconfig = `#!/bin/sh
st=$FAKE_STATE
# Another kernel (NBWG_SOCKET, as reload's scratch one) has interfaces
# of its own.
[ -n "$NBWG_SOCKET" ] && st=$st/other
mkdir -p "$st/if"
usage() { echo "usage: ifconfig [-h] [-m] [-v] [-z] [-L] interface" >&2; exit 1; }
case $1 in
-C)	echo "${FAKE_CLONERS-wg}"; exit 0 ;;
-l)	echo $(ls "$st/if"); exit 0 ;;
-lu)	for i in $(ls "$st/if"); do [ -f "$st/if/$i/up" ] && printf '%s ' "$i"; done; echo; exit 0 ;;
-*)	o=${1#-}; echo "ifconfig: unknown option -- $(printf %.1s "$o")" >&2; usage ;;
esac
line=ifconfig; for a; do line="$line|$a"; done; echo "$line" >>"$st/log"
int=$1; shift
d=$st/if/$int
fail() { for m; do echo "ifconfig: $m" >&2; done; exit 1; }
case $1 in
create)
	[ "$FAKE_CREATE_FAIL" = "$int" ] && fail "clone_command: Operation not permitted" "exec_matches: Operation not permitted"
	[ -d "$d" ] && fail "clone_command: File exists" "exec_matches: File exists"
	mkdir "$d" && : >"$d/addrs"; exit ;;
destroy)
	[ -d "$d" ] || fail "clone_command: Device not configured" "exec_matches: Device not configured"
	rm -r "$d"; exit ;;
'')
	[ -d "$d" ] || fail "SIOCGIFFLAGS $int: Device not configured"
	exit ;;
esac
case $1 in
inet|inet6)
	[ $# -eq 1 ] && exit 0	# the real one shows those addresses
	[ $# -eq 2 ] || usage
	case $1:${2##*/} in
	inet:*[!0-9]*|inet6:*[!0-9]*) ;;
	inet:*) [ "${2##*/}" -le 32 ] || fail "paddr_match: prefixlen_to_mask(2, ${2##*/}): Invalid argument" ;;
	inet6:*) [ "${2##*/}" -le 128 ] || fail "paddr_match: prefixlen_to_mask(24, ${2##*/}): Invalid argument" ;;
	esac
	[ -d "$d" ] || fail "commit_address: getifflags: Device not configured"
	grep -qxF -- "$2" "$d/addrs" || echo "$2" >>"$d/addrs" ;;
up|down|mtu)
	[ $1 = mtu ] && { [ $# -eq 2 ] || usage; }
	[ $1 != mtu ] && { [ $# -eq 1 ] || usage; }
	[ -d "$d" ] || fail "exec_matches: Device not configured"
	case $1 in up) : >"$d/up" ;; down) rm -f "$d/up" ;; esac ;;
description)
	[ $# -eq 2 ] || usage
	[ -d "$d" ] || fail "SIOCSIFDESCR: Device not configured" ;;
-description)
	[ $# -eq 1 ] || usage
	[ -d "$d" ] || fail "SIOCSIFDESCR: Device not configured" ;;
*)	usage ;;
esac
`

// fakeWgconfig logs its arguments as fakeIfconfig does, and fails the
// subcommand named by $FAKE_WGCONFIG_FAIL ("set listen-port").
const fakeWgconfig = `#!/bin/sh
line=wgconfig; for a; do line="$line|$a"; done; echo "$line" >>"$FAKE_STATE/log"
if [ -n "$FAKE_WGCONFIG_FAIL" ] && [ "$2 $3" = "$FAKE_WGCONFIG_FAIL" ]; then
	echo "wgconfig: $3: Invalid argument" >&2; exit 1
fi
`

// fakeHost is a directory tree standing in for a host: etc (NBWG_ETC),
// the fake commands' state, and a bin holding them.
type fakeHost struct {
	etc, state, bin string
	env             []string // more environment for every run
}

func newFakeHost(t *testing.T) *fakeHost {
	t.Helper()
	dir := t.TempDir()
	h := &fakeHost{etc: filepath.Join(dir, "etc"), state: filepath.Join(dir, "state"), bin: filepath.Join(dir, "bin")}
	for _, d := range []string{h.etc, filepath.Join(h.state, "if"), h.bin} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for name, text := range map[string]string{"ifconfig": fakeIfconfig, "wgconfig": fakeWgconfig} {
		if err := os.WriteFile(filepath.Join(h.bin, name), []byte(text), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return h
}

// writeEtc writes a file under the host's etc.
func (h *fakeHost) writeEtc(t *testing.T, name, text string) {
	t.Helper()
	p := filepath.Join(h.etc, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// addIface makes an interface exist, as if created before the test.
func (h *fakeHost) addIface(t *testing.T, name string, up bool) {
	t.Helper()
	d := filepath.Join(h.state, "if", name)
	if err := os.MkdirAll(d, 0o755); err != nil {
		t.Fatal(err)
	}
	files := []string{"addrs"}
	if up {
		files = append(files, "up")
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(d, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// ifaces lists the interfaces that exist, "+" marking those up.
func (h *fakeHost) ifaces(t *testing.T) []string {
	t.Helper()
	ents, err := os.ReadDir(filepath.Join(h.state, "if"))
	if err != nil {
		t.Fatal(err)
	}
	var l []string
	for _, e := range ents {
		n := e.Name()
		if _, err := os.Stat(filepath.Join(h.state, "if", n, "up")); err == nil {
			n += "+"
		}
		l = append(l, n)
	}
	return l
}

// takeLog returns the commands logged since the last call, and clears them.
func (h *fakeHost) takeLog(t *testing.T) []string {
	t.Helper()
	p := filepath.Join(h.state, "log")
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(p)
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

// run runs the shell with args (a script and its arguments, or -c and
// a command) in a clean environment: the fakes first on PATH, NBWG_ETC
// and FAKE_STATE set, then h.env.
func (h *fakeHost) run(t *testing.T, sh shell, stdin string, args ...string) hosts.Result {
	t.Helper()
	cmd := exec.Command(sh.argv[0], append(sh.argv[1:], args...)...)
	cmd.Dir = rcdDir(t)
	cmd.Env = append([]string{
		"PATH=" + h.bin + ":/usr/bin:/bin",
		"NBWG_ETC=" + h.etc,
		"FAKE_STATE=" + h.state,
		"RCD=" + rcdDir(t),
		"LC_ALL=C",
	}, h.env...)
	cmd.Stdin = strings.NewReader(stdin)
	r, err := hosts.Exec(cmd)
	if err != nil {
		t.Fatalf("%s %q: %v", sh.name, args, err)
	}
	return r
}
