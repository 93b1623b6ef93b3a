package drift

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"github.com/interdict/interdict/internal/chain"
	"github.com/interdict/interdict/internal/index/bitcoin"
)

// BitcoinIndex is the part of the Bitcoin chain index read.
type BitcoinIndex interface {
	Tip(ctx context.Context) (bitcoin.BlockRef, error)
	AddressOutputs(ctx context.Context, address string, fromHeight int64, limit int) ([]bitcoin.AddressOutput, error)
	Spend(ctx context.Context, op wire.OutPoint) (*bitcoin.Spend, error)
	Tx(ctx context.Context, txid chainhash.Hash) (*bitcoin.Tx, error)
}

// BitcoinFingerprint reduces one transaction spending the signer's outputs
// to its wallet's habits.
func BitcoinFingerprint(tx *bitcoin.Tx, params *chaincfg.Params) Fingerprint {
	f := Fingerprint{Tx: tx.Txid.String(), Height: tx.Height, Seq: -1, Traits: map[string]string{}, Numbers: map[string]uint64{}}
	classes := func(scripts [][]byte) string {
		var out []string
		for _, s := range scripts {
			c, _, _ := bitcoin.Classify(s, params)
			if n := c.String(); !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
		slices.Sort(out)
		return strings.Join(out, "+")
	}
	var in, out [][]byte
	var inSum, outSum int64
	known := true
	rbf := "no"
	for i, p := range tx.Prev {
		if !p.Known {
			known = false
		}
		in = append(in, p.PkScript)
		inSum += p.Value
		if tx.Msg.TxIn[i].Sequence < wire.MaxTxInSequenceNum-1 {
			rbf = "yes"
		}
	}
	for _, o := range tx.Msg.TxOut {
		out = append(out, o.PkScript)
		outSum += o.Value
	}
	f.Traits["input_types"] = classes(in)
	f.Traits["output_types"] = classes(out)
	f.Traits["rbf"] = rbf
	switch lt := tx.Msg.LockTime; {
	case lt == 0:
		f.Traits["locktime"] = "zero"
	case lt < 500_000_000:
		f.Traits["locktime"] = "height"
	default:
		f.Traits["locktime"] = "time"
	}
	f.Traits["version"] = fmt.Sprint(tx.Msg.Version)
	if known && inSum >= outSum {
		// milli-satoshi per virtual byte, so low rates keep their precision
		f.Numbers["fee_rate_msat_vb"] = uint64(inSum-outSum) * 1000 / uint64(max(tx.VSize(), 1))
	}
	return f
}

// BitcoinSigner reads the transactions spending outputs paid to address
// and their fingerprints in chain order, and returns what it read.
func BitcoinSigner(ctx context.Context, idx BitcoinIndex, address string, params *chaincfg.Params) ([]Fingerprint, string, error) {
	addr := chain.NormalizeAddress(address)
	outs, err := idx.AddressOutputs(ctx, addr, 0, 0)
	if err != nil {
		return nil, "", fmt.Errorf("drift: outputs of %s: %w", addr, err)
	}
	seen := map[chainhash.Hash]bool{}
	var fps []Fingerprint
	for _, o := range outs {
		sp, err := idx.Spend(ctx, o.OutPoint)
		if errors.Is(err, bitcoin.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, "", fmt.Errorf("drift: spend of %s: %w", o.OutPoint, err)
		}
		if seen[sp.Txid] {
			continue
		}
		seen[sp.Txid] = true
		tx, err := idx.Tx(ctx, sp.Txid)
		if err != nil {
			return nil, "", fmt.Errorf("drift: tx %s: %w", sp.Txid, err)
		}
		fps = append(fps, BitcoinFingerprint(tx, params))
	}
	sortFingerprints(fps)
	return fps, fmt.Sprintf("bitcoin index: %d outputs paid to %s, %d transactions spending them", len(outs), addr, len(fps)), nil
}
