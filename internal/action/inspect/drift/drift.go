// Package drift collects inspection evidence on signer-fingerprint drift:
// the outgoing transactions of each declared signer address, read from the
// chain index, are reduced to a fingerprint of habits (Ethereum: transaction
// type, fee style, priority fee, gas limit, EIP-155 chain id, nonce
// sequence; Bitcoin: input and output script types, fee rate, RBF signalling,
// locktime style, version), and the recent window is compared with the
// baseline before it. A signing key used from another device or wallet
// software (a stolen key, a tampered signer) shows up as transactions whose
// habits the baseline never had. A drift is a finding with its transaction
// and the baseline it departs from, not proof of compromise.
package drift

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
)

// Config bounds the comparison.
type Config struct {
	// RecentBlocks is the window at the tip compared with everything
	// before it.
	RecentBlocks int64 `json:"recent_blocks"`
	// MinBaseline is how many baseline transactions a signer needs before
	// drift is decided; with fewer the signer is reported as undecided.
	MinBaseline int `json:"min_baseline"`
	// Ratio is how far a number (fee rate, priority fee, gas limit) may
	// leave the baseline's range before it counts: below min/Ratio or
	// above max*Ratio.
	Ratio uint64 `json:"ratio"`
}

// DefaultConfig: the last 1,000 blocks against the rest, at least 5
// baseline transactions, numbers within a factor of 4.
func DefaultConfig() Config { return Config{RecentBlocks: 1000, MinBaseline: 5, Ratio: 4} }

// Fingerprint is one outgoing transaction's habits.
type Fingerprint struct {
	Tx     string `json:"tx"`
	Height int64  `json:"height"`
	// Traits are categorical habits (type=dynamic_fee, rbf=yes, ...).
	Traits map[string]string `json:"traits"`
	// Numbers are quantities compared by range (fee_rate_msat_vb, ...).
	Numbers map[string]uint64 `json:"numbers,omitempty"`
	// Seq is the Ethereum nonce (-1: none), checked for gaps.
	Seq int64 `json:"seq"`
}

// Drift is one recent transaction that departs from the baseline.
type Drift struct {
	Signer   string `json:"signer"`
	Tx       string `json:"tx"`
	Height   int64  `json:"height"`
	Habit    string `json:"habit"`
	Value    string `json:"value"`
	Baseline string `json:"baseline"`
}

func (d Drift) String() string {
	return fmt.Sprintf("signer %s: tx %s at height %d: %s %s, baseline %s", d.Signer, d.Tx, d.Height, d.Habit, d.Value, d.Baseline)
}

// SignerResult is the comparison for one signer.
type SignerResult struct {
	Signer   string  `json:"signer"`
	Chain    string  `json:"chain"`
	Baseline int     `json:"baseline_txs"`
	Recent   int     `json:"recent_txs"`
	Decided  bool    `json:"decided"` // enough baseline to compare
	Drifts   []Drift `json:"drifts,omitempty"`
}

// Compare splits fps (in chain order) at height from (recent: >= from) and
// flags every recent habit the baseline never showed.
func Compare(signer, chain string, fps []Fingerprint, from int64, cfg Config) SignerResult {
	res := SignerResult{Signer: signer, Chain: chain}
	var base, recent []Fingerprint
	for _, f := range fps {
		if f.Height >= from {
			recent = append(recent, f)
		} else {
			base = append(base, f)
		}
	}
	res.Baseline, res.Recent = len(base), len(recent)
	if len(base) < cfg.MinBaseline {
		return res
	}
	res.Decided = true
	traits := map[string]map[string]bool{}
	lo, hi := map[string]uint64{}, map[string]uint64{}
	for _, f := range base {
		for k, v := range f.Traits {
			if traits[k] == nil {
				traits[k] = map[string]bool{}
			}
			traits[k][v] = true
		}
		for k, v := range f.Numbers {
			if l, ok := lo[k]; !ok || v < l {
				lo[k] = v
			}
			if v > hi[k] {
				hi[k] = v
			}
		}
	}
	ratio := max(cfg.Ratio, 1)
	prevSeq := int64(-1)
	if n := len(base); n > 0 {
		prevSeq = base[n-1].Seq
	}
	for _, f := range recent {
		add := func(habit, value, baseline string) {
			res.Drifts = append(res.Drifts, Drift{Signer: signer, Tx: f.Tx, Height: f.Height, Habit: habit, Value: value, Baseline: baseline})
		}
		for _, k := range slices.Sorted(maps.Keys(f.Traits)) {
			if v := f.Traits[k]; !traits[k][v] {
				add(k, v, strings.Join(slices.Sorted(maps.Keys(traits[k])), "|"))
			}
		}
		for _, k := range slices.Sorted(maps.Keys(f.Numbers)) {
			v := f.Numbers[k]
			l, ok := lo[k]
			if !ok {
				add(k, fmt.Sprint(v), "none")
				continue
			}
			if v < l/ratio || v > satMul(hi[k], ratio) {
				add(k, fmt.Sprint(v), fmt.Sprintf("%d..%d (x%d allowed)", l, hi[k], ratio))
			}
		}
		if f.Seq >= 0 && prevSeq >= 0 && f.Seq != prevSeq+1 {
			add("nonce", fmt.Sprint(f.Seq), fmt.Sprintf("%d after %d (gap)", prevSeq+1, prevSeq))
		}
		if f.Seq >= 0 {
			prevSeq = f.Seq
		}
	}
	return res
}

func satMul(a, b uint64) uint64 {
	if a != 0 && b > ^uint64(0)/a {
		return ^uint64(0)
	}
	return a * b
}

// sortFingerprints orders by height then tx, the chain order within the
// precision the fingerprints keep.
func sortFingerprints(fps []Fingerprint) {
	sort.SliceStable(fps, func(i, j int) bool {
		if fps[i].Height != fps[j].Height {
			return fps[i].Height < fps[j].Height
		}
		return fps[i].Seq < fps[j].Seq
	})
}
