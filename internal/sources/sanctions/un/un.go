// Package un parses the UN Security Council consolidated sanctions list
// (consolidated.xml, root CONSOLIDATED_LIST) into a sanctions.List.
//
// The list is small (about 2 MB), so the parser walks the document with
// encoding/xml's tokenizer and decodes one INDIVIDUAL or ENTITY record at a time.
//
// How fields are mapped:
//   - Entity.ID is DATAID, Entity.Reference REFERENCE_NUMBER (e.g. KPi.001, KPe.031);
//     INDIVIDUAL records are sanctions.TypeIndividual, ENTITY records
//     sanctions.TypeOrganization.
//   - Names[0] is FIRST_NAME..FOURTH_NAME joined with spaces (kind "name",
//     primary). NAME_ORIGINAL_SCRIPT is a second primary name whose Script is
//     detected from its letters with the unicode tables ("Arabic", "Cyrillic",
//     "Hangul", "Han", ...). Aliases follow: an individual alias's QUALITY "Low"
//     marks it LowQuality (its kind is "a.k.a."); an entity alias's QUALITY is its
//     kind ("a.k.a.", "f.k.a."; "a.k.a." when empty).
//   - Programs is [UN_LIST_TYPE] (e.g. "DPRK", "Al-Qaida").
//   - Birth dates use the OFAC parser's forms: EXACT or APPROXIMATELY give the DATE
//     (YYYY-MM-DD) or YEAR as published, BETWEEN gives the interval "FROM/TO".
//   - Birth places join STREET, CITY, STATE_PROVINCE and COUNTRY with ", ".
//   - Nationalities are the NATIONALITY values; identifiers the documents with a
//     NUMBER (type from TYPE_OF_DOCUMENT, else TYPE_OF_DOCUMENT2; country from
//     ISSUING_COUNTRY, else COUNTRY_OF_ISSUE).
//   - ListedOn is the date part of LISTED_ON, Remarks is COMMENTS1, and
//     List.Published is the root's dateGenerated.
//
// The UN list has no digital-currency addresses. Input errors wrap
// sanctions.ErrMalformed; errors of the underlying reader are returned as such.
package un

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/interdict/interdict/internal/sources/sanctions"
)

// Parse reads a UN consolidated list XML document from r.
func Parse(ctx context.Context, r io.Reader) (*sanctions.List, error) {
	src := &errReader{r: r}
	dec := xml.NewDecoder(src)
	list := &sanctions.List{Source: sanctions.SourceUN}
	depth := 0
	sawRoot := false
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		tok, err := dec.Token()
		if err == io.EOF {
			if !sawRoot {
				return nil, malformed("no root element")
			}
			return list, nil
		}
		if err != nil {
			return nil, src.wrap(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				if sawRoot {
					return nil, malformed("second root element <%s>", t.Name.Local)
				}
				if err := startRoot(list, t); err != nil {
					return nil, err
				}
				sawRoot = true
				depth++
				continue
			}
			var typ sanctions.EntityType
			switch t.Name.Local {
			case "INDIVIDUAL":
				typ = sanctions.TypeIndividual
			case "ENTITY":
				typ = sanctions.TypeOrganization
			default:
				depth++
				continue
			}
			var rec record
			if err := dec.DecodeElement(&rec, &t); err != nil {
				return nil, src.wrap(err)
			}
			e, err := rec.entity(typ)
			if err != nil {
				return nil, err
			}
			list.Entities = append(list.Entities, e)
		case xml.EndElement:
			depth--
		case xml.CharData:
			// A byte-order mark may precede the document; the decoder passes it
			// as text.
			if depth == 0 && len(strings.TrimSpace(strings.TrimPrefix(string(t), "\uFEFF"))) > 0 {
				return nil, malformed("text outside the root element")
			}
		}
	}
}

func startRoot(list *sanctions.List, t xml.StartElement) error {
	if t.Name.Local != "CONSOLIDATED_LIST" {
		return malformed("root element is <%s>, want <CONSOLIDATED_LIST>", t.Name.Local)
	}
	for _, a := range t.Attr {
		if a.Name.Local != "dateGenerated" {
			continue
		}
		ts, err := parseGenerated(a.Value)
		if err != nil {
			return malformed("dateGenerated %q: %v", a.Value, err)
		}
		list.Published = ts
	}
	return nil
}

func parseGenerated(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if ts, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return ts.UTC(), nil
	}
	return time.Parse(time.DateOnly, s)
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("un: %w: %s", sanctions.ErrMalformed, fmt.Sprintf(format, args...))
}

// errReader remembers the underlying reader's error, so an I/O failure is not
// reported as malformed XML.
type errReader struct {
	r   io.Reader
	err error
}

func (e *errReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF {
		e.err = err
	}
	return n, err
}

func (e *errReader) wrap(err error) error {
	if e.err != nil {
		return fmt.Errorf("un: read: %w", e.err)
	}
	// Every other decoder error (syntax, unexpected EOF, bad charset) is the
	// document's fault.
	return malformed("%v", err)
}

// record is one INDIVIDUAL or ENTITY element.
type record struct {
	DataID        string     `xml:"DATAID"`
	First         string     `xml:"FIRST_NAME"`
	Second        string     `xml:"SECOND_NAME"`
	Third         string     `xml:"THIRD_NAME"`
	Fourth        string     `xml:"FOURTH_NAME"`
	Original      string     `xml:"NAME_ORIGINAL_SCRIPT"`
	ListType      string     `xml:"UN_LIST_TYPE"`
	Reference     string     `xml:"REFERENCE_NUMBER"`
	ListedOn      string     `xml:"LISTED_ON"`
	Comments      string     `xml:"COMMENTS1"`
	Nationalities []string   `xml:"NATIONALITY>VALUE"`
	PersonAliases []alias    `xml:"INDIVIDUAL_ALIAS"`
	EntityAliases []alias    `xml:"ENTITY_ALIAS"`
	BirthDates    []birth    `xml:"INDIVIDUAL_DATE_OF_BIRTH"`
	BirthPlaces   []place    `xml:"INDIVIDUAL_PLACE_OF_BIRTH"`
	Documents     []document `xml:"INDIVIDUAL_DOCUMENT"`
}

type alias struct {
	Quality string `xml:"QUALITY"`
	Name    string `xml:"ALIAS_NAME"`
}

type birth struct {
	Type     string `xml:"TYPE_OF_DATE"`
	Date     string `xml:"DATE"`
	Year     string `xml:"YEAR"`
	FromYear string `xml:"FROM_YEAR"`
	ToYear   string `xml:"TO_YEAR"`
}

type place struct {
	Street  string `xml:"STREET"`
	City    string `xml:"CITY"`
	State   string `xml:"STATE_PROVINCE"`
	Country string `xml:"COUNTRY"`
}

type document struct {
	Type           string `xml:"TYPE_OF_DOCUMENT"`
	Type2          string `xml:"TYPE_OF_DOCUMENT2"`
	Number         string `xml:"NUMBER"`
	IssuingCountry string `xml:"ISSUING_COUNTRY"`
	CountryOfIssue string `xml:"COUNTRY_OF_ISSUE"`
}

// clean trims s and folds inner runs of white space (the list wraps long
// values over several indented lines) into single spaces.
func clean(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func (r *record) entity(typ sanctions.EntityType) (sanctions.Entity, error) {
	e := sanctions.Entity{
		ID:        clean(r.DataID),
		Reference: clean(r.Reference),
		Type:      typ,
		Remarks:   strings.TrimSpace(r.Comments),
	}
	if e.ID == "" {
		return e, malformed("%s record without DATAID", typ)
	}
	if p := clean(r.ListType); p != "" {
		e.Programs = []string{p}
	}
	if d := clean(r.ListedOn); len(d) >= len(time.DateOnly) {
		e.ListedOn = d[:len(time.DateOnly)]
	}
	full := clean(strings.Join([]string{r.First, r.Second, r.Third, r.Fourth}, " "))
	if full == "" {
		return e, malformed("record %s has no name", e.ID)
	}
	e.Names = append(e.Names, sanctions.Name{Full: full, Script: detectScript(full), Primary: true, Kind: "name"})
	if o := clean(r.Original); o != "" {
		e.Names = append(e.Names, sanctions.Name{Full: o, Script: detectScript(o), Primary: true, Kind: "name"})
	}
	for _, a := range r.PersonAliases {
		if n := clean(a.Name); n != "" {
			e.Names = append(e.Names, sanctions.Name{Full: n, Script: detectScript(n), Kind: "a.k.a.",
				LowQuality: strings.EqualFold(clean(a.Quality), "Low")})
		}
	}
	for _, a := range r.EntityAliases {
		if n := clean(a.Name); n != "" {
			kind := strings.ToLower(clean(a.Quality))
			if kind == "" {
				kind = "a.k.a."
			}
			e.Names = append(e.Names, sanctions.Name{Full: n, Script: detectScript(n), Kind: kind})
		}
	}
	for _, b := range r.BirthDates {
		if d := b.format(); d != "" {
			e.BirthDates = append(e.BirthDates, d)
		}
	}
	for _, p := range r.BirthPlaces {
		if s := p.format(); s != "" {
			e.BirthPlaces = append(e.BirthPlaces, s)
		}
	}
	for _, n := range r.Nationalities {
		if n = clean(n); n != "" && !slices.Contains(e.Nationalities, n) {
			e.Nationalities = append(e.Nationalities, n)
		}
	}
	for _, d := range r.Documents {
		if id, ok := d.identifier(); ok {
			e.Identifiers = append(e.Identifiers, id)
		}
	}
	return e, nil
}

func (b birth) format() string {
	if strings.EqualFold(clean(b.Type), "BETWEEN") {
		from, to := clean(b.FromYear), clean(b.ToYear)
		switch {
		case from != "" && to != "" && from != to:
			return from + "/" + to
		case from != "":
			return from
		}
		return to
	}
	if d := clean(b.Date); d != "" {
		return d
	}
	return clean(b.Year)
}

func (p place) format() string {
	var parts []string
	for _, s := range []string{p.Street, p.City, p.State, p.Country} {
		if s = clean(s); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ", ")
}

func (d document) identifier() (sanctions.Identifier, bool) {
	id := sanctions.Identifier{
		Type:    clean(d.Type),
		Number:  clean(d.Number),
		Country: clean(d.IssuingCountry),
	}
	if id.Type == "" {
		id.Type = clean(d.Type2)
	}
	if id.Country == "" {
		id.Country = clean(d.CountryOfIssue)
	}
	return id, id.Number != ""
}
