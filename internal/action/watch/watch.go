package watch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/interdict/interdict/internal/analysis/trace"
	"github.com/interdict/interdict/internal/chain"
)

// Errors callers branch on.
var (
	// ErrNotFound: no such watch entry, alert or cursor.
	ErrNotFound = errors.New("watch: not found")
	// ErrInvalid: a bad watch entry, setting or transition request.
	ErrInvalid = errors.New("watch: invalid")
	// ErrTransition: the alert's status does not allow the transition.
	ErrTransition = errors.New("watch: transition not allowed")
)

// Kind is what a watched address is to the member.
type Kind string

// Kinds of watched address.
const (
	Deposit Kind = "deposit"
	Hot     Kind = "hot"
	Cold    Kind = "cold"
)

// ParseKind checks a kind name ("" is deposit).
func ParseKind(s string) (Kind, error) {
	switch k := Kind(strings.ToLower(s)); k {
	case "":
		return Deposit, nil
	case Deposit, Hot, Cold:
		return k, nil
	}
	return "", fmt.Errorf("%w: kind %q: want deposit, hot or cold", ErrInvalid, s)
}

// Chains the engine knows.
const (
	BTC = "btc"
	ETH = "eth"
)

// CheckChain checks a chain name.
func CheckChain(c string) error {
	if c != BTC && c != ETH {
		return fmt.Errorf("%w: chain %q: want btc or eth", ErrInvalid, c)
	}
	return nil
}

// Entry is one watched address. A hashed entry's Address is the hex HMAC of
// the normalised address (see Hasher), and the address itself is kept
// nowhere.
type Entry struct {
	Chain   string    `json:"chain"`
	Address string    `json:"address"`
	Hashed  bool      `json:"hashed"`
	Kind    Kind      `json:"kind"`
	Label   string    `json:"label,omitempty"`
	Added   time.Time `json:"added"`
}

// NormalizeAddress normalises a watched or seen address of a chain.
func NormalizeAddress(c, a string) (string, error) {
	p := chain.ParseAddress(a)
	switch {
	case p.Normalized == "":
		return "", fmt.Errorf("%w: empty address", ErrInvalid)
	case c == ETH && p.Format != chain.FormatEVM:
		return "", fmt.Errorf("%w: %q is not an Ethereum address", ErrInvalid, a)
	case c == BTC && p.Format != chain.FormatBech32 && p.Format != chain.FormatBase58:
		return "", fmt.Errorf("%w: %q is not a Bitcoin address", ErrInvalid, a)
	}
	return p.Normalized, nil
}

// Settings are the member's alert settings.
type Settings struct {
	Model   trace.Model `json:"model"`
	MaxHops int         `json:"max_hops"`
	// MinAmount: taint below it is neither followed nor alerted on (nil or
	// 0: at least one smallest unit).
	MinAmount *big.Int `json:"min_amount"`
	// StopCategories: taint reaching an address tagged with one of these
	// categories or concepts (the trace's stop rule: "bridge" and "mixer"
	// are short for defi_bridge and mixing_service) at MinConfidence or
	// more is reached (and alerted on) but not followed further, block by
	// block and retroactively. Empty: no stop.
	StopCategories []string `json:"stop_categories"`
	MinConfidence  int      `json:"min_confidence"`
}

// DefaultSettings: haircut, 6 hops, any amount of a unit or more, stopping
// at the services the trace stops at (exchanges, bridges, mixers, CoinJoin
// coordinators tagged with confidence 50 or more).
func DefaultSettings() Settings {
	d := trace.DefaultConfig()
	return Settings{Model: trace.Haircut, MaxHops: 6, MinAmount: new(big.Int),
		StopCategories: slices.Clone(d.StopCategories), MinConfidence: d.MinConfidence}
}

// Check validates the settings.
func (s Settings) Check() error {
	if _, err := trace.ParseModel(string(s.Model)); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if s.MaxHops < 0 {
		return fmt.Errorf("%w: max hops %d is negative", ErrInvalid, s.MaxHops)
	}
	if s.MinAmount != nil && s.MinAmount.Sign() < 0 {
		return fmt.Errorf("%w: min amount %s is negative", ErrInvalid, s.MinAmount)
	}
	if s.MinConfidence < 0 || s.MinConfidence > 100 {
		return fmt.Errorf("%w: min confidence %d: want 0 to 100", ErrInvalid, s.MinConfidence)
	}
	for _, c := range s.StopCategories {
		if c == "" || strings.ContainsAny(c, ", \t\n") {
			return fmt.Errorf("%w: stop category %q", ErrInvalid, c)
		}
	}
	return nil
}

// enough reports whether a taint is followed and alerted on.
func (s Settings) enough(t trace.Taint) bool {
	if !t.Tainted() {
		return false
	}
	if s.MinAmount == nil || s.MinAmount.Sign() == 0 {
		return t.Amount.Cmp(big.NewRat(1, 1)) >= 0
	}
	return t.Amount.Cmp(new(big.Rat).SetInt(s.MinAmount)) >= 0
}

// Source is one flagged subject, as the FlagSource gives it: an address, a
// transaction (every output) or one output (Tx and Vout >= 0).
type Source struct {
	FlagID   string `json:"flag_id"`
	Chain    string `json:"chain"`
	Address  string `json:"address,omitempty"`
	Tx       string `json:"tx,omitempty"`
	Vout     int    `json:"vout"` // -1: the whole transaction
	Incident string `json:"incident,omitempty"`
	Actor    string `json:"actor,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

// FlagSource gives the currently valid (not revoked, not expired) flagged
// subjects of a chain. The notification core satisfies it through an adapter
// in cmd/interdict.
type FlagSource interface {
	ActiveFlags(ctx context.Context, chain string) ([]Source, error)
}

// Cursor is how far the engine has processed a chain.
type Cursor struct {
	Height int64  `json:"height"`
	Hash   string `json:"hash"`
}

// Status is where an alert is in its lifecycle.
type Status string

// Statuses.
const (
	Open         Status = "open"
	Acknowledged Status = "acknowledged"
	Frozen       Status = "frozen"
	Dismissed    Status = "dismissed"
)

// allowed is the lifecycle: open → acknowledged → frozen | dismissed (open
// may be frozen or dismissed at once); frozen and dismissed are final.
var allowed = map[Status][]Status{
	Open:         {Acknowledged, Frozen, Dismissed},
	Acknowledged: {Frozen, Dismissed},
}

// CanMove reports whether an alert may go from one status to another.
func CanMove(from, to Status) bool {
	for _, s := range allowed[from] {
		if s == to {
			return true
		}
	}
	return false
}

// Alert is a tainted amount that reached a watched address.
type Alert struct {
	ID      string   `json:"id"`
	Status  Status   `json:"status"`
	Chain   string   `json:"chain"`
	Address string   `json:"address"`
	Kind    Kind     `json:"kind,omitempty"`
	Label   string   `json:"label,omitempty"`
	Asset   string   `json:"asset"`
	Amount  *big.Int `json:"amount"` // integer string in JSON, smallest units, rounded down
	FlagID  string   `json:"flag_id"`
	// FlagIDs are the origin flags (one per alert: taint is kept per flag).
	FlagIDs  []string    `json:"flag_ids"`
	Incident string      `json:"incident,omitempty"`
	Actor    string      `json:"actor,omitempty"`
	Reason   string      `json:"reason,omitempty"`
	Tx       string      `json:"tx"`
	Vout     int         `json:"vout"`
	Height   int64       `json:"height"`
	Block    string      `json:"block"`
	Hop      int         `json:"hop"`
	Path     []string    `json:"path"` // tx ids hop by hop, from the flag's to the alert's
	Model    trace.Model `json:"model"`
	Retro    bool        `json:"retro"`    // raised by the trace of a new flag over past blocks
	Orphaned bool        `json:"orphaned"` // its block was reorganised away
	Created  time.Time   `json:"created"`
	Updated  time.Time   `json:"updated"`
	// History is filled by Store.ChainAlert only.
	History []Transition `json:"history,omitempty"`
}

// AlertID is the alert's id: derived from its unique key, so a re-run of a
// block finds the same alert.
func AlertID(flag, chain, address, tx string, vout int) string {
	return keyHash(fmt.Sprintf("%s\x00%s\x00%s\x00%s\x00%d", flag, chain, address, tx, vout))
}

// Transition is one lifecycle step of an alert.
type Transition struct {
	From Status    `json:"from"`
	To   Status    `json:"to"`
	By   string    `json:"by"`
	At   time.Time `json:"at"`
	Note string    `json:"note,omitempty"`
}

// Filter selects alerts.
type Filter struct {
	Chain  string
	Status Status
	Limit  int // 0: 100
}

// TaintRow is one piece of taint state of one origin flag: a tainted output
// on Bitcoin (Ref "txid:vout"), or an address's pool of one asset on
// Ethereum (Ref "address/asset", Value its balance as far as the engine
// knows it). A row is written at Height and spent (or, for a pool,
// superseded) at a later height; a rewind below either undoes it.
type TaintRow struct {
	Chain   string
	Flag    string
	Ref     string
	Address string
	Asset   string
	Value   *big.Int
	Taint   trace.Taint
	Hop     int
	Path    []string
	Height  int64
}

// Key names a live taint row.
type Key struct{ Flag, Ref string }

// BlockCommit is everything one processed block (or one retro evaluation)
// changes, written in one transaction.
type BlockCommit struct {
	Chain  string
	Cursor Cursor // the cursor after the commit
	Put    []TaintRow
	// Spend marks live rows spent (superseded) at Cursor.Height.
	Spend []Key
	// Alerts are inserted once: one already there is left as it is (an
	// orphaned one is revived at its new height).
	Alerts []Alert
	// Tainted are the addresses newly tainted at Cursor.Height.
	Tainted []string
	// Evaluated are flags whose retro trace this commit records.
	Evaluated []string
	// PruneBelow deletes rows spent below it (0: none).
	PruneBelow int64
}

// Store is what the engine and the CLI need of the state store.
// Implementations: internal/store/sqlite, internal/store/postgres; the
// contract suite is internal/store/storetest.RunWatch.
type Store interface {
	// AddWatch adds entries, replacing kind and label of existing ones;
	// it returns how many were new.
	AddWatch(ctx context.Context, entries []Entry) (int, error)
	// RemoveWatch removes an entry; ErrNotFound if absent.
	RemoveWatch(ctx context.Context, chain, address string) error
	// Watchlist returns the entries of a chain ("" for all), by chain and
	// address.
	Watchlist(ctx context.Context, chain string) ([]Entry, error)
	// WatchSettings returns the settings (DefaultSettings if never set).
	WatchSettings(ctx context.Context) (Settings, error)
	SetWatchSettings(ctx context.Context, s Settings) error

	// WatchCursor returns a chain's cursor; ErrNotFound before the first.
	WatchCursor(ctx context.Context, chain string) (Cursor, error)
	// LiveTaint returns a chain's taint rows not spent.
	LiveTaint(ctx context.Context, chain string) ([]TaintRow, error)
	// EvaluatedFlags returns the flags of a chain with a recorded retro
	// trace.
	EvaluatedFlags(ctx context.Context, chain string) (map[string]bool, error)
	// CommitWatchBlock applies c in one transaction.
	CommitWatchBlock(ctx context.Context, c BlockCommit) error
	// RewindWatch undoes everything above height and sets the cursor to
	// to: rows written above are deleted, rows spent above are live again,
	// alerts above are marked orphaned, tainted addresses and flag
	// evaluations above are deleted. It returns the alerts orphaned.
	RewindWatch(ctx context.Context, chain string, height int64, to Cursor) (int, error)
	// WatchBlocks returns the blocks processed at heights >= from (kept
	// for KeepSpent heights below the cursor).
	WatchBlocks(ctx context.Context, chain string, from int64) ([]Cursor, error)
	// TaintedAddresses returns the addresses newly tainted at a height.
	TaintedAddresses(ctx context.Context, chain string, height int64) ([]string, error)

	// ChainAlerts returns alerts, newest first.
	ChainAlerts(ctx context.Context, f Filter) ([]Alert, error)
	// ChainAlert returns one alert with its history; ErrNotFound if absent.
	ChainAlert(ctx context.Context, id string) (Alert, error)
	// MoveChainAlert records a transition if the alert is still in
	// t.From; ErrTransition otherwise (ErrNotFound if absent).
	MoveChainAlert(ctx context.Context, id string, t Transition) error
}

// MarshalJSON writes the amount as an integer string (wei overflow JSON
// numbers) and never-null lists.
func (a Alert) MarshalJSON() ([]byte, error) {
	type plain Alert
	out := struct {
		plain
		Amount string `json:"amount"`
	}{plain: plain(a), Amount: "0"}
	if a.Amount != nil {
		out.Amount = a.Amount.String()
	}
	if out.Path == nil {
		out.Path = []string{}
	}
	if out.FlagIDs == nil {
		out.FlagIDs = []string{a.FlagID}
	}
	return json.Marshal(out)
}

// AlertDocument is the JSON document of an alert as the state store
// publishes it into the delivery log, in the transaction that stores the
// alert (CommitWatchBlock): the alert as ChainAlerts returns it once
// stored at at (created and updated at, no history).
func AlertDocument(a Alert, at time.Time) ([]byte, error) {
	a.Created, a.Updated, a.History = at, at, nil
	if a.FlagIDs == nil {
		a.FlagIDs = []string{a.FlagID}
	}
	b, err := json.Marshal(a)
	if err != nil {
		return nil, fmt.Errorf("watch: alert %s document: %w", a.ID, err)
	}
	return b, nil
}
