package etl

import (
	"fmt"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/interdict/interdict/internal/sources/ethereum"
)

// Stream items are ethereum-etl's `stream` output: the export records with
// a leading "type", the block's timestamp and hash joined in, transactions
// joined with their receipts, and item_id / item_timestamp appended.

var streamType = map[EthKind]string{
	EthKindBlocks: "block", EthKindTransactions: "transaction", EthKindLogs: "log",
	EthKindTokenTransfers: "token_transfer", EthKindTraces: "trace", EthKindContracts: "contract", EthKindTokens: "token",
}

// EthStreamItems turns records of kind into stream items. blocks must hold
// every block the records refer to; receipts (by transaction hash) are
// needed for transactions only.
func EthStreamItems(kind EthKind, recs []Record, blocks map[uint64]*ethereum.Block, receipts map[common.Hash]*ethereum.Receipt) ([]Record, error) {
	typ, ok := streamType[kind]
	if !ok {
		return nil, fmt.Errorf("no stream items for %q", kind)
	}
	out := make([]Record, 0, len(recs))
	traceIndex := map[uint64]int{}
	for _, r := range recs {
		block, err := recordBlock(kind, r, blocks)
		if err != nil {
			return nil, err
		}
		item := Record{{"type", typ}}
		switch kind {
		case EthKindBlocks:
			item = append(item, r...)
		case EthKindTransactions:
			item, err = streamTransaction(item, r, receipts)
			if err != nil {
				return nil, err
			}
		case EthKindTraces:
			n := block.Number
			item = append(item, without(r, "block_number", "transaction_hash", "trace_id")...)
			item = append(item, field(r, "transaction_hash"), field(r, "block_number"), field(r, "trace_id"),
				Field{"trace_index", traceIndex[n]},
				Field{"block_timestamp", block.Timestamp}, Field{"block_hash", block.Hash.Hex()})
			traceIndex[n]++
		default:
			item = append(item, without(r, "block_hash")...)
			item = append(item, Field{"block_timestamp", block.Timestamp}, Field{"block_hash", block.Hash.Hex()})
		}
		item = append(item, Field{"item_id", itemID(typ, item)},
			Field{"item_timestamp", time.Unix(int64(block.Timestamp), 0).UTC().Format("2006-01-02T15:04:05Z")})
		if kind == EthKindTransactions {
			item = append(item, Field{"receipt_l1_fee", nil}, Field{"receipt_l1_gas_used", nil},
				Field{"receipt_l1_gas_price", nil}, Field{"receipt_l1_fee_scalar", nil})
		}
		out = append(out, item)
	}
	return out, nil
}

func recordBlock(kind EthKind, r Record, blocks map[uint64]*ethereum.Block) (*ethereum.Block, error) {
	name := "block_number"
	if kind == EthKindBlocks {
		name = "number"
	}
	v, _ := r.Get(name)
	n, ok := v.(uint64)
	if !ok {
		return nil, fmt.Errorf("%s record without a block number", kind)
	}
	b := blocks[n]
	if b == nil {
		return nil, fmt.Errorf("%s record of block %d, which was not exported", kind, n)
	}
	return b, nil
}

func streamTransaction(item, tx Record, receipts map[common.Hash]*ethereum.Receipt) (Record, error) {
	h, _ := tx.Get("hash")
	rc := receipts[common.HexToHash(h.(string))]
	if rc == nil {
		return nil, fmt.Errorf("transaction %s has no receipt", h)
	}
	for _, name := range []string{"hash", "nonce", "transaction_index", "from_address", "to_address", "value",
		"gas", "gas_price", "input", "block_timestamp", "block_number", "block_hash", "max_fee_per_gas",
		"max_priority_fee_per_gas", "transaction_type"} {
		item = append(item, field(tx, name))
	}
	r := EthReceipt(rc)
	for _, name := range []string{"cumulative_gas_used", "gas_used", "contract_address", "root", "status", "effective_gas_price"} {
		v, _ := r.Get(name)
		item = append(item, Field{"receipt_" + name, v})
	}
	return item, nil
}

func field(r Record, name string) Field {
	v, _ := r.Get(name)
	return Field{name, v}
}

func without(r Record, names ...string) Record {
	out := make(Record, 0, len(r))
next:
	for _, f := range r {
		for _, n := range names {
			if f.Name == n {
				continue next
			}
		}
		out = append(out, f)
	}
	return out
}

// itemID is ethereum-etl's item_id: the type joined with the item's key.
func itemID(typ string, item Record) any {
	get := func(n string) string {
		v, _ := item.Get(n)
		return string(appendPyScalar(nil, v, false))
	}
	switch typ {
	case "block", "transaction":
		return typ + "_" + get("hash")
	case "log", "token_transfer":
		return typ + "_" + get("transaction_hash") + "_" + get("log_index")
	case "trace":
		if v, _ := item.Get("trace_id"); v == nil {
			return nil
		}
		return typ + "_" + get("trace_id")
	case "contract", "token":
		return typ + "_" + get("block_number") + "_" + get("address")
	}
	return nil
}
