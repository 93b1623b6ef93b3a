package taxii

import (
	"context"

	"github.com/interdict/interdict/internal/serve/auth"
)

// Rights is what one key may do on one collection.
type Rights struct {
	Read, Write bool
	// Amber: the key's member is cleared for TLP:AMBER and AMBER+STRICT.
	Amber bool
}

// RightsFor resolves a key's rights on a collection from the collection's
// defaults and its grants: admins read and write every collection;
// screener keys do nothing over TAXII; other keys take the defaults unless a
// grant for their member, or more specifically for the key itself, says
// otherwise. AMBER clearance comes only from a grant, for every role.
func RightsFor(k auth.Key, c Collection, grants []Grant) Rights {
	var r Rights
	switch {
	case k.Role == auth.RoleAdmin:
		r = Rights{Read: true, Write: true}
	case k.Role.Allows(auth.RoleAnalyst):
		r = Rights{Read: c.CanRead, Write: c.CanWrite}
	default:
		return Rights{}
	}
	var member, key *Grant
	for i := range grants {
		switch grants[i].Principal {
		case MemberPrincipal(k.Member):
			member = &grants[i]
		case KeyPrincipal(k.ID):
			key = &grants[i]
		}
	}
	g := key
	if g == nil {
		g = member
	}
	if g != nil {
		r.Amber = g.Amber
		if k.Role != auth.RoleAdmin {
			r.Read, r.Write = g.Read, g.Write
		}
	}
	return r
}

// rightsOn loads the grants of c and resolves k's rights.
func (s *Server) rightsOn(ctx context.Context, k auth.Key, c Collection) (Rights, error) {
	grants, err := s.store.Grants(ctx, c.APIRoot, c.ID)
	if err != nil {
		return Rights{}, err
	}
	return RightsFor(k, c, grants), nil
}
