package sqlite

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	vet "github.com/interdict/interdict/internal/analysis/people"
	"github.com/interdict/interdict/internal/index/people"
	"github.com/interdict/interdict/internal/store/storetest"
)

func TestPeopleCasesContract(t *testing.T) {
	storetest.RunPeopleCases(t, func(t *testing.T) storetest.PeopleCaseStore { return open(t) })
}

func TestPeopleCasesMigrationDown(t *testing.T) {
	s := open(t)
	if err := s.migrateDown(t.Context(), 10); err != nil {
		t.Fatalf("undo 0011: %v", err)
	}
	if _, err := s.Cases(t.Context(), vet.CaseFilter{}); err == nil {
		t.Fatal("cases still there after undoing 0011")
	}
	if err := s.migrate(t.Context()); err != nil {
		t.Fatalf("redo 0011: %v", err)
	}
	if _, err := s.Cases(t.Context(), vet.CaseFilter{}); err != nil {
		t.Fatalf("after redo: %v", err)
	}
}

// TestPeopleCasesAtRest: re-screening records signals whose evidence holds
// raw values (payout and legal names, a wallet); the case trail and the
// seen signals keep none of them.
func TestPeopleCasesAtRest(t *testing.T) {
	path := filepath.Join(t.TempDir(), "interdict.db")
	s, err := Open(t.Context(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	v := storetest.PeopleVault(t)
	svc, err := vet.NewService(t.Context(), s, v, vet.NewRules(vet.DefaultConfig(), nil))
	if err != nil {
		t.Fatal(err)
	}
	secrets := []string{"Quentin Placeholder", "Rosalind Stand-In", "0x00000000000000000000000000000000000000e5"}
	for _, id := range []string{"p1", "p2"} {
		_, err := svc.Add(t.Context(), people.Person{ID: id, Kind: people.Applicant, Identifiers: []people.Identifier{
			{Type: people.LegalName, Value: secrets[0]}, {Type: people.PayoutName, Value: secrets[1]},
			{Type: people.Wallet, Value: secrets[2], Extra: "eth"},
		}})
		if err != nil {
			t.Fatal(err)
		}
	}
	rep, err := vet.NewRescreener(svc, v, s, nil).ListLoaded(t.Context(), "ofac:test")
	if err != nil || len(rep.Opened) != 1 || rep.NewSignals != 4 {
		t.Fatalf("rescreen: %+v, %v", rep, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	var all []byte
	files, _ := filepath.Glob(path + "*")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	if !bytes.Contains(all, []byte("PPL-PAYOUT-NAME:p1:")) {
		t.Fatal("the case trail is not in the files: the grep reads the wrong files")
	}
	lower := bytes.ToLower(all)
	for _, sec := range append(secrets, "quentin placeholder", "rosalind stand-in") {
		if bytes.Contains(lower, []byte(strings.ToLower(sec))) {
			t.Errorf("%q found in the database files", sec)
		}
	}
}
