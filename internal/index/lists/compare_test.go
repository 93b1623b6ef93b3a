package lists_test

import (
	"reflect"
	"testing"

	"github.com/interdict/interdict/internal/index/lists"
	"github.com/interdict/interdict/internal/sources/sanctions"
)

func TestComputeDiff(t *testing.T) {
	from, to := lists.Version{ID: "ofac-a"}, lists.Version{ID: "ofac-b"}
	person := func(id string, mod func(*sanctions.Entity)) sanctions.Entity {
		e := sanctions.Entity{
			ID: id, Type: sanctions.TypeIndividual, Programs: []string{"DPRK3", "CYBER2"},
			Names:       []sanctions.Name{{Full: "KIM, Il", Primary: true}, {Full: "KIM Il", Kind: "a.k.a."}},
			Identifiers: []sanctions.Identifier{{Type: "Passport", Number: "1"}},
			BirthDates:  []string{"1980"},
			Addresses:   []sanctions.DigitalAddress{{Currency: "XBT", Address: "1abc"}, {Currency: "ETH", Address: "0xaa"}},
		}
		if mod != nil {
			mod(&e)
		}
		return e
	}
	tests := []struct {
		name         string
		a, b         []sanctions.Entity
		wantCounts   lists.DiffCounts
		wantChanged  map[string][]string // entity → fields
		wantAdded    []lists.AddressRef
		wantRemoved  []lists.AddressRef
		wantEntities [2][]string // added, removed IDs
	}{
		{
			name: "identical lists have an empty diff",
			a:    []sanctions.Entity{person("1", nil)},
			b:    []sanctions.Entity{person("1", nil)},
		},
		{
			name: "reordered names, programs and addresses are not a change",
			a:    []sanctions.Entity{person("1", nil)},
			b: []sanctions.Entity{person("1", func(e *sanctions.Entity) {
				e.Programs = []string{"CYBER2", "DPRK3", "CYBER2"}
				e.Names[0], e.Names[1] = e.Names[1], e.Names[0]
				e.Addresses[0], e.Addresses[1] = e.Addresses[1], e.Addresses[0]
			})},
		},
		{
			name: "an empty and a missing field are the same",
			a:    []sanctions.Entity{person("1", func(e *sanctions.Entity) { e.BirthPlaces = []string{} })},
			b:    []sanctions.Entity{person("1", nil)},
		},
		{
			name: "a new and a dropped entity bring and take their addresses",
			a:    []sanctions.Entity{person("1", nil)},
			b:    []sanctions.Entity{person("2", func(e *sanctions.Entity) { e.Addresses = e.Addresses[:1] })},
			wantCounts: lists.DiffCounts{EntitiesAdded: 1, EntitiesRemoved: 1, AddressesAdded: 1, AddressesRemoved: 2,
				AddressPairsRemoved: 1},
			wantAdded:    []lists.AddressRef{{EntityID: "2", Currency: "XBT", Address: "1abc"}},
			wantRemoved:  []lists.AddressRef{{EntityID: "1", Currency: "XBT", Address: "1abc"}, {EntityID: "1", Currency: "ETH", Address: "0xaa"}},
			wantEntities: [2][]string{{"2"}, {"1"}},
		},
		{
			name: "changed fields are named in a fixed order",
			a:    []sanctions.Entity{person("1", nil)},
			b: []sanctions.Entity{person("1", func(e *sanctions.Entity) {
				e.Remarks = "new remark"
				e.Programs = []string{"DPRK3"}
				e.Type = sanctions.TypeOrganization
				e.Identifiers[0].Number = "2"
				e.BirthDates = nil
				e.Nationalities = []string{"Korea, North"}
				e.ListedOn = "2025-01-01"
				e.Names = append(e.Names, sanctions.Name{Full: "KIM Ill", LowQuality: true})
				e.Addresses = append(e.Addresses, sanctions.DigitalAddress{Currency: "USDT", Address: "Tabc"})
			})},
			wantCounts: lists.DiffCounts{EntitiesChanged: 1, AddressesAdded: 1, AddressPairsAdded: 1},
			wantChanged: map[string][]string{"1": {"type", "names", "programs", "identifiers", "birth_dates",
				"nationalities", "addresses", "listed_on", "remarks"}},
			wantAdded: []lists.AddressRef{{EntityID: "1", Currency: "USDT", Address: "Tabc"}},
		},
		{
			name: "an address moving to another entity changes both entities but no list pair",
			a:    []sanctions.Entity{person("1", nil), person("2", func(e *sanctions.Entity) { e.Addresses = nil })},
			b: []sanctions.Entity{
				person("1", func(e *sanctions.Entity) { e.Addresses = e.Addresses[1:] }),
				person("2", func(e *sanctions.Entity) {
					e.Addresses = []sanctions.DigitalAddress{{Currency: "XBT", Address: "1abc"}}
				}),
			},
			wantCounts:  lists.DiffCounts{EntitiesChanged: 2, AddressesAdded: 1, AddressesRemoved: 1},
			wantChanged: map[string][]string{"1": {"addresses"}, "2": {"addresses"}},
			wantAdded:   []lists.AddressRef{{EntityID: "2", Currency: "XBT", Address: "1abc"}},
			wantRemoved: []lists.AddressRef{{EntityID: "1", Currency: "XBT", Address: "1abc"}},
		},
		{
			name: "a change of case in an address is a change as published",
			a:    []sanctions.Entity{person("1", nil)},
			b: []sanctions.Entity{person("1", func(e *sanctions.Entity) {
				e.Addresses[1].Address = "0xAA"
			})},
			wantCounts:  lists.DiffCounts{EntitiesChanged: 1, AddressesAdded: 1, AddressesRemoved: 1, AddressPairsAdded: 1, AddressPairsRemoved: 1},
			wantChanged: map[string][]string{"1": {"addresses"}},
			wantAdded:   []lists.AddressRef{{EntityID: "1", Currency: "ETH", Address: "0xAA"}},
			wantRemoved: []lists.AddressRef{{EntityID: "1", Currency: "ETH", Address: "0xaa"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := lists.ComputeDiff(from, to, tc.a, tc.b)
			if d.From != "ofac-a" || d.To != "ofac-b" {
				t.Fatalf("diff %s → %s", d.From, d.To)
			}
			if d.Counts != tc.wantCounts {
				t.Fatalf("counts = %+v\nwant     %+v", d.Counts, tc.wantCounts)
			}
			changed := map[string][]string{}
			for _, c := range d.EntitiesChanged {
				changed[c.ID] = c.Fields
			}
			if len(changed) > 0 || len(tc.wantChanged) > 0 {
				if !reflect.DeepEqual(changed, tc.wantChanged) {
					t.Fatalf("changed = %v, want %v", changed, tc.wantChanged)
				}
			}
			if !equalRefs(d.AddressesAdded, tc.wantAdded) || !equalRefs(d.AddressesRemoved, tc.wantRemoved) {
				t.Fatalf("addresses +%v -%v\nwant +%v -%v", d.AddressesAdded, d.AddressesRemoved, tc.wantAdded, tc.wantRemoved)
			}
			var added, removed []string
			for _, e := range d.EntitiesAdded {
				added = append(added, e.ID)
			}
			for _, e := range d.EntitiesRemoved {
				removed = append(removed, e.ID)
			}
			if !reflect.DeepEqual([2][]string{added, removed}, tc.wantEntities) {
				t.Fatalf("entities +%v -%v, want %v", added, removed, tc.wantEntities)
			}
		})
	}
	t.Run("the lists of an empty diff are empty, not null, in JSON", func(t *testing.T) {
		d := lists.ComputeDiff(from, to, nil, nil)
		if d.EntitiesAdded == nil || d.EntitiesRemoved == nil || d.EntitiesChanged == nil || d.AddressesAdded == nil || d.AddressesRemoved == nil {
			t.Fatalf("nil list in %+v", d)
		}
	})
}

func equalRefs(a, b []lists.AddressRef) bool {
	return len(a) == len(b) && (len(a) == 0 || reflect.DeepEqual(a, b))
}
