package sqlite

import (
	"testing"

	"github.com/interdict/interdict/internal/index/tags"
	"github.com/interdict/interdict/internal/store/storetest"
)

func TestTagsContract(t *testing.T) {
	storetest.RunTags(t, func(t *testing.T) tags.Store { return open(t) })
}

func TestTagsMigrationDown(t *testing.T) {
	s := open(t)
	if err := s.migrateDown(t.Context(), 1); err != nil {
		t.Fatalf("undo 0002: %v", err)
	}
	if _, err := s.TagDatasets(t.Context()); err == nil {
		t.Fatal("tag_datasets still there after undoing 0002")
	}
	if err := s.migrate(t.Context()); err != nil {
		t.Fatalf("redo 0002: %v", err)
	}
	if _, err := s.TagDatasets(t.Context()); err != nil {
		t.Fatalf("after redo: %v", err)
	}
}

func BenchmarkTags(b *testing.B) {
	storetest.BenchTags(b, func(b *testing.B) tags.Store { return open(b) })
}
