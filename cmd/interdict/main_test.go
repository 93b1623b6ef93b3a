package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/interdict/interdict/internal/sharedtest"
)

// binPath is the interdict binary built once for the CLI contract tests.
var binPath string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "interdict-cli")
	if err != nil {
		panic(err)
	}
	binPath = filepath.Join(dir, "interdict")
	if runtime.GOOS == "windows" {
		binPath += ".exe"
	}
	build := exec.Command("go", "build", "-o", binPath, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		panic("build interdict: " + err.Error())
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// cli runs the binary and returns stdout, stderr and the exit code.
type cli struct {
	t    *testing.T
	args []string // global flags put before every command
}

func (c cli) run(args ...string) (stdout, stderr string, code int) {
	c.t.Helper()
	cmd := exec.Command(binPath, append(append([]string{}, c.args...), args...)...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		c.t.Fatalf("run %v: %v", args, err)
	}
	return o.String(), e.String(), code
}

// ok runs the binary and fails the test unless it exits 0.
func (c cli) ok(args ...string) string {
	c.t.Helper()
	out, errOut, code := c.run(args...)
	if code != 0 {
		c.t.Fatalf("interdict %s: exit %d\nstderr: %s", strings.Join(args, " "), code, errOut)
	}
	return out
}

func (c cli) json(v any, args ...string) {
	c.t.Helper()
	out := c.ok(append([]string{"--output", "json"}, args...)...)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		c.t.Fatalf("interdict %s: stdout is not one JSON document: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// screenDoc is the CLI contract's screen output.
type screenDoc struct {
	Results []struct {
		Query   string `json:"query"`
		Hit     bool   `json:"hit"`
		Matches []struct {
			List     string   `json:"list"`
			EntityID string   `json:"entity_id"`
			Name     string   `json:"name"`
			Programs []string `json:"programs"`
			Score    float64  `json:"score"`
		} `json:"matches"`
	} `json:"results"`
}

func TestCLIContractOnRealLists(t *testing.T) {
	sdnOld := sharedtest.Path(t, "ofac", "sdn_advanced_2025-03-04.xml.bz2")
	sdnNew := sharedtest.Path(t, "ofac", "sdn_advanced_2025-11-19.xml.bz2")
	un := sharedtest.Path(t, "sanctions_other", "UN_consolidated_2026-02-27.xml.gz")
	c := cli{t: t, args: []string{"--data-dir", t.TempDir()}}

	t.Run("loading the older OFAC list stores a first version", func(t *testing.T) {
		var out loadOutput
		c.json(&out, "lists", "load", "--source", "ofac", sdnOld)
		if out.Version.Entities != 17635 || out.Diff != nil {
			t.Fatalf("first load: %d entities, diff %v; want 17635 and no diff", out.Version.Entities, out.Diff)
		}
	})

	t.Run("a CHEIL CREDIT BANK address screened before it was listed is clean", func(t *testing.T) {
		var doc screenDoc
		c.json(&doc, "screen", "address", cheilUSDT)
		if len(doc.Results) != 1 || doc.Results[0].Hit {
			t.Fatalf("got %+v, want one clean result", doc)
		}
	})

	t.Run("loading the newer OFAC list diffs it and alerts on the newly listed address", func(t *testing.T) {
		var out loadOutput
		c.json(&out, "lists", "load", "--source", "ofac", sdnNew)
		if out.Diff == nil || out.Diff.Counts.EntitiesAdded != 1358 || out.Diff.Counts.EntitiesRemoved != 626 {
			t.Fatalf("diff counts %+v, want 1358 added and 626 removed", out.Diff)
		}
		found := false
		for _, a := range out.Alerts {
			if a.Query == cheilUSDT && a.EntityID == "22985" {
				found = true
			}
		}
		if !found {
			t.Fatalf("no alert for %s among %d alerts", cheilUSDT, len(out.Alerts))
		}
	})

	t.Run("loading the same file twice is refused with exit code 5", func(t *testing.T) {
		if _, _, code := c.run("lists", "load", "--source", "ofac", sdnNew); code != exitExists {
			t.Fatalf("exit code %d, want %d", code, exitExists)
		}
	})

	t.Run("the UN list loads beside OFAC", func(t *testing.T) {
		var out loadOutput
		c.json(&out, "lists", "load", "--source", "un", un)
		if out.Version.Entities != 1003 {
			t.Fatalf("UN entities %d, want 1003", out.Version.Entities)
		}
	})

	t.Run("the Lazarus Group address is a hit in the contract's JSON shape", func(t *testing.T) {
		var doc screenDoc
		c.json(&doc, "screen", "address", "0x098b716b8aaf21512996dc57eb0615e2383e2f96", "0x0000000000000000000000000000000000000001")
		if len(doc.Results) != 2 || !doc.Results[0].Hit || doc.Results[1].Hit {
			t.Fatalf("got %+v", doc)
		}
		m := doc.Results[0].Matches[0]
		if m.List != "ofac" || m.EntityID != "27307" || m.Name != "Lazarus Group" || len(m.Programs) == 0 {
			t.Fatalf("match %+v, want ofac entity 27307 Lazarus Group with programs", m)
		}
	})

	t.Run("a misspelt name finds the entity with a score, best first", func(t *testing.T) {
		var doc screenDoc
		c.json(&doc, "screen", "name", "Lazarus Grup")
		if len(doc.Results) != 1 || !doc.Results[0].Hit {
			t.Fatalf("got %+v", doc)
		}
		ms := doc.Results[0].Matches
		if ms[0].EntityID != "27307" || ms[0].Score <= 0 || ms[0].Score > 1 {
			t.Fatalf("top match %+v", ms[0])
		}
		for i := 1; i < len(ms); i++ {
			if ms[i].Score > ms[i-1].Score {
				t.Fatalf("matches not ordered best first: %+v", ms)
			}
		}
	})

	t.Run("--fail-on-hit exits with code 3 on a hit", func(t *testing.T) {
		if _, _, code := c.run("screen", "--fail-on-hit", "address", "0x098B716B8Aaf21512996dC57EB0615e2383E2f96"); code != exitHit {
			t.Fatalf("exit code %d, want %d", code, exitHit)
		}
	})

	t.Run("export reproduces the published per-asset address lists byte for byte", func(t *testing.T) {
		var vs struct {
			Lists []struct{ ID, Source string } `json:"lists"`
		}
		c.json(&vs, "lists", "show")
		var ofacID string
		for _, v := range vs.Lists {
			if v.Source == "ofac" {
				ofacID = v.ID // the newest OFAC version is listed last
			}
		}
		dir := t.TempDir()
		c.ok("lists", "export", "--format", "address-lists", "--version", ofacID, dir)
		want := sharedtest.Path(t, "ofac", "lists_2025-12-04")
		compareDirs(t, want, dir)
	})

	t.Run("a diff between unknown versions exits with code 4", func(t *testing.T) {
		if _, _, code := c.run("lists", "diff", "nope", "nada"); code != exitNotFound {
			t.Fatalf("exit code %d, want %d", code, exitNotFound)
		}
	})
}

// cheilUSDT is one of the 53 USDT addresses CHEIL CREDIT BANK gained between the
// 2025-03-04 and 2025-11-19 SDN lists.
const cheilUSDT = "TA3941uFAvmVibSkQ6fMJXxmaSNovX86mz"

func compareDirs(t *testing.T, want, got string) {
	t.Helper()
	wantFiles, _ := filepath.Glob(filepath.Join(want, "*.txt"))
	gotFiles, _ := filepath.Glob(filepath.Join(got, "*.txt"))
	if len(wantFiles) != len(gotFiles) {
		t.Fatalf("%d files exported, want %d", len(gotFiles), len(wantFiles))
	}
	for _, w := range wantFiles {
		wb, _ := os.ReadFile(w)
		gb, err := os.ReadFile(filepath.Join(got, filepath.Base(w)))
		if err != nil {
			t.Fatalf("missing %s: %v", filepath.Base(w), err)
		}
		if !bytes.Equal(wb, gb) {
			t.Errorf("%s differs from the published list", filepath.Base(w))
		}
	}
}

func TestUsageErrorsExitWithCode2(t *testing.T) {
	c := cli{t: t, args: []string{"--data-dir", t.TempDir()}}
	for _, args := range [][]string{
		{"lists", "load", "--source", "nope", "x.xml"},
		{"lists", "load", "x.xml"},
		{"--output", "yaml", "lists", "show"},
		{"screen", "address"},
		{"keys", "create", "--name", "k", "--role", "god"},
		{"no-such-command"},
	} {
		if _, _, code := c.run(args...); code != exitUsage {
			t.Errorf("interdict %s: exit %d, want %d", strings.Join(args, " "), code, exitUsage)
		}
	}
}

func TestMalformedListExitsWithCode65(t *testing.T) {
	c := cli{t: t, args: []string{"--data-dir", t.TempDir()}}
	bad := filepath.Join(t.TempDir(), "bad.xml")
	if err := os.WriteFile(bad, []byte("<Sanctions><DistinctParties><DistinctParty"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := c.run("lists", "load", "--source", "ofac", bad); code != exitMalformed {
		t.Fatalf("exit %d, want %d; stderr %s", code, exitMalformed, errOut)
	}
	var vs struct{ Lists []any }
	c.json(&vs, "lists", "show")
	if len(vs.Lists) != 0 {
		t.Fatalf("a malformed list left %d versions behind", len(vs.Lists))
	}
}
