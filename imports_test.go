// The import rules of nbwg's layering (design.md, "Packages"): the front
// ends are parse -> request through the carrier -> print, so none links
// the emulated kernel; and the kernel's parts see the caller's
// credentials as kauth(9) does, through the ABI (kernel/sys), not through
// the carrier that transports requests.
package nbwg_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// frontEnds are the commands a user runs.
var frontEnds = []string{"nbwg/wgconfig", "nbwg/wg-keygen", "nbwg/ifconfig-shim", "nbwg/sysctl-shim", "nbwg/route-shim"}

// kernelOnly are the packages of the emulated kernel proper, with
// everything below them (kernel/wg/noise, ...).  A front end may use the
// ABI (kernel/sys and below it, kernel/prop) and the carrier
// (kernel/ioctl), nothing of these.
var kernelOnly = []string{
	"nbwg/kernel/wg", "nbwg/kernel/ifnet", "nbwg/kernel/tun", "nbwg/kernel/udp",
	"nbwg/kernel/netlink", "nbwg/kernel/hostif", "nbwg/kernel/sysctl", "nbwg/kernel/klog",
	"nbwg/kernel/route", "nbwg/kernel/kern", "nbwg/kernel/uapi",
}

// kernelParts are the kernel's request handlers, which must not link the
// carrier, and the carrier.
var (
	kernelParts = []string{"nbwg/kernel/wg", "nbwg/kernel/ifnet", "nbwg/kernel/sysctl", "nbwg/kernel/route"}
	carrier     = []string{"nbwg/kernel/ioctl"}
)

// The systems nbwg builds for: the front ends' rules hold on both.
var systems = []string{"linux", "netbsd"}

func TestFrontEndsLinkNoKernel(t *testing.T) {
	for _, goos := range systems {
		t.Run(goos, func(t *testing.T) {
			g := loadImports(t, goos, frontEnds...)
			for _, root := range frontEnds {
				for _, chain := range g.violations(root, kernelOnly) {
					t.Errorf("GOOS=%s: a front end links the kernel: %s", goos, strings.Join(chain, " -> "))
				}
			}
		})
	}
}

func TestKernelLinksNoCarrier(t *testing.T) {
	g := loadImports(t, "linux", kernelParts...)
	for _, root := range kernelParts {
		for _, chain := range g.violations(root, carrier) {
			t.Errorf("the kernel links the carrier: %s", strings.Join(chain, " -> "))
		}
	}
}

// TestImportRulesSeeEdges checks that the rules can fail: the kernel's
// own packages do link what the front ends must not, and the chain found
// starts at the root and ends at the forbidden package, each step an
// import.
func TestImportRulesSeeEdges(t *testing.T) {
	g := loadImports(t, "linux", "nbwg/kernel/wg")
	chains := g.violations("nbwg/kernel/wg", []string{"nbwg/kernel/sysctl", "nbwg/kernel/wg/noise"})
	if len(chains) != 2 {
		t.Fatalf("kernel/wg -> kernel/sysctl, kernel/wg/noise: found %q", chains)
	}
	for _, chain := range chains {
		if chain[0] != "nbwg/kernel/wg" {
			t.Errorf("%q does not start at the root", chain)
		}
		for i := 0; i+1 < len(chain); i++ {
			if !g.imports(chain[i], chain[i+1]) {
				t.Errorf("%q: %s does not import %s", chain, chain[i], chain[i+1])
			}
		}
	}
	if got := g.violations("nbwg/kernel/wg", []string{"nbwg/kernel/sys/wgsysctl/nope", "nbwg/kernel/s"}); len(got) != 0 {
		t.Errorf("names that only share a prefix matched: %q", got)
	}
}

// graph is nbwg's import graph: each package's imports, non-test files
// only (a test may link anything).
type graph map[string][]string

// loadImports runs go list -deps for the roots on goos and returns the
// graph of the packages they link.
func loadImports(t *testing.T, goos string, roots ...string) graph {
	t.Helper()
	// go test puts its own go first on $PATH.
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command to list imports with: %v", err)
	}
	cmd := exec.Command(gobin, append([]string{"list", "-deps", "-json=ImportPath,Imports,Error"}, roots...)...)
	cmd.Env = append(os.Environ(), "GOOS="+goos)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("GOOS=%s go list -deps %s: %v\n%s", goos, strings.Join(roots, " "), err, stderr.String())
	}
	g := graph{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p struct {
			ImportPath string
			Imports    []string
			Error      *struct{ Err string }
		}
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		if p.Error != nil {
			t.Fatalf("GOOS=%s go list: %s: %s", goos, p.ImportPath, p.Error.Err)
		}
		g[p.ImportPath] = p.Imports
	}
	for _, r := range roots {
		if _, ok := g[r]; !ok {
			t.Fatalf("GOOS=%s go list did not list %s", goos, r)
		}
	}
	return g
}

// imports reports whether from imports to directly.
func (g graph) imports(from, to string) bool {
	for _, p := range g[from] {
		if p == to {
			return true
		}
	}
	return false
}

// violations returns, for each package linked by root that is one of
// forbidden or below one, the shortest chain of imports from root to it.
func (g graph) violations(root string, forbidden []string) [][]string {
	isForbidden := func(p string) bool {
		for _, f := range forbidden {
			if p == f || strings.HasPrefix(p, f+"/") {
				return true
			}
		}
		return false
	}
	// Breadth first, so each chain is a shortest one; the search does
	// not go on through a forbidden package (its own imports are its
	// business, and the edge into it is the one to report).
	via := map[string]string{root: ""}
	queue := []string{root}
	var found [][]string
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if p != root && isForbidden(p) {
			var chain []string
			for q := p; q != ""; q = via[q] {
				chain = append([]string{q}, chain...)
			}
			found = append(found, chain)
			continue
		}
		for _, q := range g[p] {
			if _, seen := via[q]; !seen {
				via[q] = p
				queue = append(queue, q)
			}
		}
	}
	return found
}
