// Package ethtest generates synthetic Ethereum chains for the index's tests
// and benchmarks: blocks with transactions of every kind the transfer rules
// distinguish (plain payments, failed transactions, contract creations,
// ERC-20 and ERC-721 transfers, nested calls with a reverted frame,
// self-destructs, withdrawals, block rewards), their receipts and Parity-style
// traces, and a Node serving a chain that tests can change under a follower.
package ethtest

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math/big"
	"math/rand/v2"
	"sync"

	"github.com/ethereum/go-ethereum/common"

	eth "github.com/interdict/interdict/internal/index/ethereum"
	src "github.com/interdict/interdict/internal/sources/ethereum"
)

// Gen generates blocks deterministically from its seed; Salt changes the
// blocks' hashes (and content) so a fork from the same parent differs.
type Gen struct {
	Seed, Salt uint64
	// TxsPerBlock is the number of transactions per block (default 6).
	TxsPerBlock int
	// Traced fills the blocks' traces.
	Traced bool
	// Accounts is the size of the address pool (default 24).
	Accounts int
}

// Addr returns the i-th address of the pool.
func Addr(i int) common.Address {
	h := sha256.Sum256(binary.BigEndian.AppendUint64([]byte("acct"), uint64(i)))
	return common.BytesToAddress(h[:20])
}

// Token is the ERC-20 contract the generated transfers use; NFT the ERC-721.
var (
	Token = common.HexToAddress("0x00000000000000000000000000000000000020c0")
	NFT   = common.HexToAddress("0x0000000000000000000000000000000000000721")
)

func hashOf(parts ...any) common.Hash {
	return common.Hash(sha256.Sum256([]byte(fmt.Sprint(parts...))))
}

func word(b []byte) common.Hash { return common.BytesToHash(b) }

func u64(v uint64) *uint64 { return &v }

// Chain returns n blocks from parent (nil: a genesis at height from).
func (g Gen) Chain(from int64, parent common.Hash, n int) []*eth.BlockData {
	out := make([]*eth.BlockData, 0, n)
	for i := range n {
		bd := g.Block(from+int64(i), parent)
		out = append(out, bd)
		parent = bd.Block.Hash
	}
	return out
}

// Block generates the block at height on parent.
func (g Gen) Block(height int64, parent common.Hash) *eth.BlockData {
	ntx := g.TxsPerBlock
	if ntx == 0 {
		ntx = 6
	}
	accounts := g.Accounts
	if accounts == 0 {
		accounts = 24
	}
	r := rand.New(rand.NewPCG(g.Seed^uint64(height)*0x9e3779b97f4a7c15, g.Salt+uint64(height)))
	hash := hashOf("block", g.Seed, g.Salt, height, parent)
	miner := Addr(r.IntN(accounts))
	b := &src.Block{Number: uint64(height), Hash: hash, ParentHash: parent, Miner: miner,
		Difficulty: big.NewInt(0), GasLimit: 30_000_000, Timestamp: 1_700_000_000 + uint64(height)*12,
		BaseFeePerGas: big.NewInt(int64(7 + r.IntN(30))), Nonce: make([]byte, 8), ExtraData: []byte{}, Txs: []*src.Tx{}}
	bd := &eth.BlockData{Block: b, Traced: g.Traced}
	var logIndex uint64
	for i := range ntx {
		from, to := Addr(r.IntN(accounts)), Addr(r.IntN(accounts))
		tx := &src.Tx{Hash: hashOf("tx", hash, i), Type: src.DynamicFeeTxType, BlockHash: hash, BlockNumber: uint64(height),
			Index: uint64(i), From: from, To: &to, Nonce: r.Uint64N(1000), Value: big.NewInt(int64(r.IntN(5)) * 1e15),
			Gas: 100_000, Input: []byte{}, GasPrice: new(big.Int).Add(b.BaseFeePerGas, big.NewInt(2)),
			MaxFeePerGas: big.NewInt(100), MaxPriorityFeePerGas: big.NewInt(2), ChainID: big.NewInt(1),
			V: big.NewInt(0), R: big.NewInt(1), S: big.NewInt(2), YParity: u64(0)}
		rc := &src.Receipt{TxHash: tx.Hash, TxIndex: uint64(i), BlockHash: hash, BlockNumber: uint64(height), From: from, To: &to,
			Type: tx.Type, GasUsed: 21_000 + r.Uint64N(50_000), Status: u64(1), EffectiveGasPrice: tx.GasPrice, LogsBloom: []byte{}}
		rc.CumulativeGasUsed = rc.GasUsed * uint64(i+1)
		var traces []*src.Trace
		root := &src.Trace{BlockNumber: uint64(height), BlockHash: hash, TxHash: &tx.Hash, TxIndex: u64(uint64(i)), Type: src.TraceCall,
			CallType: "call", From: &from, To: &to, Value: tx.Value, Input: []byte{}, Output: []byte{}, Gas: u64(tx.Gas), GasUsed: u64(rc.GasUsed), TraceAddress: []int{}}
		traces = append(traces, root)
		switch i % 6 {
		case 1: // a failed transaction: no value moves, the fee is paid
			rc.Status = u64(0)
			root.Error = "Reverted"
		case 2: // a contract creation
			tx.To, rc.To = nil, nil
			created := common.BytesToAddress(hashOf("create", tx.Hash).Bytes()[:20])
			rc.ContractAddress = &created
			root.Type, root.CallType, root.To = src.TraceCreate, "", &created
			rc.Logs = append(rc.Logs, &src.Log{Address: created, Topics: []common.Hash{hashOf("Deployed")}, Data: []byte{1}})
		case 3: // ERC-20 and ERC-721 transfers
			tx.To, rc.To = &Token, &Token
			root.To = &Token
			amount := new(big.Int).Lsh(big.NewInt(int64(1+r.IntN(1000))), 64)
			rc.Logs = append(rc.Logs,
				&src.Log{Address: Token, Topics: []common.Hash{eth.TransferTopic, word(from[:]), word(to[:])}, Data: common.LeftPadBytes(amount.Bytes(), 32)},
				&src.Log{Address: NFT, Topics: []common.Hash{eth.TransferTopic, word(from[:]), word(to[:]), word(big.NewInt(int64(height)).Bytes())}, Data: []byte{}},
				&src.Log{Address: Token, Topics: []common.Hash{eth.TransferTopic, word(from[:])}, Data: []byte{}}) // malformed: skipped
		case 4: // nested calls: one inner frame reverts, its child moves nothing
			mid, leaf := Addr(r.IntN(accounts)), Addr(r.IntN(accounts))
			traces = append(traces,
				&src.Trace{Type: src.TraceCall, CallType: "call", From: &to, To: &mid, Value: big.NewInt(3e14), TraceAddress: []int{0}, Subtraces: 1},
				&src.Trace{Type: src.TraceCall, CallType: "call", From: &mid, To: &leaf, Value: big.NewInt(1e14), TraceAddress: []int{0, 0}},
				&src.Trace{Type: src.TraceCall, CallType: "call", From: &to, To: &leaf, Value: big.NewInt(5e14), TraceAddress: []int{1}, Error: "Reverted", Subtraces: 1},
				&src.Trace{Type: src.TraceCall, CallType: "call", From: &leaf, To: &mid, Value: big.NewInt(7e14), TraceAddress: []int{1, 0}},
				&src.Trace{Type: src.TraceCall, CallType: "delegatecall", From: &to, To: &mid, Value: big.NewInt(9e14), TraceAddress: []int{2}})
			root.Subtraces = 3
		case 5: // a self-destruct sends the contract's balance on
			heir := Addr(r.IntN(accounts))
			traces = append(traces, &src.Trace{Type: src.TraceSuicide, From: &to, To: &heir, Value: big.NewInt(2e15), TraceAddress: []int{0}})
			root.Subtraces = 1
		}
		for _, l := range rc.Logs {
			l.BlockNumber, l.BlockHash, l.TxHash, l.TxIndex, l.Index = uint64(height), hash, tx.Hash, uint64(i), logIndex
			logIndex++
		}
		for _, t := range traces[1:] {
			t.BlockNumber, t.BlockHash, t.TxHash, t.TxIndex = uint64(height), hash, &tx.Hash, u64(uint64(i))
		}
		b.Txs = append(b.Txs, tx)
		b.TxHashes = append(b.TxHashes, tx.Hash)
		b.GasUsed += rc.GasUsed
		bd.Receipts = append(bd.Receipts, rc)
		if g.Traced {
			bd.Traces = append(bd.Traces, traces...)
		}
	}
	if g.Traced {
		bd.Traces = append(bd.Traces, &src.Trace{BlockNumber: uint64(height), BlockHash: hash, Type: src.TraceReward, RewardType: "block",
			To: &miner, Value: big.NewInt(2e18), TraceAddress: []int{}})
	}
	if height%3 == 0 {
		b.Withdrawals = []src.Withdrawal{{Index: uint64(height), ValidatorIndex: 7, Address: Addr(r.IntN(accounts)), Amount: 1_000_000 + r.Uint64N(1000)}}
	}
	if height%4 == 0 {
		bd.Tokens = []*src.Token{{Address: Token, Symbol: ptr("TKN"), Name: ptr("Token"), Decimals: big.NewInt(18), TotalSupply: big.NewInt(1e18)}}
	}
	return bd
}

func ptr[T any](v T) *T { return &v }

// Node is an in-memory node whose chain tests replace under a follower. It
// implements eth.Node.
type Node struct {
	mu     sync.Mutex
	blocks []*eth.BlockData // by height from the first
	first  int64
}

// NewNode serves chain (consecutive blocks).
func NewNode(chain []*eth.BlockData) *Node {
	n := &Node{}
	n.SetChain(chain)
	return n
}

// SetChain replaces the node's chain.
func (n *Node) SetChain(chain []*eth.BlockData) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.blocks = chain
	if len(chain) > 0 {
		n.first = int64(chain[0].Block.Number)
	}
}

// Head implements eth.Node.
func (n *Node) Head(context.Context) (int64, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.first + int64(len(n.blocks)) - 1, nil
}

func (n *Node) at(height int64) (*eth.BlockData, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	i := height - n.first
	if i < 0 || i >= int64(len(n.blocks)) {
		return nil, fmt.Errorf("node block %d: %w", height, eth.ErrNotFound)
	}
	return n.blocks[i], nil
}

// BlockHash implements eth.Node.
func (n *Node) BlockHash(_ context.Context, height int64) (common.Hash, error) {
	bd, err := n.at(height)
	if err != nil {
		return common.Hash{}, err
	}
	return bd.Block.Hash, nil
}

// Block implements eth.Node.
func (n *Node) Block(_ context.Context, height int64) (*eth.BlockData, error) { return n.at(height) }
