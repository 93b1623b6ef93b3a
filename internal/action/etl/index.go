package etl

import (
	"context"
	"fmt"
	"time"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"github.com/interdict/interdict/internal/index/bitcoin"
)

// Index is what an export reads from the chain index.
type Index interface {
	BlockByHeight(ctx context.Context, height int64) (*bitcoin.Block, error)
	BlockByHash(ctx context.Context, hash chainhash.Hash) (*bitcoin.Block, error)
	Tx(ctx context.Context, txid chainhash.Hash) (*bitcoin.Tx, error)
}

// Kind is what an export holds.
type Kind string

// The two record kinds bitcoin-etl exports.
const (
	KindBlocks       Kind = "blocks"
	KindTransactions Kind = "transactions"
)

// Exporter writes bitcoin-etl records of indexed blocks.
type Exporter struct {
	Index  Index
	Params *chaincfg.Params // address encoding
}

// Write writes the records of kind for block b to w.
func (e Exporter) Write(ctx context.Context, b *bitcoin.Block, kind Kind, w *Writer) error {
	msg, prev, err := e.rebuild(ctx, b)
	if err != nil {
		return err
	}
	switch kind {
	case KindBlocks:
		return w.WriteBlock(NewBlock(b.Height, msg))
	case KindTransactions:
		for _, t := range NewTransactions(b.Height, msg, prev, e.Params) {
			if err := w.WriteTransaction(t); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("export kind %q: want blocks or transactions", kind)
}

// rebuild puts block b back together from the index: the header from the
// block record, the transactions from their records, and what each input
// spent as the index knew it at ingest (unknown stays unknown). The rebuilt
// header must hash to the indexed hash, which proves every header field
// survived the round trip.
func (e Exporter) rebuild(ctx context.Context, b *bitcoin.Block) (*wire.MsgBlock, PrevOutMap, error) {
	msg := &wire.MsgBlock{
		Header: wire.BlockHeader{
			Version: b.Version, PrevBlock: b.Prev, MerkleRoot: b.MerkleRoot,
			Timestamp: time.Unix(b.Time, 0), Bits: b.Bits, Nonce: b.Nonce,
		},
		Transactions: make([]*wire.MsgTx, 0, len(b.Txids)),
	}
	if got := msg.Header.BlockHash(); got != b.Hash {
		return nil, nil, fmt.Errorf("block %d: indexed header hashes to %s, not %s", b.Height, got, b.Hash)
	}
	prev := make(PrevOutMap)
	for _, id := range b.Txids {
		// A BIP30 duplicate txid resolves to its latest record; the
		// transaction bytes are the same by definition of the txid.
		tx, err := e.Index.Tx(ctx, id)
		if err != nil {
			return nil, nil, fmt.Errorf("block %d: transaction %s: %w", b.Height, id, err)
		}
		msg.Transactions = append(msg.Transactions, tx.Msg)
		for i, p := range tx.Prev {
			if p.Known && i < len(tx.Msg.TxIn) {
				prev[tx.Msg.TxIn[i].PreviousOutPoint] = PrevOut{Value: p.Value, PkScript: p.PkScript}
			}
		}
	}
	return msg, prev, nil
}
