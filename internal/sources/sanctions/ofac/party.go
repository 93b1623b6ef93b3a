package ofac

import (
	"bytes"
	"strings"

	"github.com/interdict/interdict/internal/sources/sanctions"
)

// startParty and endParty read DistinctParties: one entity per DistinctParty,
// its names from Identity/Alias/DocumentedName and the features we map.
func (p *parser) startParty(t, parent tag, attrs []byte) error {
	switch t {
	case tagDistinctParty:
		var id string
		if err := eachAttr(attrs, func(k, v []byte) {
			if string(k) == "FixedRef" {
				id = string(v)
			}
		}); err != nil {
			return err
		}
		if id == "" {
			return malformed("<DistinctParty> has no FixedRef")
		}
		p.entities = append(p.entities, sanctions.Entity{ID: id})
		p.extras = append(p.extras, partyExtra{})
		p.inParty = true
		return nil
	}
	if !p.inParty {
		return nil
	}
	e := &p.entities[len(p.entities)-1]
	x := &p.extras[len(p.extras)-1]
	switch t {
	case tagComment:
		p.s.capture = parent == tagDistinctParty
	case tagProfile:
		if err := eachAttr(attrs, func(k, v []byte) {
			switch string(k) {
			case "ID":
				x.profileID = string(v)
			case "PartySubTypeID":
				x.subTypeID = string(v)
			}
		}); err != nil {
			return err
		}
		if x.profileID == "" || x.subTypeID == "" {
			return malformed("party %s: <Profile> needs ID and PartySubTypeID", e.ID)
		}
	case tagIdentity:
		return eachAttr(attrs, func(k, v []byte) {
			if string(k) == "ID" {
				x.identities = append(x.identities, string(v))
			}
		})
	case tagAlias:
		p.aliasKind, p.aliasPrimary, p.aliasLow = "", false, false
		return eachAttr(attrs, func(k, v []byte) {
			switch string(k) {
			case "AliasTypeID":
				p.aliasKind = p.aliasKinds[string(v)]
			case "Primary":
				p.aliasPrimary = string(v) == "true"
			case "LowQuality":
				p.aliasLow = string(v) == "true"
			}
		})
	case tagDocumentedName:
		p.name = p.name[:0]
		p.nameScript = ""
	case tagNamePartValue:
		p.s.capture = true
		if p.nameScript == "" {
			return eachAttr(attrs, func(k, v []byte) {
				if string(k) == "ScriptID" {
					p.nameScript = p.scripts[string(v)]
				}
			})
		}
	case tagFeature:
		var id []byte
		if err := eachAttr(attrs, func(k, v []byte) {
			if string(k) == "FeatureTypeID" {
				id = v
			}
		}); err != nil {
			return err
		}
		if id == nil {
			return malformed("party %s: <Feature> has no FeatureTypeID", e.ID)
		}
		p.feat = p.features[string(id)]
		p.inFeat = true
	case tagFeatureVersion:
		p.haveDate = 0
	case tagVersionDetail:
		p.s.capture = p.inFeat && (p.feat.kind == featCurrency || p.feat.kind == featBirthPlace || p.feat.kind == featEmail)
	case tagVersionLocation:
		if !p.inFeat || p.feat.kind != featNationality {
			return nil
		}
		return eachAttr(attrs, func(k, v []byte) {
			if string(k) == "LocationID" {
				x.natLocs = append(x.natLocs, string(v))
			}
		})
	case tagStart:
		p.slotBase = 0
	case tagEnd:
		p.slotBase = 2
	}
	return nil
}

func (p *parser) endParty(t, parent tag) error {
	if !p.inParty {
		return nil
	}
	e := &p.entities[len(p.entities)-1]
	switch t {
	case tagDistinctParty:
		p.inParty = false
		if p.extras[len(p.extras)-1].profileID == "" {
			return malformed("party %s has no <Profile>", e.ID)
		}
	case tagComment:
		if !p.s.capture {
			return nil
		}
		v, err := p.s.takeText()
		if err != nil {
			return err
		}
		e.Remarks = strings.TrimSpace(v)
	case tagNamePartValue:
		part := bytes.TrimSpace(p.s.text)
		if len(part) == 0 {
			return nil
		}
		if len(p.name) > 0 {
			p.name = append(p.name, ' ')
		}
		p.name = append(p.name, part...)
	case tagDocumentedName:
		if len(p.name) == 0 {
			return nil
		}
		p.s.text = append(p.s.text[:0], p.name...)
		full, err := p.s.takeText()
		if err != nil {
			return err
		}
		kind := p.aliasKind
		if kind == "" {
			kind = "a.k.a."
		}
		e.Names = append(e.Names, sanctions.Name{
			Full:       full,
			Script:     p.nameScript,
			Primary:    p.aliasPrimary,
			LowQuality: p.aliasLow,
			Kind:       kind,
		})
	case tagVersionDetail:
		if !p.s.capture {
			return nil
		}
		v, err := p.s.takeText()
		if err != nil {
			return err
		}
		switch p.feat.kind {
		case featCurrency:
			if v != "" {
				e.Addresses = append(e.Addresses, sanctions.DigitalAddress{Currency: p.feat.currency, Address: v})
			}
		case featBirthPlace:
			if v = strings.TrimSpace(v); v != "" {
				e.BirthPlaces = append(e.BirthPlaces, v)
			}
		case featEmail:
			if v = strings.TrimSpace(v); v != "" {
				e.Emails = append(e.Emails, v)
			}
		}
	case tagFeatureVersion:
		if p.inFeat && p.feat.kind == featBirthdate && p.haveDate != 0 {
			if d := formatPeriod(p.dates, p.haveDate); d != "" {
				e.BirthDates = append(e.BirthDates, d)
			}
		}
	case tagFeature:
		p.inFeat = false
	}
	return nil
}

// startEntry and endEntry read SanctionsEntries: programs and listing dates,
// joined to parties through ProfileID in finish.
func (p *parser) startEntry(t, parent tag, attrs []byte) error {
	switch t {
	case tagSanctionsEntry:
		p.entryProfile, p.entryList, p.entryListed = "", "", ""
		p.entryPrograms = p.entryPrograms[:0]
		if err := eachAttr(attrs, func(k, v []byte) {
			switch string(k) {
			case "ProfileID":
				p.entryProfile = string(v)
			case "ListID":
				p.entryList = string(v)
			}
		}); err != nil {
			return err
		}
		if p.entryProfile == "" {
			return malformed("<SanctionsEntry> has no ProfileID")
		}
	case tagSanctionsMeasure:
		p.measureProgram = false
		return eachAttr(attrs, func(k, v []byte) {
			if string(k) == "SanctionsTypeID" {
				// SanctionsType 1 is "Program"; its measures carry the program
				// code in their Comment.
				p.measureProgram = string(v) == "1"
			}
		})
	case tagComment:
		p.s.capture = parent == tagSanctionsMeasure && p.measureProgram
	}
	return nil
}

func (p *parser) endEntry(t, parent tag) error {
	switch t {
	case tagComment:
		if !p.s.capture {
			return nil
		}
		p.s.text = bytes.TrimSpace(p.s.text)
		if len(p.s.text) == 0 {
			return nil
		}
		v, err := p.internText()
		if err != nil {
			return err
		}
		p.entryPrograms = append(p.entryPrograms, v)
	case tagSanctionsEntry:
		if p.entryProfile == "" {
			return nil
		}
		acc := p.entries[p.entryProfile]
		if acc == nil {
			acc = &entryAcc{}
			p.entries[p.entryProfile] = acc
		}
		acc.programs = append(acc.programs, p.entryPrograms...)
		switch {
		case p.isSDNList(p.entryList):
			if !acc.onSDN {
				acc.listedOn, acc.onSDN = p.entryListed, true
			}
		case !acc.onSDN && p.entryListed != "" && (acc.listedOn == "" || p.entryListed < acc.listedOn):
			acc.listedOn = p.entryListed
		}
		p.entryProfile = ""
	}
	return nil
}

// sdnListID is the SDN List's ID when the reference values do not name it.
const sdnListID = "1550"

func (p *parser) isSDNList(id string) bool {
	if name, ok := p.lists[id]; ok {
		return name == "SDN List"
	}
	return id == sdnListID
}
