package rpctest

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
)

// Node is a fake Bitcoin Core node serving a chain that the test grows and
// reorganises while clients read it. It answers getblockcount,
// getbestblockhash, getblockhash, getblock (verbosity 0, 1 and 2, or Core's
// older true/false), and getrawtransaction for transactions of its best chain
// (as a node with -txindex does), with Core's error codes: -8 for a height
// past the tip, -5 for an unknown block or transaction, -32601 for any other
// method. Like Core it keeps serving blocks a reorg left behind, by hash.
// Faults, auth and Calls work as on a replay Server.
type Node struct {
	*Server
	params *chaincfg.Params

	mu     sync.Mutex // guards the fields below
	best   []*wire.MsgBlock
	byHash map[chainhash.Hash]nodeBlock
}

type nodeBlock struct {
	msg    *wire.MsgBlock
	height int64
}

// ErrParentUnknown is Submit's error for a block whose parent the node lacks.
var ErrParentUnknown = errors.New("rpctest: parent block unknown")

// NewNode starts a node on params (nil: regtest) whose best chain is blocks
// (genesis first) and stops it when the test ends.
func NewNode(tb testing.TB, params *chaincfg.Params, blocks []*wire.MsgBlock) *Node {
	tb.Helper()
	if params == nil {
		params = &chaincfg.RegressionNetParams
	}
	n := &Node{params: params, byHash: map[chainhash.Hash]nodeBlock{}}
	if len(blocks) > 0 {
		n.best = []*wire.MsgBlock{blocks[0]}
		n.byHash[blocks[0].BlockHash()] = nodeBlock{blocks[0], 0}
		if err := n.Submit(blocks[1:]...); err != nil {
			tb.Fatal(err)
		}
	}
	n.Server = &Server{}
	n.answer = n.serveChain
	n.Server.Server = httptest.NewServer(http.HandlerFunc(n.serve))
	tb.Cleanup(n.Close)
	return n
}

// Submit adds blocks, each on a parent the node knows (an earlier one of
// blocks included), as submitblock does: a block making a chain longer than
// the best one makes that chain the best, so submitting a branch that forks
// below the tip and ends above it is a reorg. A shorter or equal branch is
// kept aside. Submit is safe while clients are reading.
func (n *Node) Submit(blocks ...*wire.MsgBlock) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, b := range blocks {
		hash := b.BlockHash()
		if _, ok := n.byHash[hash]; ok {
			continue
		}
		parent, ok := n.byHash[b.Header.PrevBlock]
		if !ok {
			return fmt.Errorf("%w: block %s on %s", ErrParentUnknown, hash, b.Header.PrevBlock)
		}
		nb := nodeBlock{b, parent.height + 1}
		n.byHash[hash] = nb
		if nb.height < int64(len(n.best)) {
			continue
		}
		// The new best chain: walk back from b to where it meets the old one.
		branch := []*wire.MsgBlock{b}
		for h := nb.height - 1; h >= 0; h-- {
			p := n.byHash[branch[len(branch)-1].Header.PrevBlock]
			if h < int64(len(n.best)) && n.best[h].BlockHash() == p.msg.BlockHash() {
				break
			}
			branch = append(branch, p.msg)
		}
		fork := nb.height - int64(len(branch))
		n.best = n.best[:fork+1]
		for i := len(branch) - 1; i >= 0; i-- {
			n.best = append(n.best, branch[i])
		}
	}
	return nil
}

// Height is the height of the node's best tip.
func (n *Node) Height() int64 {
	n.mu.Lock()
	defer n.mu.Unlock()
	return int64(len(n.best)) - 1
}

// rpcErr answers with a Core error: HTTP 500 (404 for an unknown method), as
// Core does for JSON-RPC 1.0 requests.
func rpcErr(id json.RawMessage, code int, msg string) (response, int) {
	status := http.StatusInternalServerError
	if code == -32601 {
		status = http.StatusNotFound
	}
	return response{Result: json.RawMessage("null"), Error: &rpcError{code, msg}, ID: id}, status
}

func ok(id json.RawMessage, v any) (response, int) {
	b, err := json.Marshal(v)
	if err != nil {
		return rpcErr(id, -32603, err.Error())
	}
	return response{Result: b, ID: id}, http.StatusOK
}

func (n *Node) serveChain(q request) (response, int) {
	id := n.record(q)
	n.mu.Lock()
	defer n.mu.Unlock()
	switch q.Method {
	case "getblockcount":
		return ok(id, len(n.best)-1)
	case "getbestblockhash":
		return ok(id, n.best[len(n.best)-1].BlockHash().String())
	case "getblockhash":
		var h int64
		if len(q.Params) != 1 || json.Unmarshal(q.Params[0], &h) != nil {
			return rpcErr(id, -1, "getblockhash height")
		}
		if h < 0 || h >= int64(len(n.best)) {
			return rpcErr(id, -8, "Block height out of range")
		}
		return ok(id, n.best[h].BlockHash().String())
	case "getblock":
		return n.getBlock(id, q.Params)
	case "getrawtransaction":
		return n.getRawTransaction(id, q.Params)
	}
	return rpcErr(id, -32601, "Method not found")
}

// hashParam reads a hex hash param.
func hashParam(p json.RawMessage) (chainhash.Hash, bool) {
	var s string
	if json.Unmarshal(p, &s) != nil {
		return chainhash.Hash{}, false
	}
	h, err := chainhash.NewHashFromStr(s)
	if err != nil || len(s) != 2*chainhash.HashSize {
		return chainhash.Hash{}, false
	}
	return *h, true
}

// verbosity reads getblock's second param: a number, or Core's older
// boolean verbose flag; absent means 1.
func verbosity(params []json.RawMessage) (int, bool) {
	if len(params) < 2 || string(bytes.TrimSpace(params[1])) == "null" {
		return 1, true
	}
	var b bool
	if json.Unmarshal(params[1], &b) == nil {
		if b {
			return 1, true
		}
		return 0, true
	}
	var v int
	if json.Unmarshal(params[1], &v) != nil || v < 0 || v > 3 {
		return 0, false
	}
	return min(v, 2), true // 3 adds prevouts to 2, which nothing here reads
}

func (n *Node) getBlock(id json.RawMessage, params []json.RawMessage) (response, int) {
	if len(params) == 0 {
		return rpcErr(id, -1, "getblock blockhash ( verbosity )")
	}
	hash, good := hashParam(params[0])
	if !good {
		return rpcErr(id, -8, "blockhash must be of length 64 (not "+strconv.Itoa(len(params[0]))+")")
	}
	v, good := verbosity(params)
	if !good {
		return rpcErr(id, -1, "verbosity must be 0, 1, 2 or 3")
	}
	nb, found := n.byHash[hash]
	if !found {
		return rpcErr(id, -5, "Block not found")
	}
	if v == 0 {
		var buf bytes.Buffer
		if err := nb.msg.Serialize(&buf); err != nil {
			return rpcErr(id, -32603, err.Error())
		}
		return ok(id, hex.EncodeToString(buf.Bytes()))
	}
	return ok(id, n.blockJSON(nb, v))
}

// confirmations is Core's count: 1 for the tip, -1 for a stale block.
func (n *Node) confirmations(nb nodeBlock) int64 {
	if nb.height >= int64(len(n.best)) || n.best[nb.height].BlockHash() != nb.msg.BlockHash() {
		return -1
	}
	return int64(len(n.best)) - nb.height
}

func (n *Node) blockJSON(nb nodeBlock, v int) map[string]any {
	m := nb.msg
	hash := m.BlockHash()
	size, stripped := m.SerializeSize(), m.SerializeSizeStripped()
	txs := make([]any, len(m.Transactions))
	for i, tx := range m.Transactions {
		if v == 1 {
			txs[i] = tx.TxHash().String()
		} else {
			txs[i] = n.txJSON(tx)
		}
	}
	out := map[string]any{
		"hash":          hash.String(),
		"confirmations": n.confirmations(nb),
		"size":          size,
		"strippedsize":  stripped,
		"weight":        stripped*(blockchain.WitnessScaleFactor-1) + size,
		"height":        nb.height,
		"version":       m.Header.Version,
		"versionHex":    fmt.Sprintf("%08x", uint32(m.Header.Version)),
		"merkleroot":    m.Header.MerkleRoot.String(),
		"tx":            txs,
		"time":          m.Header.Timestamp.Unix(),
		"nonce":         m.Header.Nonce,
		"bits":          fmt.Sprintf("%08x", m.Header.Bits),
		"nTx":           len(m.Transactions),
	}
	if nb.height > 0 {
		out["previousblockhash"] = m.Header.PrevBlock.String()
	}
	if c := n.confirmations(nb); c > 1 {
		out["nextblockhash"] = n.best[nb.height+1].BlockHash().String()
	}
	return out
}

func (n *Node) getRawTransaction(id json.RawMessage, params []json.RawMessage) (response, int) {
	if len(params) == 0 {
		return rpcErr(id, -1, "getrawtransaction txid ( verbose blockhash )")
	}
	txid, good := hashParam(params[0])
	if !good {
		return rpcErr(id, -8, "txid must be of length 64")
	}
	verbose := false
	if len(params) > 1 {
		var b bool
		var i int
		if json.Unmarshal(params[1], &b) == nil {
			verbose = b
		} else if json.Unmarshal(params[1], &i) == nil {
			verbose = i != 0
		}
	}
	// Newest first, so a txid repeated under BIP30 finds its last copy.
	for h := len(n.best) - 1; h >= 0; h-- {
		for _, tx := range n.best[h].Transactions {
			if tx.TxHash() != txid {
				continue
			}
			if !verbose {
				var buf bytes.Buffer
				if err := tx.Serialize(&buf); err != nil {
					return rpcErr(id, -32603, err.Error())
				}
				return ok(id, hex.EncodeToString(buf.Bytes()))
			}
			j := n.txJSON(tx)
			j["blockhash"] = n.best[h].BlockHash().String()
			j["confirmations"] = len(n.best) - h
			j["blocktime"] = n.best[h].Header.Timestamp.Unix()
			return ok(id, j)
		}
	}
	return rpcErr(id, -5, "No such mempool or blockchain transaction. Use gettransaction for wallet transactions.")
}
