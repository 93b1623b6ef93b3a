package etl

import (
	"math/big"
	"strings"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"

	"github.com/interdict/interdict/internal/sources/ethereum"
)

// The builders below turn decoded node data into ethereum-etl's records.
// Addresses are lower-case hex, hashes and byte strings 0x-prefixed hex,
// quantities exact integers, and a value the node did not send is null.

func addr(a common.Address) string { return strings.ToLower(a.Hex()) }

func addrOrNil(a *common.Address) any {
	if a == nil {
		return nil
	}
	return addr(*a)
}

func bigOrNil(b *big.Int) any {
	if b == nil {
		return nil
	}
	return b
}

func u64OrNil(u *uint64) any {
	if u == nil {
		return nil
	}
	return *u
}

func bytesOrNil(b []byte) any {
	if b == nil {
		return nil
	}
	return hexutil.Encode(b)
}

// EthBlock is a block's record.
func EthBlock(b *ethereum.Block) Record {
	var wroot any
	if b.WithdrawalsRoot != nil {
		wroot = b.WithdrawalsRoot.Hex()
	}
	ws := make([]Record, len(b.Withdrawals))
	for i, w := range b.Withdrawals {
		ws[i] = Record{{"index", w.Index}, {"validator_index", w.ValidatorIndex}, {"address", addr(w.Address)}, {"amount", w.Amount}}
	}
	return Record{
		{"number", b.Number}, {"hash", b.Hash.Hex()}, {"parent_hash", b.ParentHash.Hex()},
		{"nonce", hexutil.Encode(b.Nonce)}, {"sha3_uncles", b.Sha3Uncles.Hex()},
		{"logs_bloom", hexutil.Encode(b.LogsBloom)}, {"transactions_root", b.TransactionsRoot.Hex()},
		{"state_root", b.StateRoot.Hex()}, {"receipts_root", b.ReceiptsRoot.Hex()}, {"miner", addr(b.Miner)},
		{"difficulty", bigOrNil(b.Difficulty)}, {"total_difficulty", bigOrNil(b.TotalDifficulty)},
		{"size", b.Size}, {"extra_data", hexutil.Encode(b.ExtraData)}, {"gas_limit", b.GasLimit},
		{"gas_used", b.GasUsed}, {"timestamp", b.Timestamp}, {"transaction_count", b.TxCount()},
		{"base_fee_per_gas", bigOrNil(b.BaseFeePerGas)}, {"withdrawals_root", wroot}, {"withdrawals", ws},
	}
}

// EthTransactions are the records of a block's transactions (the block
// must have been fetched with full transactions).
func EthTransactions(b *ethereum.Block) []Record {
	out := make([]Record, len(b.Txs))
	for i, tx := range b.Txs {
		out[i] = Record{
			{"hash", tx.Hash.Hex()}, {"nonce", tx.Nonce}, {"block_hash", b.Hash.Hex()},
			{"block_number", b.Number}, {"transaction_index", tx.Index}, {"from_address", addr(tx.From)},
			{"to_address", addrOrNil(tx.To)}, {"value", bigOrNil(tx.Value)}, {"gas", tx.Gas},
			{"gas_price", bigOrNil(tx.GasPrice)}, {"input", hexutil.Encode(tx.Input)},
			{"block_timestamp", b.Timestamp}, {"max_fee_per_gas", bigOrNil(tx.MaxFeePerGas)},
			{"max_priority_fee_per_gas", bigOrNil(tx.MaxPriorityFeePerGas)}, {"transaction_type", uint64(tx.Type)},
		}
	}
	return out
}

// EthReceipt is a receipt's record. ethereum-etl's L2 fee columns are
// always null here: Interdict reads Ethereum mainnet.
func EthReceipt(r *ethereum.Receipt) Record {
	return Record{
		{"transaction_hash", r.TxHash.Hex()}, {"transaction_index", r.TxIndex}, {"block_hash", r.BlockHash.Hex()},
		{"block_number", r.BlockNumber}, {"cumulative_gas_used", r.CumulativeGasUsed}, {"gas_used", r.GasUsed},
		{"contract_address", addrOrNil(r.ContractAddress)}, {"root", bytesOrNil(r.Root)},
		{"status", u64OrNil(r.Status)}, {"effective_gas_price", bigOrNil(r.EffectiveGasPrice)},
		{"l1_fee", nil}, {"l1_gas_used", nil}, {"l1_gas_price", nil}, {"l1_fee_scalar", nil},
	}
}

// EthLog is a log's record.
func EthLog(l *ethereum.Log) Record {
	topics := make([]string, len(l.Topics))
	for i, t := range l.Topics {
		topics[i] = t.Hex()
	}
	return Record{
		{"log_index", l.Index}, {"transaction_hash", l.TxHash.Hex()}, {"transaction_index", l.TxIndex},
		{"block_hash", l.BlockHash.Hex()}, {"block_number", l.BlockNumber}, {"address", addr(l.Address)},
		{"data", hexutil.Encode(l.Data)}, {"topics", topics},
	}
}

// EthLogs are the records of every log of the receipts, in order.
func EthLogs(rs []*ethereum.Receipt) []Record {
	var out []Record
	for _, r := range rs {
		for _, l := range r.Logs {
			out = append(out, EthLog(l))
		}
	}
	return out
}

// EthTokenTransferRecord is a token transfer's record.
func EthTokenTransferRecord(t TokenTransfer) Record {
	return Record{
		{"token_address", addr(t.Token)}, {"from_address", t.From}, {"to_address", t.To}, {"value", t.Value},
		{"transaction_hash", t.TxHash.Hex()}, {"log_index", t.LogIndex}, {"block_number", t.BlockNumber},
	}
}

// EthTokenTransfers are the records of the ERC-20/721 transfers among logs.
func EthTokenTransfers(logs []*ethereum.Log) []Record {
	var out []Record
	for _, l := range logs {
		if t, ok := ExtractTokenTransfer(l); ok {
			out = append(out, EthTokenTransferRecord(t))
		}
	}
	return out
}

// EthContract is a deployed contract's record; blockNumber is nil when the
// code was read at "latest" rather than taken from a creation trace.
func EthContract(address common.Address, code []byte, blockNumber *uint64) Record {
	sigs := FunctionSighashes(code)
	return Record{
		{"address", addr(address)}, {"bytecode", hexutil.Encode(code)}, {"function_sighashes", sigs},
		{"is_erc20", IsERC20(sigs)}, {"is_erc721", IsERC721(sigs)}, {"block_number", u64OrNil(blockNumber)},
	}
}

// EthContractsFromTraces are the contracts created by successful create
// traces (status 1 as EthTraces computes it), as ethereum-etl's stream
// extracts them.
func EthContractsFromTraces(traces []Record) []Record {
	var out []Record
	for _, t := range traces {
		typ, _ := t.Get("trace_type")
		to, _ := t.Get("to_address")
		status, _ := t.Get("status")
		if typ != ethereum.TraceCreate || to == nil || status != 1 {
			continue
		}
		output, _ := t.Get("output")
		code, err := hexutil.Decode(stringOr(output, "0x"))
		if err != nil {
			code = nil
		}
		n, _ := t.Get("block_number")
		bn := n.(uint64)
		out = append(out, EthContract(common.HexToAddress(to.(string)), code, &bn))
	}
	return out
}

func stringOr(v any, def string) string {
	if s, ok := v.(string); ok {
		return s
	}
	return def
}

// EthToken is a token's record; blockNumber is nil for a token read at
// "latest" outside a block export.
func EthToken(t *ethereum.Token, blockNumber *uint64) Record {
	var sym, name any
	if t.Symbol != nil {
		sym = *t.Symbol
	}
	if t.Name != nil {
		name = *t.Name
	}
	return Record{
		{"address", addr(t.Address)}, {"symbol", sym}, {"name", name}, {"decimals", bigOrNil(t.Decimals)},
		{"total_supply", bigOrNil(t.TotalSupply)}, {"block_number", u64OrNil(blockNumber)},
	}
}
