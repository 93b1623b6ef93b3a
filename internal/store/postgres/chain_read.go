package postgres

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
	"github.com/jackc/pgx/v5"

	"github.com/interdict/interdict/internal/index/bitcoin"
)

// notFound wraps bitcoin.ErrNotFound for a missing row and leaves other errors
// as they are.
func notFound(err error, what string, args ...any) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%s: %w", fmt.Sprintf(what, args...), bitcoin.ErrNotFound)
	}
	return fmt.Errorf("postgres: %s: %w", fmt.Sprintf(what, args...), err)
}

// Tip implements bitcoin.ChainReader.
func (s *ChainStore) Tip(ctx context.Context) (bitcoin.BlockRef, error) {
	var (
		r    bitcoin.BlockRef
		hash []byte
	)
	if err := s.pool.QueryRow(ctx, qChainTip).Scan(&r.Height, &hash); err != nil {
		return r, notFound(err, "chain tip")
	}
	copy(r.Hash[:], hash)
	return r, nil
}

// BlockByHeight implements bitcoin.ChainReader.
func (s *ChainStore) BlockByHeight(ctx context.Context, height int64) (*bitcoin.Block, error) {
	b, err := scanBlock(s.pool.QueryRow(ctx, qBlockByHeight, height))
	if err != nil {
		return nil, notFound(err, "block at height %d", height)
	}
	return b, nil
}

// BlockTime implements bitcoin.BlockTimer: the header time alone.
func (s *ChainStore) BlockTime(ctx context.Context, height int64) (int64, error) {
	var t int64
	if err := s.pool.QueryRow(ctx, qBlockTime, height).Scan(&t); err != nil {
		return 0, notFound(err, "block at height %d", height)
	}
	return t, nil
}

// BlockByHash implements bitcoin.ChainReader.
func (s *ChainStore) BlockByHash(ctx context.Context, hash chainhash.Hash) (*bitcoin.Block, error) {
	b, err := scanBlock(s.pool.QueryRow(ctx, qBlockByHash, hash[:]))
	if err != nil {
		return nil, notFound(err, "block %s", hash)
	}
	return b, nil
}

func scanBlock(row pgx.Row) (*bitcoin.Block, error) {
	var (
		b                         bitcoin.Block
		hash, prev, merkle, txids []byte
		bits, nonce               int64
	)
	err := row.Scan(&b.Height, &hash, &prev, &b.Version, &merkle, &b.Time, &bits, &nonce,
		&b.Size, &b.StrippedSize, &b.Weight, &b.CoinbaseScript, &txids)
	if err != nil {
		return nil, err
	}
	if len(hash) != 32 || len(prev) != 32 || len(merkle) != 32 || len(txids)%32 != 0 {
		return nil, fmt.Errorf("%w: block at height %d", bitcoin.ErrCorrupt, b.Height)
	}
	copy(b.Hash[:], hash)
	copy(b.Prev[:], prev)
	copy(b.MerkleRoot[:], merkle)
	b.Bits, b.Nonce = uint32(bits), uint32(nonce)
	if b.CoinbaseScript == nil {
		b.CoinbaseScript = []byte{}
	}
	b.Txids = make([]chainhash.Hash, len(txids)/32)
	for i := range b.Txids {
		copy(b.Txids[i][:], txids[32*i:])
	}
	return &b, nil
}

// Tx implements bitcoin.ChainReader.
func (s *ChainStore) Tx(ctx context.Context, txid chainhash.Hash) (*bitcoin.Tx, error) {
	var r txRow
	err := s.pool.QueryRow(ctx, qTx, txid[:]).Scan(&r.blockHash, &r.height, &r.idx, &r.raw, &r.values, &r.scripts)
	if err != nil {
		return nil, notFound(err, "transaction %s", txid)
	}
	return r.tx(txid)
}

// txRow is a chain_txs row as scanned.
type txRow struct {
	blockHash []byte
	height    int64
	idx       int32
	raw       []byte
	values    []*int64
	scripts   [][]byte
}

func (r *txRow) tx(txid chainhash.Hash) (*bitcoin.Tx, error) {
	if len(r.blockHash) != 32 || len(r.values) != len(r.scripts) {
		return nil, fmt.Errorf("%w: transaction %s", bitcoin.ErrCorrupt, txid)
	}
	t := &bitcoin.Tx{Txid: txid, Height: r.height, Index: int(r.idx), Msg: &wire.MsgTx{}, Prev: make([]bitcoin.PrevOut, len(r.values))}
	copy(t.BlockHash[:], r.blockHash)
	if err := t.Msg.Deserialize(bytes.NewReader(r.raw)); err != nil {
		return nil, fmt.Errorf("%w: transaction %s: %v", bitcoin.ErrCorrupt, txid, err)
	}
	for i, v := range r.values {
		if v != nil {
			p := r.scripts[i]
			if p == nil {
				p = []byte{}
			}
			t.Prev[i] = bitcoin.PrevOut{Known: true, Value: *v, PkScript: p}
		}
	}
	return t, nil
}

// rawTx is the wire serialization of tx, with witness data.
func rawTx(tx *wire.MsgTx) []byte {
	var buf bytes.Buffer
	buf.Grow(tx.SerializeSize())
	_ = tx.Serialize(&buf) // writes to a buffer cannot fail
	return buf.Bytes()
}

// Output implements bitcoin.ChainReader.
func (s *ChainStore) Output(ctx context.Context, op wire.OutPoint) (*bitcoin.Output, error) {
	o, err := scanOutput(s.pool.QueryRow(ctx, qOutput, op.Hash[:], int64(op.Index)))
	if err != nil {
		return nil, notFound(err, "output %s", op)
	}
	return o, nil
}

func scanOutput(row pgx.Row) (*bitcoin.Output, error) {
	var (
		o     bitcoin.Output
		txid  []byte
		vout  int64
		class int16
		req   int32
		addrs []string
	)
	if err := row.Scan(&txid, &vout, &o.Height, &o.Coinbase, &o.Value, &o.PkScript, &class, &req, &addrs); err != nil {
		return nil, err
	}
	if len(txid) != 32 {
		return nil, fmt.Errorf("%w: output", bitcoin.ErrCorrupt)
	}
	copy(o.OutPoint.Hash[:], txid)
	o.OutPoint.Index = uint32(vout)
	o.Class, o.ReqSigs = bitcoin.ScriptClass(class), int(req)
	if o.PkScript == nil {
		o.PkScript = []byte{}
	}
	if len(addrs) > 0 {
		o.Addresses = addrs
	}
	return &o, nil
}

// Spend implements bitcoin.ChainReader.
func (s *ChainStore) Spend(ctx context.Context, op wire.OutPoint) (*bitcoin.Spend, error) {
	sp := &bitcoin.Spend{OutPoint: op}
	var (
		txid []byte
		vin  int64
	)
	if err := s.pool.QueryRow(ctx, qSpend, op.Hash[:], int64(op.Index)).Scan(&txid, &vin, &sp.Height); err != nil {
		return nil, notFound(err, "spend of %s", op)
	}
	copy(sp.Txid[:], txid)
	sp.Vin = uint32(vin)
	return sp, nil
}

// AddressOutputs implements bitcoin.ChainReader.
func (s *ChainStore) AddressOutputs(ctx context.Context, address string, fromHeight int64, limit int) ([]bitcoin.AddressOutput, error) {
	var (
		rows pgx.Rows
		err  error
	)
	if limit > 0 {
		rows, err = s.pool.Query(ctx, qAddress, address, fromHeight, limit)
	} else {
		rows, err = s.pool.Query(ctx, qAddressAll, address, fromHeight)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: outputs of %s: %w", address, err)
	}
	var (
		out    []bitcoin.AddressOutput
		height int64
		txid   []byte
		vout   int64
	)
	_, err = pgx.ForEachRow(rows, []any{&height, &txid, &vout}, func() error {
		a := bitcoin.AddressOutput{Address: address, Height: height}
		copy(a.OutPoint.Hash[:], txid)
		a.OutPoint.Index = uint32(vout)
		out = append(out, a)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: outputs of %s: %w", address, err)
	}
	return out, nil
}

// Undo implements bitcoin.ChainReader.
func (s *ChainStore) Undo(ctx context.Context, height int64) ([]byte, error) {
	var data []byte
	if err := s.pool.QueryRow(ctx, qUndo, height).Scan(&data); err != nil {
		return nil, notFound(err, "undo of height %d", height)
	}
	if data == nil {
		data = []byte{}
	}
	return data, nil
}
