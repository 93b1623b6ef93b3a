package inspect

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
)

func TestChecklist(t *testing.T) {
	c := loadCatalogue(t)
	ev := []Evidence{{ID: "e", Control: "seal-sfc:ms-4.1.1", Kind: Procedure, Title: "signing runbook", Owner: "ops",
		Date: reportTime, SHA256: strings.Repeat("a", 64)}}
	r := c.BuildReport(Inspection{ID: "q", Org: "acme", Created: reportTime},
		[]Answer{ans("seal-sfc:ms-4.1.1", Partial), ans("seal-sfc:dns-1.1.1", NotApplicable)}, ev, nil, nil, reportTime)
	var buf bytes.Buffer
	if err := c.WriteChecklist(&buf, r); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatalf("the checklist is not CSV: %v", err)
	}
	if len(rows) != 100 {
		t.Fatalf("%d rows, want a header and 99 controls", len(rows))
	}
	byID := map[string][]string{}
	for _, row := range rows[1:] {
		byID[row[2]] = row
	}
	for _, tc := range []struct {
		name, id string
		col      int
		want     string
	}{
		{"a partial answer is scored as SEAL spells it", "ms-4.1.1", 6, "Partially Implemented"},
		{"the evidence is listed with its hash", "ms-4.1.1", 8, "procedure: signing runbook (ops, 2026-11-25, sha256 aaaa"},
		{"N/A keeps its justification", "dns-1.1.1", 7, "no such system"},
		{"an unanswered control is Unknown", "ir-1.1.1", 6, "Unknown"},
		{"baselines are one per line", "ms-1.1.2", 5, "\nUpdated within 24 hours"},
		{"the module is named", "ms-1.1.1", 0, "SFC: Multisig Operations"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := byID[tc.id]; len(got) == 0 || !strings.Contains(got[tc.col], tc.want) {
				t.Fatalf("%s column %d = %q, want %q in it", tc.id, tc.col, got, tc.want)
			}
		})
	}
}
