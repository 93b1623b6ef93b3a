package storetest

import (
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	eth "github.com/interdict/interdict/internal/index/ethereum"
	"github.com/interdict/interdict/internal/index/ethereum/ethtest"
)

func ethRecordCases() []ethCase {
	return []ethCase{
		{"an empty index has no tip and no records", func(t *testing.T, s eth.Store) {
			_, err := s.Tip(ctx(t))
			wantEthNotFound(t, "Tip", err)
			_, err = s.BlockByNumber(ctx(t), 0)
			wantEthNotFound(t, "BlockByNumber", err)
			_, err = s.BlockByHash(ctx(t), common.Hash{1})
			wantEthNotFound(t, "BlockByHash", err)
			_, err = s.TxLocation(ctx(t), common.Hash{1})
			wantEthNotFound(t, "TxLocation", err)
			_, err = s.Undo(ctx(t), 0)
			wantEthNotFound(t, "Undo", err)
			txs, err := s.Txs(ctx(t), 0)
			must(t, "Txs", err)
			hist, err := s.AddressTransfers(ctx(t), ethtest.Addr(1).Hex(), "", 0, 0)
			must(t, "AddressTransfers", err)
			if len(txs) != 0 || len(hist) != 0 {
				t.Fatalf("empty index returned %d txs, %d history entries", len(txs), len(hist))
			}
			ethSameDigest(t, s, eth.NewMemStore())
		}},
		{"every lookup of an ingested chain equals the reference store's", func(t *testing.T, s eth.Store) {
			blocks := ethGen(1).Chain(100, common.Hash{}, 12)
			ref := eth.NewMemStore()
			ethIngest(t, eth.Config{BatchBlocks: 5}, blocks, s, ref)
			ethSameDigest(t, s, ref)
			tip, err := s.Tip(ctx(t))
			must(t, "Tip", err)
			if tip.Height != 111 || tip.Hash != blocks[11].Block.Hash {
				t.Fatalf("tip = %d %s, want 111 %s", tip.Height, tip.Hash, blocks[11].Block.Hash)
			}
			for _, bd := range blocks {
				h := int64(bd.Block.Number)
				compareLookups(t, s, ref, h, bd.Block.Hash)
				for i, tx := range bd.Block.Txs {
					loc, err := s.TxLocation(ctx(t), tx.Hash)
					must(t, "TxLocation", err)
					if loc != (eth.TxLocation{Height: h, Index: uint32(i)}) {
						t.Fatalf("TxLocation(%s) = %+v, want %d/%d", tx.Hash, loc, h, i)
					}
				}
			}
			for i := range 24 {
				a := ethtest.Addr(i).Hex()
				for _, asset := range []string{"", eth.NativeAsset, eth.TokenAsset(ethtest.Token)} {
					for _, from := range []int64{0, 105} {
						got, err := s.AddressTransfers(ctx(t), a, asset, from, 0)
						must(t, "AddressTransfers", err)
						want, err := ref.AddressTransfers(ctx(t), a, asset, from, 0)
						must(t, "reference AddressTransfers", err)
						sameJSON(t, "AddressTransfers", got, want)
					}
				}
				for _, asset := range []string{eth.NativeAsset, eth.TokenAsset(ethtest.NFT)} {
					got, err := s.BalanceFlows(ctx(t), a, asset, 0, 0)
					must(t, "BalanceFlows", err)
					want, err := ref.BalanceFlows(ctx(t), a, asset, 0, 0)
					must(t, "reference BalanceFlows", err)
					sameJSON(t, "BalanceFlows", got, want)
				}
			}
		}},
		{"address history is ordered, starts at the from-height and stops at the limit", func(t *testing.T, s eth.Store) {
			ethIngest(t, eth.Config{BatchBlocks: 4}, ethGen(2).Chain(0, common.Hash{}, 10), s)
			a := ethtest.Addr(3)
			all, err := s.AddressTransfers(ctx(t), a.Hex(), "", 0, 0)
			must(t, "AddressTransfers", err)
			if len(all) < 5 {
				t.Fatalf("address %s has %d history entries; the case needs more", a, len(all))
			}
			low := eth.NormalizeAddress(a)
			for i, e := range all {
				if i > 0 {
					p := all[i-1]
					if c := p.Transfer.ID.Compare(e.Transfer.ID); c > 0 || c == 0 && p.Dir >= e.Dir {
						t.Fatalf("entries %d and %d out of order: %+v %v, %+v %v", i-1, i, p.Transfer.ID, p.Dir, e.Transfer.ID, e.Dir)
					}
				}
				if side := map[eth.Dir]string{eth.Out: e.Transfer.From, eth.In: e.Transfer.To}[e.Dir]; side != low {
					t.Fatalf("entry %d: %s side is %q, not the address", i, e.Dir, side)
				}
			}
			lim, err := s.AddressTransfers(ctx(t), a.Hex(), "", 0, 3)
			must(t, "AddressTransfers with a limit", err)
			sameJSON(t, "first 3 entries", lim, all[:3])
			mid := all[len(all)/2].Transfer.ID.Height
			from, err := s.AddressTransfers(ctx(t), a.Hex(), "", mid, 0)
			must(t, "AddressTransfers from a height", err)
			var want []eth.AddressTransfer
			for _, e := range all {
				if e.Transfer.ID.Height >= mid {
					want = append(want, e)
				}
			}
			sameJSON(t, "entries from the middle height", from, want)
			native, err := s.AddressTransfers(ctx(t), a.Hex(), eth.NativeAsset, 0, 2)
			must(t, "AddressTransfers of one asset", err)
			for _, e := range native {
				if e.Transfer.Asset != eth.NativeAsset {
					t.Fatalf("asset filter eth returned %s", e.Transfer.Asset)
				}
			}
		}},
		{"balance flows are the address's transfers of that asset, as signed amounts", func(t *testing.T, s eth.Store) {
			ethIngest(t, eth.Config{BatchBlocks: 3}, ethGen(3).Chain(0, common.Hash{}, 9), s)
			for i := range 24 {
				a := ethtest.Addr(i).Hex()
				for _, asset := range []string{eth.NativeAsset, eth.TokenAsset(ethtest.Token)} {
					hist, err := s.AddressTransfers(ctx(t), a, asset, 0, 0)
					must(t, "AddressTransfers", err)
					flows, err := s.BalanceFlows(ctx(t), a, asset, 0, 0)
					must(t, "BalanceFlows", err)
					if len(flows) != len(hist) {
						t.Fatalf("%s %s: %d flows, %d transfers", a, asset, len(flows), len(hist))
					}
					for j, f := range flows {
						h := hist[j]
						if f.ID != h.Transfer.ID || f.Dir != h.Dir || f.Amount.Cmp(h.Transfer.Amount) != 0 {
							t.Fatalf("%s %s flow %d = %+v %v %s, transfer %+v %v %s", a, asset, j, f.ID, f.Dir, f.Amount, h.Transfer.ID, h.Dir, h.Transfer.Amount)
						}
					}
				}
			}
		}},
		{"a change that does not extend the tip fails with ErrNotTip and writes nothing", func(t *testing.T, s eth.Store) {
			blocks := ethGen(4).Chain(0, common.Hash{}, 4)
			ethIngest(t, eth.Config{BatchBlocks: 1}, blocks[:2], s)
			before, err := s.Digest(ctx(t))
			must(t, "Digest", err)
			recs, err := eth.BuildRecords(blocks[3])
			must(t, "BuildRecords", err)
			err = s.Commit(ctx(t), []eth.Change{{Connect: recs, Tip: eth.BlockRef{Height: 3, Hash: blocks[3].Block.Hash}}})
			wantErrIs(t, "Commit of a block above a gap", err, eth.ErrNotTip)
			err = s.Commit(ctx(t), []eth.Change{{Disconnect: &eth.Disconnect{Block: eth.BlockRef{Height: 0, Hash: blocks[0].Block.Hash}}, Empty: true}})
			wantErrIs(t, "Commit of a disconnect below the tip", err, eth.ErrNotTip)
			after, err := s.Digest(ctx(t))
			must(t, "Digest", err)
			if before != after {
				t.Fatal("a refused commit changed the index")
			}
		}},
		{"amounts beyond 64 bits and ERC-721 token ids survive the store", func(t *testing.T, s eth.Store) {
			bd := ethGen(5).Block(8, common.Hash{})
			ethIngest(t, eth.Config{BatchBlocks: 1}, []*eth.BlockData{bd}, s)
			ts, err := s.Transfers(ctx(t), 8)
			must(t, "Transfers", err)
			var big64, nft bool
			for _, tr := range ts {
				big64 = big64 || tr.Amount.Cmp(new(big.Int).Lsh(big.NewInt(1), 64)) >= 0
				nft = nft || tr.Kind == eth.KindERC721 && tr.TokenID != nil && tr.TokenID.Int64() == 8
			}
			if !big64 || !nft {
				t.Fatalf("transfers lack a >64-bit amount (%v) or the ERC-721 token id 8 (%v): %d transfers", big64, nft, len(ts))
			}
		}},
	}
}

// compareLookups compares every per-block lookup of s and ref at height.
func compareLookups(t *testing.T, s, ref eth.Store, height int64, hash common.Hash) {
	t.Helper()
	type lookup struct {
		name string
		get  func(eth.Store) (any, error)
	}
	for _, l := range []lookup{
		{"BlockByNumber", func(x eth.Store) (any, error) { return x.BlockByNumber(ctx(t), height) }},
		{"BlockByHash", func(x eth.Store) (any, error) { return x.BlockByHash(ctx(t), hash) }},
		{"Txs", func(x eth.Store) (any, error) { return x.Txs(ctx(t), height) }},
		{"Logs", func(x eth.Store) (any, error) { return x.Logs(ctx(t), height) }},
		{"Traces", func(x eth.Store) (any, error) { return x.Traces(ctx(t), height) }},
		{"Tokens", func(x eth.Store) (any, error) { return x.Tokens(ctx(t), height) }},
		{"Transfers", func(x eth.Store) (any, error) { return x.Transfers(ctx(t), height) }},
		{"Undo", func(x eth.Store) (any, error) { return x.Undo(ctx(t), height) }},
	} {
		got, err := l.get(s)
		must(t, l.name, err)
		want, err := l.get(ref)
		must(t, "reference "+l.name, err)
		sameJSON(t, l.name, got, want)
	}
}
