// Package etl turns blocks into bitcoin-etl compatible block and transaction
// records and writes them as JSON lines or CSV, so analysts can take chain data
// out of Interdict in the schema of the public bitcoin-etl datasets, and so our
// index can be checked against bitcoin-etl's own expected exports.
//
// Field names, order and units (integer satoshi) follow bitcoin-etl's
// export_blocks_and_transactions; docs/formats/bitcoin-etl.md lists every
// field and the few places we deliberately differ.
package etl

import (
	"fmt"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
)

// Block is bitcoin-etl's block record.
type Block struct {
	Hash             string `json:"hash"`
	Size             int    `json:"size"`
	StrippedSize     int    `json:"stripped_size"`
	Weight           int    `json:"weight"`
	Number           int64  `json:"number"`
	Version          int32  `json:"version"`
	MerkleRoot       string `json:"merkle_root"`
	Timestamp        int64  `json:"timestamp"`
	Nonce            string `json:"nonce"`
	Bits             string `json:"bits"`
	CoinbaseParam    string `json:"coinbase_param"`
	TransactionCount int    `json:"transaction_count"`
}

// Transaction is bitcoin-etl's transaction record. InputValue and Fee are
// nil when the value of any spent output is unknown: an unknown value is
// never reported as zero.
type Transaction struct {
	Hash           string   `json:"hash"`
	Size           int      `json:"size"`
	VirtualSize    int      `json:"virtual_size"`
	Version        int32    `json:"version"`
	LockTime       uint32   `json:"lock_time"`
	BlockNumber    int64    `json:"block_number"`
	BlockHash      string   `json:"block_hash"`
	BlockTimestamp int64    `json:"block_timestamp"`
	IsCoinbase     bool     `json:"is_coinbase"`
	Index          int      `json:"index"`
	Inputs         []Input  `json:"inputs"`
	Outputs        []Output `json:"outputs"`
	InputCount     int      `json:"input_count"`
	OutputCount    int      `json:"output_count"`
	InputValue     *int64   `json:"input_value"`
	OutputValue    int64    `json:"output_value"`
	Fee            *int64   `json:"fee"`
}

// Input is one spending input. The fields describing the spent output
// (RequiredSignatures, Type, Addresses, Value) are null, null, [] and null
// when that output is unknown, as bitcoin-etl writes them before enrichment.
type Input struct {
	Index                int      `json:"index"`
	SpentTransactionHash string   `json:"spent_transaction_hash"`
	SpentOutputIndex     uint32   `json:"spent_output_index"`
	ScriptAsm            string   `json:"script_asm"`
	ScriptHex            string   `json:"script_hex"`
	Sequence             uint32   `json:"sequence"`
	RequiredSignatures   *int     `json:"required_signatures"`
	Type                 *string  `json:"type"`
	Addresses            []string `json:"addresses"`
	Value                *int64   `json:"value"`
}

// Output is one transaction output.
type Output struct {
	Index              int      `json:"index"`
	ScriptAsm          string   `json:"script_asm"`
	ScriptHex          string   `json:"script_hex"`
	RequiredSignatures *int     `json:"required_signatures"`
	Type               string   `json:"type"`
	Addresses          []string `json:"addresses"`
	Value              int64    `json:"value"`
}

// witnessScale is BIP141's weight factor: weight = 3×stripped size + size.
const witnessScale = 4

// PrevOut is a spent output as the builder needs it.
type PrevOut struct {
	Value    int64
	PkScript []byte
}

// PrevOuts resolves the outputs a block's inputs spend; ok is false when the
// output is unknown (for example it precedes the first ingested block).
// Outputs created earlier in the same block are resolved by the builder
// itself and never asked for.
type PrevOuts interface {
	PrevOut(op wire.OutPoint) (out PrevOut, ok bool)
}

// PrevOutMap is a PrevOuts held in memory.
type PrevOutMap map[wire.OutPoint]PrevOut

// PrevOut implements PrevOuts.
func (m PrevOutMap) PrevOut(op wire.OutPoint) (PrevOut, bool) {
	out, ok := m[op]
	return out, ok
}

// NewBlock builds the block record of msg at height.
func NewBlock(height int64, msg *wire.MsgBlock) Block {
	h := msg.Header
	stripped := msg.SerializeSizeStripped()
	size := msg.SerializeSize()
	b := Block{
		Hash:             h.BlockHash().String(),
		Size:             size,
		StrippedSize:     stripped,
		Weight:           stripped*(witnessScale-1) + size,
		Number:           height,
		Version:          h.Version,
		MerkleRoot:       h.MerkleRoot.String(),
		Timestamp:        h.Timestamp.Unix(),
		Nonce:            fmt.Sprintf("%x", h.Nonce),
		Bits:             fmt.Sprintf("%08x", h.Bits),
		TransactionCount: len(msg.Transactions),
	}
	if len(msg.Transactions) > 0 && isCoinbase(msg.Transactions[0]) {
		b.CoinbaseParam = fmt.Sprintf("%x", msg.Transactions[0].TxIn[0].SignatureScript)
	}
	return b
}

// NewTransactions builds the transaction records of msg at height. prev may
// be nil: then every input spending an output from an earlier block is
// unknown. params chooses the address encoding.
func NewTransactions(height int64, msg *wire.MsgBlock, prev PrevOuts, params *chaincfg.Params) []Transaction {
	blockHash := msg.Header.BlockHash().String()
	ts := msg.Header.Timestamp.Unix()
	// Outputs created in this block, for inputs spending them later in it.
	inBlock := make(PrevOutMap)
	txs := make([]Transaction, 0, len(msg.Transactions))
	for i, tx := range msg.Transactions {
		txHash := tx.TxHash()
		t := newTransaction(tx, txHash.String(), func(op wire.OutPoint) (PrevOut, bool) {
			if out, ok := inBlock[op]; ok {
				return out, true
			}
			if prev == nil {
				return PrevOut{}, false
			}
			return prev.PrevOut(op)
		}, params)
		t.BlockNumber, t.BlockHash, t.BlockTimestamp, t.Index = height, blockHash, ts, i
		txs = append(txs, t)
		for n, out := range tx.TxOut {
			inBlock[wire.OutPoint{Hash: txHash, Index: uint32(n)}] = PrevOut{Value: out.Value, PkScript: out.PkScript}
		}
	}
	return txs
}

func newTransaction(tx *wire.MsgTx, hash string, prev func(wire.OutPoint) (PrevOut, bool), params *chaincfg.Params) Transaction {
	stripped := tx.SerializeSizeStripped()
	size := tx.SerializeSize()
	weight := stripped*(witnessScale-1) + size
	t := Transaction{
		Hash:        hash,
		Size:        size,
		VirtualSize: (weight + witnessScale - 1) / witnessScale,
		Version:     tx.Version,
		LockTime:    tx.LockTime,
		IsCoinbase:  isCoinbase(tx),
		Inputs:      []Input{},
		Outputs:     make([]Output, 0, len(tx.TxOut)),
	}
	for n, out := range tx.TxOut {
		cls := classify(out.PkScript, params)
		t.Outputs = append(t.Outputs, Output{
			Index:              n,
			ScriptAsm:          scriptAsm(out.PkScript, false),
			ScriptHex:          fmt.Sprintf("%x", out.PkScript),
			RequiredSignatures: cls.requiredSigs,
			Type:               cls.typ,
			Addresses:          cls.addresses,
			Value:              out.Value,
		})
		t.OutputValue += out.Value
	}
	t.OutputCount = len(t.Outputs)
	var inputValue int64
	known := true
	if !t.IsCoinbase {
		for n, in := range tx.TxIn {
			ri := Input{
				Index:                n,
				SpentTransactionHash: in.PreviousOutPoint.Hash.String(),
				SpentOutputIndex:     in.PreviousOutPoint.Index,
				ScriptAsm:            scriptAsm(in.SignatureScript, true),
				ScriptHex:            fmt.Sprintf("%x", in.SignatureScript),
				Sequence:             in.Sequence,
				Addresses:            []string{},
			}
			if out, ok := prev(in.PreviousOutPoint); ok {
				cls := classify(out.PkScript, params)
				v := out.Value
				ri.RequiredSignatures, ri.Type, ri.Addresses, ri.Value = cls.requiredSigs, &cls.typ, cls.addresses, &v
				inputValue += v
			} else {
				known = false
			}
			t.Inputs = append(t.Inputs, ri)
		}
	}
	t.InputCount = len(t.Inputs)
	if known {
		fee := int64(0)
		if !t.IsCoinbase {
			fee = inputValue - t.OutputValue
		}
		t.InputValue, t.Fee = &inputValue, &fee
	}
	return t
}

// isCoinbase reports whether tx's only input spends the null outpoint, as
// Core's CTransaction::IsCoinBase.
func isCoinbase(tx *wire.MsgTx) bool {
	if len(tx.TxIn) != 1 {
		return false
	}
	op := tx.TxIn[0].PreviousOutPoint
	return op.Index == wire.MaxPrevOutIndex && op.Hash == chainhash.Hash{}
}
