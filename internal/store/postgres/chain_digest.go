package postgres

import (
	"context"
	"fmt"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
	"github.com/jackc/pgx/v5"

	"github.com/interdict/interdict/internal/index/bitcoin"
)

// Digest implements bitcoin.Store. It rebuilds the canonical pairs of
// bitcoin's schema.go from the rows, table by table in the order of the key
// prefixes ('a' addresses, 'b' blocks, 'h' block hashes, 'o' outputs,
// 's' spends, 't' tip, 'u' undo, 'x' transactions), each table read in the
// order of its primary key, which is the order of its keys: integers are
// non-negative and keys hold them big-endian, bytea and COLLATE "C" text
// compare bytewise. One repeatable-read snapshot covers every table.
func (s *ChainStore) Digest(ctx context.Context) ([32]byte, error) {
	d := bitcoin.NewDigester()
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return [32]byte{}, fmt.Errorf("postgres: chain digest: %w", err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	steps := []func(context.Context, pgx.Tx, *bitcoin.Digester) error{
		digestAddresses, digestBlocks, digestHashes, digestOutputs, digestSpends, digestTip, digestUndo, digestTxs,
	}
	for _, step := range steps {
		if err := step(ctx, tx, d); err != nil {
			return [32]byte{}, fmt.Errorf("postgres: chain digest: %w", err)
		}
	}
	return d.Sum(), nil
}

func digestAddresses(ctx context.Context, tx pgx.Tx, d *bitcoin.Digester) error {
	rows, err := tx.Query(ctx, qDigestAddresses)
	if err != nil {
		return err
	}
	var (
		addr         string
		height, vout int64
		txid         []byte
	)
	_, err = pgx.ForEachRow(rows, []any{&addr, &height, &txid, &vout}, func() error {
		op := wire.OutPoint{Index: uint32(vout)}
		copy(op.Hash[:], txid)
		d.Add(bitcoin.AddressKey(addr, height, op), nil)
		return nil
	})
	return err
}

func digestBlocks(ctx context.Context, tx pgx.Tx, d *bitcoin.Digester) error {
	rows, err := tx.Query(ctx, qDigestBlocks)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		b, err := scanBlock(rows)
		if err != nil {
			return err
		}
		d.Add(bitcoin.BlockKey(b.Height), bitcoin.EncodeBlock(b))
	}
	return rows.Err()
}

func digestHashes(ctx context.Context, tx pgx.Tx, d *bitcoin.Digester) error {
	rows, err := tx.Query(ctx, qDigestHashes)
	if err != nil {
		return err
	}
	var (
		hash   []byte
		height int64
	)
	_, err = pgx.ForEachRow(rows, []any{&hash, &height}, func() error {
		var h chainhash.Hash
		copy(h[:], hash)
		d.Add(bitcoin.HashKey(h), bitcoin.EncodeHeight(height))
		return nil
	})
	return err
}

func digestOutputs(ctx context.Context, tx pgx.Tx, d *bitcoin.Digester) error {
	rows, err := tx.Query(ctx, qDigestOutputs)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		o, err := scanOutput(rows)
		if err != nil {
			return err
		}
		d.Add(bitcoin.OutputKey(o.OutPoint), bitcoin.EncodeOutput(o))
	}
	return rows.Err()
}

func digestSpends(ctx context.Context, tx pgx.Tx, d *bitcoin.Digester) error {
	rows, err := tx.Query(ctx, qDigestSpends)
	if err != nil {
		return err
	}
	var (
		txid, spender     []byte
		vout, vin, height int64
	)
	_, err = pgx.ForEachRow(rows, []any{&txid, &vout, &spender, &vin, &height}, func() error {
		sp := bitcoin.Spend{OutPoint: wire.OutPoint{Index: uint32(vout)}, Vin: uint32(vin), Height: height}
		copy(sp.OutPoint.Hash[:], txid)
		copy(sp.Txid[:], spender)
		d.Add(bitcoin.SpendKey(sp.OutPoint), bitcoin.EncodeSpend(&sp))
		return nil
	})
	return err
}

func digestTip(ctx context.Context, tx pgx.Tx, d *bitcoin.Digester) error {
	tip, ok, err := readTip(ctx, tx)
	if err == nil && ok {
		d.Add(bitcoin.TipKey(), bitcoin.EncodeTip(tip))
	}
	return err
}

func digestUndo(ctx context.Context, tx pgx.Tx, d *bitcoin.Digester) error {
	rows, err := tx.Query(ctx, qDigestUndo)
	if err != nil {
		return err
	}
	var (
		height int64
		data   []byte
	)
	_, err = pgx.ForEachRow(rows, []any{&height, &data}, func() error {
		d.Add(bitcoin.UndoKey(height), data)
		return nil
	})
	return err
}

func digestTxs(ctx context.Context, tx pgx.Tx, d *bitcoin.Digester) error {
	rows, err := tx.Query(ctx, qDigestTxs)
	if err != nil {
		return err
	}
	var (
		id []byte
		r  txRow
	)
	_, err = pgx.ForEachRow(rows, []any{&id, &r.blockHash, &r.height, &r.idx, &r.raw, &r.values, &r.scripts}, func() error {
		var txid chainhash.Hash
		copy(txid[:], id)
		t, err := r.tx(txid)
		if err != nil {
			return err
		}
		d.Add(bitcoin.TxKey(txid), bitcoin.EncodeTx(t))
		return nil
	})
	return err
}
