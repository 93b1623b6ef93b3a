package main

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/interdict/interdict/internal/sharedtest"
)

// TestServePeople: `serve` offers /v1/people to admin keys and to keys of
// --people-member, and its people key is the one `interdict people` uses.
func TestServePeople(t *testing.T) {
	c := cli{t: t, args: []string{"--data-dir", t.TempDir(), "--log-level", "warn"}}
	var admin, own, other struct {
		Key string `json:"key"`
	}
	c.json(&admin, "keys", "create", "--name", "ops", "--role", "admin")
	c.json(&own, "keys", "create", "--name", "hr", "--member", "acme", "--role", "analyst")
	c.json(&other, "keys", "create", "--name", "peer", "--member", "peer", "--role", "analyst")
	s, _ := startServer(t, c.args, "serve", "--people-member", "acme")
	body := `{"people":[{"id":"a1","kind":"applicant","identifiers":[{"type":"email","value":"A.Lex+jobs@gmail.com"}]},` +
		`{"id":"a2","kind":"applicant","identifiers":[{"type":"email","value":"alex@gmail.com"}]}]}`
	if code, got := s.do(t, "POST", "/v1/people", own.Key, body); code != http.StatusOK || !strings.Contains(string(got), `"flagged":2`) {
		t.Fatalf("POST /v1/people by the people member: HTTP %d %s; want both flagged (one Gmail address)", code, got)
	}
	if code, got := s.do(t, "GET", "/v1/people/a1/signals", other.Key, ""); code != http.StatusForbidden {
		t.Fatalf("another member: HTTP %d %s, want 403", code, got)
	}
	if code, got := s.do(t, "GET", "/v1/people/a1/signals", admin.Key, ""); code != http.StatusOK || !strings.Contains(string(got), "a2") {
		t.Fatalf("admin: HTTP %d %s", code, got)
	}
	// The CLI, with the same data dir and key, sees the persons the API added.
	if out := c.ok("people", "show", "a2"); !strings.Contains(out, "a1") {
		t.Fatalf("people show a2 after the API added it:\n%s", out)
	}
}

// TestServeRescreensPeopleWhenListsChange: a person added before any list
// is on nothing; once a list version is loaded (by the CLI, while serve
// runs), serve's refresh re-screens the people and opens a case on the
// person whose name is a DPRK-program SDN entry, without anyone asking.
func TestServeRescreensPeopleWhenListsChange(t *testing.T) {
	sdn := sharedtest.Path(t, "ofac", "sdn_advanced_2025-11-19.xml.bz2")
	c := cli{t: t, args: []string{"--data-dir", t.TempDir(), "--log-level", "warn"}}
	c.ok("people", "add", "p1", "--ident", "legal_name=Kim Sang Man", "--ident", "email=kim.applicant@example.org")
	c.ok("people", "add", "p2", "--ident", "legal_name=Alex Example", "--ident", "email=alex@example.org")
	startServer(t, c.args, "serve", "--refresh", "200ms")
	var cases []struct {
		ID      string   `json:"id"`
		Persons []string `json:"persons"`
		Status  string   `json:"status"`
		Reason  string   `json:"reason"`
	}
	c.json(&cases, "people", "case", "list")
	if len(cases) != 0 {
		t.Fatalf("cases before any list: %+v", cases)
	}
	c.ok("lists", "load", "--source", "ofac", sdn)
	for deadline := time.Now().Add(90 * time.Second); time.Now().Before(deadline); time.Sleep(250 * time.Millisecond) {
		c.json(&cases, "people", "case", "list")
		if len(cases) > 0 {
			break
		}
	}
	if len(cases) != 1 || !slices.Contains(cases[0].Persons, "p1") || slices.Contains(cases[0].Persons, "p2") ||
		cases[0].Status != "open" || !strings.Contains(cases[0].Reason, "loaded") {
		t.Fatalf("cases after the list loaded: %+v; want one open case on p1", cases)
	}
}
