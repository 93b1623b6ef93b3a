package sqlite

import (
	"testing"

	vet "github.com/interdict/interdict/internal/analysis/people"
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
