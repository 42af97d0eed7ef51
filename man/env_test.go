package man

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// testOnlyEnv are NBWG_* variables only the test suite reads: NBWG_BIN
// tells the integration tests where "make" put the commands.
var testOnlyEnv = map[string]bool{"NBWG_BIN": true}

// TestEnvironment checks that every NBWG_* environment variable the
// programs read (Go sources outside tests) or the rc.d scripts read is
// described in the ENVIRONMENT section of some page.
func TestEnvironment(t *testing.T) {
	root := moduleRoot(t)
	// In Go a variable is read with its name written in the call
	// (os.Getenv("NBWG_SOCKET")); other NBWG_ names, such as the ioctl
	// sys.NBWG_SYSCTL, are no variables.  In the scripts any mention
	// counts.
	goName := regexp.MustCompile(`(?:Getenv|LookupEnv)\("(NBWG_[A-Z0-9_]+)"\)`)
	shName := regexp.MustCompile(`\b(NBWG_[A-Z0-9_]+)\b`)
	used := map[string]string{} // variable → a file that reads it
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), ".") && path != root || rel == "man" || rel == "tests" {
				return filepath.SkipDir
			}
			return nil
		}
		goSource := strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go")
		script := filepath.Dir(rel) == "rc.d" && !strings.HasSuffix(path, ".go")
		if !goSource && !script {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		re := shName
		if goSource {
			re = goName
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			if !testOnlyEnv[m[1]] {
				used[m[1]] = rel
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(used) == 0 {
		t.Fatal("found no NBWG_* variable in the sources; the search is broken")
	}

	documentedEnv := map[string]bool{}
	for _, p := range loadPages(t) {
		for _, l := range p.section("ENVIRONMENT") {
			w := macroWords(l)
			if len(w) > 2 && w[0] == "It" && w[1] == "Ev" {
				documentedEnv[w[2]] = true
			}
		}
	}
	for v, file := range used {
		if !documentedEnv[v] {
			t.Errorf("%s reads %s, which no page's ENVIRONMENT describes", file, v)
		}
	}
}
