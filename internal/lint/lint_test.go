package lint

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/interdict/interdict"

// pkg is one directory of non-test Go files.
type pkg struct {
	dir     string // relative to the repo root, slash-separated
	hasDoc  bool
	imports map[string]bool
}

func repoRoot(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

func loadPackages(t *testing.T) map[string]*pkg {
	t.Helper()
	root := repoRoot(t)
	pkgs := map[string]*pkg{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules" || name == "interdict-data") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		rel = filepath.ToSlash(rel)
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments|parser.ImportsOnly)
		if err != nil {
			return err
		}
		p := pkgs[rel]
		if p == nil {
			p = &pkg{dir: rel, imports: map[string]bool{}}
			pkgs[rel] = p
		}
		if f.Doc != nil {
			text := f.Doc.Text()
			if strings.HasPrefix(text, "Package ") || strings.HasPrefix(text, "Command ") {
				p.hasDoc = true
			}
		}
		for _, imp := range f.Imports {
			s, _ := strconv.Unquote(imp.Path.Value)
			p.imports[s] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return pkgs
}

func TestEveryPackageHasADocComment(t *testing.T) {
	for dir, p := range loadPackages(t) {
		if !p.hasDoc {
			t.Errorf("package %s has no '// Package ...' (or '// Command ...') doc comment", dir)
		}
	}
}

func TestGroupingFoldersHoldNoGoCode(t *testing.T) {
	pkgs := loadPackages(t)
	for _, g := range []string{"internal/sources", "internal/analysis", "internal/action", "internal/serve", "internal/store"} {
		if _, ok := pkgs[g]; ok {
			t.Errorf("grouping folder %s holds Go code; put it in a leaf package", g)
		}
	}
}

func TestForbiddenPackageNames(t *testing.T) {
	for dir := range loadPackages(t) {
		switch filepath.Base(dir) {
		case "util", "utils", "common", "helpers", "misc":
			t.Errorf("package %s has a name that says nothing about its job", dir)
		}
	}
}

func TestDependencyRules(t *testing.T) {
	internal := module + "/internal/"
	for dir, p := range loadPackages(t) {
		for imp := range p.imports {
			switch {
			case strings.HasPrefix(dir, "internal/sources/"):
				if strings.HasPrefix(imp, internal) &&
					!strings.HasPrefix(imp, internal+"chain") &&
					!strings.HasPrefix(imp, internal+"sources/") {
					t.Errorf("%s imports %s: sources import only chain and upstream libraries", dir, imp)
				}
			case strings.HasPrefix(dir, "internal/analysis/"):
				if imp == "net/http" || strings.HasPrefix(imp, internal+"serve/") || strings.HasPrefix(imp, internal+"store/") {
					t.Errorf("%s imports %s: analysis never imports serve, store or net/http", dir, imp)
				}
			}
			if (strings.HasPrefix(imp, internal+"store/sqlite") || strings.HasPrefix(imp, internal+"store/postgres")) &&
				dir != "cmd/interdict" && !strings.HasPrefix(dir, "internal/store/") {
				t.Errorf("%s imports the concrete backend %s: only cmd/interdict wires backends", dir, imp)
			}
		}
	}
}

func TestNoGodFiles(t *testing.T) {
	root := repoRoot(t)
	const limit = 900
	_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			if d != nil && d.IsDir() && path != root && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return err
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if n := strings.Count(string(b), "\n"); n > limit && !strings.Contains(string(b), "Code generated") {
			rel, _ := filepath.Rel(root, path)
			t.Errorf("%s has %d lines; split it by concept (limit %d)", rel, n, limit)
		}
		return nil
	})
}
