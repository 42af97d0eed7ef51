package man

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"nbwg/internal/hosts"
)

// Cross references must lead somewhere on the machines nbwg runs on.  A
// page of this tree always does.  Any other page must be provided by a
// Debian package that scripts/setup.sh installs, since a bare Debian has
// few pages: its minimal images carry no manpages package (so no unix(7)
// or getaddrinfo(3)), and NetBSD's own pages (rc.conf(5), ifconfig.if(5)
// as NetBSD writes it) exist on no Linux.  externalPages lists those
// pages with the package that provides them; where the package is
// installed, "man -w" must find the page.

// externalPages maps a page outside the tree to its Debian package.
var externalPages = map[string]string{
	"ip(8)":          "iproute2",
	"ip-netns(8)":    "iproute2",
	"ip-link(8)":     "iproute2",
	"ip-route(8)":    "iproute2",
	"ss(8)":          "iproute2",
	"ping(8)":        "iputils-ping",
	"sysctl.conf(5)": "procps",
	"wg(8)":          "wireguard-tools",
	"systemd(1)":     "systemd",
	"wg-quick(8)":    "wireguard-tools",
}

// xrefs returns the cross references of a page, "name(section)".
func xrefs(p *page) []string {
	var out []string
	for _, l := range p.lines {
		w := macroWords(l)
		for i := 0; i+2 < len(w); i++ {
			if w[i] == "Xr" {
				out = append(out, w[i+1]+"("+w[i+2]+")")
			}
		}
	}
	return out
}

// setupPackages reads the Debian packages scripts/setup.sh installs: the
// words of its pkgs="..." assignment.
func setupPackages(t *testing.T) map[string]bool {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(moduleRoot(t), "scripts", "setup.sh"))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.ReplaceAll(string(b), "\\\n", " ")
	m := regexp.MustCompile(`(?m)^pkgs="([^"]*)"`).FindStringSubmatch(text)
	if m == nil {
		t.Fatal(`scripts/setup.sh has no pkgs="..." list; update man's tests`)
	}
	pkgs := map[string]bool{}
	for _, p := range strings.Fields(m[1]) {
		pkgs[p] = true
	}
	return pkgs
}

func TestCrossReferences(t *testing.T) {
	pages := loadPages(t)
	inTree := map[string]bool{}
	for _, p := range pages {
		inTree[p.ref()] = true
	}
	pkgs := setupPackages(t)
	used := map[string]bool{}
	for _, p := range pages {
		for _, x := range xrefs(p) {
			used[x] = true
			if x == p.ref() {
				t.Errorf("%s refers to itself", p.path)
			}
			if inTree[x] {
				continue
			}
			pkg, ok := externalPages[x]
			if !ok {
				t.Errorf("%s refers to %s, which is neither in man/ nor in externalPages", p.path, x)
				continue
			}
			if !pkgs[pkg] {
				t.Errorf("%s refers to %s from %s, which scripts/setup.sh does not install", p.path, x, pkg)
			}
		}
	}
	var unused []string
	for x := range externalPages {
		if !used[x] {
			unused = append(unused, x)
		}
	}
	sort.Strings(unused)
	if len(unused) > 0 {
		t.Errorf("externalPages lists pages no page refers to: %q", unused)
	}
}

// TestExternalPagesInstalled checks, where man-db and the packages are
// installed (CI installs them), that the listed pages are there under
// the names the references give.
func TestExternalPagesInstalled(t *testing.T) {
	man := hosts.LookPath(t, "man", "man-db")
	hosts.LookPath(t, "dpkg-query", "dpkg: a Debian system")
	for x, pkg := range externalPages {
		out, err := exec.Command("dpkg-query", "-W", "-f=${Status}", pkg).Output()
		if err != nil || !strings.Contains(string(out), "install ok installed") {
			// scripts/setup.sh installs every package listed
			// (TestCrossReferences): as root or in CI a missing one
			// is a setup to fix, not a page to leave unchecked.
			if hosts.Strict() {
				t.Errorf("%s: package %s is not installed (scripts/setup.sh installs it)", x, pkg)
			} else {
				t.Logf("%s: package %s is not installed; not checked", x, pkg)
			}
			continue
		}
		i := strings.IndexByte(x, '(')
		name, sect := x[:i], strings.Trim(x[i:], "()")
		if out, err := exec.Command(man, "-w", sect, name).CombinedOutput(); err != nil {
			t.Errorf("%s: package %s is installed, but man -w %s %s: %v\n%s", x, pkg, sect, name, err, out)
		}
	}
}
