package storetest

import (
	"errors"
	"testing"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"github.com/interdict/interdict/internal/index/bitcoin"
)

// chainCase is one contract check of a bitcoin.Store, run against a fresh one.
type chainCase struct {
	name string
	run  func(t *testing.T, s bitcoin.Store)
}

// RunChain runs the chain-index contract suite. open must return a fresh,
// empty bitcoin.Store and arrange its closing with t.Cleanup; it is called once
// per case, possibly from parallel tests. Every case that writes also checks
// that the backend's digest equals the in-memory reference store's digest of
// the same writes, so all backends hash the same logical content.
func RunChain(t *testing.T, open func(t *testing.T) bitcoin.Store) {
	groups := []struct {
		name  string
		cases []chainCase
	}{
		{"records", chainRecordCases()},
		{"engine", chainEngineCases()},
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

// sameDigest fails unless s and the reference store hold the same content.
func sameDigest(t *testing.T, s bitcoin.Store, ref bitcoin.Store) {
	t.Helper()
	got, err := s.Digest(ctx(t))
	must(t, "Digest", err)
	want, err := ref.Digest(ctx(t))
	must(t, "reference Digest", err)
	if got != want {
		t.Fatalf("digest = %x, the reference store's = %x", got, want)
	}
}

// commitBoth commits changes to the store under test and the reference.
func commitBoth(t *testing.T, s, ref bitcoin.Store, changes ...bitcoin.Change) {
	t.Helper()
	must(t, "Commit", s.Commit(ctx(t), changes))
	must(t, "reference Commit", ref.Commit(ctx(t), changes))
}

func wantNotFound(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, bitcoin.ErrNotFound) {
		t.Fatalf("%s: error %v, want bitcoin.ErrNotFound", what, err)
	}
}

func hashOf(s string) chainhash.Hash { return chainhash.DoubleHashH([]byte(s)) }

func outpoint(s string, i uint32) wire.OutPoint { return wire.OutPoint{Hash: hashOf(s), Index: i} }
