package drift

import (
	"context"
	"errors"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/common"

	eth "github.com/interdict/interdict/internal/index/ethereum"
	src "github.com/interdict/interdict/internal/sources/ethereum"
)

// EthereumIndex is the part of the Ethereum chain index read.
type EthereumIndex interface {
	Tip(ctx context.Context) (eth.BlockRef, error)
	AddressTransfers(ctx context.Context, address, asset string, fromHeight int64, limit int) ([]eth.AddressTransfer, error)
	TxLocation(ctx context.Context, hash common.Hash) (eth.TxLocation, error)
	Txs(ctx context.Context, height int64) ([]*eth.TxRecord, error)
}

var txTypeNames = map[uint8]string{src.LegacyTxType: "legacy", src.AccessListTxType: "access_list",
	src.DynamicFeeTxType: "dynamic_fee", src.BlobTxType: "blob", src.SetCodeTxType: "set_code"}

// EthereumFingerprint reduces one transaction to its signer's habits.
func EthereumFingerprint(tx *src.Tx) Fingerprint {
	f := Fingerprint{Tx: tx.Hash.Hex(), Height: int64(tx.BlockNumber), Seq: int64(tx.Nonce),
		Traits: map[string]string{}, Numbers: map[string]uint64{}}
	name, ok := txTypeNames[tx.Type]
	if !ok {
		name = fmt.Sprintf("type_%d", tx.Type)
	}
	f.Traits["tx_type"] = name
	if tx.MaxFeePerGas != nil {
		f.Traits["fee_style"] = "eip1559"
		f.Numbers["priority_fee_wei"] = clampU64(tx.MaxPriorityFeePerGas)
	} else {
		f.Traits["fee_style"] = "gas_price"
		f.Numbers["gas_price_wei"] = clampU64(tx.GasPrice)
	}
	f.Traits["chain_id"] = "none"
	if tx.ChainID != nil {
		f.Traits["chain_id"] = tx.ChainID.String()
	}
	f.Numbers["gas_limit"] = tx.Gas
	return f
}

func clampU64(v *big.Int) uint64 {
	switch {
	case v == nil || v.Sign() <= 0:
		return 0
	case !v.IsUint64():
		return ^uint64(0)
	}
	return v.Uint64()
}

// EthereumSigner reads the transactions signer sent (those whose fee it
// paid, with the transaction's from equal to it) and their fingerprints in
// chain order, and returns what it read.
func EthereumSigner(ctx context.Context, idx EthereumIndex, signer common.Address) ([]Fingerprint, string, error) {
	addr := eth.NormalizeAddress(signer)
	trs, err := idx.AddressTransfers(ctx, addr, eth.NativeAsset, 0, 0)
	if err != nil {
		return nil, "", fmt.Errorf("drift: transfers of %s: %w", addr, err)
	}
	seen := map[common.Hash]bool{}
	byHeight := map[int64][]*eth.TxRecord{}
	var fps []Fingerprint
	for _, at := range trs {
		tr := at.Transfer
		if at.Dir != eth.Out || tr.Kind != eth.KindFee || seen[tr.TxHash] {
			continue
		}
		seen[tr.TxHash] = true
		loc, err := idx.TxLocation(ctx, tr.TxHash)
		if err != nil {
			return nil, "", fmt.Errorf("drift: tx %s: %w", tr.TxHash.Hex(), err)
		}
		txs, ok := byHeight[loc.Height]
		if !ok {
			if txs, err = idx.Txs(ctx, loc.Height); err != nil {
				return nil, "", fmt.Errorf("drift: txs at %d: %w", loc.Height, err)
			}
			byHeight[loc.Height] = txs
		}
		if int(loc.Index) >= len(txs) || txs[loc.Index].Tx.Hash != tr.TxHash {
			return nil, "", fmt.Errorf("drift: tx %s not at %d/%d: %w", tr.TxHash.Hex(), loc.Height, loc.Index, errors.New("index inconsistent"))
		}
		if tx := txs[loc.Index].Tx; tx.From == signer {
			fps = append(fps, EthereumFingerprint(tx))
		}
	}
	sortFingerprints(fps)
	return fps, fmt.Sprintf("ethereum index: %d transfers of %s, %d transactions it sent", len(trs), addr, len(fps)), nil
}
