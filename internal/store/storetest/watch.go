package storetest

import (
	"errors"
	"math/big"
	"slices"
	"testing"
	"time"

	"github.com/interdict/interdict/internal/action/watch"
	"github.com/interdict/interdict/internal/analysis/trace"
)

// RunWatch is the contract suite of watch.Store (watchlists, the alert
// engine's state and chain alerts). open must return a fresh, empty store
// and arrange its closing with t.Cleanup.
func RunWatch(t *testing.T, open func(t *testing.T) watch.Store) {
	for _, c := range watchCases() {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.run(t, open(t))
		})
	}
}

type watchCase struct {
	name string
	run  func(t *testing.T, s watch.Store)
}

func taintRow(flag, ref string, height int64, amount int64) watch.TaintRow {
	return watch.TaintRow{Chain: "btc", Flag: flag, Ref: ref, Address: "bc1q" + ref[:4], Asset: "btc", Value: big.NewInt(1000),
		Taint: trace.Taint{Amount: big.NewRat(amount, 3), Spans: []trace.Span{{Lo: big.NewInt(0), Hi: big.NewInt(7)}}},
		Hop:   2, Path: []string{"aa", "bb"}, Height: height}
}

func chainAlert(flag, tx string, height int64) watch.Alert {
	a := watch.Alert{Status: watch.Open, Chain: "btc", Address: "bc1qwatched", Kind: watch.Deposit, Label: "hot 1", Asset: "btc",
		Amount: big.NewInt(12345), FlagID: flag, Incident: "DMM 2024", Actor: "Lazarus", Reason: "theft", Tx: tx, Vout: 1,
		Height: height, Block: "00ab", Hop: 2, Path: []string{"t0", "t1", tx}, Model: trace.Haircut}
	a.ID = watch.AlertID(flag, "btc", a.Address, tx, 1)
	return a
}

func liveRefs(t *testing.T, s watch.Store) []string {
	t.Helper()
	rows, err := s.LiveTaint(ctx(t), "btc")
	must(t, "LiveTaint", err)
	var out []string
	for _, r := range rows {
		out = append(out, r.Flag+"/"+r.Ref)
	}
	slices.Sort(out)
	return out
}

func watchCases() []watchCase {
	return []watchCase{
		{"watch entries are added once, relabelled, listed per chain and removed", func(t *testing.T, s watch.Store) {
			n, err := s.AddWatch(ctx(t), []watch.Entry{{Chain: "btc", Address: "bc1qa", Kind: watch.Deposit, Label: "a"},
				{Chain: "eth", Address: "0xab", Kind: watch.Hot}, {Chain: "btc", Address: "ff00", Hashed: true, Kind: watch.Cold}})
			must(t, "AddWatch", err)
			if n != 3 {
				t.Fatalf("added %d, want 3", n)
			}
			n, err = s.AddWatch(ctx(t), []watch.Entry{{Chain: "btc", Address: "bc1qa", Kind: watch.Hot, Label: "b"}})
			must(t, "AddWatch again", err)
			if n != 0 {
				t.Fatalf("added %d again, want 0", n)
			}
			got, err := s.Watchlist(ctx(t), "btc")
			must(t, "Watchlist", err)
			if len(got) != 2 || got[0].Address != "bc1qa" || got[0].Kind != watch.Hot || got[0].Label != "b" ||
				!got[1].Hashed || got[1].Kind != watch.Cold || got[0].Added.IsZero() {
				t.Fatalf("watchlist %+v", got)
			}
			all, err := s.Watchlist(ctx(t), "")
			must(t, "Watchlist all", err)
			if len(all) != 3 {
				t.Fatalf("all %+v", all)
			}
			must(t, "RemoveWatch", s.RemoveWatch(ctx(t), "btc", "bc1qa"))
			if err := s.RemoveWatch(ctx(t), "btc", "bc1qa"); !errors.Is(err, watch.ErrNotFound) {
				t.Fatalf("second remove: %v, want ErrNotFound", err)
			}
		}},
		{"settings default until set, then read back", func(t *testing.T, s watch.Store) {
			st, err := s.WatchSettings(ctx(t))
			must(t, "WatchSettings", err)
			if st.Model != watch.DefaultSettings().Model || st.MaxHops != 6 {
				t.Fatalf("default %+v", st)
			}
			must(t, "Set", s.SetWatchSettings(ctx(t), watch.Settings{Model: trace.FIFO, MaxHops: 3, MinAmount: big.NewInt(5000)}))
			st, err = s.WatchSettings(ctx(t))
			must(t, "WatchSettings", err)
			if st.Model != trace.FIFO || st.MaxHops != 3 || st.MinAmount.Int64() != 5000 {
				t.Fatalf("settings %+v", st)
			}
			if err := s.SetWatchSettings(ctx(t), watch.Settings{Model: "bogus"}); !errors.Is(err, watch.ErrInvalid) {
				t.Fatalf("bad model: %v", err)
			}
		}},
		{"a block commit writes taint, alerts, tainted addresses and the cursor together", func(t *testing.T, s watch.Store) {
			if _, err := s.WatchCursor(ctx(t), "btc"); !errors.Is(err, watch.ErrNotFound) {
				t.Fatalf("cursor before any: %v", err)
			}
			must(t, "commit 10", s.CommitWatchBlock(ctx(t), watch.BlockCommit{Chain: "btc", Cursor: watch.Cursor{Height: 10, Hash: "h10"},
				Put: []watch.TaintRow{taintRow("f1", "aaaa:0", 10, 7), taintRow("f1", "bbbb:1", 10, 9)}, Evaluated: []string{"f1"}}))
			must(t, "commit 11", s.CommitWatchBlock(ctx(t), watch.BlockCommit{Chain: "btc", Cursor: watch.Cursor{Height: 11, Hash: "h11"},
				Spend: []watch.Key{{Flag: "f1", Ref: "aaaa:0"}}, Put: []watch.TaintRow{taintRow("f1", "cccc:0", 11, 7)},
				Alerts: []watch.Alert{chainAlert("f1", "cccc", 11)}, Tainted: []string{"bc1qx", "bc1qy"}}))
			c, err := s.WatchCursor(ctx(t), "btc")
			must(t, "WatchCursor", err)
			if c != (watch.Cursor{Height: 11, Hash: "h11"}) {
				t.Fatalf("cursor %+v", c)
			}
			if got := liveRefs(t, s); !slices.Equal(got, []string{"f1/bbbb:1", "f1/cccc:0"}) {
				t.Fatalf("live %v", got)
			}
			rows, err := s.LiveTaint(ctx(t), "btc")
			must(t, "LiveTaint", err)
			r := rows[0]
			if r.Taint.Amount.Cmp(big.NewRat(9, 3)) != 0 || len(r.Taint.Spans) != 1 || r.Taint.Spans[0].Hi.Int64() != 7 ||
				r.Value.Int64() != 1000 || r.Hop != 2 || !slices.Equal(r.Path, []string{"aa", "bb"}) {
				t.Fatalf("row %+v", r)
			}
			ev, err := s.EvaluatedFlags(ctx(t), "btc")
			must(t, "EvaluatedFlags", err)
			if !ev["f1"] || len(ev) != 1 {
				t.Fatalf("evaluated %v", ev)
			}
			ta, err := s.TaintedAddresses(ctx(t), "btc", 11)
			must(t, "TaintedAddresses", err)
			if !slices.Equal(ta, []string{"bc1qx", "bc1qy"}) {
				t.Fatalf("tainted %v", ta)
			}
			bl, err := s.WatchBlocks(ctx(t), "btc", 0)
			must(t, "WatchBlocks", err)
			if len(bl) != 2 || bl[1].Hash != "h11" {
				t.Fatalf("blocks %v", bl)
			}
			al, err := s.ChainAlerts(ctx(t), watch.Filter{Chain: "btc"})
			must(t, "ChainAlerts", err)
			want := chainAlert("f1", "cccc", 11)
			if len(al) != 1 || al[0].ID != want.ID || al[0].Amount.Cmp(want.Amount) != 0 || al[0].Status != watch.Open ||
				!slices.Equal(al[0].Path, want.Path) || al[0].Incident != "DMM 2024" || al[0].Label != "hot 1" ||
				!slices.Equal(al[0].FlagIDs, []string{"f1"}) || al[0].Created.IsZero() {
				t.Fatalf("alerts %+v", al)
			}
		}},
		{"the same alert committed twice is stored once", func(t *testing.T, s watch.Store) {
			a := chainAlert("f1", "dddd", 5)
			for range 2 {
				must(t, "commit", s.CommitWatchBlock(ctx(t), watch.BlockCommit{Chain: "btc", Cursor: watch.Cursor{Height: 5, Hash: "h5"},
					Alerts: []watch.Alert{a}}))
			}
			al, err := s.ChainAlerts(ctx(t), watch.Filter{})
			must(t, "ChainAlerts", err)
			if len(al) != 1 {
				t.Fatalf("%d alerts, want 1", len(al))
			}
		}},
		{"a rewind undoes rows and spends above the fork and orphans the alerts there", func(t *testing.T, s watch.Store) {
			must(t, "commit 1", s.CommitWatchBlock(ctx(t), watch.BlockCommit{Chain: "btc", Cursor: watch.Cursor{Height: 1, Hash: "h1"},
				Put: []watch.TaintRow{taintRow("f", "aaaa:0", 1, 3)}}))
			must(t, "commit 2", s.CommitWatchBlock(ctx(t), watch.BlockCommit{Chain: "btc", Cursor: watch.Cursor{Height: 2, Hash: "h2"},
				Spend: []watch.Key{{Flag: "f", Ref: "aaaa:0"}}, Put: []watch.TaintRow{taintRow("f", "bbbb:0", 2, 3)},
				Alerts: []watch.Alert{chainAlert("f", "bbbb", 2)}, Tainted: []string{"bc1qz"}, Evaluated: []string{"g"}}))
			n, err := s.RewindWatch(ctx(t), "btc", 1, watch.Cursor{Height: 1, Hash: "h1"})
			must(t, "RewindWatch", err)
			if n != 1 {
				t.Fatalf("orphaned %d, want 1", n)
			}
			if got := liveRefs(t, s); !slices.Equal(got, []string{"f/aaaa:0"}) {
				t.Fatalf("live after rewind %v", got)
			}
			c, _ := s.WatchCursor(ctx(t), "btc")
			ta, _ := s.TaintedAddresses(ctx(t), "btc", 2)
			ev, _ := s.EvaluatedFlags(ctx(t), "btc")
			if c.Height != 1 || len(ta) != 0 || ev["g"] {
				t.Fatalf("cursor %+v tainted %v evaluated %v", c, ta, ev)
			}
			a, err := s.ChainAlert(ctx(t), chainAlert("f", "bbbb", 2).ID)
			must(t, "ChainAlert", err)
			if !a.Orphaned {
				t.Fatalf("alert not orphaned: %+v", a)
			}
			// The same tx mined again on the new branch revives it.
			must(t, "commit 2'", s.CommitWatchBlock(ctx(t), watch.BlockCommit{Chain: "btc", Cursor: watch.Cursor{Height: 3, Hash: "h3x"},
				Alerts: []watch.Alert{chainAlert("f", "bbbb", 3)}}))
			a, err = s.ChainAlert(ctx(t), a.ID)
			must(t, "ChainAlert", err)
			if a.Orphaned || a.Height != 3 {
				t.Fatalf("alert not revived: %+v", a)
			}
		}},
		{"spent rows below the prune height are deleted", func(t *testing.T, s watch.Store) {
			must(t, "commit", s.CommitWatchBlock(ctx(t), watch.BlockCommit{Chain: "btc", Cursor: watch.Cursor{Height: 1, Hash: "h1"},
				Put: []watch.TaintRow{taintRow("f", "aaaa:0", 1, 3)}}))
			must(t, "commit", s.CommitWatchBlock(ctx(t), watch.BlockCommit{Chain: "btc", Cursor: watch.Cursor{Height: 2, Hash: "h2"},
				Spend: []watch.Key{{Flag: "f", Ref: "aaaa:0"}}}))
			must(t, "commit", s.CommitWatchBlock(ctx(t), watch.BlockCommit{Chain: "btc", Cursor: watch.Cursor{Height: 10, Hash: "h10"},
				PruneBelow: 5}))
			// A rewind to 1 cannot bring back what was pruned.
			if _, err := s.RewindWatch(ctx(t), "btc", 1, watch.Cursor{Height: 1, Hash: "h1"}); err != nil {
				t.Fatal(err)
			}
			if got := liveRefs(t, s); len(got) != 0 {
				t.Fatalf("live %v, want none", got)
			}
			bl, _ := s.WatchBlocks(ctx(t), "btc", 0)
			if len(bl) != 0 {
				t.Fatalf("blocks %v", bl)
			}
		}},
		{"alerts move through their lifecycle with a recorded history", func(t *testing.T, s watch.Store) {
			a := chainAlert("f", "eeee", 7)
			must(t, "commit", s.CommitWatchBlock(ctx(t), watch.BlockCommit{Chain: "btc", Cursor: watch.Cursor{Height: 7, Hash: "h7"},
				Alerts: []watch.Alert{a}}))
			at := base.Add(time.Hour)
			must(t, "ack", s.MoveChainAlert(ctx(t), a.ID, watch.Transition{From: watch.Open, To: watch.Acknowledged, By: "ana", At: at, Note: "looking"}))
			if err := s.MoveChainAlert(ctx(t), a.ID, watch.Transition{From: watch.Open, To: watch.Frozen, By: "bob"}); !errors.Is(err, watch.ErrTransition) {
				t.Fatalf("stale transition: %v, want ErrTransition", err)
			}
			must(t, "freeze", s.MoveChainAlert(ctx(t), a.ID, watch.Transition{From: watch.Acknowledged, To: watch.Frozen, By: "bob", At: at}))
			if err := s.MoveChainAlert(ctx(t), "nope", watch.Transition{From: watch.Open, To: watch.Frozen}); !errors.Is(err, watch.ErrNotFound) {
				t.Fatalf("missing alert: %v, want ErrNotFound", err)
			}
			got, err := s.ChainAlert(ctx(t), a.ID)
			must(t, "ChainAlert", err)
			if got.Status != watch.Frozen || len(got.History) != 2 || got.History[0].Note != "looking" || got.History[0].By != "ana" ||
				got.History[1].To != watch.Frozen {
				t.Fatalf("alert %+v", got)
			}
			checkTime(t, "transition at", got.History[0].At, at)
			fr, err := s.ChainAlerts(ctx(t), watch.Filter{Status: watch.Frozen})
			must(t, "ChainAlerts", err)
			op, err := s.ChainAlerts(ctx(t), watch.Filter{Status: watch.Open})
			must(t, "ChainAlerts", err)
			if len(fr) != 1 || len(op) != 0 {
				t.Fatalf("frozen %d open %d", len(fr), len(op))
			}
			if _, err := s.ChainAlert(ctx(t), "nope"); !errors.Is(err, watch.ErrNotFound) {
				t.Fatalf("ChainAlert missing: %v", err)
			}
		}},
	}
}
