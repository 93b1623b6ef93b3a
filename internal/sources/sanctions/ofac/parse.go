package ofac

import (
	"bytes"
	"context"
	"io"
	"strings"

	"github.com/interdict/interdict/internal/sources/sanctions"
)

// Parse reads an OFAC SDN advanced XML document from r and returns the parsed
// list. It streams r once; ctx cancellation stops it within a few milliseconds.
// Input errors wrap sanctions.ErrMalformed.
func Parse(ctx context.Context, r io.Reader) (*sanctions.List, error) {
	p := newParser(r)
	if err := p.s.run(ctx, p); err != nil {
		return nil, err
	}
	return p.finish()
}

// featureKind says what the parser does with a feature type.
type featureKind uint8

const (
	featIgnored featureKind = iota
	featCurrency
	featBirthdate
	featBirthPlace
	featNationality
	featEmail
)

const digitalCurrencyPrefix = "Digital Currency Address - "

type featureType struct {
	kind     featureKind
	currency string // for featCurrency: the ticker after the prefix
}

type subType struct {
	name        string
	partyTypeID string
}

type location struct {
	countryID string
	parts     string // the location's text parts, used when it names no country
}

type rawDoc struct {
	typeID, number, countryID string
}

// partyExtra is what a party needs for the joins done in finish.
type partyExtra struct {
	profileID  string
	subTypeID  string
	identities []string
	natLocs    []string // LocationIDs of nationality and citizenship features
}

// entryAcc gathers the SanctionsEntries of one profile.
type entryAcc struct {
	programs []string
	listedOn string
	onSDN    bool
}

type parser struct {
	s *scanner

	section tag // which child of the root we are in

	// Reference value sets, keyed by ID.
	aliasKinds    map[string]string
	countries     map[string]string
	docTypes      map[string]string
	lists         map[string]string
	partySubTypes map[string]subType
	partyTypes    map[string]string
	scripts       map[string]string
	features      map[string]featureType
	refID         string
	refExtra      string

	locations map[string]location
	locID     string
	loc       location

	docs        map[string][]rawDoc
	doc         rawDoc
	docIdentity string

	entities []sanctions.Entity
	extras   []partyExtra
	inParty  bool

	// the alias and documented name being read
	aliasKind    string
	aliasPrimary bool
	aliasLow     bool
	name         []byte
	nameScript   string

	// the feature being read
	feat     featureType
	inFeat   bool
	slotBase int    // 0 inside DatePeriod/Start, 2 inside End
	slot     int    // slotBase + 0 for From, + 1 for To
	dates    [4]ymd // Start/From, Start/To, End/From, End/To
	haveDate uint8  // bit i set when dates[i] was read

	entries        map[string]*entryAcc
	entryProfile   string
	entryList      string
	entryListed    string
	entryPrograms  []string
	measureProgram bool

	ymd       ymd
	published ymd

	intern map[string]string
}

func newParser(r io.Reader) *parser {
	return &parser{
		s:             newScanner(r, "Sanctions"),
		aliasKinds:    map[string]string{},
		countries:     map[string]string{},
		docTypes:      map[string]string{},
		lists:         map[string]string{},
		partySubTypes: map[string]subType{},
		partyTypes:    map[string]string{},
		scripts:       map[string]string{},
		features:      map[string]featureType{},
		locations:     map[string]location{},
		docs:          map[string][]rawDoc{},
		entries:       map[string]*entryAcc{},
		intern:        map[string]string{},
		name:          make([]byte, 0, 128),
	}
}

// internText returns the captured text as a string shared by every equal value,
// for strings that repeat thousands of times (program names).
func (p *parser) internText() (string, error) {
	if v, ok := p.intern[string(p.s.text)]; ok {
		return v, nil
	}
	v, err := p.s.takeText()
	if err != nil {
		return "", err
	}
	p.intern[v] = v
	return v, nil
}

func (p *parser) start(t, parent tag, attrs []byte) error {
	switch t {
	case tagReferenceValueSets, tagLocations, tagIDRegDocuments, tagDistinctParties, tagSanctionsEntries:
		if parent == tagSanctions {
			p.section = t
		}
		return nil
	case tagYear, tagMonth, tagDay:
		if parent == tagFrom || parent == tagTo || parent == tagDate || parent == tagDateOfIssue {
			p.s.capture = true
		}
		return nil
	case tagFrom, tagTo, tagDate, tagDateOfIssue:
		p.ymd = ymd{}
		if p.inFeat && p.feat.kind == featBirthdate && (parent == tagStart || parent == tagEnd) {
			p.slot = p.slotBase
			if t == tagTo {
				p.slot++
			}
		}
		return nil
	}
	switch p.section {
	case tagReferenceValueSets:
		return p.startRef(t, attrs)
	case tagLocations:
		return p.startLocation(t, attrs)
	case tagIDRegDocuments:
		return p.startDoc(t, attrs)
	case tagDistinctParties:
		return p.startParty(t, parent, attrs)
	case tagSanctionsEntries:
		return p.startEntry(t, parent, attrs)
	}
	return nil
}

func (p *parser) end(t, parent tag) error {
	switch t {
	case tagReferenceValueSets, tagLocations, tagIDRegDocuments, tagDistinctParties, tagSanctionsEntries:
		if parent == tagSanctions {
			p.section = tagNone
		}
		return nil
	case tagYear, tagMonth, tagDay:
		if !p.s.capture {
			return nil
		}
		n, ok := atoi(p.s.text)
		if !ok {
			return malformed("<%s> is not a number: %q", tagName(t), p.s.text)
		}
		p.ymd[t-tagYear] = n
		return nil
	case tagDateOfIssue:
		p.published = p.ymd
		return nil
	case tagFrom, tagTo:
		if p.inFeat && p.feat.kind == featBirthdate && (parent == tagStart || parent == tagEnd) {
			p.dates[p.slot] = p.ymd
			p.haveDate |= 1 << p.slot
		}
		return nil
	case tagDate:
		if parent == tagEntryEvent && p.section == tagSanctionsEntries {
			p.entryListed = p.ymd.String()
		}
		return nil
	}
	switch p.section {
	case tagReferenceValueSets:
		return p.endRef(t)
	case tagLocations:
		return p.endLocation(t)
	case tagIDRegDocuments:
		return p.endDoc(t)
	case tagDistinctParties:
		return p.endParty(t, parent)
	case tagSanctionsEntries:
		return p.endEntry(t, parent)
	}
	return nil
}

func tagName(t tag) string {
	switch t {
	case tagYear:
		return "Year"
	case tagMonth:
		return "Month"
	}
	return "Day"
}

// atoi parses a small non-negative decimal number, allowing surrounding spaces.
func atoi(b []byte) (int, bool) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || len(b) > 9 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// startRef and endRef read the reference value sets: each value is an element
// with an ID attribute and its name as text.
func (p *parser) startRef(t tag, attrs []byte) error {
	switch t {
	case tagAliasType, tagCountry, tagFeatureType, tagIDRegDocType, tagList, tagPartySubType, tagPartyType, tagScript:
	default:
		return nil
	}
	p.refID, p.refExtra = "", ""
	err := eachAttr(attrs, func(k, v []byte) {
		switch string(k) {
		case "ID":
			p.refID = string(v)
		case "PartyTypeID":
			p.refExtra = string(v)
		}
	})
	if err != nil {
		return err
	}
	if p.refID == "" {
		return malformed("reference value <%s> has no ID", refName(t))
	}
	p.s.capture = true
	return nil
}

func refName(t tag) string {
	switch t {
	case tagAliasType:
		return "AliasType"
	case tagCountry:
		return "Country"
	case tagFeatureType:
		return "FeatureType"
	case tagIDRegDocType:
		return "IDRegDocType"
	case tagList:
		return "List"
	case tagPartySubType:
		return "PartySubType"
	case tagPartyType:
		return "PartyType"
	}
	return "Script"
}

func (p *parser) endRef(t tag) error {
	if !p.s.capture {
		return nil
	}
	v, err := p.s.takeText()
	if err != nil {
		return err
	}
	v = strings.TrimSpace(v)
	switch t {
	case tagAliasType:
		p.aliasKinds[p.refID] = strings.ToLower(v)
	case tagCountry:
		p.countries[p.refID] = v
	case tagFeatureType:
		p.features[p.refID] = classifyFeature(v)
	case tagIDRegDocType:
		p.docTypes[p.refID] = v
	case tagList:
		p.lists[p.refID] = v
	case tagPartySubType:
		p.partySubTypes[p.refID] = subType{name: v, partyTypeID: p.refExtra}
	case tagPartyType:
		p.partyTypes[p.refID] = v
	case tagScript:
		p.scripts[p.refID] = v
	}
	return nil
}

func classifyFeature(name string) featureType {
	if cur, ok := strings.CutPrefix(name, digitalCurrencyPrefix); ok {
		return featureType{kind: featCurrency, currency: strings.TrimSpace(cur)}
	}
	switch name {
	case "Birthdate":
		return featureType{kind: featBirthdate}
	case "Place of Birth":
		return featureType{kind: featBirthPlace}
	case "Nationality Country", "Citizenship Country":
		return featureType{kind: featNationality}
	case "Email Address":
		return featureType{kind: featEmail}
	}
	return featureType{}
}

func (p *parser) startLocation(t tag, attrs []byte) error {
	switch t {
	case tagLocation:
		p.locID, p.loc = "", location{}
		if err := eachAttr(attrs, func(k, v []byte) {
			if string(k) == "ID" {
				p.locID = string(v)
			}
		}); err != nil {
			return err
		}
		if p.locID == "" {
			return malformed("<Location> has no ID")
		}
	case tagLocationCountry:
		return eachAttr(attrs, func(k, v []byte) {
			if string(k) == "CountryID" {
				p.loc.countryID = string(v)
			}
		})
	case tagValue:
		// Only a location without a country reference needs its text: that is
		// how nationality locations such as "Korea, North" are published.
		p.s.capture = p.locID != "" && p.loc.countryID == ""
	}
	return nil
}

func (p *parser) endLocation(t tag) error {
	switch t {
	case tagValue:
		if !p.s.capture {
			return nil
		}
		v, err := p.s.takeText()
		if err != nil {
			return err
		}
		if v = strings.TrimSpace(v); v != "" {
			if p.loc.parts != "" {
				p.loc.parts += ", "
			}
			p.loc.parts += v
		}
	case tagLocation:
		p.locations[p.locID] = p.loc
		p.locID = ""
	}
	return nil
}

func (p *parser) startDoc(t tag, attrs []byte) error {
	switch t {
	case tagIDRegDocument:
		p.doc, p.docIdentity = rawDoc{}, ""
		if err := eachAttr(attrs, func(k, v []byte) {
			switch string(k) {
			case "IDRegDocTypeID":
				p.doc.typeID = string(v)
			case "IdentityID":
				p.docIdentity = string(v)
			case "IssuedBy-CountryID":
				p.doc.countryID = string(v)
			}
		}); err != nil {
			return err
		}
		if p.docIdentity == "" {
			return malformed("<IDRegDocument> has no IdentityID")
		}
	case tagIDRegistrationNo:
		p.s.capture = true
	}
	return nil
}

func (p *parser) endDoc(t tag) error {
	switch t {
	case tagIDRegistrationNo:
		v, err := p.s.takeText()
		if err != nil {
			return err
		}
		p.doc.number = strings.TrimSpace(v)
	case tagIDRegDocument:
		if p.doc.number != "" {
			p.docs[p.docIdentity] = append(p.docs[p.docIdentity], p.doc)
		}
	}
	return nil
}
