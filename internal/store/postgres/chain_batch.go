package postgres

import (
	"context"
	"fmt"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
	"github.com/jackc/pgx/v5"

	"github.com/interdict/interdict/internal/index/bitcoin"
)

// ReadBatch returns, in one round trip, the transactions of txids and the
// outputs and spends of outpoints that the index holds; a key it does not
// return is absent. Connecting a block reads one transaction, and one output
// and one spend per input and per output, mostly to learn they are absent
// (BIP30 checks, double-spend bookkeeping): at a round trip each, those reads
// bound a PostgreSQL ingest, so an engine that asks for a block's keys at once
// through this method is not held back by the network.
func (s *ChainStore) ReadBatch(ctx context.Context, txids []chainhash.Hash, outpoints []wire.OutPoint) (
	txs []*bitcoin.Tx, outputs []*bitcoin.Output, spends []*bitcoin.Spend, err error) {
	ids := make([][]byte, len(txids))
	for i := range txids {
		ids[i] = txids[i][:]
	}
	opIDs := make([][]byte, len(outpoints))
	vouts := make([]int64, len(outpoints))
	for i := range outpoints {
		opIDs[i], vouts[i] = outpoints[i].Hash[:], int64(outpoints[i].Index)
	}
	b := &pgx.Batch{}
	b.Queue(qTxsBatch, ids).Query(func(rows pgx.Rows) error {
		var (
			id []byte
			r  txRow
		)
		_, err := pgx.ForEachRow(rows, []any{&id, &r.blockHash, &r.height, &r.idx, &r.raw, &r.values, &r.scripts}, func() error {
			var txid chainhash.Hash
			copy(txid[:], id)
			t, err := r.tx(txid)
			if err == nil {
				txs = append(txs, t)
			}
			return err
		})
		return err
	})
	b.Queue(qOutputsBatch, opIDs, vouts).Query(func(rows pgx.Rows) error {
		defer rows.Close()
		for rows.Next() {
			o, err := scanOutput(rows)
			if err != nil {
				return err
			}
			outputs = append(outputs, o)
		}
		return rows.Err()
	})
	b.Queue(qSpendsBatch, opIDs, vouts).Query(func(rows pgx.Rows) error {
		var (
			txid, spender     []byte
			vout, vin, height int64
		)
		_, err := pgx.ForEachRow(rows, []any{&txid, &vout, &spender, &vin, &height}, func() error {
			sp := &bitcoin.Spend{OutPoint: wire.OutPoint{Index: uint32(vout)}, Vin: uint32(vin), Height: height}
			copy(sp.OutPoint.Hash[:], txid)
			copy(sp.Txid[:], spender)
			spends = append(spends, sp)
			return nil
		})
		return err
	})
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		return nil, nil, nil, fmt.Errorf("postgres: read batch of %d txids, %d outpoints: %w", len(txids), len(outpoints), err)
	}
	return txs, outputs, spends, nil
}
