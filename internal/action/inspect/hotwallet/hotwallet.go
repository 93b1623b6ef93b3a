// Package hotwallet collects inspection evidence on hot-wallet exposure: it
// reads the balance of each declared hot wallet from the chain index at its
// tip (Bitcoin: the address's unspent outputs; Ethereum: the net of the
// address's flows of one asset) and compares it with the wallet's declared
// cap. Upbit 2019, Stake, CoinEx, HTX and Poloniex 2023 and CoinsPaid 2023
// lost what their hot wallets held; a cap only limits that loss if the
// wallets keep to it. The reading records what was read, the height and hash
// of the tip, and when.
package hotwallet

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/btcsuite/btcd/wire"

	"github.com/interdict/interdict/internal/action/inspect"
	"github.com/interdict/interdict/internal/chain"
	"github.com/interdict/interdict/internal/index/bitcoin"
	eth "github.com/interdict/interdict/internal/index/ethereum"
)

// ErrPolicy: the wallet list cannot be used as given.
var ErrPolicy = errors.New("hotwallet: invalid policy")

// Wallet is one declared hot wallet and its cap, in the asset's smallest
// unit (satoshi, wei, token base unit) as a decimal string.
type Wallet struct {
	Label   string `json:"label"`
	Chain   string `json:"chain"` // "btc" or "eth"
	Address string `json:"address"`
	// Asset is "btc", "eth" or "eth:0x<token>"; empty: the chain's native asset.
	Asset string `json:"asset,omitempty"`
	Cap   string `json:"cap"`
	cap   *big.Int
}

// Policy is the list of hot wallets with their caps.
type Policy struct {
	Wallets []Wallet `json:"wallets"`
}

// DecodePolicy reads a policy file (JSON, unknown fields refused).
func DecodePolicy(b []byte) (Policy, error) {
	var p Policy
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return Policy{}, fmt.Errorf("%w: %v", ErrPolicy, err)
	}
	if len(p.Wallets) == 0 {
		return Policy{}, fmt.Errorf("%w: no wallets", ErrPolicy)
	}
	for i := range p.Wallets {
		w := &p.Wallets[i]
		switch w.Chain {
		case "btc":
			if w.Asset == "" {
				w.Asset = "btc"
			}
			if w.Asset != "btc" {
				return Policy{}, fmt.Errorf("%w: wallet %d: asset %q on btc", ErrPolicy, i, w.Asset)
			}
			w.Address = chain.NormalizeAddress(w.Address)
		case "eth":
			if w.Asset == "" {
				w.Asset = eth.NativeAsset
			}
			a, err := eth.ParseAddress(w.Address)
			if err != nil {
				return Policy{}, fmt.Errorf("%w: wallet %d: %v", ErrPolicy, i, err)
			}
			w.Address = eth.NormalizeAddress(a)
			if w.Asset != eth.NativeAsset {
				tok, ok := strings.CutPrefix(w.Asset, "eth:")
				ta, err := eth.ParseAddress(tok)
				if !ok || err != nil {
					return Policy{}, fmt.Errorf("%w: wallet %d: asset %q (eth or eth:0x<token>)", ErrPolicy, i, w.Asset)
				}
				w.Asset = eth.TokenAsset(ta)
			}
		default:
			return Policy{}, fmt.Errorf("%w: wallet %d: chain %q (btc or eth)", ErrPolicy, i, w.Chain)
		}
		if w.Address == "" {
			return Policy{}, fmt.Errorf("%w: wallet %d has no address", ErrPolicy, i)
		}
		c, ok := new(big.Int).SetString(w.Cap, 10)
		if !ok || c.Sign() < 0 {
			return Policy{}, fmt.Errorf("%w: wallet %d: cap %q is not a non-negative integer in the smallest unit", ErrPolicy, i, w.Cap)
		}
		w.cap = c
		if w.Label == "" {
			w.Label = w.Chain + ":" + w.Address
		}
	}
	return p, nil
}

// BitcoinIndex is the part of the Bitcoin chain index read.
type BitcoinIndex interface {
	Tip(ctx context.Context) (bitcoin.BlockRef, error)
	AddressOutputs(ctx context.Context, address string, fromHeight int64, limit int) ([]bitcoin.AddressOutput, error)
	Output(ctx context.Context, op wire.OutPoint) (*bitcoin.Output, error)
	Spend(ctx context.Context, op wire.OutPoint) (*bitcoin.Spend, error)
}

// EthereumIndex is the part of the Ethereum chain index read.
type EthereumIndex interface {
	Tip(ctx context.Context) (eth.BlockRef, error)
	BalanceFlows(ctx context.Context, address, asset string, fromHeight int64, limit int) ([]eth.Flow, error)
}

// Balance is one wallet's balance as read, against its cap.
type Balance struct {
	Label     string `json:"label"`
	Chain     string `json:"chain"`
	Address   string `json:"address"`
	Asset     string `json:"asset"`
	Balance   string `json:"balance"`
	Cap       string `json:"cap"`
	OverCap   bool   `json:"over_cap"`
	Height    int64  `json:"height"`
	BlockHash string `json:"block_hash"`
	// Entries is how many index entries (outputs or flows) were summed.
	Entries int `json:"entries"`
}

// Collect reads every wallet's balance at the tip of its chain's index
// (either index may be nil when no wallet is on that chain) and decides the
// wallets.hot_within_caps fact.
func Collect(ctx context.Context, p Policy, btc BitcoinIndex, ethIdx EthereumIndex, now time.Time) (inspect.Reading, error) {
	r := inspect.Reading{Collector: "hotwallet", Label: fmt.Sprintf("hot-wallet balances of %d wallets against their caps", len(p.Wallets)),
		URI: "index:tip", ReadAt: now.UTC()}
	var out []Balance
	within := true
	for _, w := range p.Wallets {
		if w.cap == nil {
			return inspect.Reading{}, fmt.Errorf("%w: wallet %s not decoded by DecodePolicy", ErrPolicy, w.Label)
		}
		var b Balance
		var err error
		switch w.Chain {
		case "btc":
			if btc == nil {
				return inspect.Reading{}, fmt.Errorf("hotwallet: wallet %s is on btc but no Bitcoin index is open", w.Label)
			}
			b, err = bitcoinBalance(ctx, btc, w, &r)
		case "eth":
			if ethIdx == nil {
				return inspect.Reading{}, fmt.Errorf("hotwallet: wallet %s is on eth but no Ethereum index is open", w.Label)
			}
			b, err = ethereumBalance(ctx, ethIdx, w, &r)
		}
		if err != nil {
			return inspect.Reading{}, fmt.Errorf("hotwallet: %s: %w", w.Label, err)
		}
		bal, _ := new(big.Int).SetString(b.Balance, 10)
		b.OverCap = bal.Cmp(w.cap) > 0
		if b.OverCap {
			within = false
			r.Findings = append(r.Findings, fmt.Sprintf("%s (%s %s) holds %s %s, over its cap of %s, at height %d (%s)",
				w.Label, w.Chain, w.Address, b.Balance, w.Asset, w.Cap, b.Height, b.BlockHash))
		}
		out = append(out, b)
	}
	r.Facts.Wallets.HotWithinCaps = inspect.Bool(within)
	r.Detail = out
	return r, nil
}

func bitcoinBalance(ctx context.Context, idx BitcoinIndex, w Wallet, r *inspect.Reading) (Balance, error) {
	tip, err := idx.Tip(ctx)
	if err != nil {
		return Balance{}, fmt.Errorf("bitcoin index tip: %w", err)
	}
	entries, err := idx.AddressOutputs(ctx, w.Address, 0, 0)
	if err != nil {
		return Balance{}, err
	}
	sum := new(big.Int)
	for _, e := range entries {
		if _, err := idx.Spend(ctx, e.OutPoint); err == nil {
			continue
		} else if !errors.Is(err, bitcoin.ErrNotFound) {
			return Balance{}, err
		}
		o, err := idx.Output(ctx, e.OutPoint)
		if err != nil {
			return Balance{}, fmt.Errorf("output %s: %w", e.OutPoint, err)
		}
		sum.Add(sum, big.NewInt(o.Value))
	}
	r.Read = append(r.Read, fmt.Sprintf("bitcoin index at height %d (%s): %d outputs to %s, unspent ones summed",
		tip.Height, tip.Hash, len(entries), w.Address))
	return Balance{Label: w.Label, Chain: w.Chain, Address: w.Address, Asset: w.Asset, Balance: sum.String(), Cap: w.Cap,
		Height: tip.Height, BlockHash: tip.Hash.String(), Entries: len(entries)}, nil
}

func ethereumBalance(ctx context.Context, idx EthereumIndex, w Wallet, r *inspect.Reading) (Balance, error) {
	tip, err := idx.Tip(ctx)
	if err != nil {
		return Balance{}, fmt.Errorf("ethereum index tip: %w", err)
	}
	flows, err := idx.BalanceFlows(ctx, w.Address, w.Asset, 0, 0)
	if err != nil {
		return Balance{}, err
	}
	sum := new(big.Int)
	for _, f := range flows {
		if f.Dir == eth.In {
			sum.Add(sum, f.Amount)
		} else {
			sum.Sub(sum, f.Amount)
		}
	}
	r.Read = append(r.Read, fmt.Sprintf("ethereum index at height %d (%s): %d %s flows of %s, in minus out",
		tip.Height, tip.Hash.Hex(), len(flows), w.Asset, w.Address))
	return Balance{Label: w.Label, Chain: w.Chain, Address: w.Address, Asset: w.Asset, Balance: sum.String(), Cap: w.Cap,
		Height: tip.Height, BlockHash: tip.Hash.Hex(), Entries: len(flows)}, nil
}
