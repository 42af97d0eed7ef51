package man

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"

	"nbwg/internal/hosts"
)

// TestLint runs mandoc's checker on every page: it must have nothing to
// say at the warning level (style remarks, such as a cross reference to a
// page this machine has not installed, are below it).
func TestLint(t *testing.T) {
	mandoc := hosts.LookPath(t, "mandoc", "mandoc")
	for _, p := range loadPages(t) {
		out, _ := exec.Command(mandoc, "-Tlint", "-Wwarning", p.path).CombinedOutput()
		if len(out) != 0 {
			t.Errorf("mandoc -Tlint -Wwarning %s:\n%s", p.path, out)
		}
	}
}

// TestRender renders every page as a reader would, with "man -l" (on
// Debian man-db and groff, whose mdoc package is not mandoc's): it must
// succeed without a word on standard error and show the page's name.
func TestRender(t *testing.T) {
	man := hosts.LookPath(t, "man", "man-db")
	for _, p := range loadPages(t) {
		cmd := exec.Command(man, "-l", p.path)
		cmd.Env = append(os.Environ(), "MANPAGER=cat", "PAGER=cat", "MANWIDTH=80")
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Errorf("man -l %s: %v\n%s", p.path, err, stderr.Bytes())
			continue
		}
		if stderr.Len() != 0 {
			t.Errorf("man -l %s complains:\n%s", p.path, stderr.Bytes())
		}
		if out := stdout.String(); !strings.Contains(out, "NAME") || !strings.Contains(out, p.name) {
			t.Errorf("man -l %s printed no NAME section naming %s:\n%s", p.path, p.name, out)
		}
	}
}

// TestNames checks that each page is where man looks for it: the file
// man<s>/<name>.<s> holds ".Dt NAME s" and names itself first in NAME.
func TestNames(t *testing.T) {
	for _, p := range loadPages(t) {
		dir := p.path[:strings.IndexByte(p.path, '/')]
		if dir != "man"+p.sect {
			t.Errorf("%s: a section %s page in %s/", p.path, p.sect, dir)
		}
		var dt []string
		for _, l := range p.lines {
			if w := macroWords(l); len(w) > 0 && w[0] == "Dt" {
				dt = w[1:]
				break
			}
		}
		if strings.Join(dt, " ") != strings.ToUpper(p.name)+" "+p.sect {
			t.Errorf("%s: .Dt %q, want %q", p.path, strings.Join(dt, " "), strings.ToUpper(p.name)+" "+p.sect)
		}
		var nm []string
		hasNd := false
		for _, l := range p.section("NAME") {
			w := macroWords(l)
			switch {
			case len(w) > 1 && w[0] == "Nm" && nm == nil:
				nm = w[1:]
			case len(w) > 0 && w[0] == "Nd":
				hasNd = true
			}
		}
		if len(nm) == 0 || strings.TrimSuffix(nm[0], ",") != p.name {
			t.Errorf("%s: NAME begins with .Nm %q, want %s", p.path, nm, p.name)
		}
		if !hasNd {
			t.Errorf("%s: NAME has no .Nd", p.path)
		}
		if !bytes.Contains([]byte(strings.Join(p.lines, "\n")), []byte("\n.Dd ")) {
			t.Errorf("%s: no .Dd", p.path)
		}
	}
}
