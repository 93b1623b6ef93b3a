package freeze

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"math/big"
	"slices"
	"time"

	"github.com/interdict/interdict/internal/analysis/trace"
)

// Errors stores wrap.
var (
	// ErrTraceNotFound: no saved trace has the id.
	ErrTraceNotFound = errors.New("saved trace not found")
	// ErrRunConflict: a run's number is not the next one (another re-run
	// of the same trace was recorded first).
	ErrRunConflict = errors.New("saved trace: another run was recorded first")
)

// Request is a trace request as the CLI and POST /v1/traces take it.
type Request struct {
	Chain         string   `json:"chain"`
	Txs           []string `json:"txs,omitempty"`       // TXID or TXID:VOUT
	Addresses     []string `json:"addresses,omitempty"` // start addresses
	Direction     string   `json:"direction"`
	Model         string   `json:"model"`
	MaxHops       *int     `json:"max_hops,omitempty"`
	MinAmount     string   `json:"min_amount,omitempty"`
	From          string   `json:"from,omitempty"` // RFC 3339
	To            string   `json:"to,omitempty"`
	StopAt        []string `json:"stop_at,omitempty"`
	MinConfidence *int     `json:"min_confidence,omitempty"`
	MaxNodes      int      `json:"max_nodes,omitempty"`
}

// Run is one run of a saved trace: the index tip it ran at and its result.
type Run struct {
	Seq     int           `json:"seq"` // 1 for the first run
	At      time.Time     `json:"at"`
	Tip     int64         `json:"tip"` // the chain index's height when it ran
	TipHash string        `json:"tip_hash,omitempty"`
	Result  *trace.Result `json:"result"`
	Changes *Changes      `json:"changes,omitempty"` // against the run before
}

// SavedTrace is a trace request with its owner and its runs (newest last).
type SavedTrace struct {
	ID      string    `json:"id"`
	Owner   string    `json:"owner"` // the member that saved it
	Created time.Time `json:"created"`
	Request Request   `json:"request"`
	Runs    []Run     `json:"runs,omitempty"`
}

// Latest returns the newest run, nil if there is none.
func (s *SavedTrace) Latest() *Run {
	if len(s.Runs) == 0 {
		return nil
	}
	return &s.Runs[len(s.Runs)-1]
}

// Summary is a saved trace in a listing.
type Summary struct {
	ID      string    `json:"id"`
	Owner   string    `json:"owner"`
	Created time.Time `json:"created"`
	Chain   string    `json:"chain"`
	Runs    int       `json:"runs"`
	LastRun time.Time `json:"last_run"`
	LastTip int64     `json:"last_tip"`
	Reached int       `json:"reached"`
	Request Request   `json:"request"`
}

// TraceStore keeps saved traces. Stores return errors wrapping
// ErrTraceNotFound for unknown ids.
type TraceStore interface {
	// CreateTrace saves a new trace with its first run.
	CreateTrace(ctx context.Context, t SavedTrace) error
	// AddTraceRun appends a run to a saved trace; its Seq must be the next.
	AddTraceRun(ctx context.Context, id string, r Run) error
	// Trace returns a saved trace with every run.
	Trace(ctx context.Context, id string) (SavedTrace, error)
	// Traces lists saved traces, newest first; owner "" lists everyone's.
	Traces(ctx context.Context, owner string, limit int) ([]Summary, error)
}

// Changes is what a re-run found different from the run before.
type Changes struct {
	NewReached     []Reached       `json:"new_reached"`
	GoneReached    []Reached       `json:"gone_reached"`
	ChangedAmounts []ChangedAmount `json:"changed_amounts"`
	TruncatedNow   bool            `json:"truncated_now"`
}

// Reached is an address and asset in a Changes list.
type Reached struct {
	Address string `json:"address"`
	Asset   string `json:"asset"`
	Tainted string `json:"tainted"`
}

// ChangedAmount is a reached address whose taint changed.
type ChangedAmount struct {
	Address string `json:"address"`
	Asset   string `json:"asset"`
	Before  string `json:"before"`
	After   string `json:"after"`
	Delta   string `json:"delta"`
}

// Changed reports whether anything changed.
func (c *Changes) Changed() bool {
	return len(c.NewReached)+len(c.GoneReached)+len(c.ChangedAmounts) > 0
}

// Diff compares the reached addresses of two results.
func Diff(before, after *trace.Result) *Changes {
	c := &Changes{NewReached: []Reached{}, GoneReached: []Reached{}, ChangedAmounts: []ChangedAmount{}}
	type key struct{ a, s string }
	old := map[key]string{}
	if before != nil {
		for _, r := range before.Reached {
			old[key{r.Address, r.Asset}] = r.Tainted
		}
	}
	seen := map[key]bool{}
	if after != nil {
		c.TruncatedNow = after.Truncated && (before == nil || !before.Truncated)
		for _, r := range after.Reached {
			k := key{r.Address, r.Asset}
			seen[k] = true
			prev, ok := old[k]
			switch {
			case !ok:
				c.NewReached = append(c.NewReached, Reached{r.Address, r.Asset, r.Tainted})
			case prev != r.Tainted:
				a, _ := new(big.Int).SetString(r.Tainted, 10)
				b, _ := new(big.Int).SetString(prev, 10)
				d := "?"
				if a != nil && b != nil {
					d = new(big.Int).Sub(a, b).String()
				}
				c.ChangedAmounts = append(c.ChangedAmounts, ChangedAmount{r.Address, r.Asset, prev, r.Tainted, d})
			}
		}
	}
	if before != nil {
		for _, r := range before.Reached {
			if !seen[key{r.Address, r.Asset}] {
				c.GoneReached = append(c.GoneReached, Reached{r.Address, r.Asset, r.Tainted})
			}
		}
	}
	slices.SortFunc(c.GoneReached, func(a, b Reached) int {
		return cmp.Or(cmp.Compare(a.Address, b.Address), cmp.Compare(a.Asset, b.Asset))
	})
	return c
}

// EncodeResult and DecodeResult are the stores' form of a result.
func EncodeResult(r *trace.Result) ([]byte, error) { return json.Marshal(r) }

// DecodeResult reads a result EncodeResult wrote.
func DecodeResult(b []byte) (*trace.Result, error) {
	var r trace.Result
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, err
	}
	return &r, nil
}
