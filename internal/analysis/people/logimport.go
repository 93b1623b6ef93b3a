package people

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/interdict/interdict/internal/index/people"
)

// ImportLogs resolves each log record to a stored person (its person id, or
// the one person holding its email, matched by keyed hash), hashes its IP and
// login, and stores the events in es in one transaction. It returns the ids
// of the persons the events belong to, sorted. A record naming no stored
// person, or an email several persons hold, stops the import with its
// record number (an error wrapping people.ErrLogs or people.ErrNotFound).
func (s *Service) ImportLogs(ctx context.Context, es people.EventStore, recs []people.LogRecord) ([]string, error) {
	known := map[string]bool{}
	byEmail := map[string]string{}
	evs := make([]people.Event, 0, len(recs))
	var ids []string
	for i, rec := range recs {
		id := rec.Person
		if id == "" {
			var err error
			if id, err = s.personByEmail(ctx, byEmail, rec.Email); err != nil {
				return nil, fmt.Errorf("record %d: %w", i+1, err)
			}
		}
		if !known[id] {
			if _, err := s.store.Person(ctx, id); err != nil {
				return nil, fmt.Errorf("record %d: %w", i+1, err)
			}
			known[id] = true
			ids = append(ids, id)
		}
		e, err := s.vault.Event(rec, id)
		if err != nil {
			return nil, fmt.Errorf("record %d: %w", i+1, err)
		}
		evs = append(evs, e)
	}
	if err := es.PutEvents(ctx, evs); err != nil {
		return nil, err
	}
	slices.Sort(ids)
	return ids, nil
}

func (s *Service) personByEmail(ctx context.Context, cache map[string]string, email string) (string, error) {
	h, err := s.vault.Hash(people.Identifier{Type: people.Email, Value: email})
	if err != nil {
		return "", fmt.Errorf("%w: email: %v", people.ErrLogs, err)
	}
	key := string(h[:])
	if id, ok := cache[key]; ok {
		return id, nil
	}
	links, err := s.store.LinksByHash(ctx, []people.Hash{h})
	if err != nil {
		return "", err
	}
	var holders []string
	for _, l := range links {
		if l.Type == people.Email && !slices.Contains(holders, l.PersonID) {
			holders = append(holders, l.PersonID)
		}
	}
	switch len(holders) {
	case 0:
		return "", fmt.Errorf("no person holds the email %s: %w", Ref(h), people.ErrNotFound)
	case 1:
		cache[key] = holders[0]
		return holders[0], nil
	}
	return "", fmt.Errorf("%w: the email is held by %s: give the person id", people.ErrLogs, strings.Join(holders, ", "))
}

// LogSignals evaluates the log rules on person p's events in es.
func LogSignals(ctx context.Context, es people.EventStore, rules *LogRules, p *people.Person) ([]Signal, error) {
	s, err := LogSubjectOf(ctx, es, p)
	if err != nil {
		return nil, err
	}
	return rules.Evaluate(s), nil
}
