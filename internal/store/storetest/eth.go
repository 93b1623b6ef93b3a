package storetest

import (
	"encoding/json"
	"errors"
	"testing"

	eth "github.com/interdict/interdict/internal/index/ethereum"
	"github.com/interdict/interdict/internal/index/ethereum/ethtest"
)

// ethCase is one contract check of an eth.Store, run against a fresh one.
type ethCase struct {
	name string
	run  func(t *testing.T, s eth.Store)
}

// RunEth runs the Ethereum chain-index contract suite. open must return a
// fresh, empty eth.Store and arrange its closing with t.Cleanup; it is called
// once per case, possibly from parallel tests. Cases that write compare the
// backend's digest and lookups with the in-memory reference store's after
// the same writes, so every backend holds and serves the same content.
func RunEth(t *testing.T, open func(t *testing.T) eth.Store) {
	groups := []struct {
		name  string
		cases []ethCase
	}{
		{"records", ethRecordCases()},
		{"engine", ethEngineCases()},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, c := range g.cases {
				t.Run(c.name, func(t *testing.T) {
					t.Parallel()
					c.run(t, open(t))
				})
			}
		})
	}
}

// ethIngest connects blocks through an engine on each store and flushes.
func ethIngest(t *testing.T, cfg eth.Config, blocks []*eth.BlockData, stores ...eth.Store) {
	t.Helper()
	for _, s := range stores {
		e, err := eth.NewEngine(ctx(t), s, cfg, nil)
		must(t, "NewEngine", err)
		for _, b := range blocks {
			_, err := e.Connect(ctx(t), b)
			must(t, "Connect", err)
		}
		must(t, "Flush", e.Flush(ctx(t)))
	}
}

// ethSameDigest fails unless s and ref hold the same content.
func ethSameDigest(t *testing.T, s, ref eth.Store) {
	t.Helper()
	got, err := s.Digest(ctx(t))
	must(t, "Digest", err)
	want, err := ref.Digest(ctx(t))
	must(t, "reference Digest", err)
	if got != want {
		t.Fatalf("digest = %x, the reference store's = %x", got, want)
	}
}

// ethGen is the chain most cases use: traced, with every transfer kind.
func ethGen(seed uint64) ethtest.Gen { return ethtest.Gen{Seed: seed, Traced: true} }

func wantEthNotFound(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, eth.ErrNotFound) {
		t.Fatalf("%s: error %v, want eth.ErrNotFound", what, err)
	}
}

// sameJSON fails unless got and want encode to the same JSON (records hold
// big.Ints, whose internal form DeepEqual would compare).
func sameJSON(t *testing.T, what string, got, want any) {
	t.Helper()
	g, err := json.Marshal(got)
	must(t, "marshal", err)
	w, err := json.Marshal(want)
	must(t, "marshal", err)
	if string(g) != string(w) {
		t.Fatalf("%s:\n got  %s\n want %s", what, g, w)
	}
}

func wantErrIs(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: error %v, want %v", what, err, target)
	}
}
