package people_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/interdict/interdict/internal/index/people"
)

func testPerson() people.Person {
	return people.Person{ID: "p1", Kind: people.Contractor, Identifiers: []people.Identifier{
		{Type: people.LegalName, Value: "Alex Example"},
		{Type: people.Email, Value: "A.Lex@gmail.com"},
		{Type: people.IP, Value: "192.0.2.7", Extra: "as64500"},
		{Type: people.GitHub, Value: "9001", Extra: "alexexample"},
	}}
}

func TestVault(t *testing.T) {
	key := bytes.Repeat([]byte{1}, people.KeySize)
	v, err := people.NewVault(key)
	if err != nil {
		t.Fatal(err)
	}
	p := testPerson()
	r, err := v.Seal(&p)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("opening a sealed record gives the canonical values back", func(t *testing.T) {
		got, err := v.Open(r)
		if err != nil {
			t.Fatal(err)
		}
		want := []people.Identifier{
			{Type: people.LegalName, Value: "alex example"},
			{Type: people.Email, Value: "alex@gmail.com"},
			{Type: people.IP, Value: "192.0.2.7", Extra: "AS64500"},
			{Type: people.GitHub, Value: "9001", Extra: "alexexample"},
		}
		for i, w := range want {
			if got.Identifiers[i] != w {
				t.Errorf("identifier %d = %+v, want %+v", i, got.Identifiers[i], w)
			}
		}
	})
	t.Run("hashes match across spellings and types of one class", func(t *testing.T) {
		h, _ := v.Hash(people.Identifier{Type: people.Email, Value: "alex@googlemail.com"})
		if h != r.Identifiers[1].Hash {
			t.Error("two spellings of one gmail address hash apart")
		}
		a, _ := v.Hash(people.Identifier{Type: people.PostalAddress, Value: "1 Main Street"})
		b, _ := v.Hash(people.Identifier{Type: people.ShippingAddress, Value: "1 main st."})
		if a != b {
			t.Error("a postal and a shipping address that are the same hash apart")
		}
	})
	t.Run("another key gives other hashes and cannot open", func(t *testing.T) {
		other, _ := people.NewVault(bytes.Repeat([]byte{2}, people.KeySize))
		h, _ := other.Hash(people.Identifier{Type: people.Email, Value: "alex@gmail.com"})
		if h == r.Identifiers[1].Hash {
			t.Error("hash does not depend on the key")
		}
		if _, err := other.Open(r); !errors.Is(err, people.ErrKey) {
			t.Errorf("open with another key: %v, want ErrKey", err)
		}
	})
	t.Run("a sealed value moved to another person does not open", func(t *testing.T) {
		moved := r
		moved.ID = "p2"
		if _, err := v.Open(moved); !errors.Is(err, people.ErrKey) {
			t.Errorf("open: %v, want ErrKey", err)
		}
	})
	t.Run("hash-only types keep no sealed value", func(t *testing.T) {
		ho, _ := people.NewVault(key)
		ho.HashOnly = map[people.Type]bool{people.Email: true}
		r2, err := ho.Seal(&p)
		if err != nil {
			t.Fatal(err)
		}
		if r2.Identifiers[1].Sealed != nil || r2.Identifiers[1].Hash != r.Identifiers[1].Hash {
			t.Errorf("email stored as %+v", r2.Identifiers[1])
		}
	})
	t.Run("bad persons are ErrInvalid", func(t *testing.T) {
		for _, bad := range []people.Person{
			{ID: "", Kind: people.Applicant},
			{ID: "x", Kind: "spy"},
			{ID: "x", Kind: people.Applicant, Privileges: []people.Privilege{"root"}},
			{ID: "x", Kind: people.Applicant, Identifiers: []people.Identifier{{Type: people.Email, Value: "nope"}}},
		} {
			if _, err := v.Seal(&bad); !errors.Is(err, people.ErrInvalid) {
				t.Errorf("Seal(%+v) = %v, want ErrInvalid", bad, err)
			}
		}
	})
}

func TestLoadKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "people.key")
	k1, err := people.LoadKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	k2, err := people.LoadKey(path)
	if err != nil || !bytes.Equal(k1, k2) {
		t.Errorf("second load = %x, %v; want the first key", k2, err)
	}
	bad := filepath.Join(t.TempDir(), "bad.key")
	os.WriteFile(bad, []byte("zz\n"), 0o600)
	if _, err := people.LoadKey(bad); !errors.Is(err, people.ErrKey) {
		t.Errorf("malformed key: %v, want ErrKey", err)
	}
}
