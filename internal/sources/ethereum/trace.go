package ethereum

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
)

// maxTraceDepth bounds the nesting of a Geth call tree. The EVM stops at
// 1024 frames; anything deeper is not a real trace and would only cost stack.
const maxTraceDepth = 1100

// parityTraceJSON is one element of a trace_block result.
type parityTraceJSON struct {
	Action struct {
		CallType      string          `json:"callType"`
		From          *common.Address `json:"from"`
		To            *common.Address `json:"to"`
		Gas           *quantity       `json:"gas"`
		Input         *hexutil.Bytes  `json:"input"`
		Init          *hexutil.Bytes  `json:"init"`
		Value         *quantity       `json:"value"`
		Address       *common.Address `json:"address"`
		RefundAddress *common.Address `json:"refundAddress"`
		Balance       *quantity       `json:"balance"`
		Author        *common.Address `json:"author"`
		RewardType    string          `json:"rewardType"`
	} `json:"action"`
	Result *struct {
		GasUsed *quantity       `json:"gasUsed"`
		Output  *hexutil.Bytes  `json:"output"`
		Address *common.Address `json:"address"`
		Code    *hexutil.Bytes  `json:"code"`
	} `json:"result"`
	BlockHash           common.Hash  `json:"blockHash"`
	BlockNumber         uint64       `json:"blockNumber"`
	Error               string       `json:"error"`
	Subtraces           int          `json:"subtraces"`
	TraceAddress        []int        `json:"traceAddress"`
	TransactionHash     *common.Hash `json:"transactionHash"`
	TransactionPosition *uint64      `json:"transactionPosition"`
	Type                string       `json:"type"`
}

// DecodeParityTraces decodes a trace_block result (Parity, OpenEthereum,
// Erigon, Nethermind, Reth) into flat traces, mapping each trace type's
// action and result fields as ethereum-etl does: a create's "to" is the
// created address and its input/output the init and deployed code; a
// suicide moves the balance from the destroyed contract to the refund
// address; a reward pays its author.
func DecodeParityTraces(data []byte) ([]*Trace, error) {
	var ws []parityTraceJSON
	if err := json.Unmarshal(data, &ws); err != nil {
		return nil, decodeErr("trace_block", err)
	}
	out := make([]*Trace, 0, len(ws))
	for i := range ws {
		w := &ws[i]
		if w.Subtraces < 0 {
			return nil, decodeErr("trace_block", fmt.Errorf("trace %d: negative subtraces", i))
		}
		for _, a := range w.TraceAddress {
			if a < 0 {
				return nil, decodeErr("trace_block", fmt.Errorf("trace %d: negative trace address", i))
			}
		}
		t := &Trace{
			BlockNumber: w.BlockNumber, BlockHash: w.BlockHash, TxHash: w.TransactionHash,
			TxIndex: w.TransactionPosition, Type: w.Type, Subtraces: w.Subtraces,
			TraceAddress: w.TraceAddress, Error: w.Error,
		}
		if t.TraceAddress == nil {
			t.TraceAddress = []int{}
		}
		a, r := &w.Action, w.Result
		switch w.Type {
		case TraceCall, TraceCreate:
			t.From, t.Value, t.Gas = a.From, a.Value.big(), a.Gas.u64()
			if r != nil {
				t.GasUsed = r.GasUsed.u64()
			}
			if w.Type == TraceCall {
				t.CallType, t.To, t.Input = a.CallType, a.To, bytesOrNil(a.Input)
				if r != nil {
					t.Output = bytesOrNil(r.Output)
				}
			} else {
				t.Input = bytesOrNil(a.Init)
				if r != nil {
					t.To, t.Output = r.Address, bytesOrNil(r.Code)
				}
			}
		case TraceSuicide:
			t.From, t.To, t.Value = a.Address, a.RefundAddress, a.Balance.big()
		case TraceReward:
			t.To, t.Value, t.RewardType = a.Author, a.Value.big(), a.RewardType
		default:
			return nil, decodeErr("trace_block", fmt.Errorf("trace %d: unknown type %q", i, w.Type))
		}
		out = append(out, t)
	}
	return out, nil
}

// gethFrameJSON is one callTracer frame.
type gethFrameJSON struct {
	Type    string           `json:"type"`
	From    *common.Address  `json:"from"`
	To      *common.Address  `json:"to"`
	Value   *quantity        `json:"value"`
	Gas     *quantity        `json:"gas"`
	GasUsed *quantity        `json:"gasUsed"`
	Input   *hexutil.Bytes   `json:"input"`
	Output  *hexutil.Bytes   `json:"output"`
	Error   string           `json:"error"`
	Calls   []*gethFrameJSON `json:"calls"`
}

// DecodeGethTraces decodes a debug_traceBlockByNumber result made with
// {"tracer": "callTracer"} into flat traces, depth first, exactly as
// ethereum-etl's extract_geth_traces does: the frame type is lower-cased,
// SELFDESTRUCT becomes "suicide", CALL/CALLCODE/DELEGATECALL/STATICCALL
// become "call" with that call type, CREATE and CREATE2 keep their name,
// and each frame's trace address is its path of child indexes. The
// transaction index is the position in the result; the transaction hash is
// set only when the node reports it (newer Geth adds "txHash").
func DecodeGethTraces(blockNumber uint64, data []byte) ([]*Trace, error) {
	var txs []struct {
		TxHash *common.Hash   `json:"txHash"`
		Result *gethFrameJSON `json:"result"`
		Error  string         `json:"error"`
	}
	if err := json.Unmarshal(data, &txs); err != nil {
		return nil, decodeErr("debug_traceBlockByNumber", err)
	}
	var out []*Trace
	for i, tx := range txs {
		if tx.Result == nil {
			msg := "no result"
			if tx.Error != "" {
				msg = "tracer error: " + tx.Error
			}
			return nil, decodeErr("debug_traceBlockByNumber", fmt.Errorf("transaction %d: %s", i, msg))
		}
		idx := uint64(i)
		var err error
		out, err = flattenGeth(out, blockNumber, tx.TxHash, &idx, tx.Result, []int{}, 0)
		if err != nil {
			return nil, decodeErr("debug_traceBlockByNumber", fmt.Errorf("transaction %d: %w", i, err))
		}
	}
	if out == nil {
		out = []*Trace{}
	}
	return out, nil
}

func flattenGeth(out []*Trace, block uint64, txHash *common.Hash, txIndex *uint64, f *gethFrameJSON, addr []int, depth int) ([]*Trace, error) {
	if depth > maxTraceDepth {
		return nil, errors.New("call tree deeper than the EVM allows")
	}
	if f.Type == "" {
		return nil, fmt.Errorf("frame %v: missing type", addr)
	}
	t := &Trace{
		BlockNumber: block, TxHash: txHash, TxIndex: txIndex,
		From: f.From, To: f.To, Value: f.Value.big(), Gas: f.Gas.u64(), GasUsed: f.GasUsed.u64(),
		Input: bytesOrNil(f.Input), Output: bytesOrNil(f.Output), Error: f.Error,
		Type: strings.ToLower(f.Type), Subtraces: len(f.Calls), TraceAddress: addr,
	}
	switch t.Type {
	case "selfdestruct":
		t.Type = TraceSuicide
	case "call", "callcode", "delegatecall", "staticcall":
		t.CallType, t.Type = t.Type, TraceCall
	}
	out = append(out, t)
	for i, c := range f.Calls {
		if c == nil {
			return nil, fmt.Errorf("frame %v: null call %d", addr, i)
		}
		child := make([]int, len(addr)+1)
		copy(child, addr)
		child[len(addr)] = i
		var err error
		if out, err = flattenGeth(out, block, txHash, txIndex, c, child, depth+1); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// quantity is a hex quantity as tracers print it. Unlike hexutil.Big it
// accepts leading zeros (some tracers pad), as ethereum-etl's int(x, 16)
// does, but still refuses anything wider than 256 bits.
type quantity big.Int

func (q *quantity) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("quantity: %w", err)
	}
	digits, ok := strings.CutPrefix(s, "0x")
	if !ok {
		digits, ok = strings.CutPrefix(s, "0X")
	}
	if !ok || digits == "" {
		return fmt.Errorf("quantity %q: want 0x-prefixed hex", s)
	}
	if len(strings.TrimLeft(digits, "0")) > 64 {
		return fmt.Errorf("quantity %q: wider than 256 bits", s)
	}
	b, ok := new(big.Int).SetString(digits, 16)
	if !ok {
		return fmt.Errorf("quantity %q: invalid hex", s)
	}
	*q = quantity(*b)
	return nil
}

func (q *quantity) big() *big.Int {
	if q == nil {
		return nil
	}
	return new(big.Int).Set((*big.Int)(q))
}

func (q *quantity) u64() *uint64 {
	if q == nil {
		return nil
	}
	b := (*big.Int)(q)
	if !b.IsUint64() {
		// Gas beyond 64 bits is not a real trace; saturate rather than wrap.
		v := ^uint64(0)
		return &v
	}
	v := b.Uint64()
	return &v
}

func bytesOrNil(b *hexutil.Bytes) []byte {
	if b == nil {
		return nil
	}
	if *b == nil {
		return []byte{}
	}
	return *b
}
