package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type peopleAssessmentDoc struct {
	PersonID string `json:"person_id"`
	Flagged  bool   `json:"flagged"`
	Cluster  struct {
		Members []string `json:"members"`
	} `json:"cluster"`
	Signals []struct {
		Rule     string `json:"rule"`
		Severity string `json:"severity"`
		Advisory string `json:"advisory"`
	} `json:"signals"`
}

// TestPeopleCLI runs `interdict people` as a user would: add, import CSV
// and JSON lines, show, clusters, screen, and the exit codes of bad input
// and unknown persons.
func TestPeopleCLI(t *testing.T) {
	dir := t.TempDir()
	c := cli{t: t, args: []string{"--data-dir", dir}}

	var a peopleAssessmentDoc
	c.json(&a, "people", "add", "p1", "--kind", "contractor", "--ident", "legal_name=Alex Example",
		"--ident", "phone=020 7946 0123|GB", "--ident", "github=9001|alexexample")
	if a.PersonID != "p1" || a.Flagged || len(a.Cluster.Members) != 1 {
		t.Errorf("add p1: %+v", a)
	}
	if _, err := os.Stat(filepath.Join(dir, "people.key")); err != nil {
		t.Errorf("no key file made: %v", err)
	}

	csvFile := filepath.Join(dir, "people.csv")
	os.WriteFile(csvFile, []byte("id,kind,legal_name,payout_name,phone,email\n"+
		"p2,applicant,Robin Sample,Robin Sample,+44 20 7946 0123,robin@example.org\n"+
		"p3,vendor,Sam Other,Kim Different,,sam@example.org;sam2@example.org\n"), 0o600)
	var imp struct {
		Imported int                   `json:"imported"`
		Flagged  []peopleAssessmentDoc `json:"flagged"`
	}
	c.json(&imp, "people", "import", csvFile)
	if imp.Imported != 2 || len(imp.Flagged) != 2 {
		t.Fatalf("import: %+v", imp)
	}
	if f := imp.Flagged[0]; f.PersonID != "p2" || f.Signals[0].Rule != "PPL-REUSE-PHONE" || len(f.Cluster.Members) != 2 {
		t.Errorf("p2: %+v", f)
	}
	if f := imp.Flagged[1]; f.PersonID != "p3" || f.Signals[0].Rule != "PPL-PAYOUT-NAME" {
		t.Errorf("p3: %+v", f)
	}

	jsonl := filepath.Join(dir, "people.jsonl")
	os.WriteFile(jsonl, []byte(`{"id":"p4","kind":"employee","identifiers":[{"type":"github","value":"09001","extra":"renamed"}]}`+"\n"), 0o600)
	c.json(&imp, "people", "import", jsonl)
	if imp.Imported != 1 || len(imp.Flagged) != 1 || len(imp.Flagged[0].Cluster.Members) != 3 {
		t.Errorf("import jsonl: %+v", imp)
	}

	out := c.ok("people", "show", "p2")
	for _, want := range []string{"+442079460123", "robin@example.org", "PPL-REUSE-PHONE"} {
		if !strings.Contains(out, want) {
			t.Errorf("show p2 lacks %q:\n%s", want, out)
		}
	}
	var clusters []struct {
		Members  []string `json:"members"`
		Evidence []struct {
			Type string `json:"type"`
		} `json:"evidence"`
	}
	c.json(&clusters, "people", "clusters")
	if len(clusters) != 1 || len(clusters[0].Members) != 3 || len(clusters[0].Evidence) != 2 {
		t.Errorf("clusters: %+v", clusters)
	}
	var screened []peopleAssessmentDoc
	c.json(&screened, "people", "screen", "--all")
	if len(screened) != 4 { // p1, p2, p4 by reuse, p3 by payout name
		t.Errorf("screen --all flagged %d, want 4", len(screened))
	}

	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("id,email\np9,not-an-email\n"), 0o600)
	if _, errOut, code := c.run("people", "import", bad); code != 65 || !strings.Contains(errOut, "record 1") {
		t.Errorf("bad import: exit %d, %s", code, errOut)
	}
	if _, _, code := c.run("people", "show", "nobody"); code != 4 {
		t.Errorf("show unknown: exit %d, want 4", code)
	}
	if _, errOut, code := c.run("people", "clusters", "--key-file", filepath.Join(dir, "other.key")); code != 2 || !strings.Contains(errOut, "another key") {
		t.Errorf("another key: exit %d, %s", code, errOut)
	}
	c.ok("people", "add", "old", "--retain-until", "2001-01-01", "--consent", "consent", "--ident", "email=old@example.org")
	var purged struct {
		Persons     int `json:"persons"`
		Identifiers int `json:"identifiers"`
	}
	c.json(&purged, "people", "purge")
	if purged.Persons != 1 || purged.Identifiers != 1 {
		t.Errorf("purge: %+v, want the one expired person and its identifier", purged)
	}
	if _, _, code := c.run("people", "show", "old"); code != 4 {
		t.Errorf("show a purged person: exit %d, want 4", code)
	}
	if _, _, code := c.run("people", "add", "p5", "--ident", "ethnicity=x"); code != 2 {
		t.Errorf("add with an unknown type: exit %d, want 2", code)
	}
}
