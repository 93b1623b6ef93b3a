package postgres

import (
	"context"
	"errors"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	eth "github.com/interdict/interdict/internal/index/ethereum"
	src "github.com/interdict/interdict/internal/sources/ethereum"
)

func ethNotFound(err error, what string) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, eth.ErrNotFound)
	}
	return fmt.Errorf("postgres: %s: %w", what, err)
}

// Tip implements eth.Reader.
func (s *EthStore) Tip(ctx context.Context) (eth.BlockRef, error) {
	var (
		r    eth.BlockRef
		hash []byte
	)
	if err := s.pool.QueryRow(ctx, qEthTip).Scan(&r.Height, &hash); err != nil {
		return r, ethNotFound(err, "tip")
	}
	copy(r.Hash[:], hash)
	return r, nil
}

func (s *EthStore) one(ctx context.Context, what, q string, arg any) ([]byte, error) {
	var data []byte
	if err := s.pool.QueryRow(ctx, q, arg).Scan(&data); err != nil {
		return nil, ethNotFound(err, what)
	}
	return data, nil
}

// BlockByNumber implements eth.Reader.
func (s *EthStore) BlockByNumber(ctx context.Context, height int64) (*src.Block, error) {
	v, err := s.one(ctx, fmt.Sprintf("block %d", height), qEthBlockByNumber, height)
	if err != nil {
		return nil, err
	}
	return eth.DecodeBlock(v)
}

// BlockByHash implements eth.Reader.
func (s *EthStore) BlockByHash(ctx context.Context, hash common.Hash) (*src.Block, error) {
	v, err := s.one(ctx, "block "+hash.Hex(), qEthBlockByHash, hash[:])
	if err != nil {
		return nil, err
	}
	return eth.DecodeBlock(v)
}

// TxLocation implements eth.Reader.
func (s *EthStore) TxLocation(ctx context.Context, hash common.Hash) (eth.TxLocation, error) {
	var (
		l   eth.TxLocation
		idx int64
	)
	if err := s.pool.QueryRow(ctx, qEthTxLocation, hash[:]).Scan(&l.Height, &idx); err != nil {
		return l, ethNotFound(err, "transaction "+hash.Hex())
	}
	l.Index = uint32(idx)
	return l, nil
}

// records decodes the data column of every row of q at height.
func records[T any](ctx context.Context, s *EthStore, q string, height int64, decode func([]byte) (*T, error)) ([]*T, error) {
	rows, err := s.pool.Query(ctx, q, height)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	out := []*T{}
	var data []byte
	_, err = pgx.ForEachRow(rows, []any{&data}, func() error {
		t, err := decode(data)
		if err == nil {
			out = append(out, t)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: height %d: %w", height, err)
	}
	return out, nil
}

// Txs implements eth.Reader.
func (s *EthStore) Txs(ctx context.Context, height int64) ([]*eth.TxRecord, error) {
	return records(ctx, s, qEthTxs, height, eth.DecodeTxRecord)
}

// Logs implements eth.Reader.
func (s *EthStore) Logs(ctx context.Context, height int64) ([]*src.Log, error) {
	return records(ctx, s, qEthLogs, height, eth.DecodeLog)
}

// Traces implements eth.Reader.
func (s *EthStore) Traces(ctx context.Context, height int64) ([]*src.Trace, error) {
	return records(ctx, s, qEthTraces, height, eth.DecodeTrace)
}

// Tokens implements eth.Reader.
func (s *EthStore) Tokens(ctx context.Context, height int64) ([]*src.Token, error) {
	return records(ctx, s, qEthTokens, height, eth.DecodeToken)
}

// idCols are the scan targets of a TransferID's columns.
type idCols struct {
	height, txIndex, idx int64
	source               int16
}

func (c *idCols) id() eth.TransferID {
	return eth.TransferID{Height: c.height, TxIndex: uint32(c.txIndex), Source: eth.Source(c.source), Index: uint32(c.idx)}
}

// Transfers implements eth.Reader.
func (s *EthStore) Transfers(ctx context.Context, height int64) ([]*eth.Transfer, error) {
	rows, err := s.pool.Query(ctx, qEthTransfers, height)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	out := []*eth.Transfer{}
	var (
		c    idCols
		data []byte
	)
	_, err = pgx.ForEachRow(rows, []any{&c.height, &c.txIndex, &c.source, &c.idx, &data}, func() error {
		t, err := eth.DecodeTransfer(c.id(), data)
		if err == nil {
			out = append(out, t)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: transfers of %d: %w", height, err)
	}
	return out, nil
}

func limitArg(limit int) any {
	if limit <= 0 {
		return nil
	}
	return int64(limit)
}

// AddressTransfers implements eth.Reader.
func (s *EthStore) AddressTransfers(ctx context.Context, address, asset string, fromHeight int64, limit int) ([]eth.AddressTransfer, error) {
	a, err := eth.ParseAddress(address)
	if err != nil {
		return nil, err
	}
	var code []byte
	if asset != "" {
		var ok bool
		if code, ok = eth.AssetCode(asset); !ok {
			return nil, fmt.Errorf("asset %q: want eth or eth:0x<token lower case>", asset)
		}
	}
	rows, err := s.pool.Query(ctx, qEthAddress, a.Bytes(), max(fromHeight, 0), code, limitArg(limit))
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	var (
		out  []eth.AddressTransfer
		c    idCols
		dir  int32
		data []byte
	)
	_, err = pgx.ForEachRow(rows, []any{&c.height, &c.txIndex, &c.source, &c.idx, &dir, &data}, func() error {
		t, err := eth.DecodeTransfer(c.id(), data)
		if err == nil {
			out = append(out, eth.AddressTransfer{Dir: eth.Dir(dir), Transfer: t})
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: history of %s: %w", address, err)
	}
	return out, nil
}

// BalanceFlows implements eth.Reader.
func (s *EthStore) BalanceFlows(ctx context.Context, address, asset string, fromHeight int64, limit int) ([]eth.Flow, error) {
	a, err := eth.ParseAddress(address)
	if err != nil {
		return nil, err
	}
	code, ok := eth.AssetCode(asset)
	if !ok {
		return nil, fmt.Errorf("asset %q: want eth or eth:0x<token lower case>", asset)
	}
	rows, err := s.pool.Query(ctx, qEthFlows, a.Bytes(), max(fromHeight, 0), code, limitArg(limit))
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	var (
		out    []eth.Flow
		c      idCols
		dir    int32
		amount pgtype.Numeric
	)
	_, err = pgx.ForEachRow(rows, []any{&c.height, &c.txIndex, &c.source, &c.idx, &dir, &amount}, func() error {
		v, err := numericInt(amount)
		if err == nil {
			out = append(out, eth.Flow{ID: c.id(), Dir: eth.Dir(dir), Amount: v})
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: flows of %s: %w", address, err)
	}
	return out, nil
}

// numericInt returns a NUMERIC(78,0) column as the integer it holds.
func numericInt(n pgtype.Numeric) (*big.Int, error) {
	if !n.Valid || n.NaN || n.InfinityModifier != 0 || n.Int == nil {
		return nil, errors.New("amount is not an integer")
	}
	v := new(big.Int).Set(n.Int)
	switch {
	case n.Exp > 0:
		v.Mul(v, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n.Exp)), nil))
	case n.Exp < 0:
		d, m := new(big.Int).QuoRem(v, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(-n.Exp)), nil), new(big.Int))
		if m.Sign() != 0 {
			return nil, errors.New("amount is not an integer")
		}
		v = d
	}
	return v, nil
}

// Undo implements eth.Reader.
func (s *EthStore) Undo(ctx context.Context, height int64) ([]byte, error) {
	return s.one(ctx, fmt.Sprintf("undo %d", height), qEthUndo, height)
}
