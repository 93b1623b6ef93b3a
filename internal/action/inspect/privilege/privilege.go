// Package privilege collects inspection evidence on people-to-privilege
// mapping: every privileged seat (multisig signer, package publisher,
// repository or cloud admin) from a roles file, and every stored person
// holding a privilege, must map to a person whose latest review is
// "verified in person". DPRK IT workers are hired under borrowed
// identities and then given exactly these seats; the check is the
// people-vetting gate (internal/analysis/people.Gate), read as inspection
// evidence with what was checked and when.
package privilege

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/interdict/interdict/internal/action/inspect"
	vet "github.com/interdict/interdict/internal/analysis/people"
	"github.com/interdict/interdict/internal/index/people"
)

// Gate checks privileged seats (vet.Gate implements it).
type Gate interface {
	Check(ctx context.Context, roles []vet.RoleAssignment) ([]vet.Violation, error)
}

// Lister pages through the stored persons (people.Store implements it), to
// count the privileged persons checked.
type Lister interface {
	People(ctx context.Context, after string, limit int) ([]people.Record, error)
}

// Collect runs the gate over roles (parsed from rolesFile's bytes, which
// may be nil) and the stored persons, and decides
// people.privileged_verified_in_person: false with a finding per violation,
// true when at least one seat or privileged person was checked and none
// violates, unset when there was nothing to check.
func Collect(ctx context.Context, g Gate, l Lister, roles []vet.RoleAssignment, rolesName string, rolesFile []byte, now time.Time) (inspect.Reading, error) {
	r := inspect.Reading{Collector: "privilege", Label: "people holding signer, publisher and admin seats", URI: "people:store", ReadAt: now.UTC()}
	if rolesFile != nil {
		sum := sha256.Sum256(rolesFile)
		r.Read = append(r.Read, fmt.Sprintf("roles file %s (sha256 %s): %d seats", rolesName, hex.EncodeToString(sum[:]), len(roles)))
	}
	persons, seats := 0, 0
	after := ""
	for {
		page, err := l.People(ctx, after, 1000)
		if err != nil {
			return inspect.Reading{}, fmt.Errorf("privilege: people: %w", err)
		}
		if len(page) == 0 {
			break
		}
		for _, p := range page {
			if len(p.Privileges) > 0 {
				persons++
				seats += len(p.Privileges)
			}
		}
		after = page[len(page)-1].ID
	}
	r.Read = append(r.Read, fmt.Sprintf("people store: %d persons holding %d privileges", persons, seats))
	vs, err := g.Check(ctx, roles)
	if err != nil {
		return inspect.Reading{}, fmt.Errorf("privilege: gate: %w", err)
	}
	r.Read = append(r.Read, "people gate: latest review of each holder (verified in person, no case opened since)")
	for _, v := range vs {
		where := string(v.Privilege)
		if v.Resource != "" {
			where += " on " + v.Resource
		}
		if v.Account != "" {
			where += " (account " + v.Account + ")"
		}
		who := v.PersonID
		if who == "" {
			who = "nobody"
		}
		line := ""
		if v.Line > 0 {
			line = fmt.Sprintf(" [roles record %d]", v.Line)
		}
		r.Findings = append(r.Findings, fmt.Sprintf("%s held by %s: %s%s", where, who, v.Reason, line))
	}
	switch {
	case len(vs) > 0:
		r.Facts.People.PrivilegedVerified = inspect.Bool(false)
	case len(roles)+seats > 0:
		r.Facts.People.PrivilegedVerified = inspect.Bool(true)
	}
	r.Detail = vs
	return r, nil
}
