package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	vet "github.com/interdict/interdict/internal/analysis/people"
)

// TestPeopleLogsCLI: IdP and VPN sign-ins as CSV and GitHub events as JSON
// lines imported with people logs import (persons named by id or by email);
// each log rule fires on the person whose logs show it, people screen
// reports the same, and a bad record exits 65 with its number, importing
// nothing.
func TestPeopleLogsCLI(t *testing.T) {
	dir := t.TempDir()
	c := cli{t: t, args: []string{"--data-dir", dir}}
	c.ok("people", "add", "night", "--kind", "contractor", "--ident", "email=kalo.vin12@example.com", "--ident", "time_zone=America/New_York")
	c.ok("people", "add", "office", "--kind", "employee", "--ident", "email=mel.dro@example.org", "--ident", "time_zone=America/New_York")
	c.ok("people", "add", "dev", "--kind", "contractor", "--ident", "email=tar.sul@example.net")

	var csv strings.Builder
	csv.WriteString("time,person,email,source,event,ip,country,asn\n")
	t0 := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	for d := range 25 { // 07:00 UTC: 02:00 in New York, from a VPS
		fmt.Fprintf(&csv, "%s,night,,vpn,login,198.51.100.%d,US,AS14061\n", t0.Add(time.Duration(d*24+7)*time.Hour).Format(time.RFC3339), d+1)
	}
	// Two countries 40 minutes apart, and the home IP the office worker uses too.
	fmt.Fprintf(&csv, "%s,,KALO.VIN12@example.com,idp,login,192.0.2.77,KP,AS131279\n", t0.Add(31*24*time.Hour).Format(time.RFC3339))
	fmt.Fprintf(&csv, "%s,night,,idp,login,192.0.2.78,US,AS7922\n", t0.Add(31*24*time.Hour+40*time.Minute).Format(time.RFC3339))
	for d := range 25 { // 14:00 UTC: 09:00 in New York
		fmt.Fprintf(&csv, "%s,office,,idp,login,192.0.2.77,US,AS7922\n", t0.Add(time.Duration(d*24+14)*time.Hour).Format(time.RFC3339))
	}
	idp := filepath.Join(dir, "idp.csv")
	gh := filepath.Join(dir, "github.jsonl")
	if err := os.WriteFile(idp, []byte(csv.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	ghLines := `{"time":"2026-01-05T09:00:00Z","email":"tar.sul@example.net","source":"github","event":"account","github_login":"tarsul","account_created":"2025-12-20T00:00:00Z"}
{"time":"2023-04-01T09:00:00Z","person":"dev","source":"github","event":"commit","github_login":"tarsul"}
{"time":"2026-01-06T09:00:00Z","person":"dev","source":"github","event":"activity","github_login":"tarsul-dev"}
{"time":"2026-01-07T09:00:00Z","person":"dev","source":"github","event":"activity","github_login":"ts-42"}
`
	if err := os.WriteFile(gh, []byte(ghLines), 0o600); err != nil {
		t.Fatal(err)
	}
	var sum struct {
		Events  int              `json:"events"`
		Persons int              `json:"persons"`
		Flagged []vet.Assessment `json:"flagged"`
	}
	c.json(&sum, "people", "logs", "import", idp)
	if sum.Events != 52 || sum.Persons != 2 {
		t.Fatalf("import: %+v", sum)
	}
	c.json(&sum, "people", "logs", "import", gh, "--format", "json")
	if sum.Events != 4 || sum.Persons != 1 || len(sum.Flagged) != 1 || sum.Flagged[0].PersonID != "dev" {
		t.Fatalf("github import: %+v", sum)
	}
	rules := func(id string) map[string]vet.Severity {
		var out []vet.Assessment
		c.json(&out, "people", "screen", id)
		m := map[string]vet.Severity{}
		for _, s := range out[0].Signals {
			m[s.Rule] = s.Severity
		}
		return m
	}
	want := map[string]map[string]vet.Severity{
		"night":  {"PPL-LOG-TRAVEL": vet.Medium, "PPL-LOG-HOURS": vet.Medium, "PPL-LOG-HOSTING": vet.Medium, "PPL-LOG-SHARED-IP": vet.Medium},
		"office": {"PPL-LOG-SHARED-IP": vet.Medium},
		"dev":    {"PPL-GITHUB-YOUNG": vet.Medium, "PPL-GITHUB-HANDLE": vet.Medium},
	}
	for id, w := range want {
		got := rules(id)
		for r, sev := range w {
			if s, ok := got[r]; !ok || s != sev {
				t.Errorf("%s: %s = %v (present %v), want %s; all %v", id, r, s, ok, sev, got)
			}
		}
		for r := range got {
			if _, ok := w[r]; !ok && strings.HasPrefix(r, "PPL-LOG-") {
				t.Errorf("%s: unexpected %s", id, r)
			}
		}
	}

	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("time,person,source,event\n2026-01-05T09:00:00Z,dev,idp,login\n2026-01-05T09:00:00Z,dev,okta,login\n"), 0o600)
	if _, errOut, code := c.run("people", "logs", "import", bad); code != 65 || !strings.Contains(errOut, "record 2") {
		t.Errorf("bad record: exit %d, %s", code, errOut)
	}
	unknown := filepath.Join(dir, "unknown.csv")
	os.WriteFile(unknown, []byte("time,email,source,event\n2026-01-05T09:00:00Z,nobody@example.com,idp,login\n"), 0o600)
	if _, errOut, code := c.run("people", "logs", "import", unknown); code != 4 || !strings.Contains(errOut, "record 1") {
		t.Errorf("unknown person: exit %d, %s", code, errOut)
	}
	if _, _, code := c.run("people", "logs", "import", filepath.Join(dir, "x.txt")); code != 65 {
		t.Errorf("no format: exit %d", code)
	}
	var shown struct {
		Assessment vet.Assessment `json:"assessment"`
	}
	c.json(&shown, "people", "show", "dev")
	if !slices.ContainsFunc(shown.Assessment.Signals, func(s vet.Signal) bool { return s.Rule == "PPL-GITHUB-YOUNG" }) {
		t.Errorf("people show: %+v", shown.Assessment.Signals)
	}
	var out []vet.Assessment
	c.json(&out, "people", "screen", "dev")
	if slices.ContainsFunc(out[0].Signals, func(s vet.Signal) bool { return s.Rule == "PPL-LOG-HOSTING" }) {
		t.Error("the failed import stored events")
	}
}
