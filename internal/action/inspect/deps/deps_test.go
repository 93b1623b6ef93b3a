package deps

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/interdict/interdict/internal/action/inspect"
)

var readAt = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func read(t testing.TB, dir string) []File {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", dir, "*"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("testdata/%s: %v", dir, err)
	}
	var out []File
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, File{Path: p, Data: b})
	}
	return out
}

func lists(t testing.TB) *Lists {
	t.Helper()
	l, err := LoadLists()
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestParsers(t *testing.T) {
	for _, tc := range []struct {
		file   string
		format string
		names  []string
	}{
		{"clean/package-lock.json", "package-lock.json v3", []string{"@adraffy/ens-normalize", "axios", "ethers", "tslib"}},
		{"clean/yarn.lock", "yarn.lock v1", []string{"@babel/code-frame", "chalk"}},
		{"clean/go.sum", "go.sum", []string{"github.com/btcsuite/btcd", "github.com/spf13/cobra", "golang.org/x/sys"}},
		{"clean/requirements.txt", "pip requirements", []string{"requests", "urllib3"}},
	} {
		t.Run(tc.file+" lists its packages, every one pinned", func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			lf, err := Parse(tc.file, b)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, p := range lf.Packages {
				names = append(names, p.Name)
				if p.Unpinned != "" || p.Version == "" || p.Hash == "" {
					t.Errorf("%+v not pinned", p)
				}
			}
			if lf.Format != tc.format || !slices.Equal(names, tc.names) {
				t.Fatalf("%s: %v", lf.Format, names)
			}
		})
	}
	t.Run("an included requirements file is noted, not followed", func(t *testing.T) {
		b, _ := os.ReadFile(filepath.Join("testdata", "clean", "requirements.txt"))
		lf, err := ParseRequirements(b)
		if err != nil || len(lf.Notes) != 1 || !strings.Contains(lf.Notes[0], "base.txt") {
			t.Fatalf("%+v %v", lf, err)
		}
	})
}

func TestBadLockfilesAreRefused(t *testing.T) {
	for _, f := range read(t, "bad") {
		t.Run(filepath.Base(f.Path), func(t *testing.T) {
			if _, err := Parse(f.Path, f.Data); !errors.Is(err, ErrLockfile) || !strings.Contains(err.Error(), f.Path) {
				t.Fatalf("err = %v", err)
			}
		})
	}
	if _, err := Parse("Gemfile.lock", nil); !errors.Is(err, ErrLockfile) {
		t.Fatalf("unknown name: %v", err)
	}
}

func TestCollect(t *testing.T) {
	l := lists(t)
	c, err := inspect.Load()
	if err != nil {
		t.Fatal(err)
	}
	t.Run("pinned lockfiles without suspicious names pass", func(t *testing.T) {
		r, err := Collect(read(t, "clean"), l, readAt)
		if err != nil {
			t.Fatal(err)
		}
		if !*r.Facts.Code.DependenciesPinned || !*r.Facts.Code.NoMaliciousDependencies || len(r.Findings) != 0 || len(r.Read) != 5 {
			t.Fatalf("reading %+v", r)
		}
	})
	t.Run("a known malicious name, look-alikes and unpinned entries fail dependency-integrity", func(t *testing.T) {
		r, err := Collect(read(t, "risky"), l, readAt)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{
			"testdata/risky/package-lock.json: npm axois@1.7.7 is look-alike of axios",
			"testdata/risky/package-lock.json: npm helper@0.1.0 is not pinned: resolved from git without an integrity hash",
			"testdata/risky/package-lock.json: npm left-pad@1.3.0 is not pinned: no integrity hash",
			"testdata/risky/package-lock.json: npm tailwind-magic@1.0.3 is known malicious (Contagious Interview (DPRK); https://incrypthos.com/security/state-actors-target-web3-developers-via-malicious-npm-supply-chain-attack)",
			"testdata/risky/requirements.txt: pypi flask@ is not pinned: no exact version (>=2.0)",
			"testdata/risky/requirements.txt: pypi git+https://github.com/someone/tool.git#egg=tool@ is not pinned: editable install",
			"testdata/risky/requirements.txt: pypi reqeusts@2.32.3 is look-alike of requests",
			"testdata/risky/yarn.lock: npm expres@4.0.1 is look-alike of express",
			"testdata/risky/yarn.lock: npm expres@4.0.1 is not pinned: no integrity hash",
		}
		if !slices.Equal(r.Findings, want) {
			t.Fatalf("findings:\n%s", strings.Join(r.Findings, "\n"))
		}
		var cfg inspect.Config
		if err := r.Apply(&cfg); err != nil {
			t.Fatal(err)
		}
		ev, err := c.Evaluate(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if got := ev.FailedChecks(); !slices.Equal(got, []string{"dependency-integrity"}) {
			t.Fatalf("failed %v", got)
		}
	})
}

func TestOneEdit(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"axios", "axois", true}, {"express", "expres", true}, {"express", "expresss", true},
		{"lodash", "lodahs", true}, {"ethers", "ethars", true}, {"ethers", "ethers", false},
		{"react", "preact!", false}, {"chalk", "chulk!", false}, {"web3", "", false},
	} {
		if got := oneEdit(tc.a, tc.b); got != tc.want {
			t.Errorf("oneEdit(%q, %q) = %v", tc.a, tc.b, got)
		}
	}
}

func TestKnownBadEntriesCiteASource(t *testing.T) {
	for _, b := range lists(t).Bad {
		if b.Name == "" || !strings.HasPrefix(b.Source, "https://") || b.Campaign == "" {
			t.Errorf("entry %+v needs a name, a campaign and an https source", b)
		}
	}
}

func fuzzParser(f *testing.F, name string, parse func([]byte) (*Lockfile, error)) {
	for _, dir := range []string{"clean", "risky", "bad"} {
		if b, err := os.ReadFile(filepath.Join("testdata", dir, name)); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		lf, err := parse(b)
		if err != nil {
			if !errors.Is(err, ErrLockfile) {
				t.Fatalf("error without ErrLockfile: %v", err)
			}
			return
		}
		for _, p := range lf.Packages {
			if p.Unpinned == "" && p.Version == "" {
				t.Fatalf("%+v pinned without a version", p)
			}
		}
	})
}

func FuzzPackageLock(f *testing.F)  { fuzzParser(f, "package-lock.json", ParsePackageLock) }
func FuzzYarnLock(f *testing.F)     { fuzzParser(f, "yarn.lock", ParseYarnLock) }
func FuzzGoSum(f *testing.F)        { fuzzParser(f, "go.sum", ParseGoSum) }
func FuzzRequirements(f *testing.F) { fuzzParser(f, "requirements.txt", ParseRequirements) }
