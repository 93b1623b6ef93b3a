package watch_test

import (
	"encoding/json"
	"testing"

	"github.com/interdict/interdict/internal/action/deliver"
	"github.com/interdict/interdict/internal/action/watch"
	"github.com/interdict/interdict/internal/analysis/trace"
)

// TestBlockCommitPublishesItsAlerts: the state store queues a block's
// alerts in the delivery log in the commit that stores them (block by block
// and retro), each once, with the document ChainAlerts returns; a reorg
// that revives an alert does not publish it again.
func TestBlockCommitPublishesItsAlerts(t *testing.T) {
	for _, bk := range backends {
		t.Run(bk.name, func(t *testing.T) {
			for _, retro := range []bool{false, true} {
				st, fl, e, h := setupOn(t, bk.open(t), trace.Poison)
				log, ok := st.(deliver.Outbox)
				if !ok {
					t.Fatalf("%T keeps no alert log", st)
				}
				h.blocks[0]()
				if !retro {
					fl.add(h.flag)
				}
				catchUp(t, e)
				h.blocks[1]()
				h.blocks[2]()
				if retro {
					catchUp(t, e)
					fl.add(h.flag)
				}
				catchUp(t, e)
				catchUp(t, e)
				evs, err := log.AlertsAfter(t.Context(), 0, 100)
				must(t, err)
				got := alerts(t, st)
				if len(got) != 1 || len(evs) != 1 {
					t.Fatalf("retro %v: %d alerts, %d in the log; want 1 and 1", retro, len(got), len(evs))
				}
				want, err := json.Marshal(got[0])
				must(t, err)
				var a, b any
				must(t, json.Unmarshal(evs[0].Payload, &a))
				must(t, json.Unmarshal(want, &b))
				aj, _ := json.Marshal(a)
				bj, _ := json.Marshal(b)
				if string(aj) != string(bj) {
					t.Fatalf("retro %v: the log holds\n%s\nChainAlerts gives\n%s", retro, aj, bj)
				}
				var doc struct {
					ID    string `json:"id"`
					Retro bool   `json:"retro"`
				}
				must(t, json.Unmarshal(evs[0].Payload, &doc))
				if doc.ID != got[0].ID || doc.Retro != retro || evs[0].Member != "" {
					t.Fatalf("retro %v: published %+v", retro, doc)
				}
			}
		})
	}
}

// TestWatchlistChangesReachARunningEngine: the engine keeps the watchlist
// between catch-ups while its version is unchanged; an address removed or
// added meanwhile is seen by the next block.
func TestWatchlistChangesReachARunningEngine(t *testing.T) {
	for _, bk := range backends {
		t.Run(bk.name, func(t *testing.T) {
			for _, remove := range []bool{true, false} {
				st, fl, e, h := setupOn(t, bk.open(t), trace.Poison)
				if !remove {
					must(t, st.RemoveWatch(t.Context(), "btc", deposit.addr))
				}
				h.blocks[0]()
				fl.add(h.flag)
				catchUp(t, e)
				if remove {
					must(t, st.RemoveWatch(t.Context(), "btc", deposit.addr))
				} else if _, err := st.AddWatch(t.Context(), []watch.Entry{{Chain: "btc", Address: deposit.addr, Kind: watch.Deposit}}); err != nil {
					t.Fatal(err)
				}
				h.blocks[1]()
				h.blocks[2]()
				catchUp(t, e)
				if got := len(alerts(t, st)); (got == 1) == remove {
					t.Fatalf("removed %v: %d alerts", remove, got)
				}
			}
		})
	}
}
