package people

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/interdict/interdict/internal/index/people"
)

// ErrRoles marks a roles file that does not parse.
var ErrRoles = errors.New("invalid roles file")

// RoleAssignment is one privileged seat as the system holding it lists it:
// a signer of a multisig, a publisher of a package, an admin of a repository
// or cloud account, and the person the member says holds it.
type RoleAssignment struct {
	Privilege people.Privilege `json:"privilege"`
	// Resource is what the role is on: "safe:eth:0xabc…", "npm:@acme/sdk",
	// "github:acme/wallet", "aws:123456789012".
	Resource string `json:"resource"`
	// Account is the holder's account there (an address, a login).
	Account string `json:"account"`
	// PersonID is the person record of the holder; empty when nobody has
	// mapped the account to a person yet (a violation in itself).
	PersonID string `json:"person_id"`
	// Line is the record's line (CSV) or index + 1 (JSON) in its file.
	Line int `json:"line,omitempty"`
}

// rolesHeader is the CSV header of a roles file.
var rolesHeader = []string{"privilege", "resource", "account", "person_id"}

// maxRoles bounds a roles file.
const maxRoles = 100_000

// ParseRoles reads a roles file: CSV with the header
// privilege,resource,account,person_id, or a JSON array of RoleAssignment.
// Every record needs a known privilege and a resource.
func ParseRoles(r io.Reader) ([]RoleAssignment, error) {
	data, err := io.ReadAll(io.LimitReader(r, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrRoles, err)
	}
	trimmed := bytes.TrimSpace(data)
	var out []RoleAssignment
	if len(trimmed) > 0 && trimmed[0] == '[' {
		dec := json.NewDecoder(bytes.NewReader(trimmed))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&out); err != nil {
			return nil, fmt.Errorf("%w: JSON: %w", ErrRoles, err)
		}
		if dec.More() {
			return nil, fmt.Errorf("%w: JSON: data after the array", ErrRoles)
		}
		for i := range out {
			out[i].Line = i + 1
		}
	} else if out, err = parseRolesCSV(data); err != nil {
		return nil, err
	}
	if len(out) > maxRoles {
		return nil, fmt.Errorf("%w: more than %d records", ErrRoles, maxRoles)
	}
	for _, ra := range out {
		if !slices.Contains(people.Privileges, ra.Privilege) {
			return nil, fmt.Errorf("%w: record %d: unknown privilege %q (want one of %v)", ErrRoles, ra.Line, ra.Privilege, people.Privileges)
		}
		if strings.TrimSpace(ra.Resource) == "" {
			return nil, fmt.Errorf("%w: record %d: no resource", ErrRoles, ra.Line)
		}
	}
	return out, nil
}

func parseRolesCSV(data []byte) ([]RoleAssignment, error) {
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = len(rolesHeader)
	cr.Comment = '#'
	head, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%w: empty file", ErrRoles)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: CSV: %w", ErrRoles, err)
	}
	for i := range head {
		head[i] = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(head[i], "\uFEFF")))
	}
	if !slices.Equal(head, rolesHeader) {
		return nil, fmt.Errorf("%w: CSV header %q, want %q", ErrRoles, strings.Join(head, ","), strings.Join(rolesHeader, ","))
	}
	var out []RoleAssignment
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%w: CSV: %w", ErrRoles, err)
		}
		line, _ := cr.FieldPos(0)
		out = append(out, RoleAssignment{
			Privilege: people.Privilege(strings.TrimSpace(rec[0])), Resource: strings.TrimSpace(rec[1]),
			Account: strings.TrimSpace(rec[2]), PersonID: strings.TrimSpace(rec[3]), Line: line,
		})
		if len(out) > maxRoles {
			return nil, fmt.Errorf("%w: more than %d records", ErrRoles, maxRoles)
		}
	}
}

// Violation is a privileged seat whose holder is not verified in person.
type Violation struct {
	Privilege people.Privilege `json:"privilege"`
	Resource  string           `json:"resource,omitempty"`
	Account   string           `json:"account,omitempty"`
	PersonID  string           `json:"person_id,omitempty"`
	// Reason is one of the Reason constants.
	Reason string `json:"reason"`
	// Status is where the person's reviews stand (for a known person).
	Status *PersonStatus `json:"status,omitempty"`
	Line   int           `json:"line,omitempty"`
}

// Violation reasons.
const (
	ReasonUnmapped    = "unmapped"     // the seat's account is mapped to no person
	ReasonNoPerson    = "no_person"    // the person id is not in the store
	ReasonNotVerified = "not_verified" // no "verified in person" decision is the latest
	ReasonOpenCase    = "open_case"    // verified, but a case was opened or reopened since
)

// Gate checks that every privileged seat maps to a person verified in person.
type Gate struct {
	people people.Store
	cases  *Cases
}

// NewGate returns the gate over the persons of ps and the cases of cs.
func NewGate(ps people.Store, cs CaseStore) *Gate { return &Gate{people: ps, cases: NewCases(cs)} }

// Check returns the violations of roles and of every stored person holding
// a privilege (Person.Privileges), roles first in their order, then persons
// by id. Nothing at all to check is no violation.
func (g *Gate) Check(ctx context.Context, roles []RoleAssignment) ([]Violation, error) {
	var out []Violation
	statuses := map[string]*PersonStatus{}
	status := func(id string) (*PersonStatus, error) {
		if st, ok := statuses[id]; ok {
			return st, nil
		}
		st, err := g.cases.Status(ctx, id)
		if err != nil {
			return nil, err
		}
		statuses[id] = &st
		return &st, nil
	}
	check := func(v Violation) error {
		st, err := status(v.PersonID)
		if err != nil {
			return err
		}
		switch {
		case st.Verified():
			return nil
		case st.Disposition == VerifiedInPerson:
			v.Reason = ReasonOpenCase
		default:
			v.Reason = ReasonNotVerified
		}
		v.Status = st
		out = append(out, v)
		return nil
	}
	for _, ra := range roles {
		v := Violation{Privilege: ra.Privilege, Resource: ra.Resource, Account: ra.Account, PersonID: ra.PersonID, Line: ra.Line}
		if ra.PersonID == "" {
			v.Reason = ReasonUnmapped
			out = append(out, v)
			continue
		}
		if _, err := g.people.Person(ctx, ra.PersonID); errors.Is(err, people.ErrNotFound) {
			v.Reason = ReasonNoPerson
			out = append(out, v)
			continue
		} else if err != nil {
			return nil, err
		}
		if err := check(v); err != nil {
			return nil, err
		}
	}
	after := ""
	for {
		page, err := g.people.People(ctx, after, 1000)
		if err != nil {
			return nil, err
		}
		if len(page) == 0 {
			return out, nil
		}
		for _, r := range page {
			for _, pr := range r.Privileges {
				if err := check(Violation{Privilege: pr, PersonID: r.ID}); err != nil {
					return nil, err
				}
			}
		}
		after = page[len(page)-1].ID
	}
}
