package postgres

import (
	"testing"

	"github.com/interdict/interdict/internal/index/people"
	"github.com/interdict/interdict/internal/store/storetest"
)

func TestPeopleContract(t *testing.T) {
	serverURL(t)
	storetest.RunPeople(t, func(t *testing.T) people.Store { return open(t) })
}

func TestPeopleMigrationDown(t *testing.T) {
	serverURL(t)
	s := open(t)
	if err := s.migrateDown(t.Context(), 4); err != nil {
		t.Fatalf("undo 0005: %v", err)
	}
	if _, err := s.People(t.Context(), "", 1); err == nil {
		t.Fatal("people still there after undoing 0005")
	}
	if err := s.migrate(t.Context()); err != nil {
		t.Fatalf("redo 0005: %v", err)
	}
	if _, err := s.People(t.Context(), "", 1); err != nil {
		t.Fatalf("after redo: %v", err)
	}
}

func BenchmarkPeople(b *testing.B) {
	serverURL(b)
	storetest.BenchPeople(b, func(b *testing.B) people.Store { return open(b) })
}
