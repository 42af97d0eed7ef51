package nbwg_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestFuzzTargetsListed checks that the Makefile's FUZZ_TARGETS, which
// `make fuzz` runs, names every fuzz target of the tree and nothing
// else: a target left out of the list would only ever run its seeds.
func TestFuzzTargetsListed(t *testing.T) {
	mk, err := os.ReadFile("Makefile")
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	in := false
	for _, line := range strings.Split(string(mk), "\n") {
		if strings.HasPrefix(line, "FUZZ_TARGETS") {
			in = true
			line = line[strings.Index(line, "=")+1:]
		}
		if !in {
			continue
		}
		listed = append(listed, strings.Fields(strings.TrimSuffix(line, "\\"))...)
		if !strings.HasSuffix(line, "\\") {
			break
		}
	}
	if len(listed) == 0 {
		t.Fatal("no FUZZ_TARGETS in the Makefile")
	}

	fuzzFunc := regexp.MustCompile(`(?m)^func (Fuzz\w+)\(\w+ \*testing\.F\)`)
	var found []string
	err = filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range fuzzFunc.FindAllStringSubmatch(string(src), -1) {
			found = append(found, "./"+filepath.ToSlash(filepath.Dir(path))+":"+m[1])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(listed)
	slices.Sort(found)
	for _, x := range found {
		if !slices.Contains(listed, x) {
			t.Errorf("fuzz target %s is not in the Makefile's FUZZ_TARGETS", x)
		}
	}
	for _, x := range listed {
		if !slices.Contains(found, x) {
			t.Errorf("FUZZ_TARGETS names %s, which is no fuzz target", x)
		}
	}
	if len(found) < 3 {
		t.Errorf("only %d fuzz targets found: %q", len(found), found)
	}
}
