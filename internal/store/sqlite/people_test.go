package sqlite

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/interdict/interdict/internal/index/people"
	"github.com/interdict/interdict/internal/store/storetest"
)

func TestPeopleContract(t *testing.T) {
	storetest.RunPeople(t, func(t *testing.T) people.Store { return open(t) })
}

func TestPeopleMigrationDown(t *testing.T) {
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

// TestPeopleAtRest greps the database files for the raw identifiers of stored
// persons, in the forms they were given and canonical: none may be there.
func TestPeopleAtRest(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "interdict.db")
	s, err := Open(t.Context(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	v := storetest.PeopleVault(t)
	var secrets []string
	for i, id := range []string{"p1", "p2", "p3"} {
		p := storetest.SamplePerson(id, byte(i+1))
		r, err := v.Seal(&p)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.PutPerson(t.Context(), r); err != nil {
			t.Fatal(err)
		}
		for _, x := range p.Identifiers {
			secrets = append(secrets, x.Value)
			c, err := people.Canonical(x.Type, x.Value, x.Extra)
			if err != nil {
				t.Fatal(err)
			}
			secrets = append(secrets, c)
			if x.Type != people.IP { // an IP's ASN is kept in clear on purpose
				secrets = append(secrets, x.Extra)
			}
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	var all []byte
	files, _ := filepath.Glob(path + "*") // the file, its WAL and shared memory if left
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	if !bytes.Contains(all, []byte("form-p1")) {
		t.Fatal("the consent reference is not in the files: the grep reads the wrong files")
	}
	lower := bytes.ToLower(all)
	for _, sec := range secrets {
		if len(sec) < 4 {
			continue
		}
		if bytes.Contains(lower, []byte(strings.ToLower(sec))) {
			t.Errorf("raw identifier %q found in the database files", sec)
		}
	}
}

func BenchmarkPeople(b *testing.B) {
	storetest.BenchPeople(b, func(b *testing.B) people.Store { return open(b) })
}
