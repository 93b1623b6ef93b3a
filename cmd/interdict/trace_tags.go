package main

import (
	"context"
	"strings"

	"github.com/interdict/interdict/internal/analysis/trace"
	"github.com/interdict/interdict/internal/index/tags"
)

// storeTagger serves a trace the tags of the state store (`interdict tags
// import`), for one chain, each address looked up once per trace.
type storeTagger struct {
	st    tags.Store
	cache map[string][]trace.Tag
}

func newStoreTagger(st tags.Store) *storeTagger {
	return &storeTagger{st: st, cache: map[string][]trace.Tag{}}
}

// Tags implements trace.Tagger: the address's tags on chain (tags of no
// stated network count for every chain), the confidence as its GraphSense
// level, the abuse concept among the concepts.
func (s *storeTagger) Tags(ctx context.Context, chain, address string) ([]trace.Tag, error) {
	if ts, ok := s.cache[address]; ok {
		return ts, nil
	}
	got, err := tags.AddressTags(ctx, s.st, address)
	if err != nil {
		return nil, err
	}
	var out []trace.Tag
	for _, t := range got {
		if t.Network != "" && !strings.EqualFold(t.Network, chain) {
			continue
		}
		concepts := append([]string(nil), t.Concepts...)
		if t.Abuse != "" {
			concepts = append(concepts, t.Abuse)
		}
		out = append(out, trace.Tag{Label: t.Label, Category: t.Category, Concepts: concepts, Actor: t.Actor,
			Confidence: t.Level, Source: t.Source})
	}
	s.cache[address] = out
	return out, nil
}
