package ethereum

import (
	"errors"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/core/types"
	"github.com/holiman/uint256"
)

// ErrTxHash means a transaction's fields do not hash to the hash the node
// gave for it.
var ErrTxHash = errors.New("ethereum: transaction hash mismatch")

// Transaction rebuilds the signed go-ethereum transaction from the decoded
// fields, so its RLP encoding and hash can be checked against the node's
// (see Verify). It needs the signature (V, R, S) and, for typed
// transactions, the chain id.
func (t *Tx) Transaction() (*types.Transaction, error) {
	if t.V == nil || t.R == nil || t.S == nil {
		return nil, fmt.Errorf("transaction %s: no signature", t.Hash)
	}
	if t.Type == LegacyTxType {
		return types.NewTx(&types.LegacyTx{Nonce: t.Nonce, GasPrice: t.GasPrice, Gas: t.Gas, To: t.To,
			Value: t.Value, Data: t.Input, V: t.V, R: t.R, S: t.S}), nil
	}
	if t.ChainID == nil {
		return nil, fmt.Errorf("transaction %s: typed transaction without chainId", t.Hash)
	}
	var u [7]*uint256.Int
	for i, b := range []*big.Int{t.ChainID, t.MaxPriorityFeePerGas, t.MaxFeePerGas, t.Value, t.V, t.R, t.S} {
		if b == nil {
			b = new(big.Int)
		}
		v, overflow := uint256.FromBig(b)
		if overflow || b.Sign() < 0 {
			return nil, fmt.Errorf("transaction %s: field %d does not fit 256 bits", t.Hash, i)
		}
		u[i] = v
	}
	chainID, tip, feeCap, value, v, r, s := u[0], u[1], u[2], u[3], u[4], u[5], u[6]
	switch t.Type {
	case AccessListTxType:
		return types.NewTx(&types.AccessListTx{ChainID: t.ChainID, Nonce: t.Nonce, GasPrice: t.GasPrice, Gas: t.Gas,
			To: t.To, Value: t.Value, Data: t.Input, AccessList: t.AccessList, V: t.V, R: t.R, S: t.S}), nil
	case DynamicFeeTxType:
		return types.NewTx(&types.DynamicFeeTx{ChainID: t.ChainID, Nonce: t.Nonce, GasTipCap: t.MaxPriorityFeePerGas,
			GasFeeCap: t.MaxFeePerGas, Gas: t.Gas, To: t.To, Value: t.Value, Data: t.Input, AccessList: t.AccessList,
			V: t.V, R: t.R, S: t.S}), nil
	case BlobTxType, SetCodeTxType:
		if t.To == nil {
			return nil, fmt.Errorf("transaction %s: type %d cannot create a contract", t.Hash, t.Type)
		}
		if t.Type == BlobTxType {
			blobFee, overflow := uint256.FromBig(orZero(t.MaxFeePerBlobGas))
			if overflow {
				return nil, fmt.Errorf("transaction %s: maxFeePerBlobGas does not fit 256 bits", t.Hash)
			}
			return types.NewTx(&types.BlobTx{ChainID: chainID, Nonce: t.Nonce, GasTipCap: tip, GasFeeCap: feeCap,
				Gas: t.Gas, To: *t.To, Value: value, Data: t.Input, AccessList: t.AccessList, BlobFeeCap: blobFee,
				BlobHashes: t.BlobVersionedHashes, V: v, R: r, S: s}), nil
		}
		return types.NewTx(&types.SetCodeTx{ChainID: chainID, Nonce: t.Nonce, GasTipCap: tip, GasFeeCap: feeCap,
			Gas: t.Gas, To: *t.To, Value: value, Data: t.Input, AccessList: t.AccessList, AuthList: t.AuthorizationList,
			V: v, R: r, S: s}), nil
	}
	return nil, fmt.Errorf("transaction %s: unknown type %d", t.Hash, t.Type)
}

// Verify checks that the transaction's fields hash to its Hash.
func (t *Tx) Verify() error {
	tx, err := t.Transaction()
	if err != nil {
		return err
	}
	if h := tx.Hash(); h != t.Hash {
		return fmt.Errorf("%w: fields hash to %s, node said %s", ErrTxHash, h, t.Hash)
	}
	return nil
}

func orZero(b *big.Int) *big.Int {
	if b == nil {
		return new(big.Int)
	}
	return b
}
