package etl

import (
	"cmp"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"github.com/ethereum/go-ethereum/common"

	"github.com/interdict/interdict/internal/sources/ethereum"
)

// EthTraces are the records of one block's traces. With statuses set, each
// trace gets ethereum-etl's status (0 when it or any ancestor frame failed,
// else 1) and trace_id (type_txhash_traceaddress for traces of a
// transaction, type_block_n for block rewards, n counted per type in the
// order of reward type, from, to and value); without, both stay null, as in
// ethereum-etl's extract_geth_traces output. A trace whose parent frame is
// missing is an error when statuses are computed.
func EthTraces(traces []*ethereum.Trace, statuses bool) ([]Record, error) {
	out := make([]Record, len(traces))
	for i, t := range traces {
		var txHash, txIndex any
		if t.TxHash != nil {
			txHash = t.TxHash.Hex()
		}
		if t.TxIndex != nil {
			txIndex = *t.TxIndex
		}
		out[i] = Record{
			{"block_number", t.BlockNumber}, {"transaction_hash", txHash}, {"transaction_index", txIndex},
			{"from_address", addrOrNil(t.From)}, {"to_address", addrOrNil(t.To)}, {"value", bigOrNil(t.Value)},
			{"input", bytesOrNil(t.Input)}, {"output", bytesOrNil(t.Output)}, {"trace_type", t.Type},
			{"call_type", strOrNil(t.CallType)}, {"reward_type", strOrNil(t.RewardType)},
			{"gas", u64OrNil(t.Gas)}, {"gas_used", u64OrNil(t.GasUsed)}, {"subtraces", t.Subtraces},
			{"trace_address", append([]int{}, t.TraceAddress...)}, {"error", strOrNil(t.Error)},
			{"status", nil}, {"trace_id", nil},
		}
	}
	if !statuses {
		return out, nil
	}
	if err := traceStatuses(traces, out); err != nil {
		return nil, err
	}
	traceIDs(traces, out)
	return out, nil
}

func strOrNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func set(r Record, name string, v any) {
	for i := range r {
		if r[i].Name == name {
			r[i].Value = v
			return
		}
	}
}

func addrKey(a []int) string {
	parts := make([]string, len(a))
	for i, n := range a {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ",")
}

func traceStatuses(traces []*ethereum.Trace, recs []Record) error {
	status := make([]int, len(traces))
	byTx := map[string][]int{}
	var order []string
	for i, t := range traces {
		if t.Error == "" {
			status[i] = 1
		}
		if t.TxHash != nil {
			h := t.TxHash.Hex()
			if _, ok := byTx[h]; !ok {
				order = append(order, h)
			}
			byTx[h] = append(byTx[h], i)
		}
	}
	for _, h := range order {
		var frames []int
		for _, i := range byTx[h] {
			if traces[i].Type == ethereum.TraceCall || traces[i].Type == ethereum.TraceCreate {
				frames = append(frames, i)
			}
		}
		// Parents before children: shorter trace addresses first.
		slices.SortStableFunc(frames, func(a, b int) int {
			return cmp.Compare(len(traces[a].TraceAddress), len(traces[b].TraceAddress))
		})
		index := map[string]int{}
		for _, i := range frames {
			index[addrKey(traces[i].TraceAddress)] = i
		}
		for _, i := range frames {
			ta := traces[i].TraceAddress
			if len(ta) == 0 {
				continue
			}
			p, ok := index[addrKey(ta[:len(ta)-1])]
			if !ok {
				return fmt.Errorf("trace %v of transaction %s has no parent trace", ta, h)
			}
			if status[p] == 0 {
				status[i] = 0
			}
		}
	}
	for i := range recs {
		set(recs[i], "status", status[i])
	}
	return nil
}

func traceIDs(traces []*ethereum.Trace, recs []Record) {
	type key struct {
		block uint64
		typ   string
	}
	blockScoped := map[key][]int{}
	var keys []key
	for i, t := range traces {
		if t.TxHash != nil {
			parts := make([]string, len(t.TraceAddress))
			for j, n := range t.TraceAddress {
				parts[j] = strconv.Itoa(n)
			}
			set(recs[i], "trace_id", t.Type+"_"+t.TxHash.Hex()+"_"+strings.Join(parts, "_"))
			continue
		}
		k := key{t.BlockNumber, t.Type}
		if _, ok := blockScoped[k]; !ok {
			keys = append(keys, k)
		}
		blockScoped[k] = append(blockScoped[k], i)
	}
	for _, k := range keys {
		idx := blockScoped[k]
		slices.SortStableFunc(idx, func(a, b int) int {
			ta, tb := traces[a], traces[b]
			return cmp.Or(
				strings.Compare(ta.RewardType, tb.RewardType),
				strings.Compare(lowerAddr(ta.From), lowerAddr(tb.From)),
				strings.Compare(lowerAddr(ta.To), lowerAddr(tb.To)),
				cmpBig(ta.Value, tb.Value),
			)
		})
		for n, i := range idx {
			set(recs[i], "trace_id", fmt.Sprintf("%s_%d_%d", k.typ, k.block, n))
		}
	}
}

func lowerAddr(a *common.Address) string {
	if a == nil {
		return ""
	}
	return addr(*a)
}

func cmpBig(a, b *big.Int) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	return a.Cmp(b)
}
