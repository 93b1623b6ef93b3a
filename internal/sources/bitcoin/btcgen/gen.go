package btcgen

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// Config says what chain to generate.
type Config struct {
	// Seed decides every byte of the chain.
	Seed uint64
	// Params is the network: its genesis block is height 0 and its magic frames
	// blk files. Nil means regtest.
	Params *chaincfg.Params
	// Blocks is the height of the last block (genesis excluded from the count).
	// The first CoinbaseMaturity blocks hold only their coinbase, as on a fresh
	// regtest chain, since nothing is spendable before.
	Blocks int32
	// Txs is the target number of transactions over the whole chain, coinbases
	// included; the blocks after the warm-up share it evenly.
	Txs int
	// Heist adds a theft from an exchange hot wallet, laundered through peeling
	// chains and a CoinJoin into other exchanges' deposit addresses.
	Heist bool
}

// ErrConfig reports a Config that cannot give a chain.
var ErrConfig = errors.New("btcgen: bad config")

// Network parameters the generator fixes.
const (
	// Bits is regtest's powLimit: the generator does not mine.
	Bits = 0x207fffff
	// dust is the smallest output value the generator makes.
	dust = 546
	// exchanges is the number of simulated exchanges, each with deposit
	// addresses swept into one reused hot-wallet address.
	exchanges        = 3
	depositsPerExch  = 1000
	blockInterval    = 600
	coinbaseTag      = "/interdict-chaingen/"
	maxPool          = 60_000 // user coins above which consolidations dominate
	minPool          = 256    // user coins below which withdrawals dominate
	maxBatchOutputs  = 120
	maxConsolidateIn = 60
)

// coin is a spendable output the generator owns.
type coin struct {
	op    wire.OutPoint
	value int64
	kind  scriptKind
}

// exchange is a custodial service: many deposit addresses, one hot wallet.
type exchange struct {
	deposits [][]byte // output scripts of the deposit addresses
	hot      []byte   // the reused hot-wallet script
	hotKind  scriptKind
	depKind  scriptKind
	pending  []coin // deposits not yet swept
	wallet   []coin // hot-wallet coins
}

// peel is a peeling chain in progress: one coin, repeatedly split into a small
// payment and a large change that the next hop spends.
type peel struct {
	c    coin
	hops int // left
}

// Generator produces the chain block by block. It is not safe for concurrent
// use.
type Generator struct {
	cfg    Config
	params *chaincfg.Params
	rng    *rand.Rand

	height  int32
	tip     chainhash.Hash
	time    time.Time
	made    int // transactions so far, coinbases included
	feeRate int64

	users    []coin
	maturing [][]coin // coinbase outputs by height, released after maturity
	exch     [exchanges]exchange
	peels    []peel
	heist    *heistState

	// per-block scratch
	txs  []*btcutil.Tx
	fees int64
}

// New returns a generator positioned at the network's genesis block.
func New(cfg Config) (*Generator, error) {
	if cfg.Params == nil {
		cfg.Params = &chaincfg.RegressionNetParams
	}
	if cfg.Blocks < 0 || cfg.Txs < 0 {
		return nil, fmt.Errorf("%w: negative blocks or txs", ErrConfig)
	}
	mat := int32(cfg.Params.CoinbaseMaturity)
	if cfg.Txs > int(cfg.Blocks)+1 && cfg.Blocks <= mat {
		return nil, fmt.Errorf("%w: %d blocks hold no spendable coins (coinbase maturity %d); need more blocks for %d txs",
			ErrConfig, cfg.Blocks, mat, cfg.Txs)
	}
	if cfg.Heist && cfg.Blocks < mat+3 {
		return nil, fmt.Errorf("%w: a heist needs at least %d blocks", ErrConfig, mat+3)
	}
	g := &Generator{
		cfg:    cfg,
		params: cfg.Params,
		rng:    rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15)),
		tip:    *cfg.Params.GenesisHash,
		time:   cfg.Params.GenesisBlock.Header.Timestamp,
		made:   1,
	}
	for i := range g.exch {
		e := &g.exch[i]
		// Exchanges differ in address type so deposits cover the formats.
		e.depKind = [exchanges]scriptKind{kindP2WPKH, kindP2PKH, kindP2SH}[i]
		e.hotKind = [exchanges]scriptKind{kindP2WSH, kindP2SH, kindP2TR}[i]
		e.hot = g.randomScript(e.hotKind)
		e.deposits = make([][]byte, depositsPerExch)
		for j := range e.deposits {
			e.deposits[j] = g.randomScript(e.depKind)
		}
	}
	if cfg.Heist {
		mat := int32(cfg.Params.CoinbaseMaturity)
		g.heist = &heistState{at: mat + 1 + (cfg.Blocks-mat)/3}
	}
	return g, nil
}

// Genesis returns the network's genesis block, height 0 of every generated
// chain.
func (g *Generator) Genesis() *wire.MsgBlock { return g.params.GenesisBlock }

// Height is the height of the last block returned (0 before the first Next).
func (g *Generator) Height() int32 { return g.height }

// Done reports whether the chain has reached Config.Blocks.
func (g *Generator) Done() bool { return g.height >= g.cfg.Blocks }

// Txs is the number of transactions generated so far, genesis included.
func (g *Generator) Txs() int { return g.made }

// Reseed switches the generator to another random stream: the blocks it makes
// from here on differ from those the original seed would make, which is how
// GenerateFork builds a competing branch.
func (g *Generator) Reseed(seed uint64) {
	g.rng = rand.New(rand.NewPCG(seed, seed^0x5851f42d4c957f2d))
}

// Next builds the block at the next height on top of the previous one. It
// may be called past Config.Blocks (a fork may outgrow its base chain); those
// blocks take the same share of transactions as the last one.
func (g *Generator) Next() *wire.MsgBlock {
	g.height++
	h := g.height
	mat := int32(g.params.CoinbaseMaturity)
	if h > mat {
		g.users = append(g.users, g.maturing[0]...)
		g.maturing = g.maturing[1:]
	}
	g.txs = g.txs[:0]
	g.fees = 0
	g.feeRate = 1 + g.rng.Int64N(40)

	if h > mat {
		target := g.blockTarget()
		if g.heist != nil {
			g.heistStep()
		}
		g.advancePeels(target)
		for len(g.txs) < target && g.shape() {
		}
	}
	cb := g.coinbase()
	txs := make([]*btcutil.Tx, 0, len(g.txs)+1)
	txs = append(txs, cb)
	txs = append(txs, g.txs...)
	msg := &wire.MsgBlock{Transactions: make([]*wire.MsgTx, len(txs))}
	for i, t := range txs {
		msg.Transactions[i] = t.MsgTx()
	}
	g.time = g.time.Add(time.Duration(1+g.rng.IntN(2*blockInterval)) * time.Second)
	msg.Header = wire.BlockHeader{
		Version:    0x20000000,
		PrevBlock:  g.tip,
		MerkleRoot: blockchain.CalcMerkleRoot(txs, false),
		Timestamp:  g.time,
		Bits:       Bits,
		Nonce:      g.rng.Uint32(),
	}
	g.tip = msg.Header.BlockHash()
	g.made += len(txs)
	return msg
}

// blockTarget is how many non-coinbase transactions this block should hold.
func (g *Generator) blockTarget() int {
	left := int(g.cfg.Blocks-g.height) + 1
	if left < 1 {
		// Past the configured chain (a fork outgrowing it): the average share.
		return g.cfg.Txs/int(max(1, g.cfg.Blocks-int32(g.params.CoinbaseMaturity))) - 1
	}
	rest := g.cfg.Txs - g.made
	n := rest/left - 1
	if rem := rest % left; rem > 0 && g.rng.IntN(left) < rem {
		n++
	}
	return max(n, 0)
}

// coinbase builds the block's coinbase: BIP34 height, tag and extra nonce in
// the scriptSig, subsidy plus fees to a fresh miner output, and the BIP141
// witness commitment when any transaction carries a witness. Its output
// matures after CoinbaseMaturity blocks.
func (g *Generator) coinbase() *btcutil.Tx {
	extra := make([]byte, 8)
	g.fill(extra)
	sig, err := txscript.NewScriptBuilder().AddInt64(int64(g.height)).
		AddData([]byte(coinbaseTag)).AddData(extra).Script()
	if err != nil {
		panic(err) // a fixed-shape script under the size limit
	}
	tx := wire.NewMsgTx(2)
	tx.AddTxIn(&wire.TxIn{
		PreviousOutPoint: wire.OutPoint{Index: wire.MaxPrevOutIndex},
		SignatureScript:  sig,
		Sequence:         wire.MaxTxInSequenceNum,
	})
	k := kindP2WPKH
	if g.rng.IntN(4) == 0 {
		k = kindP2PKH
	}
	value := blockchain.CalcBlockSubsidy(g.height, g.params) + g.fees
	tx.AddTxOut(wire.NewTxOut(value, g.randomScript(k)))
	if g.anyWitness() {
		g.commitWitness(tx)
	}
	cb := btcutil.NewTx(tx)
	out := []coin{}
	if value > 0 {
		out = append(out, coin{op: wire.OutPoint{Hash: *cb.Hash(), Index: 0}, value: value, kind: k})
	}
	g.maturing = append(g.maturing, out)
	return cb
}

func (g *Generator) anyWitness() bool {
	for _, t := range g.txs {
		if t.MsgTx().HasWitness() {
			return true
		}
	}
	return false
}

// commitWitness adds BIP141's commitment to the coinbase: a 32-byte zero
// witness nonce and an OP_RETURN output of 0xaa21a9ed followed by
// SHA256d(witness merkle root || nonce), the coinbase's wtxid counted as zero.
func (g *Generator) commitWitness(cb *wire.MsgTx) {
	nonce := make([]byte, 32)
	cb.TxIn[0].Witness = wire.TxWitness{nonce}
	all := make([]*btcutil.Tx, 0, len(g.txs)+1)
	all = append(all, btcutil.NewTx(cb))
	all = append(all, g.txs...)
	root := blockchain.CalcMerkleRoot(all, true)
	c := chainhash.DoubleHashB(append(root[:], nonce...))
	script := append([]byte{txscript.OP_RETURN, txscript.OP_DATA_36, 0xaa, 0x21, 0xa9, 0xed}, c...)
	cb.AddTxOut(wire.NewTxOut(0, script))
}
