package ofac

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/interdict/interdict/internal/sources/sanctions"
)

// ymd is a calendar date as the XML gives it: Year, Month, Day (0 when absent).
type ymd [3]int

// String formats d as YYYY-MM-DD, or "" for a date without a year.
func (d ymd) String() string {
	if d[0] == 0 {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d[0], d[1], d[2])
}

func (d ymd) less(o ymd) bool {
	if d[0] != o[0] {
		return d[0] < o[0]
	}
	if d[1] != o[1] {
		return d[1] < o[1]
	}
	return d[2] < o[2]
}

func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// formatPeriod writes a birth DatePeriod at the precision it implies; see the
// package documentation for the forms. dates holds Start/From, Start/To,
// End/From, End/To; have says which were present.
func formatPeriod(dates [4]ymd, have uint8) string {
	lo, hi := ymd{}, ymd{}
	found := false
	for i, d := range dates {
		if have&(1<<i) == 0 || d[0] == 0 {
			continue
		}
		if !found || d.less(lo) {
			lo = d
		}
		if !found || hi.less(d) {
			hi = d
		}
		found = true
	}
	if !found {
		return ""
	}
	lo, hi = fill(lo, false), fill(hi, true)
	if lo == hi {
		return lo.String()
	}
	yearAligned := lo[1] == 1 && lo[2] == 1 && hi[1] == 12 && hi[2] == 31
	monthAligned := lo[2] == 1 && hi[2] == daysIn(hi[0], hi[1])
	switch {
	case yearAligned && lo[0] == hi[0]:
		return fmt.Sprintf("%04d", lo[0])
	case yearAligned:
		return fmt.Sprintf("%04d/%04d", lo[0], hi[0])
	case monthAligned && lo[0] == hi[0] && lo[1] == hi[1]:
		return fmt.Sprintf("%04d-%02d", lo[0], lo[1])
	case monthAligned:
		return fmt.Sprintf("%04d-%02d/%04d-%02d", lo[0], lo[1], hi[0], hi[1])
	}
	return lo.String() + "/" + hi.String()
}

// fill completes a date missing its month or day to the first (or, for the end
// of a period, the last) possible day, and clamps impossible values.
func fill(d ymd, end bool) ymd {
	if d[1] < 1 || d[1] > 12 {
		d[1] = 1
		if end {
			d[1] = 12
		}
		d[2] = 0
	}
	if n := daysIn(d[0], d[1]); d[2] < 1 || d[2] > n {
		d[2] = 1
		if end {
			d[2] = n
		}
	}
	return d
}

// finish joins what the sections referenced by ID and returns the list.
func (p *parser) finish() (*sanctions.List, error) {
	list := &sanctions.List{Source: sanctions.SourceOFAC}
	if p.published[0] != 0 {
		d := fill(p.published, false)
		list.Published = time.Date(d[0], time.Month(d[1]), d[2], 0, 0, 0, 0, time.UTC)
	}
	for i := range p.entities {
		e, x := &p.entities[i], &p.extras[i]
		t, err := p.entityType(x.subTypeID)
		if err != nil {
			return nil, fmt.Errorf("party %s: %w", e.ID, err)
		}
		e.Type = t
		for _, id := range x.identities {
			for _, d := range p.docs[id] {
				e.Identifiers = append(e.Identifiers, sanctions.Identifier{
					Type:    p.docTypes[d.typeID],
					Number:  d.number,
					Country: p.countries[d.countryID],
				})
			}
		}
		for _, id := range x.natLocs {
			if c := p.locationCountry(id); c != "" && !slices.Contains(e.Nationalities, c) {
				e.Nationalities = append(e.Nationalities, c)
			}
		}
		if acc := p.entries[x.profileID]; acc != nil {
			e.ListedOn = acc.listedOn
			if len(acc.programs) > 0 {
				progs := slices.Clone(acc.programs)
				slices.Sort(progs)
				e.Programs = slices.Compact(progs)
			}
		}
		primaryFirst(e.Names)
	}
	list.Entities = p.entities
	return list, nil
}

// primaryFirst moves the first primary name to the front, keeping the order of
// the others, so Names[0] is the primary name as the model promises.
func primaryFirst(names []sanctions.Name) {
	i := slices.IndexFunc(names, func(n sanctions.Name) bool { return n.Primary })
	if i <= 0 {
		return
	}
	n := names[i]
	copy(names[1:i+1], names[:i])
	names[0] = n
}

// Party sub-type IDs as published since the schema's introduction, used when a
// document carries no PartySubType reference values.
var fixedSubTypes = map[string]sanctions.EntityType{
	"1": sanctions.TypeVessel,
	"2": sanctions.TypeAircraft,
	"3": sanctions.TypeOrganization,
	"4": sanctions.TypeIndividual,
}

func (p *parser) entityType(subTypeID string) (sanctions.EntityType, error) {
	st, ok := p.partySubTypes[subTypeID]
	if !ok {
		if t, ok := fixedSubTypes[subTypeID]; ok {
			return t, nil
		}
		return "", malformed("unknown PartySubTypeID %q", subTypeID)
	}
	switch strings.ToLower(st.name) {
	case "vessel":
		return sanctions.TypeVessel, nil
	case "aircraft":
		return sanctions.TypeAircraft, nil
	}
	switch strings.ToLower(p.partyTypes[st.partyTypeID]) {
	case "individual":
		return sanctions.TypeIndividual, nil
	case "entity":
		return sanctions.TypeOrganization, nil
	}
	if t, ok := fixedSubTypes[subTypeID]; ok {
		return t, nil
	}
	return "", malformed("PartySubType %q (%s) is neither a person, an entity, a vessel nor an aircraft", subTypeID, st.name)
}

func (p *parser) locationCountry(id string) string {
	loc, ok := p.locations[id]
	if !ok {
		return ""
	}
	if c := p.countries[loc.countryID]; c != "" {
		return c
	}
	return loc.parts
}
