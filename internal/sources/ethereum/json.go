package ethereum

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
)

// ErrDecode is wrapped by every error about a malformed node response.
var ErrDecode = errors.New("ethereum: malformed response")

func decodeErr(what string, err error) error {
	return fmt.Errorf("%w: %s: %w", ErrDecode, what, err)
}

// The wire types mirror the node's JSON with go-ethereum's hexutil types, so
// decoding checks every quantity and byte string (no leading zeros, no odd
// lengths, quantities within 256 bits); model types never carry hexutil.

type blockJSON struct {
	Number                *hexutil.Big     `json:"number"`
	Hash                  *common.Hash     `json:"hash"`
	ParentHash            *common.Hash     `json:"parentHash"`
	Nonce                 hexutil.Bytes    `json:"nonce,omitempty"`
	Sha3Uncles            common.Hash      `json:"sha3Uncles"`
	LogsBloom             hexutil.Bytes    `json:"logsBloom"`
	TransactionsRoot      common.Hash      `json:"transactionsRoot"`
	StateRoot             common.Hash      `json:"stateRoot"`
	ReceiptsRoot          common.Hash      `json:"receiptsRoot"`
	Miner                 common.Address   `json:"miner"`
	MixHash               common.Hash      `json:"mixHash"`
	Difficulty            *hexutil.Big     `json:"difficulty"`
	TotalDifficulty       *hexutil.Big     `json:"totalDifficulty,omitempty"`
	Size                  hexutil.Uint64   `json:"size"`
	ExtraData             hexutil.Bytes    `json:"extraData"`
	GasLimit              hexutil.Uint64   `json:"gasLimit"`
	GasUsed               hexutil.Uint64   `json:"gasUsed"`
	Timestamp             hexutil.Uint64   `json:"timestamp"`
	BaseFeePerGas         *hexutil.Big     `json:"baseFeePerGas,omitempty"`
	WithdrawalsRoot       *common.Hash     `json:"withdrawalsRoot,omitempty"`
	Withdrawals           []withdrawalJSON `json:"withdrawals,omitempty"`
	BlobGasUsed           *hexutil.Uint64  `json:"blobGasUsed,omitempty"`
	ExcessBlobGas         *hexutil.Uint64  `json:"excessBlobGas,omitempty"`
	ParentBeaconBlockRoot *common.Hash     `json:"parentBeaconBlockRoot,omitempty"`
	RequestsHash          *common.Hash     `json:"requestsHash,omitempty"`
	Uncles                []common.Hash    `json:"uncles"`
	Transactions          json.RawMessage  `json:"transactions"`
}

type withdrawalJSON struct {
	Index          hexutil.Uint64 `json:"index"`
	ValidatorIndex hexutil.Uint64 `json:"validatorIndex"`
	Address        common.Address `json:"address"`
	Amount         hexutil.Uint64 `json:"amount"`
}

// UnmarshalJSON decodes an eth_getBlockByNumber result, with full
// transactions or hashes only.
func (b *Block) UnmarshalJSON(data []byte) error {
	var w blockJSON
	if err := json.Unmarshal(data, &w); err != nil {
		return decodeErr("block", err)
	}
	if w.Number == nil || w.Hash == nil || w.ParentHash == nil {
		return decodeErr("block", errors.New("missing number, hash or parentHash (pending block?)"))
	}
	nb := (*big.Int)(w.Number)
	if !nb.IsUint64() {
		return decodeErr("block", fmt.Errorf("number %s out of range", nb))
	}
	*b = Block{
		Number: nb.Uint64(), Hash: *w.Hash, ParentHash: *w.ParentHash,
		Nonce: w.Nonce, Sha3Uncles: w.Sha3Uncles, LogsBloom: w.LogsBloom,
		TransactionsRoot: w.TransactionsRoot, StateRoot: w.StateRoot, ReceiptsRoot: w.ReceiptsRoot,
		Miner: w.Miner, MixHash: w.MixHash,
		Difficulty: bigOrNil(w.Difficulty), TotalDifficulty: bigOrNil(w.TotalDifficulty),
		Size: uint64(w.Size), ExtraData: w.ExtraData,
		GasLimit: uint64(w.GasLimit), GasUsed: uint64(w.GasUsed), Timestamp: uint64(w.Timestamp),
		BaseFeePerGas: bigOrNil(w.BaseFeePerGas), WithdrawalsRoot: w.WithdrawalsRoot,
		BlobGasUsed: u64OrNil(w.BlobGasUsed), ExcessBlobGas: u64OrNil(w.ExcessBlobGas),
		ParentBeaconBlockRoot: w.ParentBeaconBlockRoot, RequestsHash: w.RequestsHash,
		Uncles: w.Uncles,
	}
	if w.Withdrawals != nil {
		b.Withdrawals = make([]Withdrawal, len(w.Withdrawals))
		for i, x := range w.Withdrawals {
			b.Withdrawals[i] = Withdrawal{Index: uint64(x.Index), ValidatorIndex: uint64(x.ValidatorIndex), Address: x.Address, Amount: uint64(x.Amount)}
		}
	}
	// The list is either all hashes or all objects: peek at its first
	// element and decode it once in that shape (decoding element by element
	// would validate every transaction's JSON twice more).
	list := bytes.TrimSpace(w.Transactions)
	if len(list) == 0 || string(list) == "null" {
		b.TxHashes = []common.Hash{}
		return nil
	}
	if inner := bytes.TrimSpace(bytes.TrimPrefix(list, []byte("["))); len(inner) > 0 && inner[0] == '"' {
		if err := json.Unmarshal(list, &b.TxHashes); err != nil {
			return decodeErr("block transaction hashes", err)
		}
		return nil
	}
	var txs []txJSON
	if err := json.Unmarshal(list, &txs); err != nil {
		return decodeErr("block transactions", err)
	}
	b.TxHashes = make([]common.Hash, len(txs))
	if len(txs) == 0 {
		return nil // an empty block: no telling the two forms apart
	}
	b.Txs = make([]*Tx, len(txs))
	for i := range txs {
		tx := new(Tx)
		if err := tx.fromWire(&txs[i]); err != nil {
			return fmt.Errorf("block %d transaction %d: %w", b.Number, i, err)
		}
		b.Txs[i], b.TxHashes[i] = tx, tx.Hash
	}
	return nil
}

// MarshalJSON encodes the block as a node does: with full transactions when
// Txs is set, hashes otherwise.
func (b *Block) MarshalJSON() ([]byte, error) {
	return b.marshal(b.Txs != nil)
}

// MarshalJSONHashes encodes the block with transaction hashes only, as
// eth_getBlockByNumber(n, false) returns it.
func (b *Block) MarshalJSONHashes() ([]byte, error) {
	return b.marshal(false)
}

func (b *Block) marshal(full bool) ([]byte, error) {
	w := blockJSON{
		Number: (*hexutil.Big)(new(big.Int).SetUint64(b.Number)), Hash: &b.Hash, ParentHash: &b.ParentHash,
		Nonce: b.Nonce, Sha3Uncles: b.Sha3Uncles, LogsBloom: b.LogsBloom,
		TransactionsRoot: b.TransactionsRoot, StateRoot: b.StateRoot, ReceiptsRoot: b.ReceiptsRoot,
		Miner: b.Miner, MixHash: b.MixHash,
		Difficulty: hexBig(b.Difficulty), TotalDifficulty: (*hexutil.Big)(b.TotalDifficulty),
		Size: hexutil.Uint64(b.Size), ExtraData: b.ExtraData,
		GasLimit: hexutil.Uint64(b.GasLimit), GasUsed: hexutil.Uint64(b.GasUsed), Timestamp: hexutil.Uint64(b.Timestamp),
		BaseFeePerGas: (*hexutil.Big)(b.BaseFeePerGas), WithdrawalsRoot: b.WithdrawalsRoot,
		BlobGasUsed: (*hexutil.Uint64)(b.BlobGasUsed), ExcessBlobGas: (*hexutil.Uint64)(b.ExcessBlobGas),
		ParentBeaconBlockRoot: b.ParentBeaconBlockRoot, RequestsHash: b.RequestsHash,
		Uncles: b.Uncles,
	}
	if w.Uncles == nil {
		w.Uncles = []common.Hash{}
	}
	if b.Withdrawals != nil {
		w.Withdrawals = make([]withdrawalJSON, len(b.Withdrawals))
		for i, x := range b.Withdrawals {
			w.Withdrawals[i] = withdrawalJSON{Index: hexutil.Uint64(x.Index), ValidatorIndex: hexutil.Uint64(x.ValidatorIndex), Address: x.Address, Amount: hexutil.Uint64(x.Amount)}
		}
	}
	var err error
	if full {
		txs := make([]*Tx, len(b.Txs))
		copy(txs, b.Txs)
		w.Transactions, err = json.Marshal(txs)
	} else {
		hashes := b.TxHashes
		if hashes == nil {
			hashes = []common.Hash{}
			for _, tx := range b.Txs {
				hashes = append(hashes, tx.Hash)
			}
		}
		w.Transactions, err = json.Marshal(hashes)
	}
	if err != nil {
		return nil, err
	}
	return json.Marshal(&w)
}

type txJSON struct {
	Hash                 common.Hash                  `json:"hash"`
	Type                 *hexutil.Uint64              `json:"type,omitempty"`
	BlockHash            *common.Hash                 `json:"blockHash"`
	BlockNumber          *hexutil.Big                 `json:"blockNumber"`
	Index                *hexutil.Uint64              `json:"transactionIndex"`
	From                 common.Address               `json:"from"`
	To                   *common.Address              `json:"to"`
	Nonce                hexutil.Uint64               `json:"nonce"`
	Value                *hexutil.Big                 `json:"value"`
	Gas                  hexutil.Uint64               `json:"gas"`
	Input                hexutil.Bytes                `json:"input"`
	GasPrice             *hexutil.Big                 `json:"gasPrice,omitempty"`
	MaxFeePerGas         *hexutil.Big                 `json:"maxFeePerGas,omitempty"`
	MaxPriorityFeePerGas *hexutil.Big                 `json:"maxPriorityFeePerGas,omitempty"`
	ChainID              *hexutil.Big                 `json:"chainId,omitempty"`
	AccessList           *types.AccessList            `json:"accessList,omitempty"`
	MaxFeePerBlobGas     *hexutil.Big                 `json:"maxFeePerBlobGas,omitempty"`
	BlobVersionedHashes  []common.Hash                `json:"blobVersionedHashes,omitempty"`
	AuthorizationList    []types.SetCodeAuthorization `json:"authorizationList,omitempty"`
	V                    *hexutil.Big                 `json:"v,omitempty"`
	R                    *hexutil.Big                 `json:"r,omitempty"`
	S                    *hexutil.Big                 `json:"s,omitempty"`
	YParity              *hexutil.Uint64              `json:"yParity,omitempty"`
}

// UnmarshalJSON decodes a transaction object of any type.
func (t *Tx) UnmarshalJSON(data []byte) error {
	var w txJSON
	if err := json.Unmarshal(data, &w); err != nil {
		return decodeErr("transaction", err)
	}
	return t.fromWire(&w)
}

func (t *Tx) fromWire(w *txJSON) error {
	if w.Value == nil {
		return decodeErr("transaction", errors.New("missing value"))
	}
	var typ uint64
	if w.Type != nil {
		typ = uint64(*w.Type)
	}
	if typ > 0xff {
		return decodeErr("transaction", fmt.Errorf("type %#x out of range", typ))
	}
	*t = Tx{
		Hash: w.Hash, Type: uint8(typ), From: w.From, To: w.To, Nonce: uint64(w.Nonce),
		Value: (*big.Int)(w.Value), Gas: uint64(w.Gas), Input: w.Input,
		GasPrice: bigOrNil(w.GasPrice), MaxFeePerGas: bigOrNil(w.MaxFeePerGas),
		MaxPriorityFeePerGas: bigOrNil(w.MaxPriorityFeePerGas), ChainID: bigOrNil(w.ChainID),
		MaxFeePerBlobGas: bigOrNil(w.MaxFeePerBlobGas), BlobVersionedHashes: w.BlobVersionedHashes,
		AuthorizationList: w.AuthorizationList,
		V:                 bigOrNil(w.V), R: bigOrNil(w.R), S: bigOrNil(w.S), YParity: u64OrNil(w.YParity),
	}
	if t.Input == nil {
		t.Input = []byte{}
	}
	if w.AccessList != nil {
		t.AccessList = *w.AccessList
	}
	if w.BlockHash != nil {
		t.BlockHash = *w.BlockHash
	}
	if w.BlockNumber != nil {
		n := (*big.Int)(w.BlockNumber)
		if !n.IsUint64() {
			return decodeErr("transaction", fmt.Errorf("blockNumber %s out of range", n))
		}
		t.BlockNumber = n.Uint64()
	}
	if w.Index != nil {
		t.Index = uint64(*w.Index)
	}
	return nil
}

// MarshalJSON encodes the transaction as a node does.
func (t *Tx) MarshalJSON() ([]byte, error) {
	typ := hexutil.Uint64(t.Type)
	idx := hexutil.Uint64(t.Index)
	w := txJSON{
		Hash: t.Hash, Type: &typ, BlockHash: &t.BlockHash,
		BlockNumber: (*hexutil.Big)(new(big.Int).SetUint64(t.BlockNumber)), Index: &idx,
		From: t.From, To: t.To, Nonce: hexutil.Uint64(t.Nonce), Value: hexBig(t.Value),
		Gas: hexutil.Uint64(t.Gas), Input: t.Input,
		GasPrice: (*hexutil.Big)(t.GasPrice), MaxFeePerGas: (*hexutil.Big)(t.MaxFeePerGas),
		MaxPriorityFeePerGas: (*hexutil.Big)(t.MaxPriorityFeePerGas), ChainID: (*hexutil.Big)(t.ChainID),
		MaxFeePerBlobGas: (*hexutil.Big)(t.MaxFeePerBlobGas), BlobVersionedHashes: t.BlobVersionedHashes,
		AuthorizationList: t.AuthorizationList,
		V:                 (*hexutil.Big)(t.V), R: (*hexutil.Big)(t.R), S: (*hexutil.Big)(t.S), YParity: (*hexutil.Uint64)(t.YParity),
	}
	if w.Input == nil {
		w.Input = hexutil.Bytes{}
	}
	if t.AccessList != nil {
		w.AccessList = &t.AccessList
	}
	return json.Marshal(&w)
}

type receiptJSON struct {
	TxHash            common.Hash     `json:"transactionHash"`
	TxIndex           hexutil.Uint64  `json:"transactionIndex"`
	BlockHash         common.Hash     `json:"blockHash"`
	BlockNumber       *hexutil.Big    `json:"blockNumber"`
	From              common.Address  `json:"from"`
	To                *common.Address `json:"to"`
	Type              *hexutil.Uint64 `json:"type,omitempty"`
	CumulativeGasUsed hexutil.Uint64  `json:"cumulativeGasUsed"`
	GasUsed           hexutil.Uint64  `json:"gasUsed"`
	ContractAddress   *common.Address `json:"contractAddress"`
	Root              hexutil.Bytes   `json:"root,omitempty"`
	Status            *hexutil.Uint64 `json:"status,omitempty"`
	EffectiveGasPrice *hexutil.Big    `json:"effectiveGasPrice,omitempty"`
	LogsBloom         hexutil.Bytes   `json:"logsBloom"`
	Logs              []*logJSON      `json:"logs"`
	BlobGasUsed       *hexutil.Uint64 `json:"blobGasUsed,omitempty"`
	BlobGasPrice      *hexutil.Big    `json:"blobGasPrice,omitempty"`
}

// UnmarshalJSON decodes a receipt.
func (r *Receipt) UnmarshalJSON(data []byte) error {
	var w receiptJSON
	if err := json.Unmarshal(data, &w); err != nil {
		return decodeErr("receipt", err)
	}
	return r.fromWire(&w)
}

func (r *Receipt) fromWire(w *receiptJSON) error {
	if w.BlockNumber == nil {
		return decodeErr("receipt", errors.New("missing blockNumber"))
	}
	n := (*big.Int)(w.BlockNumber)
	if !n.IsUint64() {
		return decodeErr("receipt", fmt.Errorf("blockNumber %s out of range", n))
	}
	var typ uint64
	if w.Type != nil {
		typ = uint64(*w.Type)
	}
	if typ > 0xff {
		return decodeErr("receipt", fmt.Errorf("type %#x out of range", typ))
	}
	*r = Receipt{
		TxHash: w.TxHash, TxIndex: uint64(w.TxIndex), BlockHash: w.BlockHash, BlockNumber: n.Uint64(),
		From: w.From, To: w.To, Type: uint8(typ),
		CumulativeGasUsed: uint64(w.CumulativeGasUsed), GasUsed: uint64(w.GasUsed),
		ContractAddress: w.ContractAddress, Root: w.Root, Status: u64OrNil(w.Status),
		EffectiveGasPrice: bigOrNil(w.EffectiveGasPrice), LogsBloom: w.LogsBloom,
		BlobGasUsed: u64OrNil(w.BlobGasUsed), BlobGasPrice: bigOrNil(w.BlobGasPrice),
	}
	if w.Logs != nil {
		r.Logs = make([]*Log, len(w.Logs))
		for i, lw := range w.Logs {
			if lw == nil {
				return decodeErr("receipt", fmt.Errorf("log %d is null", i))
			}
			r.Logs[i] = new(Log)
			if err := r.Logs[i].fromWire(lw); err != nil {
				return err
			}
		}
	}
	return nil
}

// MarshalJSON encodes the receipt as a node does.
func (r *Receipt) MarshalJSON() ([]byte, error) {
	typ := hexutil.Uint64(r.Type)
	w := receiptJSON{
		TxHash: r.TxHash, TxIndex: hexutil.Uint64(r.TxIndex), BlockHash: r.BlockHash,
		BlockNumber: (*hexutil.Big)(new(big.Int).SetUint64(r.BlockNumber)),
		From:        r.From, To: r.To, Type: &typ,
		CumulativeGasUsed: hexutil.Uint64(r.CumulativeGasUsed), GasUsed: hexutil.Uint64(r.GasUsed),
		ContractAddress: r.ContractAddress, Root: r.Root, Status: (*hexutil.Uint64)(r.Status),
		EffectiveGasPrice: (*hexutil.Big)(r.EffectiveGasPrice), LogsBloom: r.LogsBloom,
		BlobGasUsed: (*hexutil.Uint64)(r.BlobGasUsed), BlobGasPrice: (*hexutil.Big)(r.BlobGasPrice),
		Logs: make([]*logJSON, len(r.Logs)),
	}
	for i, l := range r.Logs {
		w.Logs[i] = l.toWire()
	}
	return json.Marshal(&w)
}

type logJSON struct {
	Address     common.Address `json:"address"`
	Topics      []common.Hash  `json:"topics"`
	Data        hexutil.Bytes  `json:"data"`
	BlockNumber *hexutil.Big   `json:"blockNumber"`
	BlockHash   common.Hash    `json:"blockHash"`
	TxHash      common.Hash    `json:"transactionHash"`
	TxIndex     hexutil.Uint64 `json:"transactionIndex"`
	Index       hexutil.Uint64 `json:"logIndex"`
	Removed     bool           `json:"removed"`
}

// UnmarshalJSON decodes a log.
func (l *Log) UnmarshalJSON(data []byte) error {
	var w logJSON
	if err := json.Unmarshal(data, &w); err != nil {
		return decodeErr("log", err)
	}
	return l.fromWire(&w)
}

func (l *Log) fromWire(w *logJSON) error {
	var num uint64
	if w.BlockNumber != nil {
		n := (*big.Int)(w.BlockNumber)
		if !n.IsUint64() {
			return decodeErr("log", fmt.Errorf("blockNumber %s out of range", n))
		}
		num = n.Uint64()
	}
	*l = Log{
		Address: w.Address, Topics: w.Topics, Data: w.Data, BlockNumber: num, BlockHash: w.BlockHash,
		TxHash: w.TxHash, TxIndex: uint64(w.TxIndex), Index: uint64(w.Index), Removed: w.Removed,
	}
	if l.Topics == nil {
		l.Topics = []common.Hash{}
	}
	if l.Data == nil {
		l.Data = []byte{}
	}
	return nil
}

// MarshalJSON encodes the log as a node does.
func (l *Log) MarshalJSON() ([]byte, error) {
	return json.Marshal(l.toWire())
}

func (l *Log) toWire() *logJSON {
	w := &logJSON{
		Address: l.Address, Topics: l.Topics, Data: l.Data,
		BlockNumber: (*hexutil.Big)(new(big.Int).SetUint64(l.BlockNumber)), BlockHash: l.BlockHash,
		TxHash: l.TxHash, TxIndex: hexutil.Uint64(l.TxIndex), Index: hexutil.Uint64(l.Index), Removed: l.Removed,
	}
	if w.Topics == nil {
		w.Topics = []common.Hash{}
	}
	if w.Data == nil {
		w.Data = hexutil.Bytes{}
	}
	return w
}

func bigOrNil(b *hexutil.Big) *big.Int {
	if b == nil {
		return nil
	}
	return (*big.Int)(b)
}

func hexBig(b *big.Int) *hexutil.Big {
	if b == nil {
		return (*hexutil.Big)(new(big.Int))
	}
	return (*hexutil.Big)(b)
}

func u64OrNil(u *hexutil.Uint64) *uint64 {
	if u == nil {
		return nil
	}
	v := uint64(*u)
	return &v
}
