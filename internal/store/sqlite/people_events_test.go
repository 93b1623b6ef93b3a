package sqlite

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/interdict/interdict/internal/index/people"
	"github.com/interdict/interdict/internal/store/storetest"
)

// TestPeopleEvents: log events round trip with their hashes, a repeated
// event is stored once, PersonsByIP finds every person of an IP, an event of
// an unknown person is ErrNotFound and stores nothing, deleting a person
// deletes its events.
func TestPeopleEvents(t *testing.T) {
	s := open(t)
	ctx := t.Context()
	v := storetest.PeopleVault(t)
	for i, id := range []string{"a", "b"} {
		p := storetest.SamplePerson(id, byte(i+1))
		r, err := v.Seal(&p)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.PutPerson(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	t0 := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	ip := people.Hash{9}
	evs := []people.Event{
		{PersonID: "a", Time: t0, Source: people.SourceIdP, Kind: people.EventLogin, IPHash: ip, Country: "DE", ASN: "AS3320"},
		{PersonID: "a", Time: t0.Add(time.Hour), Source: people.SourceGitHub, Kind: people.EventAccount, LoginHash: people.Hash{7}, AccountCreated: t0.Add(-time.Hour)},
		{PersonID: "b", Time: t0, Source: people.SourceVPN, Kind: people.EventLogin, IPHash: ip},
	}
	if err := s.PutEvents(ctx, evs); err != nil {
		t.Fatal(err)
	}
	if err := s.PutEvents(ctx, evs[:1]); err != nil {
		t.Fatal(err)
	}
	got, err := s.Events(ctx, "a")
	if err != nil || len(got) != 2 || got[0] != evs[0] || got[1] != evs[1] {
		t.Fatalf("events of a = %+v, %v; want %+v", got, err, evs[:2])
	}
	if ids, err := s.PersonsByIP(ctx, ip); err != nil || !slices.Equal(ids, []string{"a", "b"}) {
		t.Errorf("persons by ip = %v, %v", ids, err)
	}
	bad := []people.Event{{PersonID: "a", Time: t0.Add(2 * time.Hour), Source: people.SourceIdP, Kind: people.EventLogin}, {PersonID: "nobody", Time: t0, Source: people.SourceIdP, Kind: people.EventLogin}}
	if err := s.PutEvents(ctx, bad); !errors.Is(err, people.ErrNotFound) {
		t.Errorf("an unknown person's event: %v, want ErrNotFound", err)
	}
	if got, _ := s.Events(ctx, "a"); len(got) != 2 {
		t.Errorf("a failed import stored %d events of a, want 2", len(got))
	}
	if err := s.DeletePerson(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Events(ctx, "a"); len(got) != 0 {
		t.Errorf("events of a deleted person: %+v", got)
	}
	if ids, _ := s.PersonsByIP(ctx, ip); !slices.Equal(ids, []string{"b"}) {
		t.Errorf("persons by ip after delete = %v", ids)
	}
}
