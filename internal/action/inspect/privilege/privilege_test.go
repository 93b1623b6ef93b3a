package privilege

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/interdict/interdict/internal/action/inspect"
	vet "github.com/interdict/interdict/internal/analysis/people"
	"github.com/interdict/interdict/internal/index/people"
	"github.com/interdict/interdict/internal/store/sqlite"
)

var readAt = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func TestCollectFromThePeopleStore(t *testing.T) {
	ctx := t.Context()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "state.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	created := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := st.PutPeople(ctx, []people.Record{
		{ID: "alice", Kind: people.Employee, Privileges: []people.Privilege{people.SignerSeat}, Created: created},
		{ID: "bob", Kind: people.Contractor, Created: created},
		{ID: "carol", Kind: people.Employee, Privileges: []people.Privilege{people.CloudAdmin}, Created: created},
	}); err != nil {
		t.Fatal(err)
	}
	cases := vet.NewCases(st)
	cases.Now = func() time.Time { return created.Add(time.Hour) }
	for _, id := range []string{"alice", "carol"} {
		c, err := cases.Open(ctx, []string{id}, "hr", "privileged onboarding", nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cases.Decide(ctx, c.ID, "hr", vet.VerifiedInPerson, "passport and face checked in the office"); err != nil {
			t.Fatal(err)
		}
	}
	gate := vet.NewGate(st, st)
	rolesFile, err := os.ReadFile(filepath.Join("testdata", "roles.csv"))
	if err != nil {
		t.Fatal(err)
	}
	roles, err := vet.ParseRoles(bytes.NewReader(rolesFile))
	if err != nil {
		t.Fatal(err)
	}
	t.Run("a seat held by an unvetted contractor and an unmapped admin fail the check", func(t *testing.T) {
		r, err := Collect(ctx, gate, st, roles, "roles.csv", rolesFile, readAt)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{
			"package_publisher on npm:@acme/wallet-sdk (account acme-release) held by bob: not_verified [roles record 3]",
			"repo_admin on github:acme-custody/wallet-service (account contractor-x) held by nobody: unmapped [roles record 4]",
		}
		if !slices.Equal(r.Findings, want) || *r.Facts.People.PrivilegedVerified {
			t.Fatalf("findings:\n%s", strings.Join(r.Findings, "\n"))
		}
		if len(r.Read) != 3 || !strings.Contains(r.Read[1], "2 persons holding 2 privileges") {
			t.Errorf("read %v", r.Read)
		}
		var cfg inspect.Config
		if err := r.Apply(&cfg); err != nil {
			t.Fatal(err)
		}
		c, err := inspect.Load()
		if err != nil {
			t.Fatal(err)
		}
		ev, err := c.Evaluate(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if got := ev.FailedChecks(); !slices.Equal(got, []string{"privileged-people-verified"}) {
			t.Fatalf("failed %v", got)
		}
	})
	t.Run("stored privileged persons all verified in person pass", func(t *testing.T) {
		r, err := Collect(ctx, gate, st, nil, "", nil, readAt)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Findings) != 0 || r.Facts.People.PrivilegedVerified == nil || !*r.Facts.People.PrivilegedVerified {
			t.Fatalf("reading %+v", r)
		}
	})
}
