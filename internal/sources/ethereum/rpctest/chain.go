package rpctest

import (
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"

	"github.com/interdict/interdict/internal/sources/ethereum"
)

// Block is one block of the programmable chain with what the node serves
// about it. Block.Txs must be set (full transactions); Receipts, when set,
// are in transaction order; Traces are flat, in trace_block order.
type Block struct {
	Block    *ethereum.Block
	Receipts []*ethereum.Receipt
	Traces   []*ethereum.Trace
}

// chain is the programmable chain: blocks by height, contiguous from first.
type chain struct {
	chainID uint64
	first   uint64
	blocks  []Block
}

// SetChain replaces the served chain with blocks (contiguous heights, in
// order; each block's parent hash is not checked, so a test can also serve
// a broken chain). Recordings still win over the chain for the same call.
func (s *Server) SetChain(chainID uint64, blocks []Block) error {
	if err := checkContiguous(blocks); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := &chain{chainID: chainID, blocks: append([]Block(nil), blocks...)}
	if len(blocks) > 0 {
		c.first = blocks[0].Block.Number
	}
	s.chain = c
	return nil
}

// Reorg drops every served block at or above the first of blocks and
// appends blocks in their place: the node switched to another branch. (To
// rewind without a new branch, use Truncate.)
func (s *Server) Reorg(blocks []Block) error {
	if len(blocks) == 0 {
		return fmt.Errorf("rpctest: reorg to no blocks")
	}
	if err := checkContiguous(blocks); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.chain == nil || len(s.chain.blocks) == 0 {
		s.chain = &chain{first: blocks[0].Block.Number, blocks: append([]Block(nil), blocks...), chainID: 1}
		return nil
	}
	c := s.chain
	start := blocks[0].Block.Number
	if start < c.first || start > c.first+uint64(len(c.blocks)) {
		return fmt.Errorf("rpctest: reorg at %d outside the served chain %d..%d", start, c.first, c.first+uint64(len(c.blocks)))
	}
	c.blocks = append(c.blocks[:start-c.first:start-c.first], blocks...)
	return nil
}

// Append adds blocks on top of the served chain (the node saw new blocks).
func (s *Server) Append(blocks ...Block) error {
	s.mu.Lock()
	n := uint64(0)
	if s.chain != nil {
		n = s.chain.first + uint64(len(s.chain.blocks))
	}
	s.mu.Unlock()
	if len(blocks) > 0 && s.chain != nil && blocks[0].Block.Number != n {
		return fmt.Errorf("rpctest: append block %d on a chain ending below %d", blocks[0].Block.Number, n)
	}
	return s.Reorg(blocks)
}

// Truncate drops every served block at or above height.
func (s *Server) Truncate(height uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.chain != nil && height >= s.chain.first && height < s.chain.first+uint64(len(s.chain.blocks)) {
		s.chain.blocks = s.chain.blocks[:height-s.chain.first]
	}
}

// Head returns the height of the served chain's last block and false when
// the chain is empty.
func (s *Server) Head() (uint64, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.chain == nil || len(s.chain.blocks) == 0 {
		return 0, false
	}
	return s.chain.first + uint64(len(s.chain.blocks)) - 1, true
}

func checkContiguous(blocks []Block) error {
	for i, b := range blocks {
		if b.Block == nil {
			return fmt.Errorf("rpctest: block %d is nil", i)
		}
		if i > 0 && b.Block.Number != blocks[i-1].Block.Number+1 {
			return fmt.Errorf("rpctest: block %d after %d: heights must be contiguous", b.Block.Number, blocks[i-1].Block.Number)
		}
		if b.Receipts != nil && len(b.Receipts) != b.Block.TxCount() {
			return fmt.Errorf("rpctest: block %d has %d transactions and %d receipts", b.Block.Number, b.Block.TxCount(), len(b.Receipts))
		}
	}
	return nil
}

// answer serves method from the chain; ok is false when the chain does not
// serve method at all.
func (c *chain) answer(method string, params []any) (json.RawMessage, *rpcError, bool) {
	switch method {
	case "eth_chainId":
		return marshal(hexutil.Uint64(c.chainID)), nil, true
	case "eth_blockNumber":
		if len(c.blocks) == 0 {
			return marshal("0x0"), nil, true
		}
		return marshal(hexutil.Uint64(c.first + uint64(len(c.blocks)) - 1)), nil, true
	case "eth_getBlockByNumber", "eth_getBlockByHash":
		b, perr := c.find(method, params)
		if perr != nil {
			return nil, perr, true
		}
		if b == nil {
			return json.RawMessage("null"), nil, true
		}
		full := len(params) > 1 && params[1] == true
		var raw []byte
		var err error
		if full {
			raw, err = b.Block.MarshalJSON()
		} else {
			raw, err = b.Block.MarshalJSONHashes()
		}
		if err != nil {
			return nil, &rpcError{-32603, err.Error()}, true
		}
		return raw, nil, true
	case "eth_getBlockReceipts":
		b, perr := c.find("eth_getBlockByNumber", params)
		if perr != nil {
			return nil, perr, true
		}
		if b == nil {
			return json.RawMessage("null"), nil, true
		}
		if b.Receipts == nil {
			return nil, &rpcError{-32000, fmt.Sprintf("rpctest: block %d has no receipts set", b.Block.Number)}, true
		}
		return marshal(b.Receipts), nil, true
	case "eth_getTransactionReceipt":
		if len(params) != 1 {
			return nil, &rpcError{-32602, "want one transaction hash"}, true
		}
		h, _ := params[0].(string)
		for _, b := range c.blocks {
			for i, hash := range b.Block.TxHashes {
				if strings.EqualFold(hash.Hex(), h) && b.Receipts != nil {
					return marshal(b.Receipts[i]), nil, true
				}
			}
		}
		return json.RawMessage("null"), nil, true
	case "eth_getLogs":
		logs, perr := c.logs(params)
		if perr != nil {
			return nil, perr, true
		}
		return marshal(logs), nil, true
	case "trace_block":
		b, perr := c.find("eth_getBlockByNumber", params)
		if perr != nil {
			return nil, perr, true
		}
		if b == nil {
			return json.RawMessage("null"), nil, true
		}
		raw, err := EncodeParityTraces(b.Traces)
		if err != nil {
			return nil, &rpcError{-32603, err.Error()}, true
		}
		return raw, nil, true
	case "debug_traceBlockByNumber":
		b, perr := c.find("eth_getBlockByNumber", params)
		if perr != nil {
			return nil, perr, true
		}
		if b == nil {
			return nil, &rpcError{-32000, "block not found"}, true
		}
		raw, err := EncodeGethTraces(b.Block, b.Traces)
		if err != nil {
			return nil, &rpcError{-32603, err.Error()}, true
		}
		return raw, nil, true
	}
	return nil, nil, false
}

// find returns the block a by-number or by-hash call asks for, nil when
// the chain does not have it.
func (c *chain) find(method string, params []any) (*Block, *rpcError) {
	if len(params) == 0 {
		return nil, &rpcError{-32602, "missing block parameter"}
	}
	tag, ok := params[0].(string)
	if !ok {
		return nil, &rpcError{-32602, fmt.Sprintf("block parameter %v is not a string", params[0])}
	}
	if method == "eth_getBlockByHash" {
		for i := range c.blocks {
			if strings.EqualFold(c.blocks[i].Block.Hash.Hex(), tag) {
				return &c.blocks[i], nil
			}
		}
		return nil, nil
	}
	if len(c.blocks) == 0 {
		return nil, nil
	}
	var n uint64
	switch tag {
	case "latest", "safe", "finalized", "pending":
		n = c.first + uint64(len(c.blocks)) - 1
	case "earliest":
		n = c.first
	default:
		v, err := strconv.ParseUint(strings.TrimPrefix(tag, "0x"), 16, 64)
		if err != nil || !strings.HasPrefix(tag, "0x") {
			return nil, &rpcError{-32602, fmt.Sprintf("invalid block number %q", tag)}
		}
		n = v
	}
	if n < c.first || n >= c.first+uint64(len(c.blocks)) {
		return nil, nil
	}
	return &c.blocks[n-c.first], nil
}

// logs answers eth_getLogs over the receipts of the served blocks:
// fromBlock/toBlock (default: the head), address (one or a list) and
// topics (per position: null for any, a hash, or a list of hashes).
func (c *chain) logs(params []any) ([]*ethereum.Log, *rpcError) {
	out := []*ethereum.Log{}
	if len(c.blocks) == 0 {
		return out, nil
	}
	q, _ := params[0].(map[string]any)
	if len(params) != 1 || q == nil {
		return nil, &rpcError{-32602, "want one filter object"}
	}
	head := c.first + uint64(len(c.blocks)) - 1
	bound := func(k string) (uint64, *rpcError) {
		v, ok := q[k].(string)
		if !ok || v == "latest" {
			return head, nil
		}
		if v == "earliest" {
			return c.first, nil
		}
		n, err := strconv.ParseUint(strings.TrimPrefix(v, "0x"), 16, 64)
		if err != nil {
			return 0, &rpcError{-32602, fmt.Sprintf("invalid %s %q", k, v)}
		}
		return n, nil
	}
	from, perr := bound("fromBlock")
	if perr != nil {
		return nil, perr
	}
	to, perr := bound("toBlock")
	if perr != nil {
		return nil, perr
	}
	addrs := anyOf(q["address"])
	topics, _ := q["topics"].([]any)
	for _, b := range c.blocks {
		if b.Block.Number < from || b.Block.Number > to {
			continue
		}
		for _, r := range b.Receipts {
			for _, l := range r.Logs {
				if matches(l, addrs, topics) {
					out = append(out, l)
				}
			}
		}
	}
	return out, nil
}

// anyOf turns a filter position (null, a string or a list of strings) into
// the accepted values, lower-cased; nil accepts anything.
func anyOf(v any) map[string]bool {
	switch x := v.(type) {
	case string:
		return map[string]bool{strings.ToLower(x): true}
	case []any:
		m := map[string]bool{}
		for _, e := range x {
			if s, ok := e.(string); ok {
				m[strings.ToLower(s)] = true
			}
		}
		return m
	}
	return nil
}

func matches(l *ethereum.Log, addrs map[string]bool, topics []any) bool {
	if addrs != nil && !addrs[strings.ToLower(l.Address.Hex())] {
		return false
	}
	for i, t := range topics {
		want := anyOf(t)
		if want == nil {
			continue
		}
		if i >= len(l.Topics) || !want[strings.ToLower(l.Topics[i].Hex())] {
			return false
		}
	}
	return true
}

func marshal(v any) json.RawMessage {
	raw, err := json.Marshal(v)
	if err != nil {
		return json.RawMessage("null")
	}
	return raw
}

// parityTrace is the trace_block shape of one ethereum.Trace.
type parityTrace struct {
	Action              map[string]any `json:"action"`
	BlockHash           common.Hash    `json:"blockHash"`
	BlockNumber         uint64         `json:"blockNumber"`
	Error               string         `json:"error,omitempty"`
	Result              map[string]any `json:"result"`
	Subtraces           int            `json:"subtraces"`
	TraceAddress        []int          `json:"traceAddress"`
	TransactionHash     *common.Hash   `json:"transactionHash"`
	TransactionPosition *uint64        `json:"transactionPosition"`
	Type                string         `json:"type"`
}

// EncodeParityTraces encodes flat traces as a trace_block result, the
// inverse of ethereum.DecodeParityTraces.
func EncodeParityTraces(traces []*ethereum.Trace) ([]byte, error) {
	out := make([]parityTrace, 0, len(traces))
	for _, t := range traces {
		p := parityTrace{BlockHash: t.BlockHash, BlockNumber: t.BlockNumber, Error: t.Error, Subtraces: t.Subtraces,
			TraceAddress: t.TraceAddress, TransactionHash: t.TxHash, TransactionPosition: t.TxIndex, Type: t.Type,
			Action: map[string]any{}}
		if p.TraceAddress == nil {
			p.TraceAddress = []int{}
		}
		result := map[string]any{}
		switch t.Type {
		case ethereum.TraceCall, ethereum.TraceCreate:
			setAddr(p.Action, "from", t.From)
			setBig(p.Action, "value", t.Value)
			setU64(p.Action, "gas", t.Gas)
			setU64(result, "gasUsed", t.GasUsed)
			if t.Type == ethereum.TraceCall {
				p.Action["callType"] = t.CallType
				setAddr(p.Action, "to", t.To)
				setBytes(p.Action, "input", t.Input)
				setBytes(result, "output", t.Output)
			} else {
				setBytes(p.Action, "init", t.Input)
				setAddr(result, "address", t.To)
				setBytes(result, "code", t.Output)
			}
		case ethereum.TraceSuicide:
			setAddr(p.Action, "address", t.From)
			setAddr(p.Action, "refundAddress", t.To)
			setBig(p.Action, "balance", t.Value)
		case ethereum.TraceReward:
			setAddr(p.Action, "author", t.To)
			setBig(p.Action, "value", t.Value)
			p.Action["rewardType"] = t.RewardType
		default:
			return nil, fmt.Errorf("rpctest: trace type %q", t.Type)
		}
		if len(result) > 0 && t.Error == "" {
			p.Result = result
		}
		out = append(out, p)
	}
	return json.Marshal(out)
}

// gethFrame is one callTracer frame.
type gethFrame struct {
	Type    string          `json:"type"`
	From    *common.Address `json:"from,omitempty"`
	To      *common.Address `json:"to,omitempty"`
	Value   *hexutil.Big    `json:"value,omitempty"`
	Gas     *hexutil.Uint64 `json:"gas,omitempty"`
	GasUsed *hexutil.Uint64 `json:"gasUsed,omitempty"`
	Input   *hexutil.Bytes  `json:"input,omitempty"`
	Output  *hexutil.Bytes  `json:"output,omitempty"`
	Error   string          `json:"error,omitempty"`
	Calls   []*gethFrame    `json:"calls,omitempty"`
}

// EncodeGethTraces encodes flat traces (rewards are skipped: Geth does not
// trace them) as a debug_traceBlockByNumber callTracer result, one entry per
// transaction of b, rebuilding each call tree from the trace addresses.
func EncodeGethTraces(b *ethereum.Block, traces []*ethereum.Trace) ([]byte, error) {
	type txResult struct {
		TxHash common.Hash `json:"txHash"`
		Result *gethFrame  `json:"result"`
	}
	roots := make([]*gethFrame, len(b.TxHashes))
	frames := map[string]*gethFrame{}
	for _, t := range traces {
		if t.Type == ethereum.TraceReward || t.TxIndex == nil {
			continue
		}
		if *t.TxIndex >= uint64(len(roots)) {
			return nil, fmt.Errorf("rpctest: trace of tx %d in a block of %d", *t.TxIndex, len(roots))
		}
		f := &gethFrame{Type: strings.ToUpper(t.Type), From: t.From, To: t.To, Value: (*hexutil.Big)(t.Value),
			Gas: (*hexutil.Uint64)(t.Gas), GasUsed: (*hexutil.Uint64)(t.GasUsed), Error: t.Error}
		switch t.Type {
		case ethereum.TraceCall:
			f.Type = strings.ToUpper(t.CallType)
		case ethereum.TraceSuicide:
			f.Type = "SELFDESTRUCT"
		}
		if t.Input != nil {
			in := hexutil.Bytes(t.Input)
			f.Input = &in
		}
		if t.Output != nil {
			o := hexutil.Bytes(t.Output)
			f.Output = &o
		}
		key := fmt.Sprint(*t.TxIndex, t.TraceAddress)
		frames[key] = f
		if len(t.TraceAddress) == 0 {
			roots[*t.TxIndex] = f
			continue
		}
		parent := frames[fmt.Sprint(*t.TxIndex, t.TraceAddress[:len(t.TraceAddress)-1])]
		if parent == nil {
			return nil, fmt.Errorf("rpctest: trace %v of tx %d comes before its parent", t.TraceAddress, *t.TxIndex)
		}
		parent.Calls = append(parent.Calls, f)
	}
	out := make([]txResult, len(roots))
	for i, r := range roots {
		if r == nil {
			return nil, fmt.Errorf("rpctest: tx %d of block %d has no top-level trace", i, b.Number)
		}
		out[i] = txResult{TxHash: b.TxHashes[i], Result: r}
	}
	return json.Marshal(out)
}

func setAddr(m map[string]any, k string, a *common.Address) {
	if a != nil {
		m[k] = a
	}
}

func setBig(m map[string]any, k string, v *big.Int) {
	if v != nil {
		m[k] = (*hexutil.Big)(v)
	}
}

func setU64(m map[string]any, k string, v *uint64) {
	if v != nil {
		m[k] = hexutil.Uint64(*v)
	}
}

func setBytes(m map[string]any, k string, b []byte) {
	if b != nil {
		m[k] = hexutil.Bytes(b)
	}
}
