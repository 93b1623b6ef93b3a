package tags

import (
	"context"
	"fmt"
)

// ActorTags returns the tags of the actor a name resolves to, and the actor
// ids they were gathered for: its same_as class, plus the clusters attributed
// or associated to it when associated is set. ErrNotFound if no actor has the
// name.
func ActorTags(ctx context.Context, s Store, reg *Registry, name string, associated bool) ([]Tag, []string, error) {
	id, ok := reg.Resolve(name)
	if !ok {
		if _, known := reg.Actor(name); !known {
			return nil, nil, fmt.Errorf("actor %q: %w", name, ErrNotFound)
		}
		id = name
	}
	ids := reg.Cluster(id, associated)
	ts, err := s.TagsByActor(ctx, reg.Names(ids))
	if err != nil {
		return nil, nil, err
	}
	return ts, ids, nil
}

// AddressTags returns the tags of an address in any chain's form.
func AddressTags(ctx context.Context, s Store, address string) ([]Tag, error) {
	return s.TagsByAddress(ctx, Address(address))
}
