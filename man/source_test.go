package man

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// Reading the commands' parsers from their Go source, so that an option
// added to a parser's table shows up here without anybody telling these
// tests.  Each reader looks for one named table or constant and fails
// loudly when it is gone, so that a restructured parser updates its test
// rather than silently passing it.

// goPackage is the parsed non-test files of one package directory, build
// constraints ignored (the Linux and NetBSD files both count).
type goPackage struct {
	dir   string
	files map[string]*ast.File // by base name
}

func parseGoPackage(t *testing.T, rel string) *goPackage {
	t.Helper()
	dir := filepath.Join(moduleRoot(t), rel)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	p := &goPackage{dir: rel, files: map[string]*ast.File{}}
	fset := token.NewFileSet()
	for _, e := range entries {
		n := e.Name()
		if !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, n), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		p.files[n] = f
	}
	return p
}

// file returns one file of the package.
func (p *goPackage) file(t *testing.T, name string) *ast.File {
	t.Helper()
	f, ok := p.files[name]
	if !ok {
		t.Fatalf("%s: no file %s; update man's tests to the parser's new layout", p.dir, name)
	}
	return f
}

// valueSpec finds the package-level const or var declaration of name.
func (p *goPackage) valueSpec(t *testing.T, name string) *ast.ValueSpec {
	t.Helper()
	for _, f := range sortedFiles(p.files) {
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok {
				continue
			}
			for _, s := range g.Specs {
				v, ok := s.(*ast.ValueSpec)
				if !ok {
					continue
				}
				for i, n := range v.Names {
					if n.Name == name && i < len(v.Values) {
						return v
					}
				}
			}
		}
	}
	t.Fatalf("%s: no package-level %s; update man's tests to the parser's new layout", p.dir, name)
	return nil
}

func sortedFiles(m map[string]*ast.File) []*ast.File {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]*ast.File, len(names))
	for i, n := range names {
		out[i] = m[n]
	}
	return out
}

// constString is the value of a string constant.
func (p *goPackage) constString(t *testing.T, name string) string {
	t.Helper()
	v := p.valueSpec(t, name)
	s, ok := stringLit(v.Values[0])
	if !ok {
		t.Fatalf("%s: %s is not a string literal", p.dir, name)
	}
	return s
}

// tableRows returns, for each element of the composite literal that the
// variable name is set to, the string literals among its fields, in
// order: the rows of a table such as wgconfig's commands.
func (p *goPackage) tableRows(t *testing.T, name string) [][]string {
	t.Helper()
	lit, ok := p.valueSpec(t, name).Values[0].(*ast.CompositeLit)
	if !ok {
		t.Fatalf("%s: %s is not a composite literal", p.dir, name)
	}
	var rows [][]string
	for _, e := range lit.Elts {
		row, ok := e.(*ast.CompositeLit)
		if !ok {
			t.Fatalf("%s: an element of %s is not a composite literal", p.dir, name)
		}
		var strs []string
		for _, f := range row.Elts {
			if kv, ok := f.(*ast.KeyValueExpr); ok {
				f = kv.Value
			}
			if s, ok := stringLit(f); ok {
				strs = append(strs, s)
			}
		}
		rows = append(rows, strs)
	}
	return rows
}

// stringLit is the value of a string literal expression.
func stringLit(e ast.Expr) (string, bool) {
	b, ok := e.(*ast.BasicLit)
	if !ok || b.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(b.Value)
	return s, err == nil
}

// letters are the flag letters of a getopt(3) option string.
func letters(optstring string) []byte {
	var out []byte
	for i := 0; i < len(optstring); i++ {
		if optstring[i] != ':' {
			out = append(out, optstring[i])
		}
	}
	return out
}
