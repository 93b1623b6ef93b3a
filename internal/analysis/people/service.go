package people

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/interdict/interdict/internal/index/people"
)

// Service adds persons and assesses them: it seals each person with the
// vault, stores it, adds it to the identifier graph and evaluates the rules
// against its cluster. The graph lives in memory and is rebuilt from the
// store when the service starts. Add, AddBatch and Assess may be called
// concurrently (the API does); Graph's result is for a single user.
type Service struct {
	store people.Store
	vault *people.Vault
	rules *Rules

	mu    sync.Mutex // serialises the graph's updates and reads
	graph *Graph
}

// Assessment is what the service found about one person.
type Assessment struct {
	PersonID string   `json:"person_id"`
	Cluster  Cluster  `json:"cluster"`
	Signals  []Signal `json:"signals"`
	Flagged  bool     `json:"flagged"`
}

// NewService checks that the store was written with the vault's key (or
// records it on an empty store) and loads every stored person into a new graph.
func NewService(ctx context.Context, store people.Store, vault *people.Vault, rules *Rules) (*Service, error) {
	if err := store.CheckKey(ctx, vault.Fingerprint()); err != nil {
		return nil, err
	}
	s := &Service{store: store, vault: vault, graph: NewGraph(), rules: rules}
	after := ""
	for {
		page, err := store.People(ctx, after, 1000)
		if err != nil {
			return nil, fmt.Errorf("people: load graph: %w", err)
		}
		if len(page) == 0 {
			return s, nil
		}
		for _, r := range page {
			p, err := vault.Open(r)
			if err != nil {
				return nil, fmt.Errorf("people: load graph: %w", err)
			}
			s.graph.Add(WithDerived(vault, r, &p))
		}
		after = page[len(page)-1].ID
	}
}

// Graph returns the service's identifier graph.
func (s *Service) Graph() *Graph { return s.graph }

// Add stores p (replacing a person with its id), adds it to the graph and
// assesses it.
func (s *Service) Add(ctx context.Context, p people.Person) (Assessment, error) {
	r, err := s.vault.Seal(&p)
	if err != nil {
		return Assessment{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.store.PutPerson(ctx, r); err != nil {
		return Assessment{}, err
	}
	s.graph.Add(WithDerived(s.vault, r, &p))
	return s.assess(&p), nil
}

// AddBatch stores persons in one transaction, then adds and assesses each.
func (s *Service) AddBatch(ctx context.Context, ps []people.Person) ([]Assessment, error) {
	rs := make([]people.Record, len(ps))
	for i := range ps {
		r, err := s.vault.Seal(&ps[i])
		if err != nil {
			return nil, fmt.Errorf("record %d: %w", i+1, err)
		}
		rs[i] = r
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.store.PutPeople(ctx, rs); err != nil {
		return nil, err
	}
	for i, r := range rs {
		s.graph.Add(WithDerived(s.vault, r, &ps[i]))
	}
	out := make([]Assessment, len(ps))
	for i := range ps {
		out[i] = s.assess(&ps[i])
	}
	return out, nil
}

// Assess evaluates a stored person again (after the lists or other persons changed).
func (s *Service) Assess(ctx context.Context, id string) (Assessment, people.Person, error) {
	r, err := s.store.Person(ctx, id)
	if err != nil {
		return Assessment{}, people.Person{}, err
	}
	p, err := s.vault.Open(r)
	if err != nil {
		return Assessment{}, people.Person{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.graph.ClusterOf(id); !ok {
		s.graph.Add(WithDerived(s.vault, r, &p))
	}
	return s.assess(&p), p, nil
}

// WithDerived returns r with the derived identifiers of its person p (the
// near-email hashes, people.Vault.Derived) appended: what the graph adds.
// They are never stored, so a record read back needs them again.
func WithDerived(v *people.Vault, r people.Record, p *people.Person) people.Record {
	r.Identifiers = append(slices.Clip(r.Identifiers), v.Derived(p)...)
	return r
}

func (s *Service) assess(p *people.Person) Assessment {
	c, _ := s.graph.ClusterOf(p.ID)
	sig := s.rules.Evaluate(SubjectOf(p, s.graph.SharedBy(p.ID)))
	if sig == nil {
		sig = []Signal{}
	}
	return Assessment{PersonID: p.ID, Cluster: c, Signals: sig, Flagged: Flagged(sig)}
}
