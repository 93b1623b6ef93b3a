package storetest

import (
	"bytes"
	"context"
	"slices"
	"testing"
	"time"

	vet "github.com/interdict/interdict/internal/analysis/people"
	"github.com/interdict/interdict/internal/index/people"
)

// RunPeople runs the people.Store contract. open must return a fresh, empty
// store and arrange its closing with t.Cleanup.
func RunPeople(t *testing.T, open func(t *testing.T) people.Store) {
	for _, c := range peopleCases() {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.run(t, open(t))
		})
	}
}

type peopleCase struct {
	name string
	run  func(t *testing.T, s people.Store)
}

// PeopleVault is a vault with a fixed test key, for contract cases and tests
// that build records.
func PeopleVault(tb testing.TB) *people.Vault {
	tb.Helper()
	v, err := people.NewVault(bytes.Repeat([]byte{7}, people.KeySize))
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

// SamplePerson is a synthetic person (no real one) with one identifier of
// most types; n varies the values.
func SamplePerson(id string, n byte) people.Person {
	d := string('0' + n%10)
	return people.Person{
		ID: id, Kind: people.Applicant, Role: "backend engineer",
		Privileges: []people.Privilege{people.RepoAdmin},
		Consent:    people.Consent{Basis: "consent", Given: base, Reference: "form-" + id},
		Identifiers: []people.Identifier{
			{Type: people.LegalName, Value: "Alex Example" + d},
			{Type: people.PayoutName, Value: "Alex Example" + d},
			{Type: people.Email, Value: "alex.example" + d + "@example.org"},
			{Type: people.Phone, Value: "+1 415 555 010" + d},
			{Type: people.ShippingAddress, Value: d + "1 Example Street, Springfield"},
			{Type: people.IP, Value: "192.0.2." + d, Extra: "AS64500"},
			{Type: people.GitHub, Value: "900" + d, Extra: "alexexample" + d},
			{Type: people.Wallet, Value: "0x00000000000000000000000000000000000000a" + d},
			{Type: people.IDDocument, Value: "X123456" + d, Extra: "passport:US"},
		},
	}
}

func sealPerson(t *testing.T, v *people.Vault, p people.Person) people.Record {
	t.Helper()
	r, err := v.Seal(&p)
	must(t, "seal", err)
	return r
}

func peopleCases() []peopleCase {
	return []peopleCase{
		serviceCase(),
		{"a stored person comes back with its identifiers in order, times in UTC", func(t *testing.T, s people.Store) {
			v := PeopleVault(t)
			p := SamplePerson("p1", 1)
			p.RetainUntil = base.Add(365 * 24 * time.Hour)
			p.Identifiers[0].RetainUntil = base.Add(24 * time.Hour)
			r := sealPerson(t, v, p)
			before := time.Now()
			must(t, "put", s.PutPerson(t.Context(), r))
			got, err := s.Person(t.Context(), "p1")
			must(t, "get", err)
			if got.ID != "p1" || got.Kind != people.Applicant || got.Role != r.Role || !slices.Equal(got.Privileges, r.Privileges) {
				t.Errorf("got %+v, want %+v", got, r)
			}
			checkTime(t, "consent given", got.Consent.Given, base)
			checkTime(t, "retain until", got.RetainUntil, p.RetainUntil)
			checkRecent(t, "created", got.Created, before)
			if got.Consent.Basis != "consent" || got.Consent.Reference != "form-p1" {
				t.Errorf("consent = %+v", got.Consent)
			}
			if len(got.Identifiers) != len(r.Identifiers) {
				t.Fatalf("%d identifiers, want %d", len(got.Identifiers), len(r.Identifiers))
			}
			for i, id := range got.Identifiers {
				w := r.Identifiers[i]
				if id.Type != w.Type || id.Hash != w.Hash || !bytes.Equal(id.Sealed, w.Sealed) || id.Hint != w.Hint {
					t.Errorf("identifier %d = %+v, want %+v", i, id, w)
				}
			}
			checkTime(t, "identifier retain until", got.Identifiers[0].RetainUntil, p.Identifiers[0].RetainUntil)
			if !got.Identifiers[1].RetainUntil.IsZero() {
				t.Errorf("identifier 1 retain until = %v, want zero", got.Identifiers[1].RetainUntil)
			}
			opened, err := v.Open(got)
			must(t, "open", err)
			if e := opened.Values(people.Email); len(e) != 1 || e[0] != "alex.example1@example.org" {
				t.Errorf("opened email = %q", e)
			}
		}},
		{"putting a person again replaces its identifiers and keeps its creation time", func(t *testing.T, s people.Store) {
			v := PeopleVault(t)
			must(t, "put", s.PutPerson(t.Context(), sealPerson(t, v, SamplePerson("p1", 1))))
			first, err := s.Person(t.Context(), "p1")
			must(t, "get", err)
			p := SamplePerson("p1", 2)
			p.Identifiers = p.Identifiers[:2]
			p.Kind = people.Employee
			must(t, "put again", s.PutPerson(t.Context(), sealPerson(t, v, p)))
			got, err := s.Person(t.Context(), "p1")
			must(t, "get", err)
			if got.Kind != people.Employee || len(got.Identifiers) != 2 || !got.Created.Equal(first.Created) {
				t.Errorf("got kind %s, %d identifiers, created %v; want employee, 2, %v", got.Kind, len(got.Identifiers), got.Created, first.Created)
			}
		}},
		{"a batch is stored whole, or not at all", func(t *testing.T, s people.Store) {
			v := PeopleVault(t)
			batch := []people.Record{sealPerson(t, v, SamplePerson("a", 1)), sealPerson(t, v, SamplePerson("b", 2))}
			must(t, "put batch", s.PutPeople(t.Context(), batch))
			bad := []people.Record{sealPerson(t, v, SamplePerson("c", 3)), {Kind: people.Applicant}}
			if err := s.PutPeople(t.Context(), bad); err == nil {
				t.Fatal("a batch with an empty id was stored")
			}
			page, err := s.People(t.Context(), "", 10)
			must(t, "people", err)
			if len(page) != 2 || page[0].ID != "a" || page[1].ID != "b" {
				t.Errorf("people after a failed batch: %d records", len(page))
			}
		}},
		{"the first key checked is the store's; another key is refused", func(t *testing.T, s people.Store) {
			v := PeopleVault(t)
			must(t, "first check", s.CheckKey(t.Context(), v.Fingerprint()))
			must(t, "same key", s.CheckKey(t.Context(), v.Fingerprint()))
			other, err := people.NewVault(bytes.Repeat([]byte{8}, people.KeySize))
			must(t, "vault", err)
			wantErr(t, "another key", s.CheckKey(t.Context(), other.Fingerprint()), people.ErrKey)
			_, err = vet.NewService(t.Context(), s, other, vet.NewRules(vet.DefaultConfig(), nil))
			wantErr(t, "service with another key", err, people.ErrKey)
		}},
		{"an unknown person is ErrNotFound for reads and deletes", func(t *testing.T, s people.Store) {
			_, err := s.Person(t.Context(), "nobody")
			wantErr(t, "get", err, people.ErrNotFound)
			wantErr(t, "delete", s.DeletePerson(t.Context(), "nobody"), people.ErrNotFound)
		}},
		{"people are listed in id order, a page at a time", func(t *testing.T, s people.Store) {
			v := PeopleVault(t)
			for _, id := range []string{"c", "a", "e", "b", "d"} {
				must(t, "put", s.PutPerson(t.Context(), sealPerson(t, v, SamplePerson(id, 3))))
			}
			var ids []string
			after := ""
			for {
				page, err := s.People(t.Context(), after, 2)
				must(t, "people", err)
				if len(page) == 0 {
					break
				}
				for _, r := range page {
					if len(r.Identifiers) != 9 {
						t.Errorf("%s has %d identifiers, want 9", r.ID, len(r.Identifiers))
					}
					ids = append(ids, r.ID)
				}
				after = page[len(page)-1].ID
			}
			if !slices.Equal(ids, []string{"a", "b", "c", "d", "e"}) {
				t.Errorf("ids = %v", ids)
			}
		}},
		{"links by hash find every person holding a shared identifier, whatever its spelling", func(t *testing.T, s people.Store) {
			v := PeopleVault(t)
			a, b, c := SamplePerson("a", 1), SamplePerson("b", 2), SamplePerson("c", 3)
			b.Identifiers = append(b.Identifiers, people.Identifier{Type: people.Phone, Value: "(415) 555-0101"})
			c.Identifiers = append(c.Identifiers, people.Identifier{Type: people.PostalAddress, Value: "11 example st. springfield"})
			for _, p := range []people.Person{a, b, c} {
				must(t, "put", s.PutPerson(t.Context(), sealPerson(t, v, p)))
			}
			phone, err := v.Hash(people.Identifier{Type: people.Phone, Value: "+14155550101"})
			must(t, "hash", err)
			addr, err := v.Hash(people.Identifier{Type: people.ShippingAddress, Value: "11 Example Street, Springfield"})
			must(t, "hash", err)
			links, err := s.LinksByHash(t.Context(), []people.Hash{phone, addr, {}})
			must(t, "links", err)
			var got []string
			for _, l := range links {
				got = append(got, string(l.Type)+":"+l.PersonID)
			}
			slices.Sort(got)
			want := []string{"phone:a", "phone:b", "postal_address:c", "shipping_address:a"}
			if !slices.Equal(got, want) {
				t.Errorf("links = %v, want %v", got, want)
			}
			none, err := s.LinksByHash(t.Context(), nil)
			must(t, "no hashes", err)
			if len(none) != 0 {
				t.Errorf("links of no hashes = %v", none)
			}
		}},
		{"deleting a person deletes its identifiers", func(t *testing.T, s people.Store) {
			v := PeopleVault(t)
			r := sealPerson(t, v, SamplePerson("p1", 1))
			must(t, "put", s.PutPerson(t.Context(), r))
			must(t, "delete", s.DeletePerson(t.Context(), "p1"))
			links, err := s.LinksByHash(t.Context(), []people.Hash{r.Identifiers[2].Hash})
			must(t, "links", err)
			if len(links) != 0 {
				t.Errorf("links after delete = %v", links)
			}
		}},
		{"purging removes expired fields and expired persons, nothing else", func(t *testing.T, s people.Store) {
			v := PeopleVault(t)
			now := base.Add(30 * 24 * time.Hour)
			keep, fieldGone, personGone := SamplePerson("keep", 1), SamplePerson("field", 2), SamplePerson("gone", 3)
			keep.RetainUntil = now.Add(time.Hour)
			fieldGone.Identifiers[3].RetainUntil = now.Add(-time.Hour) // the phone
			fieldGone.Identifiers[4].RetainUntil = now                 // the address: at now is expired
			personGone.RetainUntil = now.Add(-time.Microsecond)
			var recs []people.Record
			for _, p := range []people.Person{keep, fieldGone, personGone} {
				r := sealPerson(t, v, p)
				recs = append(recs, r)
				must(t, "put", s.PutPerson(t.Context(), r))
			}
			purged, err := s.PurgeExpired(t.Context(), now)
			must(t, "purge", err)
			if want := (people.Purged{Persons: 1, Identifiers: 2 + 9}); purged != want {
				t.Errorf("purged %+v, want %+v", purged, want)
			}
			_, err = s.Person(t.Context(), "gone")
			wantErr(t, "expired person", err, people.ErrNotFound)
			f, err := s.Person(t.Context(), "field")
			must(t, "get", err)
			for _, id := range f.Identifiers {
				if id.Type == people.Phone || id.Type == people.ShippingAddress {
					t.Errorf("expired %s still stored", id.Type)
				}
			}
			if len(f.Identifiers) != 7 {
				t.Errorf("%d identifiers left, want 7", len(f.Identifiers))
			}
			links, err := s.LinksByHash(t.Context(), []people.Hash{recs[1].Identifiers[3].Hash, recs[2].Identifiers[2].Hash})
			must(t, "links", err)
			if len(links) != 0 {
				t.Errorf("expired hashes still linked: %v", links)
			}
			k, err := s.Person(t.Context(), "keep")
			must(t, "get", err)
			if len(k.Identifiers) != 9 {
				t.Errorf("kept person has %d identifiers, want 9", len(k.Identifiers))
			}
			again, err := s.PurgeExpired(t.Context(), now)
			must(t, "purge again", err)
			if again != (people.Purged{}) {
				t.Errorf("second purge = %+v, want nothing", again)
			}
		}},
		{"a cancelled context fails the call", func(t *testing.T, s people.Store) {
			cctx, cancel := context.WithCancel(t.Context())
			cancel()
			wantErr(t, "put", s.PutPerson(cctx, sealPerson(t, PeopleVault(t), SamplePerson("p1", 1))), context.Canceled)
			_, err := s.Person(cctx, "p1")
			wantErr(t, "get", err, context.Canceled)
		}},
	}
}

// serviceCase checks the service over a real store: persons added one at a
// time cluster as they arrive, and a new service rebuilds the same graph.
func serviceCase() peopleCase {
	return peopleCase{"the service clusters persons as they arrive and rebuilds the graph from the store", func(t *testing.T, s people.Store) {
		v := PeopleVault(t)
		rules := vet.NewRules(vet.DefaultConfig(), nil)
		svc, err := vet.NewService(t.Context(), s, v, rules)
		must(t, "service", err)
		a, b := SamplePerson("a", 1), SamplePerson("b", 2)
		b.Identifiers = append(b.Identifiers, people.Identifier{Type: people.Wallet, Value: "0x00000000000000000000000000000000000000A1"})
		if got, err := svc.Add(t.Context(), a); err != nil || got.Flagged || len(got.Cluster.Members) != 1 {
			t.Fatalf("first person: %+v, %v", got, err)
		}
		got, err := svc.Add(t.Context(), b)
		must(t, "add", err)
		if !got.Flagged || len(got.Cluster.Members) != 2 || got.Signals[0].Rule != "PPL-REUSE-WALLET" {
			t.Errorf("second person: %+v", got)
		}
		again, err := vet.NewService(t.Context(), s, v, rules)
		must(t, "reload", err)
		as, p, err := again.Assess(t.Context(), "a")
		must(t, "assess", err)
		if !as.Flagged || len(as.Cluster.Members) != 2 || p.Values(people.Email)[0] != "alex.example1@example.org" {
			t.Errorf("after reload: %+v", as)
		}
		_, _, err = again.Assess(t.Context(), "nobody")
		wantErr(t, "assess unknown", err, people.ErrNotFound)
	}}
}
