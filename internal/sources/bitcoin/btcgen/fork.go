package btcgen

import (
	"fmt"

	"github.com/btcsuite/btcd/wire"
)

// Generate returns the whole chain cfg describes, genesis first, with the heist
// record (nil without Config.Heist). It holds every block in memory: use New
// and Next for large chains.
func Generate(cfg Config) ([]*wire.MsgBlock, *Heist, error) {
	g, err := New(cfg)
	if err != nil {
		return nil, nil, err
	}
	blocks := []*wire.MsgBlock{g.Genesis()}
	for !g.Done() {
		blocks = append(blocks, g.Next())
	}
	return blocks, g.Heist(), nil
}

// GenerateFork returns a competing branch for reorg tests: n blocks at heights
// from+1 … from+n built on block from of the chain cfg generates, made with the
// random stream of forkSeed instead of cfg.Seed. The branch spends the same
// UTXO set as the main chain at height from, so it conflicts with the main
// chain's blocks above from (double spends included) the way a real reorg does.
// Its blocks are valid on their own: a clean ingest of genesis … from followed
// by the branch is a consistent chain.
func GenerateFork(cfg Config, from int32, forkSeed uint64, n int) ([]*wire.MsgBlock, error) {
	if from < 0 || from > cfg.Blocks || n < 1 {
		return nil, fmt.Errorf("%w: fork from height %d of %d with %d blocks", ErrConfig, from, cfg.Blocks, n)
	}
	if forkSeed == cfg.Seed {
		return nil, fmt.Errorf("%w: the fork seed equals the chain seed", ErrConfig)
	}
	g, err := New(cfg)
	if err != nil {
		return nil, err
	}
	for g.Height() < from {
		g.Next()
	}
	g.Reseed(forkSeed)
	branch := make([]*wire.MsgBlock, 0, n)
	for range n {
		branch = append(branch, g.Next())
	}
	return branch, nil
}
