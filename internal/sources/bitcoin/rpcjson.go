package bitcoin

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
)

// ErrForeignChain: the JSON describes a block or transaction of another
// chain (Zcash, merged-mined AuxPoW chains) whose format btcd's wire cannot
// represent.
var ErrForeignChain = errors.New("bitcoin: not a Bitcoin-format block or transaction")

type blockJSON struct {
	Hash              string            `json:"hash"`
	Height            *int64            `json:"height"`
	Version           int32             `json:"version"`
	PreviousBlockHash string            `json:"previousblockhash"`
	MerkleRoot        string            `json:"merkleroot"`
	Time              int64             `json:"time"`
	Bits              string            `json:"bits"`
	Nonce             json.RawMessage   `json:"nonce"`
	Size              int               `json:"size"`
	Tx                []json.RawMessage `json:"tx"`
	// Present only on chains btcd cannot decode.
	Solution         *string         `json:"solution"`
	FinalSaplingRoot *string         `json:"finalsaplingroot"`
	AuxPow           json.RawMessage `json:"auxpow"`
}

type txJSON struct {
	Txid     string `json:"txid"`
	Hash     string `json:"hash"`
	Hex      string `json:"hex"`
	Version  int32  `json:"version"`
	LockTime uint32 `json:"locktime"`
	Vin      []struct {
		Coinbase  *string `json:"coinbase"`
		Txid      string  `json:"txid"`
		Vout      uint32  `json:"vout"`
		ScriptSig *struct {
			Hex string `json:"hex"`
		} `json:"scriptSig"`
		TxInWitness []string `json:"txinwitness"`
		Sequence    uint32   `json:"sequence"`
	} `json:"vin"`
	Vout []struct {
		Value        json.Number `json:"value"`
		N            uint32      `json:"n"`
		ScriptPubKey struct {
			Hex string `json:"hex"`
		} `json:"scriptPubKey"`
	} `json:"vout"`
	// Zcash transaction fields; any of them means the txid cannot be
	// rebuilt from the Bitcoin fields alone.
	Overwintered   *bool           `json:"overwintered"`
	VersionGroupID *string         `json:"versiongroupid"`
	VJoinSplit     json.RawMessage `json:"vjoinsplit"`
	ValueBalance   json.RawMessage `json:"valueBalance"`
}

// DecodeBlockJSON decodes getblock's verbose JSON into a wire block. With
// verbosity 2 each transaction comes inline, from its "hex" field when the
// node sends one, else rebuilt from its fields (version, inputs with script
// and witness, outputs with values parsed as exact decimals, locktime) and
// checked against the stated txid. With verbosity 1 (txids only) fetch is
// called for each transaction; it may be nil otherwise. The rebuilt header
// must hash to the stated hash and the transactions to the merkle root, so
// a block that decodes is the block the node has.
func DecodeBlockJSON(data []byte, fetch func(chainhash.Hash) (*wire.MsgTx, error)) (*Block, error) {
	var j blockJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return nil, fmt.Errorf("%w: block JSON: %v", ErrDecode, err)
	}
	switch {
	case j.Solution != nil || j.FinalSaplingRoot != nil:
		return nil, fmt.Errorf("%w: block %s has an Equihash solution and a sapling root (Zcash): its 1487-byte header is not Bitcoin's 80 bytes", ErrForeignChain, j.Hash)
	case len(j.AuxPow) > 0 && string(j.AuxPow) != "null":
		return nil, fmt.Errorf("%w: block %s is merged-mined (AuxPoW header)", ErrForeignChain, j.Hash)
	}
	hash, err := chainhash.NewHashFromStr(j.Hash)
	if err != nil || j.Hash == "" {
		return nil, fmt.Errorf("%w: block hash %q", ErrDecode, j.Hash)
	}
	msg := &wire.MsgBlock{}
	if err := j.header(&msg.Header); err != nil {
		return nil, fmt.Errorf("block %s: %w", j.Hash, err)
	}
	if got := msg.Header.BlockHash(); got != *hash {
		return nil, fmt.Errorf("%w: block %s: the header fields hash to %s", ErrDecode, j.Hash, got)
	}
	if len(j.Tx) > wire.MaxBlockPayload/10 {
		return nil, fmt.Errorf("%w: block %s lists %d transactions", ErrBlockSize, j.Hash, len(j.Tx))
	}
	for i, raw := range j.Tx {
		tx, err := decodeTxJSON(raw, fetch)
		if err != nil {
			return nil, fmt.Errorf("block %s tx %d: %w", j.Hash, i, err)
		}
		msg.Transactions = append(msg.Transactions, tx)
	}
	if len(msg.Transactions) == 0 {
		return nil, fmt.Errorf("%w: block %s has no transactions", ErrDecode, j.Hash)
	}
	txs := make([]*btcutil.Tx, len(msg.Transactions))
	for i, tx := range msg.Transactions {
		txs[i] = btcutil.NewTx(tx)
	}
	if root := blockchain.CalcMerkleRoot(txs, false); root != msg.Header.MerkleRoot {
		return nil, fmt.Errorf("%w: block %s: transactions hash to merkle root %s, header says %s", ErrDecode, j.Hash, root, msg.Header.MerkleRoot)
	}
	b := &Block{Height: -1, Hash: *hash, Msg: msg, Size: msg.SerializeSize()}
	if j.Size != 0 && j.Size != b.Size {
		return nil, fmt.Errorf("%w: block %s: rebuilt block has %d bytes, node says %d", ErrDecode, j.Hash, b.Size, j.Size)
	}
	if j.Height != nil {
		b.Height = *j.Height
	}
	return b, nil
}

func (j *blockJSON) header(h *wire.BlockHeader) error {
	h.Version = j.Version
	if j.PreviousBlockHash != "" { // empty for genesis
		p, err := chainhash.NewHashFromStr(j.PreviousBlockHash)
		if err != nil {
			return fmt.Errorf("%w: previousblockhash: %v", ErrDecode, err)
		}
		h.PrevBlock = *p
	}
	m, err := chainhash.NewHashFromStr(j.MerkleRoot)
	if err != nil || j.MerkleRoot == "" {
		return fmt.Errorf("%w: merkleroot %q", ErrDecode, j.MerkleRoot)
	}
	h.MerkleRoot = *m
	bits, err := strconv.ParseUint(j.Bits, 16, 32)
	if err != nil {
		return fmt.Errorf("%w: bits %q", ErrDecode, j.Bits)
	}
	h.Bits = uint32(bits)
	nonce, err := strconv.ParseUint(string(j.Nonce), 10, 32)
	if err != nil {
		return fmt.Errorf("%w: nonce %q (a 32-bit number in Bitcoin)", ErrDecode, j.Nonce)
	}
	h.Nonce = uint32(nonce)
	if j.Time < 0 || j.Time > 1<<32-1 {
		return fmt.Errorf("%w: time %d", ErrDecode, j.Time)
	}
	h.Timestamp = unixTime(j.Time)
	return nil
}

func decodeTxJSON(raw json.RawMessage, fetch func(chainhash.Hash) (*wire.MsgTx, error)) (*wire.MsgTx, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '"' { // verbosity 1: a txid
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrDecode, err)
		}
		id, err := chainhash.NewHashFromStr(s)
		if err != nil {
			return nil, fmt.Errorf("%w: txid %q", ErrDecode, s)
		}
		if fetch == nil {
			return nil, fmt.Errorf("%w: txid %s given without the transaction (verbosity 1) and no way to fetch it", ErrDecode, s)
		}
		return fetch(*id)
	}
	var j txJSON
	if err := json.Unmarshal(raw, &j); err != nil {
		return nil, fmt.Errorf("%w: transaction JSON: %v", ErrDecode, err)
	}
	txid, err := chainhash.NewHashFromStr(j.Txid)
	if err != nil || j.Txid == "" {
		return nil, fmt.Errorf("%w: txid %q", ErrDecode, j.Txid)
	}
	var tx *wire.MsgTx
	if j.Hex != "" {
		if tx, err = DecodeRawTx([]byte(j.Hex)); err != nil {
			return nil, err
		}
	} else {
		if j.Overwintered != nil || j.VersionGroupID != nil || len(j.VJoinSplit) > 0 || len(j.ValueBalance) > 0 {
			return nil, fmt.Errorf("%w: tx %s has Zcash fields (overwintered, versiongroupid, vjoinsplit, valueBalance) and no hex", ErrForeignChain, j.Txid)
		}
		if tx, err = j.rebuild(); err != nil {
			return nil, fmt.Errorf("tx %s: %w", j.Txid, err)
		}
	}
	if got := tx.TxHash(); got != *txid {
		return nil, fmt.Errorf("%w: tx %s decodes to txid %s", ErrDecode, j.Txid, got)
	}
	if j.Hash != "" {
		if wt, err := chainhash.NewHashFromStr(j.Hash); err == nil && tx.WitnessHash() != *wt {
			return nil, fmt.Errorf("%w: tx %s: witness hash %s, node says %s", ErrDecode, j.Txid, tx.WitnessHash(), j.Hash)
		}
	}
	return tx, nil
}

// rebuild makes the wire transaction from the JSON fields of a node that
// does not send "hex".
func (j *txJSON) rebuild() (*wire.MsgTx, error) {
	tx := wire.NewMsgTx(j.Version)
	tx.LockTime = j.LockTime
	for i, in := range j.Vin {
		ti := &wire.TxIn{Sequence: in.Sequence}
		switch {
		case in.Coinbase != nil:
			s, err := hex.DecodeString(*in.Coinbase)
			if err != nil {
				return nil, fmt.Errorf("%w: vin %d coinbase: %v", ErrDecode, i, err)
			}
			ti.SignatureScript = s
			ti.PreviousOutPoint.Index = wire.MaxPrevOutIndex
		default:
			h, err := chainhash.NewHashFromStr(in.Txid)
			if err != nil || in.Txid == "" {
				return nil, fmt.Errorf("%w: vin %d txid %q", ErrDecode, i, in.Txid)
			}
			ti.PreviousOutPoint = wire.OutPoint{Hash: *h, Index: in.Vout}
			if in.ScriptSig != nil {
				if ti.SignatureScript, err = hex.DecodeString(in.ScriptSig.Hex); err != nil {
					return nil, fmt.Errorf("%w: vin %d scriptSig: %v", ErrDecode, i, err)
				}
			}
		}
		for k, w := range in.TxInWitness {
			b, err := hex.DecodeString(w)
			if err != nil {
				return nil, fmt.Errorf("%w: vin %d witness %d: %v", ErrDecode, i, k, err)
			}
			ti.Witness = append(ti.Witness, b)
		}
		tx.AddTxIn(ti)
	}
	for i, out := range j.Vout {
		v, err := ParseBTC(out.Value.String())
		if err != nil {
			return nil, fmt.Errorf("vout %d: %w", i, err)
		}
		s, err := hex.DecodeString(out.ScriptPubKey.Hex)
		if err != nil {
			return nil, fmt.Errorf("%w: vout %d scriptPubKey: %v", ErrDecode, i, err)
		}
		tx.AddTxOut(wire.NewTxOut(v, s))
	}
	return tx, nil
}

var satPerBTC = big.NewRat(1e8, 1)

// ParseBTC parses a BTC amount as the node prints it ("50.00000000", "0.1",
// "1e-08") into satoshi exactly, without passing through float64. More than
// eight decimals, negative or out-of-range amounts are errors.
func ParseBTC(s string) (int64, error) {
	// big.Rat alone would take any exponent, and 1e999999 costs it tens of
	// milliseconds: bound the text first.
	mant, exp, hasExp := strings.Cut(strings.ToLower(s), "e")
	if len(mant) == 0 || len(mant) > 40 || strings.Trim(mant, "0123456789.") != "" || strings.Count(mant, ".") > 1 {
		return 0, fmt.Errorf("%w: amount %q is not a decimal number", ErrDecode, s)
	}
	if hasExp {
		if e, err := strconv.Atoi(exp); err != nil || e < -30 || e > 30 {
			return 0, fmt.Errorf("%w: amount %q has an exponent out of range", ErrDecode, s)
		}
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return 0, fmt.Errorf("%w: amount %q is not a number", ErrDecode, s)
	}
	r.Mul(r, satPerBTC)
	if !r.IsInt() || r.Sign() < 0 || !r.Num().IsInt64() || r.Num().Int64() > btcutil.MaxSatoshi {
		return 0, fmt.Errorf("%w: amount %q is not a whole number of satoshi within 21M BTC", ErrDecode, s)
	}
	return r.Num().Int64(), nil
}
