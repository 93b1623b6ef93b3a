package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/interdict/interdict/internal/analysis/people/synth"
	"github.com/interdict/interdict/internal/index/people"
)

func TestRun(t *testing.T) {
	dir := t.TempDir()
	out, truth := filepath.Join(dir, "p.jsonl"), filepath.Join(dir, "t.json")
	var stdout, stderr bytes.Buffer
	if err := run([]string{"-people", "200", "-clusters", "10", "-families", "5", "-vpns", "1", "-out", out, "-truth", truth, "-measure"}, &stdout, &stderr); err != nil {
		t.Fatal(err, stderr.String())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	var p people.Person
	if err := json.Unmarshal([]byte(lines[0]), &p); err != nil || p.ID == "" || len(p.Identifiers) == 0 {
		t.Errorf("first line %q: %v", lines[0], err)
	}
	var tr synth.Truth
	tb, _ := os.ReadFile(truth)
	if err := json.Unmarshal(tb, &tr); err != nil || len(tr.Clusters) != 10 || len(tr.Clean)+len(lines)-len(tr.Clean) != len(lines) {
		t.Errorf("truth: %v, %d clusters", err, len(tr.Clusters))
	}
	var rep synth.Report
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil || rep.People != len(lines) {
		t.Errorf("report %q: %v", stdout.String(), err)
	}
	again := filepath.Join(dir, "again.jsonl")
	if err := run([]string{"-people", "200", "-clusters", "10", "-families", "5", "-vpns", "1", "-out", again}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if b2, _ := os.ReadFile(again); !bytes.Equal(b, b2) {
		t.Error("the same flags gave different bytes")
	}
	if err := run([]string{"-people", "0"}, &stdout, &stderr); err == nil {
		t.Error("a population of 0 was accepted")
	}
}
