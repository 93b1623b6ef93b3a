package postgres

import (
	"context"
	"errors"
	"fmt"
	"math/big"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	eth "github.com/interdict/interdict/internal/index/ethereum"
)

// Commit implements eth.Store: the whole batch is one transaction, under the
// store's advisory lock, after a check that each change extends the tip left
// by the ones before it (eth.ErrNotTip otherwise, with nothing written). A
// disconnect deletes its height from every table (the hash, location,
// history and flow entries are columns and indexes of those rows); the rows
// of consecutive connects go in by COPY, one per table.
func (s *EthStore) Commit(ctx context.Context, changes []eth.Change) error {
	if len(changes) == 0 {
		return ctx.Err()
	}
	err := withTx(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, qAdvisoryXactLock, lockEthCommit); err != nil {
			return err
		}
		tip, empty, err := readEthTip(ctx, tx)
		if err != nil {
			return err
		}
		rows := newEthRows()
		for i := range changes {
			c := &changes[i]
			if err := eth.CheckChange(tip, empty, c); err != nil {
				return fmt.Errorf("change %d: %w", i, err)
			}
			tip, empty = c.Tip, c.Empty
			if c.Disconnect != nil || c.PruneUndoBelow > 0 {
				// Rows of earlier connects go in before deletes that may
				// reach them.
				if err := rows.copy(ctx, tx); err != nil {
					return err
				}
			}
			if d := c.Disconnect; d != nil {
				for _, t := range ethHeightTables {
					if _, err := tx.Exec(ctx, `DELETE FROM `+t+` WHERE height = $1`, d.Block.Height); err != nil {
						return err
					}
				}
			}
			if c.PruneUndoBelow > 0 {
				if _, err := tx.Exec(ctx, qPruneEthUndo, c.PruneUndoBelow); err != nil {
					return err
				}
			}
			if c.Connect != nil {
				rows.add(c.Connect)
			}
		}
		if err := rows.copy(ctx, tx); err != nil {
			return err
		}
		if empty {
			_, err = tx.Exec(ctx, qDeleteEthTip)
		} else {
			_, err = tx.Exec(ctx, qSetEthTip, tip.Height, tip.Hash[:])
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: eth commit of %d changes: %w", len(changes), err)
	}
	return nil
}

// ConcurrentCommit implements eth.ConcurrentStore: a commit is one
// transaction, and readers see the index before or after it.
func (s *EthStore) ConcurrentCommit() bool { return true }

func readEthTip(ctx context.Context, q pgx.Tx) (eth.BlockRef, bool, error) {
	var (
		r    eth.BlockRef
		hash []byte
	)
	err := q.QueryRow(ctx, qEthTip).Scan(&r.Height, &hash)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, true, nil
	}
	if err != nil {
		return r, false, err
	}
	copy(r.Hash[:], hash)
	return r, false, nil
}

// ethRows collects the rows of connected blocks, per table.
type ethRows struct {
	blocks, txs, logs, traces, tokens, transfers, undo [][]any
}

func newEthRows() *ethRows { return &ethRows{} }

func addrOrNil(a string) []byte {
	if a == "" {
		return nil
	}
	p, _ := eth.ParseAddress(a)
	return p.Bytes()
}

func numeric(v *big.Int) pgtype.Numeric {
	if v == nil {
		v = new(big.Int)
	}
	return pgtype.Numeric{Int: new(big.Int).Set(v), Exp: 0, Valid: true}
}

func (w *ethRows) add(r *eth.Records) {
	h := r.Height()
	b := r.Block
	w.blocks = append(w.blocks, []any{h, b.Hash[:], b.ParentHash[:], eth.EncodeBlock(b)})
	for i, t := range r.Txs {
		var to []byte
		if t.Tx.To != nil {
			to = t.Tx.To.Bytes()
		}
		w.txs = append(w.txs, []any{h, int64(i), t.Tx.Hash.Bytes(), t.Tx.From.Bytes(), to, eth.EncodeTxRecord(t)})
	}
	for i, l := range r.Logs {
		w.logs = append(w.logs, []any{h, int64(i), l.Address.Bytes(), eth.EncodeLog(l)})
	}
	for i, t := range r.Traces {
		w.traces = append(w.traces, []any{h, int64(i), eth.EncodeTrace(t)})
	}
	for i, t := range r.Tokens {
		w.tokens = append(w.tokens, []any{h, int64(i), t.Address.Bytes(), eth.EncodeToken(t)})
	}
	for _, t := range r.Transfers {
		code, _ := eth.AssetCode(t.Asset)
		w.transfers = append(w.transfers, []any{t.ID.Height, int64(t.ID.TxIndex), int16(t.ID.Source), int64(t.ID.Index),
			int16(t.Kind), t.Asset, code, addrOrNil(t.From), addrOrNil(t.To), numeric(t.Amount), eth.EncodeTransfer(t)})
	}
	w.undo = append(w.undo, []any{h, r.Undo})
}

// copy writes the collected rows and empties the collection.
func (w *ethRows) copy(ctx context.Context, tx pgx.Tx) error {
	tables := []struct {
		name string
		cols []string
		rows [][]any
	}{
		{"eth_blocks", []string{"height", "hash", "parent_hash", "data"}, w.blocks},
		{"eth_txs", []string{"height", "idx", "hash", "from_addr", "to_addr", "data"}, w.txs},
		{"eth_logs", []string{"height", "seq", "address", "data"}, w.logs},
		{"eth_traces", []string{"height", "seq", "data"}, w.traces},
		{"eth_tokens", []string{"height", "seq", "address", "data"}, w.tokens},
		{"eth_transfers", []string{"height", "tx_index", "source", "idx", "kind", "asset", "asset_code", "from_addr", "to_addr", "amount", "data"}, w.transfers},
		{"eth_undo", []string{"height", "data"}, w.undo},
	}
	for _, t := range tables {
		if len(t.rows) == 0 {
			continue
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{t.name}, t.cols, pgx.CopyFromRows(t.rows)); err != nil {
			return fmt.Errorf("copy %s: %w", t.name, err)
		}
	}
	*w = ethRows{}
	return nil
}
