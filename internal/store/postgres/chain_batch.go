package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
	"github.com/jackc/pgx/v5"

	"github.com/interdict/interdict/internal/index/bitcoin"
)

// ReadBatch returns, in one round trip, the transactions of txids and the
// outputs and spends of outpoints that the index holds; a key it does not
// return is absent. It implements bitcoin.BatchReader: connecting a block
// reads one transaction, and one output and one spend per input and per
// coinbase output, mostly to learn they are absent (BIP30 checks, inputs
// whose outputs precede the index or left the engine's cache); at a round
// trip each, those reads would bound a PostgreSQL ingest.
//
// The lookups are queued as single-key statements in one pipelined batch
// rather than as one `= ANY(array)` query per table: during a bulk ingest
// the planner's statistics lag the tables' growth, and it then picks a
// sequential scan and hash join for the array form, which grows with the
// index; a single-key lookup always uses the primary key.
func (s *ChainStore) ReadBatch(ctx context.Context, txids []chainhash.Hash, outpoints []wire.OutPoint) (
	txs []*bitcoin.Tx, outputs []*bitcoin.Output, spends []*bitcoin.Spend, err error) {
	b := &pgx.Batch{}
	seenTx := make(map[chainhash.Hash]bool, len(txids))
	for _, id := range txids {
		if seenTx[id] {
			continue
		}
		seenTx[id] = true
		b.Queue(qTx, id[:]).QueryRow(func(row pgx.Row) error {
			var r txRow
			if err := row.Scan(&r.blockHash, &r.height, &r.idx, &r.raw, &r.values, &r.scripts); err != nil {
				return absentRow(err)
			}
			t, err := r.tx(id)
			if err == nil {
				txs = append(txs, t)
			}
			return err
		})
	}
	seen := make(map[wire.OutPoint]bool, len(outpoints))
	for _, op := range outpoints {
		if seen[op] {
			continue
		}
		seen[op] = true
		b.Queue(qOutput, op.Hash[:], int64(op.Index)).QueryRow(func(row pgx.Row) error {
			o, err := scanOutput(row)
			if err != nil {
				return absentRow(err)
			}
			outputs = append(outputs, o)
			return nil
		})
		b.Queue(qSpend, op.Hash[:], int64(op.Index)).QueryRow(func(row pgx.Row) error {
			sp := &bitcoin.Spend{OutPoint: op}
			var (
				txid []byte
				vin  int64
			)
			if err := row.Scan(&txid, &vin, &sp.Height); err != nil {
				return absentRow(err)
			}
			if len(txid) != 32 {
				return fmt.Errorf("%w: spend of %s", bitcoin.ErrCorrupt, op)
			}
			copy(sp.Txid[:], txid)
			sp.Vin = uint32(vin)
			spends = append(spends, sp)
			return nil
		})
	}
	if b.Len() == 0 {
		return nil, nil, nil, nil
	}
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		return nil, nil, nil, fmt.Errorf("postgres: read batch of %d txids, %d outpoints: %w", len(txids), len(outpoints), err)
	}
	return txs, outputs, spends, nil
}

// absentRow turns "no row" into nil: an absent key is simply not returned.
func absentRow(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	return err
}
