package postgres

import (
	"context"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	eth "github.com/interdict/interdict/internal/index/ethereum"
)

// Digest implements eth.Store. It rebuilds the canonical pairs of the
// index's schema.go from the rows, key space by key space in the order of
// the prefixes ('a' history, 'b' blocks, 'f' transfers, 'h' hashes, 'k'
// tokens, 'l' logs, 'n' txs, 'r' traces, 't' tip, 'u' undo, 'v' flows,
// 'x' tx locations), each read in the order of its keys. One repeatable-read
// snapshot covers every table.
func (s *EthStore) Digest(ctx context.Context) ([32]byte, error) {
	d := eth.NewDigester()
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return [32]byte{}, fmt.Errorf("postgres: eth digest: %w", err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	var c idCols
	var (
		addr, code, data, hash []byte
		dir                    int32
		height, seq            int64
		amount                 pgtype.Numeric
	)
	steps := []struct {
		q    string
		scan []any
		add  func() error
	}{
		{qEthDigestAddresses, []any{&addr, &c.height, &c.txIndex, &c.source, &c.idx, &dir, &data}, func() error {
			d.Add(eth.AddressKey(eth.NormalizeAddress(common.BytesToAddress(addr)), c.id(), eth.Dir(dir)), data)
			return nil
		}},
		{qEthDigestBlocks, []any{&height, &data}, func() error { d.Add(eth.BlockKey(height), data); return nil }},
		{qEthDigestTransfers, []any{&c.height, &c.txIndex, &c.source, &c.idx, &data}, func() error {
			d.Add(eth.TransferKey(c.id()), data)
			return nil
		}},
		{qEthDigestHashes, []any{&hash, &height}, func() error {
			d.Add(eth.HashKey(common.BytesToHash(hash)), eth.EncodeHeight(height))
			return nil
		}},
		{qEthDigestTokens, []any{&height, &seq, &data}, func() error { d.Add(eth.TokenKey(height, uint32(seq)), data); return nil }},
		{qEthDigestLogs, []any{&height, &seq, &data}, func() error { d.Add(eth.LogKey(height, uint32(seq)), data); return nil }},
		{qEthDigestTxs, []any{&height, &seq, &data}, func() error { d.Add(eth.TxKey(height, uint32(seq)), data); return nil }},
		{qEthDigestTraces, []any{&height, &seq, &data}, func() error { d.Add(eth.TraceKey(height, uint32(seq)), data); return nil }},
		{qEthTip, []any{&height, &hash}, func() error {
			d.Add(eth.TipKey(), eth.EncodeTip(eth.BlockRef{Height: height, Hash: common.BytesToHash(hash)}))
			return nil
		}},
		{qEthDigestUndo, []any{&height, &data}, func() error { d.Add(eth.UndoKey(height), data); return nil }},
		{qEthDigestFlows, []any{&addr, &code, &c.height, &c.txIndex, &c.source, &c.idx, &dir, &amount}, func() error {
			v, err := numericInt(amount)
			if err != nil {
				return err
			}
			d.Add(eth.FlowKeyCode(common.BytesToAddress(addr), code, c.id(), eth.Dir(dir)), v.Bytes())
			return nil
		}},
		{qEthDigestTxLocs, []any{&hash, &height, &seq}, func() error {
			d.Add(eth.TxLocKey(common.BytesToHash(hash)), eth.EncodeTxLocation(eth.TxLocation{Height: height, Index: uint32(seq)}))
			return nil
		}},
	}
	for _, st := range steps {
		rows, err := tx.Query(ctx, st.q)
		if err != nil {
			return [32]byte{}, fmt.Errorf("postgres: eth digest: %w", err)
		}
		if _, err := pgx.ForEachRow(rows, st.scan, st.add); err != nil {
			return [32]byte{}, fmt.Errorf("postgres: eth digest: %w", err)
		}
	}
	return d.Sum(), nil
}
