package lists

import (
	"cmp"
	"slices"

	"github.com/interdict/interdict/internal/sources/sanctions"
)

// ComputeDiff compares entities a of version from with entities b of version
// to, matching entities by the list's own ID:
//   - EntitiesAdded / EntitiesRemoved: IDs only in b / only in a (list order);
//   - EntitiesChanged: IDs in both whose fields differ; Fields names them
//     ("type", "names", "programs", "identifiers", "birth_dates",
//     "birth_places", "nationalities", "addresses", "listed_on", "reference",
//     "remarks"). Multi-valued fields compare as sets, so a reordering alone
//     is not a change;
//   - AddressesAdded / AddressesRemoved: (entity, currency, address) pairs
//     (addresses exactly as published), including those of added and removed
//     entities; an address moving from one entity to another shows on both
//     sides;
//   - Counts.AddressPairsAdded / AddressPairsRemoved: (currency, address)
//     pairs new to or gone from the whole list, whichever entity holds them:
//     what a per-asset blocklist gains and loses.
//
// ComputeDiff is pure; it does not check that the versions share a source.
func ComputeDiff(from, to Version, a, b []sanctions.Entity) *Diff {
	d := &Diff{
		From:             from.ID,
		To:               to.ID,
		EntitiesAdded:    []EntityRef{},
		EntitiesRemoved:  []EntityRef{},
		EntitiesChanged:  []EntityChange{},
		AddressesAdded:   []AddressRef{},
		AddressesRemoved: []AddressRef{},
	}
	byIDA, byIDB := entitiesByID(a), entitiesByID(b)
	for i := range a {
		e := &a[i]
		if byIDA[e.ID] != e {
			continue // a duplicate ID: the first entry stands for it
		}
		if _, ok := byIDB[e.ID]; !ok {
			d.EntitiesRemoved = append(d.EntitiesRemoved, refOf(e))
			d.AddressesRemoved = appendAddressRefs(d.AddressesRemoved, e, nil)
		}
	}
	for i := range b {
		e := &b[i]
		if byIDB[e.ID] != e {
			continue
		}
		old, ok := byIDA[e.ID]
		if !ok {
			d.EntitiesAdded = append(d.EntitiesAdded, refOf(e))
			d.AddressesAdded = appendAddressRefs(d.AddressesAdded, e, nil)
			continue
		}
		if fields := changedFields(old, e); len(fields) > 0 {
			d.EntitiesChanged = append(d.EntitiesChanged, EntityChange{EntityRef: refOf(e), Fields: fields})
		}
		d.AddressesAdded = appendAddressRefs(d.AddressesAdded, e, old)
		d.AddressesRemoved = appendAddressRefs(d.AddressesRemoved, old, e)
	}
	pa, pb := listPairs(a), listPairs(b)
	for p := range pb {
		if !pa[p] {
			d.Counts.AddressPairsAdded++
		}
	}
	for p := range pa {
		if !pb[p] {
			d.Counts.AddressPairsRemoved++
		}
	}
	d.Counts.EntitiesAdded = len(d.EntitiesAdded)
	d.Counts.EntitiesRemoved = len(d.EntitiesRemoved)
	d.Counts.EntitiesChanged = len(d.EntitiesChanged)
	d.Counts.AddressesAdded = len(d.AddressesAdded)
	d.Counts.AddressesRemoved = len(d.AddressesRemoved)
	return d
}

func entitiesByID(l []sanctions.Entity) map[string]*sanctions.Entity {
	m := make(map[string]*sanctions.Entity, len(l))
	for i := range l {
		if _, dup := m[l[i].ID]; !dup {
			m[l[i].ID] = &l[i]
		}
	}
	return m
}

func refOf(e *sanctions.Entity) EntityRef {
	return EntityRef{ID: e.ID, Name: e.PrimaryName(), Type: e.Type, Programs: e.Programs}
}

// appendAddressRefs appends e's (currency, address) pairs that other does not
// hold (all of them when other is nil), each once, in e's order.
func appendAddressRefs(dst []AddressRef, e, other *sanctions.Entity) []AddressRef {
	var skip map[sanctions.DigitalAddress]bool
	if other != nil {
		skip = make(map[sanctions.DigitalAddress]bool, len(other.Addresses))
		for _, a := range other.Addresses {
			skip[a] = true
		}
	}
	seen := make(map[sanctions.DigitalAddress]bool, len(e.Addresses))
	for _, a := range e.Addresses {
		if skip[a] || seen[a] {
			continue
		}
		seen[a] = true
		dst = append(dst, AddressRef{EntityID: e.ID, Currency: a.Currency, Address: a.Address})
	}
	return dst
}

func listPairs(l []sanctions.Entity) map[sanctions.DigitalAddress]bool {
	s := map[sanctions.DigitalAddress]bool{}
	for i := range l {
		for _, a := range l[i].Addresses {
			s[a] = true
		}
	}
	return s
}

// changedFields names the fields of x and y that differ.
func changedFields(x, y *sanctions.Entity) []string {
	var f []string
	add := func(changed bool, name string) {
		if changed {
			f = append(f, name)
		}
	}
	add(x.Type != y.Type, "type")
	add(!sameSet(x.Names, y.Names, compareName), "names")
	add(!sameSet(x.Programs, y.Programs, cmp.Compare[string]), "programs")
	add(!sameSet(x.Identifiers, y.Identifiers, compareIdentifier), "identifiers")
	add(!sameSet(x.BirthDates, y.BirthDates, cmp.Compare[string]), "birth_dates")
	add(!sameSet(x.BirthPlaces, y.BirthPlaces, cmp.Compare[string]), "birth_places")
	add(!sameSet(x.Nationalities, y.Nationalities, cmp.Compare[string]), "nationalities")
	add(!sameSet(x.Addresses, y.Addresses, comparePair), "addresses")
	add(x.ListedOn != y.ListedOn, "listed_on")
	add(x.Reference != y.Reference, "reference")
	add(x.Remarks != y.Remarks, "remarks")
	return f
}

// sameSet reports whether x and y hold the same elements, ignoring order and
// repeats.
func sameSet[T any](x, y []T, compare func(T, T) int) bool {
	if len(x) == 0 && len(y) == 0 {
		return true
	}
	xs, ys := slices.Clone(x), slices.Clone(y)
	slices.SortFunc(xs, compare)
	slices.SortFunc(ys, compare)
	eq := func(a, b T) bool { return compare(a, b) == 0 }
	return slices.EqualFunc(slices.CompactFunc(xs, eq), slices.CompactFunc(ys, eq), eq)
}

func compareName(a, b sanctions.Name) int {
	return cmp.Or(
		cmp.Compare(a.Full, b.Full),
		cmp.Compare(a.Script, b.Script),
		cmp.Compare(a.Kind, b.Kind),
		compareBool(a.Primary, b.Primary),
		compareBool(a.LowQuality, b.LowQuality),
	)
}

func compareIdentifier(a, b sanctions.Identifier) int {
	return cmp.Or(cmp.Compare(a.Type, b.Type), cmp.Compare(a.Number, b.Number), cmp.Compare(a.Country, b.Country))
}

func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}
