package main

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/interdict/interdict/internal/action/share/taxii"
	"github.com/interdict/interdict/internal/serve/auth"
	"github.com/interdict/interdict/internal/store/sqlite"
)

// isacHub is a TAXII server on its own SQLite store with one collection,
// "personas", that every key of the ISAC reads and writes.
func isacHub(t *testing.T) (srv *httptest.Server, secret string) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "hub.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	secret, key, err := auth.NewKey("hub", "isac-admin", auth.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CreateKey(ctx, key); err != nil {
		t.Fatal(err)
	}
	if err := st.PutAPIRoot(ctx, taxii.APIRoot{Name: "isac", Title: "ISAC"}); err != nil {
		t.Fatal(err)
	}
	if err := st.PutCollection(ctx, taxii.Collection{APIRoot: "isac", ID: "personas", Title: "Personas", CanRead: true, CanWrite: true}); err != nil {
		t.Fatal(err)
	}
	srv = httptest.NewServer(taxii.NewServer(taxii.DefaultConfig(), st, st, st, nil))
	t.Cleanup(srv.Close)
	return srv, secret
}

type rescreenDoc struct {
	Assessed   int      `json:"assessed"`
	NewSignals int      `json:"new_signals"`
	Opened     []string `json:"opened"`
	Updated    []string `json:"updated"`
	Persons    []struct {
		PersonID string `json:"person_id"`
		CaseID   string `json:"case_id"`
		Signals  []struct {
			Rule     string `json:"rule"`
			Evidence []struct {
				Field string `json:"field"`
				Value string `json:"value"`
			} `json:"evidence"`
		} `json:"signals"`
	} `json:"persons"`
}

// TestPeopleShareHashesOverTAXII: two members, each with its own store and
// people key, share a rejected persona as ISAC-keyed hashes through a real
// TAXII server; the second matches its own applicant without either side
// seeing the other's values, and the shared objects hold no value at all.
func TestPeopleShareHashesOverTAXII(t *testing.T) {
	srv, secret := isacHub(t)
	t.Setenv(taxiiKeyEnv, secret)
	shared := t.TempDir()
	isacKey := filepath.Join(shared, "isac.key")
	a := cli{t: t, args: []string{"--data-dir", t.TempDir()}}
	b := cli{t: t, args: []string{"--data-dir", t.TempDir()}}
	a.ok("people", "share", "keygen", "--isac-key", isacKey)

	raw := []string{"Jordan.Sample@Example.org", "58391027", "jsample-dev", "0x00000000000000000000000000000000000000c3",
		"+1 202 555 0147", "X99887766", "Jordan Sample"}
	a.ok("people", "add", "persona-1", "--kind", "contractor", "--ident", "legal_name="+raw[6], "--ident", "email="+raw[0],
		"--ident", "github="+raw[1]+"|"+raw[2], "--ident", "wallet="+raw[3]+"|eth", "--ident", "phone="+raw[4],
		"--ident", "id_document="+raw[5]+"|passport:US")
	// Not shared before a reviewer rejected or escalated the persona.
	if _, errOut, code := a.run("people", "share", "hashes", "persona-1", "--isac-key", isacKey, "--url", srv.URL+"/taxii2/", "--collection", "personas"); code != 2 || !strings.Contains(errOut, "undecided") {
		t.Fatalf("sharing an undecided person: exit %d, %s", code, errOut)
	}
	var c struct {
		ID string `json:"id"`
	}
	a.json(&c, "people", "case", "open", "--person", "persona-1", "--by", "alice", "--reason", "interview by a stand-in")
	a.ok("people", "case", "decide", c.ID, "--by", "alice", "--disposition", "rejected", "--reason", "wallet of a known persona")
	if _, errOut, code := a.run("people", "share", "hashes", "persona-1", "--isac-key", filepath.Join(a.args[1], "people.key"), "--url", srv.URL+"/taxii2/", "--collection", "personas"); code != 2 || !strings.Contains(errOut, "people key") {
		t.Errorf("the instance key as ISAC key: exit %d, %s", code, errOut)
	}
	var pushed struct{ Total, Successes int }
	a.json(&pushed, "people", "share", "hashes", "persona-1", "--isac-key", isacKey, "--tlp", "amber", "--url", srv.URL+"/taxii2/", "--collection", "personas")
	if pushed.Total != 2 || pushed.Successes != 2 {
		t.Errorf("push: %+v, want the marking definition and one indicator", pushed)
	}

	// Everything on the hub: hashes only.
	cl := &taxii.Client{Key: secret}
	page, err := cl.Objects(t.Context(), srv.URL+"/taxii2/isac/collections/personas/", time.Time{}, "")
	if err != nil || len(page.Objects) != 2 {
		t.Fatalf("hub objects: %d, %v", len(page.Objects), err)
	}
	var all strings.Builder
	for _, o := range page.Objects {
		all.Write(o)
	}
	lower := strings.ToLower(all.String())
	for _, v := range append(raw, "jordan.sample@example.org", "+12025550147", "x99887766", "jordan sample") {
		if strings.Contains(lower, strings.ToLower(v)) {
			t.Errorf("value %q is in the shared objects", v)
		}
	}
	if !strings.Contains(all.String(), "x_interdict_hashed_identifiers") || !strings.Contains(all.String(), "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421") {
		t.Errorf("shared objects lack the hashes or the TLP marking:\n%s", all.String())
	}

	// Member B: its own key, an applicant reusing the email (written
	// differently) and nothing else of the persona.
	b.ok("people", "add", "applicant-7", "--kind", "applicant", "--ident", "legal_name=Casey Other", "--ident", "email= jordan.sample@EXAMPLE.org",
		"--ident", "phone=+1 202 555 0199")
	b.ok("people", "add", "applicant-8", "--kind", "applicant", "--ident", "email=casey.unrelated@example.org")
	var rep rescreenDoc
	b.json(&rep, "people", "share", "match", "--isac-key", isacKey, "--url", srv.URL+"/taxii2/", "--collection", "personas")
	if rep.Assessed != 2 || rep.NewSignals != 1 || len(rep.Opened) != 1 || len(rep.Persons) != 1 {
		t.Fatalf("match: %+v", rep)
	}
	p := rep.Persons[0]
	if p.PersonID != "applicant-7" || p.Signals[0].Rule != "PPL-SHARED-HASH" || p.Signals[0].Evidence[0].Field != "email" {
		t.Errorf("match: %+v", p)
	}
	var again rescreenDoc
	b.json(&again, "people", "share", "match", "--isac-key", isacKey, "--url", srv.URL+"/taxii2/", "--collection", "personas")
	if again.NewSignals != 0 || len(again.Opened) != 0 {
		t.Errorf("the same shared persona again gave new signals: %+v", again)
	}
	var cs struct {
		Status  string `json:"status"`
		Persons []string
		Events  []struct {
			Actor  string `json:"actor"`
			Action string `json:"action"`
		} `json:"events"`
	}
	b.json(&cs, "people", "case", "show", p.CaseID)
	if cs.Status != "open" || len(cs.Events) != 1 || cs.Events[0].Action != "open" || cs.Events[0].Actor != "system:rescreen" {
		t.Errorf("member B's case: %+v", cs)
	}
	// Another ISAC's key matches nothing.
	other := filepath.Join(shared, "other.key")
	b.ok("people", "share", "keygen", "--isac-key", other)
	var none rescreenDoc
	b.json(&none, "people", "share", "match", "--isac-key", other, "--url", srv.URL+"/taxii2/", "--collection", "personas")
	if none.NewSignals != 0 {
		t.Errorf("another ISAC key matched: %+v", none)
	}
}

// TestPeopleCasesAndGateCLI runs the reviewer's workflow: cases by hand,
// notes and decisions with their audit entries, the persona export, and
// the role gate's exit status before and after verification.
func TestPeopleCasesAndGateCLI(t *testing.T) {
	dir := t.TempDir()
	c := cli{t: t, args: []string{"--data-dir", dir}}
	c.ok("people", "add", "signer-1", "--kind", "employee", "--privilege", "signer_seat", "--ident", "email=signer@example.org")
	c.ok("people", "add", "dev-1", "--kind", "contractor", "--ident", "email=dev@example.org", "--ident", "github=777|devone",
		"--ident", "profile_url=https://example.com/in/devone", "--ident", "legal_name=Devon Sample")

	roles := filepath.Join(dir, "roles.csv")
	os.WriteFile(roles, []byte("privilege,resource,account,person_id\n"+
		"signer_seat,safe:eth:0x00000000000000000000000000000000000000a1,0x00000000000000000000000000000000000000b2,signer-1\n"+
		"repo_admin,github:acme/wallet,devone,dev-1\n"), 0o600)
	var vs []struct {
		PersonID string `json:"person_id"`
		Reason   string `json:"reason"`
	}
	out, _, code := c.run("--output", "json", "people", "gate", "--roles", roles)
	if code != 3 || !strings.Contains(out, "not_verified") {
		t.Fatalf("gate before review: exit %d\n%s", code, out)
	}
	var cs struct {
		ID string `json:"id"`
	}
	for _, id := range []string{"signer-1", "dev-1"} {
		c.json(&cs, "people", "case", "open", "--person", id, "--by", "alice", "--reason", "privileged onboarding")
		c.ok("people", "case", "note", cs.ID, "--by", "alice", "--text", "documents seen on video")
		c.ok("people", "case", "decide", cs.ID, "--by", "bob", "--disposition", "verified_in_person", "--reason", "passport checked at the office")
	}
	c.json(&vs, "people", "gate", "--roles", roles)
	if len(vs) != 0 {
		t.Errorf("gate after verification: %+v", vs)
	}
	if _, errOut, code := c.run("people", "case", "decide", cs.ID, "--by", "system:auto", "--disposition", "rejected", "--reason", "x"); code != 2 || !strings.Contains(errOut, "person") {
		t.Errorf("a system actor deciding: exit %d, %s", code, errOut)
	}
	if _, _, code := c.run("people", "case", "decide", cs.ID, "--disposition", "rejected", "--reason", "x"); code != 2 {
		t.Errorf("deciding without --by: exit %d", code)
	}
	if _, _, code := c.run("people", "case", "show", "case-none"); code != 4 {
		t.Errorf("unknown case: exit %d, want 4", code)
	}
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("privilege,resource,account,person_id\nroot,x,y,z\n"), 0o600)
	if _, errOut, code := c.run("people", "gate", "--roles", bad); code != 65 || !strings.Contains(errOut, "record 2") {
		t.Errorf("bad roles: exit %d, %s", code, errOut)
	}
	var list []struct {
		ID          string `json:"id"`
		Disposition string `json:"disposition"`
	}
	c.json(&list, "people", "case", "list", "--person", "dev-1")
	if len(list) != 1 || list[0].Disposition != "verified_in_person" {
		t.Errorf("list: %+v", list)
	}

	// Escalated, dev-1 may be exported; the bundle has its accounts, not its name.
	c.ok("people", "case", "decide", list[0].ID, "--by", "bob", "--disposition", "escalated", "--reason", "handle reused by a persona elsewhere")
	bundle := filepath.Join(dir, "persona.json")
	c.ok("people", "share", "export", "dev-1", "--tlp", "green", "--file", bundle)
	data, err := os.ReadFile(bundle)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"dev@example.org", `"user-account"`, "devone", "example.com/in/devone", "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("persona bundle lacks %s", want)
		}
	}
	if strings.Contains(string(data), "Devon Sample") {
		t.Error("persona bundle exports the legal name")
	}
	// Another member matches the exported persona's observables.
	other := cli{t: t, args: []string{"--data-dir", t.TempDir()}}
	other.ok("people", "add", "applicant-3", "--ident", "github=777|renamed", "--ident", "email=someone.else@example.org")
	var rep rescreenDoc
	other.json(&rep, "people", "share", "match", "--file", bundle)
	if rep.NewSignals != 1 || len(rep.Opened) != 1 || rep.Persons[0].Signals[0].Rule != "PPL-SHARED-PERSONA" || rep.Persons[0].Signals[0].Evidence[0].Field != "github" {
		t.Errorf("match of the exported persona: %+v", rep)
	}
	// Decisions and notes are in the audit log, with who made them.
	st, err := sqlite.Open(t.Context(), filepath.Join(dir, "interdict.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	entries, err := st.Audit(t.Context(), 100)
	if err != nil {
		t.Fatal(err)
	}
	var decides int
	for _, e := range entries {
		if strings.HasPrefix(e.Action, "people case decide") && e.KeyID == "cli:bob" {
			decides++
		}
	}
	if decides != 3 {
		t.Errorf("%d decisions by bob in the audit log, want 3: %+v", decides, entries)
	}
}

// TestPeopleRescreenCLI: re-screening opens a case for a persona cluster
// once, and --if-lists-changed does nothing when the lists did not change.
func TestPeopleRescreenCLI(t *testing.T) {
	c := cli{t: t, args: []string{"--data-dir", t.TempDir()}}
	for _, id := range []string{"p1", "p2"} {
		c.ok("people", "add", id, "--ident", "wallet=0x00000000000000000000000000000000000000d4|eth", "--ident", "email="+id+"@example.org")
	}
	var rep rescreenDoc
	c.json(&rep, "people", "rescreen", "--if-lists-changed")
	if rep.Assessed != 2 || rep.NewSignals != 2 || len(rep.Opened) != 1 || len(rep.Persons) != 2 {
		t.Fatalf("first rescreen: %+v", rep)
	}
	var unchanged struct {
		Unchanged bool `json:"unchanged"`
	}
	c.json(&unchanged, "people", "rescreen", "--if-lists-changed")
	if !unchanged.Unchanged {
		t.Errorf("lists did not change, yet: %+v", unchanged)
	}
	var again rescreenDoc
	c.json(&again, "people", "rescreen", "--reason", "weekly")
	if again.NewSignals != 0 || len(again.Opened) != 0 {
		t.Errorf("nothing new, yet: %+v", again)
	}
	// p3 takes the wallet too: p3 and the two it now names are re-screened,
	// and p3 joins the cluster's case.
	c.ok("people", "add", "p3", "--ident", "wallet=0x00000000000000000000000000000000000000d4|eth")
	c.ok("people", "add", "p4", "--ident", "email=p4@example.org")
	var joined rescreenDoc
	c.json(&joined, "people", "rescreen", "--changed", "p3")
	if joined.Assessed != 3 || joined.NewSignals != 3 || len(joined.Opened) != 0 || len(joined.Updated) != 1 || joined.Updated[0] != rep.Opened[0] {
		t.Errorf("after p3 joined: %+v", joined)
	}
	if _, _, code := c.run("people", "rescreen", "--changed", "nobody"); code != 4 {
		t.Errorf("--changed of an unknown person: exit %d, want 4", code)
	}
	out := c.ok("people", "case", "show", rep.Opened[0])
	for _, want := range []string{"system:rescreen", "PPL-REUSE-WALLET:p1:", "PPL-REUSE-WALLET:p2:", "PPL-REUSE-WALLET:p3:", "lists - loaded", "identifiers of p3 changed", "p1,p2,p3"} {
		if !strings.Contains(out, want) {
			t.Errorf("case lacks %q:\n%s", want, out)
		}
	}
}
