package trace

import (
	"context"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/interdict/interdict/internal/index/ethereum"
)

// utxoGraph is a hand-built UTXO chain: one transaction per block, in the
// order they are added, outputs named by their address.
type utxoGraph struct {
	txs    map[chainhash.Hash]*UTXOTx
	names  map[string]chainhash.Hash
	spends map[wire.OutPoint]chainhash.Hash
	addrs  map[string][]wire.OutPoint
}

func newUTXOGraph() *utxoGraph {
	return &utxoGraph{txs: map[chainhash.Hash]*UTXOTx{}, names: map[string]chainhash.Hash{},
		spends: map[wire.OutPoint]chainhash.Hash{}, addrs: map[string][]wire.OutPoint{}}
}

// out is an output: address and value.
type out struct {
	addr  string
	value int64
}

// tx adds a transaction spending the named outputs ("tx:vout") and paying
// outs; a coinbase when ins is empty.
func (g *utxoGraph) tx(t *testing.T, name string, ins []string, outs ...out) {
	t.Helper()
	id := chainhash.HashH([]byte(name))
	h := int64(len(g.txs) + 1)
	tx := &UTXOTx{Txid: id, Height: h, Index: 1, Time: 1_700_000_000 + 600*h, Coinbase: len(ins) == 0}
	for _, ref := range ins {
		op := g.op(t, ref)
		prev := g.txs[op.Hash]
		o := prev.Outputs[op.Index]
		tx.Inputs = append(tx.Inputs, UTXOInput{Prev: op, Value: o.Value, Known: true})
		if _, dup := g.spends[op]; dup {
			t.Fatalf("%s spent twice", ref)
		}
		g.spends[op] = id
	}
	for i, o := range outs {
		tx.Outputs = append(tx.Outputs, UTXOOutput{Value: o.value, Script: []byte(o.addr)})
		g.addrs[o.addr] = append(g.addrs[o.addr], wire.OutPoint{Hash: id, Index: uint32(i)})
	}
	g.txs[id] = tx
	g.names[name] = id
}

func (g *utxoGraph) op(t *testing.T, ref string) wire.OutPoint {
	t.Helper()
	name, vout, _ := strings.Cut(ref, ":")
	id, ok := g.names[name]
	if !ok {
		t.Fatalf("no tx %q", name)
	}
	var n uint32
	fmt.Sscan(vout, &n)
	return wire.OutPoint{Hash: id, Index: n}
}

func (g *utxoGraph) id(name string) string { h := g.names[name]; return h.String() }

func (g *utxoGraph) Tx(_ context.Context, id chainhash.Hash) (*UTXOTx, error) {
	t, ok := g.txs[id]
	if !ok {
		return nil, fmt.Errorf("%w: tx %s", ErrNotFound, id)
	}
	return t, nil
}

func (g *utxoGraph) Spender(_ context.Context, op wire.OutPoint) (chainhash.Hash, int64, bool, error) {
	id, ok := g.spends[op]
	if !ok {
		return id, 0, false, nil
	}
	return id, g.txs[id].Height, true, nil
}

// Address: the hand-built scripts are their addresses.
func (g *utxoGraph) Address(script []byte) string { return string(script) }

func (g *utxoGraph) AddressOutputs(_ context.Context, a string, limit int) ([]wire.OutPoint, error) {
	ops := g.addrs[a]
	if limit > 0 && len(ops) > limit {
		ops = ops[:limit]
	}
	return ops, nil
}

// reachedMap is the result's reached list as address → tainted (with the
// exact fraction after a space when not whole).
func reachedMap(r *Result) map[string]string {
	m := map[string]string{}
	for _, x := range r.Reached {
		k := x.Address
		if x.Asset != "btc" && x.Asset != "" {
			k += "@" + x.Asset
		}
		v := x.Tainted
		if x.TaintedExact != "" {
			v += " " + x.TaintedExact
		}
		m[k] = v
	}
	return m
}

// accountGraph is a hand-built account chain: transfers in the order added,
// one transaction each unless grouped.
type accountGraph struct {
	transfers []*ethereum.Transfer
	times     map[int64]int64
	height    int64
}

// eth is n ether in wei.
func eth(n float64) *big.Int {
	r, _ := new(big.Rat).SetString(fmt.Sprint(n))
	r.Mul(r, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(18), nil)))
	if !r.IsInt() {
		panic("not whole wei")
	}
	return new(big.Int).Set(r.Num())
}

// addr is a readable name as a 20-byte address (hash of the name).
func addr(name string) string {
	return ethereum.NormalizeAddress(common.BytesToAddress(crypto.Keccak256([]byte(name))[:20]))
}

// send adds one transaction at the next height moving the amounts: each
// move is from, to, asset, amount (kind fee when to is "fee").
func (g *accountGraph) send(name string, moves ...move) common.Hash {
	g.height++
	h := g.height
	if g.times == nil {
		g.times = map[int64]int64{}
	}
	g.times[h] = 1_700_000_000 + 12*h
	txh := common.BytesToHash(crypto.Keccak256([]byte(name)))
	for i, m := range moves {
		t := &ethereum.Transfer{ID: ethereum.TransferID{Height: h, TxIndex: 0, Source: ethereum.SourceLog, Index: uint32(i)},
			Kind: ethereum.KindCall, Asset: m.asset, From: addr(m.from), To: addr(m.to), Amount: m.amount, TxHash: txh}
		if m.to == "fee" {
			t.Kind, t.To, t.ID.Source = ethereum.KindFee, "", ethereum.SourceFee
		}
		if m.asset != ethereum.NativeAsset {
			t.Kind = ethereum.KindERC20
		}
		g.transfers = append(g.transfers, t)
	}
	slices.SortStableFunc(g.transfers, func(a, b *ethereum.Transfer) int { return a.ID.Compare(b.ID) })
	return txh
}

type move struct {
	from, to, asset string
	amount          *big.Int
}

func (g *accountGraph) AddressTransfers(_ context.Context, address, asset string, from int64, limit int) ([]ethereum.AddressTransfer, error) {
	var out []ethereum.AddressTransfer
	for _, t := range g.transfers {
		if t.ID.Height < from || asset != "" && t.Asset != asset {
			continue
		}
		if t.From == address {
			out = append(out, ethereum.AddressTransfer{Dir: ethereum.Out, Transfer: t})
		}
		if t.To == address {
			out = append(out, ethereum.AddressTransfer{Dir: ethereum.In, Transfer: t})
		}
		if limit > 0 && len(out) >= limit {
			return out[:limit], nil
		}
	}
	return out, nil
}

func (g *accountGraph) TxTransfers(_ context.Context, h common.Hash) ([]*ethereum.Transfer, error) {
	var out []*ethereum.Transfer
	for _, t := range g.transfers {
		if t.TxHash == h {
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: tx %s", ErrNotFound, h)
	}
	return out, nil
}

func (g *accountGraph) BlockTime(_ context.Context, h int64) (int64, error) { return g.times[h], nil }

// tagSet is a Tagger over a fixed map.
type tagSet map[string][]Tag

func (s tagSet) Tags(_ context.Context, _, address string) ([]Tag, error) { return s[address], nil }

func config(m Model, d Direction) Config {
	c := DefaultConfig()
	c.Model, c.Direction, c.MaxHops = m, d, 0
	return c
}

var models = []Model{Poison, Haircut, FIFO}

func timeOf(unix int64) time.Time { return time.Unix(unix, 0) }

func bigInt(n int64) *big.Int { return big.NewInt(n) }
