package drift

import (
	"context"
	"fmt"
	"time"

	"github.com/btcsuite/btcd/chaincfg"

	"github.com/interdict/interdict/internal/action/inspect"
	eth "github.com/interdict/interdict/internal/index/ethereum"
)

// Signer is one declared signer address.
type Signer struct {
	Chain   string `json:"chain"` // "btc" or "eth"
	Address string `json:"address"`
}

// Collect compares every signer's recent window with its baseline and
// decides signing.fingerprint_stable: false when any decided signer
// drifted; true when every signer was decided and none drifted; unset when
// some signer has too little history and none drifted.
func Collect(ctx context.Context, signers []Signer, btc BitcoinIndex, params *chaincfg.Params, ethIdx EthereumIndex, cfg Config, now time.Time) (inspect.Reading, error) {
	r := inspect.Reading{Collector: "drift", Label: fmt.Sprintf("signer fingerprints of %d signers", len(signers)), URI: "index:tip", ReadAt: now.UTC()}
	var results []SignerResult
	decided, drifted := true, false
	for _, s := range signers {
		var fps []Fingerprint
		var read string
		var tip int64
		switch s.Chain {
		case "btc":
			if btc == nil {
				return inspect.Reading{}, fmt.Errorf("drift: signer %s is on btc but no Bitcoin index is open", s.Address)
			}
			t, err := btc.Tip(ctx)
			if err != nil {
				return inspect.Reading{}, fmt.Errorf("drift: bitcoin tip: %w", err)
			}
			tip = t.Height
			if fps, read, err = BitcoinSigner(ctx, btc, s.Address, params); err != nil {
				return inspect.Reading{}, err
			}
			read += fmt.Sprintf(" (tip %d %s)", t.Height, t.Hash)
		case "eth":
			if ethIdx == nil {
				return inspect.Reading{}, fmt.Errorf("drift: signer %s is on eth but no Ethereum index is open", s.Address)
			}
			a, err := eth.ParseAddress(s.Address)
			if err != nil {
				return inspect.Reading{}, fmt.Errorf("drift: signer: %w", err)
			}
			t, err := ethIdx.Tip(ctx)
			if err != nil {
				return inspect.Reading{}, fmt.Errorf("drift: ethereum tip: %w", err)
			}
			tip = t.Height
			if fps, read, err = EthereumSigner(ctx, ethIdx, a); err != nil {
				return inspect.Reading{}, err
			}
			read += fmt.Sprintf(" (tip %d %s)", t.Height, t.Hash.Hex())
		default:
			return inspect.Reading{}, fmt.Errorf("drift: signer %s: chain %q (btc or eth)", s.Address, s.Chain)
		}
		from := tip - cfg.RecentBlocks + 1
		res := Compare(s.Address, s.Chain, fps, from, cfg)
		r.Read = append(r.Read, read+fmt.Sprintf("; baseline below height %d: %d txs, recent: %d txs", from, res.Baseline, res.Recent))
		if !res.Decided {
			decided = false
			r.Findings = append(r.Findings, fmt.Sprintf("signer %s: %d baseline transactions, %d needed: not decided", s.Address, res.Baseline, cfg.MinBaseline))
		}
		for _, d := range res.Drifts {
			drifted = true
			r.Findings = append(r.Findings, d.String())
		}
		results = append(results, res)
	}
	switch {
	case drifted:
		r.Facts.Signing.FingerprintStable = inspect.Bool(false)
	case decided && len(signers) > 0:
		r.Facts.Signing.FingerprintStable = inspect.Bool(true)
	}
	r.Detail = results
	return r, nil
}
