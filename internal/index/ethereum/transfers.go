package ethereum

import (
	"fmt"
	"math/big"
	"strings"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"

	src "github.com/interdict/interdict/internal/sources/ethereum"
)

// BlockData is one block as a source delivers it to the engine: the block
// with its transactions, one receipt per transaction (with logs), the traces
// when the source traced the block, and the metadata of tokens it created.
type BlockData struct {
	Block    *src.Block
	Receipts []*src.Receipt
	// Traced says Traces were fetched (a block may have none); without
	// them, native transfers come from the transactions' values.
	Traced bool
	Traces []*src.Trace
	Tokens []*src.Token
}

// transferABI is the ERC-20 and ERC-721 Transfer event. ERC-721 indexes the
// third argument, so its log has four topics and no data; the two events
// share their signature, hence their topic 0.
var erc20Transfer, erc721Transfer = mustEvent(false), mustEvent(true)

func mustEvent(nft bool) abi.Event {
	third := `{"name":"value","type":"uint256","indexed":false}`
	if nft {
		third = `{"name":"tokenId","type":"uint256","indexed":true}`
	}
	def := `[{"type":"event","name":"Transfer","inputs":[` +
		`{"name":"from","type":"address","indexed":true},` +
		`{"name":"to","type":"address","indexed":true},` + third + `]}]`
	a, err := abi.JSON(strings.NewReader(def))
	if err != nil {
		panic(err)
	}
	return a.Events["Transfer"]
}

// TransferTopic is the topic 0 of ERC-20 and ERC-721 Transfer events.
var TransferTopic = erc20Transfer.ID

// Transfers derives a block's transfers (see the package doc), in ID order.
// bd must be consistent: one receipt per transaction, in order.
func Transfers(bd *BlockData) ([]*Transfer, error) {
	b := bd.Block
	if len(bd.Receipts) != len(b.Txs) {
		return nil, fmt.Errorf("block %d: %w: %d receipts for %d transactions", b.Number, ErrBadBlock, len(bd.Receipts), len(b.Txs))
	}
	height := int64(b.Number)
	tracesByTx := map[uint32][]int{} // tx index → positions in bd.Traces
	var rewards []int
	if bd.Traced {
		for i, tr := range bd.Traces {
			if tr.TxIndex == nil {
				rewards = append(rewards, i)
				continue
			}
			tracesByTx[uint32(*tr.TxIndex)] = append(tracesByTx[uint32(*tr.TxIndex)], i)
		}
	}
	var out []*Transfer
	for i, tx := range b.Txs {
		r := bd.Receipts[i]
		if r == nil || r.TxHash != tx.Hash {
			return nil, fmt.Errorf("block %d tx %d: %w: receipt of another transaction", b.Number, i, ErrBadBlock)
		}
		base := TransferID{Height: height, TxIndex: uint32(i)}
		out = append(out, feeTransfers(base, b, tx, r)...)
		if pos, ok := tracesByTx[uint32(i)]; ok {
			out = append(out, traceTransfers(base, tx.Hash, bd.Traces, pos)...)
		} else if t := txValueTransfer(base, tx, r); t != nil {
			out = append(out, t)
		}
		for _, l := range r.Logs {
			if t := logTransfer(base, tx.Hash, l); t != nil {
				out = append(out, t)
			}
		}
	}
	blockLevel := TransferID{Height: height, TxIndex: BlockLevel}
	out = append(out, traceTransfers(blockLevel, common.Hash{}, bd.Traces, rewards)...)
	for i, w := range b.Withdrawals {
		if w.Amount == 0 {
			continue
		}
		id := blockLevel
		id.Source, id.Index = SourceWithdrawal, uint32(i)
		amount := new(big.Int).Mul(new(big.Int).SetUint64(w.Amount), big.NewInt(1e9))
		out = append(out, &Transfer{ID: id, Kind: KindWithdrawal, Asset: NativeAsset, To: NormalizeAddress(w.Address), Amount: amount})
	}
	return out, nil
}

// feeTransfers splits the gas fee: the base fee and the blob fee are burnt,
// the rest goes to the block's miner.
func feeTransfers(base TransferID, b *src.Block, tx *src.Tx, r *src.Receipt) []*Transfer {
	price := r.EffectiveGasPrice
	if price == nil {
		price = tx.GasPrice
	}
	if price == nil {
		return nil
	}
	gas := new(big.Int).SetUint64(r.GasUsed)
	total := new(big.Int).Mul(gas, price)
	burnt := new(big.Int)
	if b.BaseFeePerGas != nil {
		burnt.Mul(gas, b.BaseFeePerGas)
		if burnt.Cmp(total) > 0 {
			burnt.Set(total)
		}
	}
	tip := new(big.Int).Sub(total, burnt)
	var blob *big.Int
	if r.BlobGasUsed != nil && r.BlobGasPrice != nil {
		blob = new(big.Int).Mul(new(big.Int).SetUint64(*r.BlobGasUsed), r.BlobGasPrice)
	}
	from := NormalizeAddress(tx.From)
	var out []*Transfer
	for i, f := range []struct {
		amount *big.Int
		to     string
	}{{burnt, ""}, {tip, NormalizeAddress(b.Miner)}, {blob, ""}} {
		if f.amount == nil || f.amount.Sign() <= 0 {
			continue
		}
		id := base
		id.Source, id.Index = SourceFee, uint32(i)
		out = append(out, &Transfer{ID: id, Kind: KindFee, Asset: NativeAsset, From: from, To: f.to, Amount: f.amount, TxHash: tx.Hash})
	}
	return out
}

// txValueTransfer is the transaction's own value when no traces were
// fetched: nothing moved when it failed.
func txValueTransfer(base TransferID, tx *src.Tx, r *src.Receipt) *Transfer {
	if r.Status != nil && *r.Status == 0 {
		return nil
	}
	value := tx.Value
	if value == nil {
		value = new(big.Int)
	}
	t := &Transfer{Kind: KindCall, Asset: NativeAsset, From: NormalizeAddress(tx.From), Amount: new(big.Int).Set(value), TxHash: tx.Hash}
	t.ID = base
	t.ID.Source = SourceTx
	switch {
	case tx.To != nil:
		if value.Sign() <= 0 {
			return nil
		}
		t.To = NormalizeAddress(*tx.To)
	case r.ContractAddress != nil:
		t.Kind, t.To = KindCreate, NormalizeAddress(*r.ContractAddress)
	default:
		return nil
	}
	return t
}

// traceTransfers turns the frames at positions pos (one transaction's, in
// depth-first order, or the block rewards) into transfers, skipping failed
// frames and every frame below one.
func traceTransfers(base TransferID, txHash common.Hash, traces []*src.Trace, pos []int) []*Transfer {
	var out []*Transfer
	failed := map[string]bool{} // trace address → the frame or an ancestor failed
	for _, p := range pos {
		tr := traces[p]
		key := traceKey(tr.TraceAddress)
		bad := tr.Error != ""
		if n := len(tr.TraceAddress); n > 0 && failed[traceKey(tr.TraceAddress[:n-1])] {
			bad = true
		}
		failed[key] = bad
		if bad {
			continue
		}
		t := &Transfer{Asset: NativeAsset, Amount: new(big.Int), TxHash: txHash, TraceAddress: tr.TraceAddress}
		if tr.Value != nil {
			t.Amount.Set(tr.Value)
		}
		if tr.From != nil {
			t.From = NormalizeAddress(*tr.From)
		}
		if tr.To != nil {
			t.To = NormalizeAddress(*tr.To)
		}
		switch tr.Type {
		case src.TraceCall:
			// delegatecall and callcode run the callee's code in the
			// caller's context: no value moves to the callee.
			if tr.CallType == "delegatecall" || tr.CallType == "callcode" || tr.CallType == "staticcall" || t.Amount.Sign() <= 0 {
				continue
			}
			t.Kind = KindCall
		case src.TraceCreate, traceCreate2:
			if t.To == "" {
				continue
			}
			t.Kind = KindCreate
		case src.TraceSuicide:
			if t.Amount.Sign() <= 0 {
				continue
			}
			t.Kind = KindSelfDestruct
		case src.TraceReward:
			if t.Amount.Sign() <= 0 {
				continue
			}
			t.Kind, t.From = KindReward, ""
		default:
			continue
		}
		if t.From == "" && t.Kind != KindReward || t.To == "" {
			continue
		}
		t.ID = base
		t.ID.Source, t.ID.Index = SourceTrace, uint32(p)
		out = append(out, t)
	}
	return out
}

// traceCreate2 is the type Geth's callTracer gives a CREATE2 frame (Parity
// calls both "create").
const traceCreate2 = "create2"

func traceKey(addr []int) string { return fmt.Sprint(addr) }

// logTransfer decodes an ERC-20 or ERC-721 Transfer event, or returns nil.
func logTransfer(base TransferID, txHash common.Hash, l *src.Log) *Transfer {
	if l.Removed || len(l.Topics) < 3 || l.Topics[0] != TransferTopic {
		return nil
	}
	ev, kind := erc20Transfer, KindERC20
	switch {
	case len(l.Topics) == 3 && len(l.Data) == 32:
	case len(l.Topics) == 4 && len(l.Data) == 0:
		ev, kind = erc721Transfer, KindERC721
	default:
		return nil // not a standard Transfer: neither form decodes
	}
	fields := map[string]any{}
	var indexed abi.Arguments
	for _, a := range ev.Inputs {
		if a.Indexed {
			indexed = append(indexed, a)
		}
	}
	if err := abi.ParseTopicsIntoMap(fields, indexed, l.Topics[1:]); err != nil {
		return nil
	}
	if kind == KindERC20 {
		if err := ev.Inputs.UnpackIntoMap(fields, l.Data); err != nil {
			return nil
		}
	}
	from, ok1 := fields["from"].(common.Address)
	to, ok2 := fields["to"].(common.Address)
	if !ok1 || !ok2 {
		return nil
	}
	t := &Transfer{Kind: kind, Asset: TokenAsset(l.Address), From: NormalizeAddress(from), To: NormalizeAddress(to), TxHash: txHash}
	if kind == KindERC20 {
		v, ok := fields["value"].(*big.Int)
		if !ok {
			return nil
		}
		t.Amount = v
	} else {
		id, ok := fields["tokenId"].(*big.Int)
		if !ok {
			return nil
		}
		t.Amount, t.TokenID = big.NewInt(1), id
	}
	t.ID = base
	t.ID.Source, t.ID.Index = SourceLog, uint32(l.Index)
	return t
}
