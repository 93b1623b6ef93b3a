package trace

import (
	"context"
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/common"

	"github.com/interdict/interdict/internal/index/ethereum"
)

// EthereumView adapts the Ethereum chain index to AccountView.
type EthereumView struct{ R ethereum.Reader }

// AddressTransfers implements AccountView.
func (e EthereumView) AddressTransfers(ctx context.Context, address, asset string, fromHeight int64, limit int) ([]ethereum.AddressTransfer, error) {
	return e.R.AddressTransfers(ctx, address, asset, fromHeight, limit)
}

// TxTransfers implements AccountView.
func (e EthereumView) TxTransfers(ctx context.Context, tx common.Hash) ([]*ethereum.Transfer, error) {
	loc, err := e.R.TxLocation(ctx, tx)
	if err != nil {
		return nil, ethNotFound(err)
	}
	all, err := e.R.Transfers(ctx, loc.Height)
	if err != nil {
		return nil, ethNotFound(err)
	}
	var out []*ethereum.Transfer
	for _, t := range all {
		if t.ID.TxIndex == loc.Index {
			out = append(out, t)
		}
	}
	return out, nil
}

// BlockTime implements AccountView.
func (e EthereumView) BlockTime(ctx context.Context, height int64) (int64, error) {
	b, err := e.R.BlockByNumber(ctx, height)
	if err != nil {
		return 0, ethNotFound(err)
	}
	return int64(b.Timestamp), nil
}

func ethNotFound(err error) error {
	if errors.Is(err, ethereum.ErrNotFound) {
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	return err
}
