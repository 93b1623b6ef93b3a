package postgres

import (
	"bytes"
	"context"
	"fmt"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
	"github.com/jackc/pgx/v5"

	"github.com/interdict/interdict/internal/index/bitcoin"
)

// The blocks held aside, in chain_side (migration 0002). They are few (side
// branches, blocks waiting for a parent), so they are written row by row
// with an upsert rather than by COPY.
const (
	qSideBlocks   = `SELECT hash, height, raw FROM chain_side`
	qDeleteSide   = `DELETE FROM chain_side WHERE hash = ANY($1::bytea[])`
	qPutSideBlock = `INSERT INTO chain_side (hash, height, raw) VALUES ($1, $2, $3)
ON CONFLICT (hash) DO UPDATE SET height = EXCLUDED.height, raw = EXCLUDED.raw`
)

// SideBlocks implements bitcoin.Store.
func (s *ChainStore) SideBlocks(ctx context.Context) ([]*bitcoin.SideBlock, error) {
	rows, err := s.pool.Query(ctx, qSideBlocks)
	if err != nil {
		return nil, fmt.Errorf("postgres: side blocks: %w", err)
	}
	var (
		out    []*bitcoin.SideBlock
		hash   []byte
		height int64
		raw    []byte
	)
	_, err = pgx.ForEachRow(rows, []any{&hash, &height, &raw}, func() error {
		if len(hash) != 32 {
			return fmt.Errorf("%w: side block hash", bitcoin.ErrCorrupt)
		}
		sb := &bitcoin.SideBlock{Hash: chainhash.Hash(hash), Height: height, Msg: &wire.MsgBlock{}}
		if err := sb.Msg.Deserialize(bytes.NewReader(raw)); err != nil || sb.Msg.BlockHash() != sb.Hash {
			return fmt.Errorf("%w: side block %s", bitcoin.ErrCorrupt, sb.Hash)
		}
		out = append(out, sb)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: side blocks: %w", err)
	}
	return out, nil
}

// sideWrites folds the side-block writes of a batch: the last write of a
// hash wins (nil: delete).
type sideWrites map[chainhash.Hash]*bitcoin.SideBlock

func (w sideWrites) apply(c *bitcoin.Change) {
	for _, h := range c.DeleteSide {
		w[h] = nil
	}
	for _, sb := range c.PutSide {
		w[sb.Hash] = sb
	}
}

// queue adds the folded deletes and upserts to b.
func (w sideWrites) queue(b *pgx.Batch) {
	var del [][]byte
	for h, sb := range w {
		if sb == nil {
			del = append(del, bytes.Clone(h[:]))
			continue
		}
		var raw bytes.Buffer
		raw.Grow(sb.Msg.SerializeSize())
		_ = sb.Msg.Serialize(&raw) // writes to a buffer cannot fail
		b.Queue(qPutSideBlock, bytes.Clone(sb.Hash[:]), sb.Height, raw.Bytes())
	}
	if len(del) > 0 {
		b.Queue(qDeleteSide, del)
	}
}
