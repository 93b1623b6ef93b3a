package watch_test

import (
	"context"
	"errors"
	"math/big"
	"slices"
	"testing"
	"time"

	"github.com/btcsuite/btcd/wire"

	"github.com/interdict/interdict/internal/action/watch"
	"github.com/interdict/interdict/internal/analysis/trace"
)

var (
	thief   = newParty(0xaa) // the flagged address
	clean   = newParty(0xbb)
	mule1   = newParty(0x11)
	mule2   = newParty(0x12)
	dump    = newParty(0x13)
	deposit = newParty(0xde) // the member's watched deposit address
)

// heist is the scenario: at height 1 a coinbase pays the thief 50 BTC and
// a clean party 50 BTC; at 2 one tx mixes both into mule1 (60) and mule2;
// at 3 mule1 pays dump 29.9999 BTC first, then the watched deposit 30 BTC.
// The deposit is two hops from the thief's output.
type heist struct {
	c             *chain
	cb, tx1, tx2  *wire.MsgTx
	blocks        []func()
	flag          watch.Source
	depositAmount map[trace.Model]int64
}

func newHeist(t *testing.T) *heist {
	h := &heist{c: newChain(t), flag: watch.Source{FlagID: "flag-dmm", Chain: "btc", Address: thief.addr, Vout: -1,
		Incident: "DMM Bitcoin 2024-05-31", Actor: "Lazarus Group", Reason: "theft"}}
	b1 := func() {
		b := h.c.block(1, 0, []pay{{thief, 50_0000_0000}, {clean, 50_0000_0000}})
		h.cb = b.Transactions[0]
	}
	b2 := func() {
		h.tx1 = spend([]wire.OutPoint{out(h.cb, 0), out(h.cb, 1)}, pay{mule1, 60_0000_0000}, pay{mule2, 39_9999_0000})
		h.c.block(2, 0, nil, h.tx1)
	}
	b3 := func() {
		h.tx2 = spend([]wire.OutPoint{out(h.tx1, 0)}, pay{dump, 29_9999_0000}, pay{deposit, 30_0000_0000})
		h.c.block(3, 0, nil, h.tx2)
	}
	h.blocks = []func(){b1, b2, b3}
	// poison: all of mule1's 60 is tainted, so all 30 reaching the deposit.
	// haircut: tx1 is half tainted, mule1 carries 30 of 60, the deposit
	// half its 30. FIFO: the thief's 50 go first into mule1's 60, dump
	// takes the first 29.9999 of them, the deposit the next 20.0001.
	h.depositAmount = map[trace.Model]int64{trace.Poison: 30_0000_0000, trace.Haircut: 15_0000_0000, trace.FIFO: 20_0001_0000}
	return h
}

func (h *heist) path() []string {
	return []string{h.cb.TxHash().String(), h.tx1.TxHash().String(), h.tx2.TxHash().String()}
}

func setup(t *testing.T, m trace.Model) (testStore, *flags, *watch.Engine, *heist) {
	t.Helper()
	return setupOn(t, openStore(t), m)
}

func setupOn(t *testing.T, st testStore, m trace.Model) (testStore, *flags, *watch.Engine, *heist) {
	t.Helper()
	must(t, st.SetWatchSettings(t.Context(), watch.Settings{Model: m, MaxHops: 6, MinAmount: new(big.Int)}))
	if _, err := st.AddWatch(t.Context(), []watch.Entry{{Chain: "btc", Address: deposit.addr, Kind: watch.Deposit, Label: "customer 7"}}); err != nil {
		t.Fatal(err)
	}
	h := newHeist(t)
	fl := &flags{}
	return st, fl, newEngine(t, st, fl, h.c.idx), h
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func checkAlert(t *testing.T, a watch.Alert, h *heist, m trace.Model, height int64, retro bool) {
	t.Helper()
	if a.Address != deposit.addr || a.FlagID != "flag-dmm" || a.Tx != h.tx2.TxHash().String() || a.Vout != 1 ||
		a.Height != height || a.Hop != 2 || a.Retro != retro || a.Status != watch.Open || a.Incident != h.flag.Incident ||
		a.Label != "customer 7" || a.Chain != "btc" {
		t.Errorf("alert %+v", a)
	}
	if a.Amount.Int64() != h.depositAmount[m] {
		t.Errorf("%s: amount %s, want %d", m, a.Amount, h.depositAmount[m])
	}
	if !slices.Equal(a.Path, h.path()) {
		t.Errorf("path %v, want %v", a.Path, h.path())
	}
}

func TestFlaggedFundsReachAWatchedAddressInTwoHops(t *testing.T) {
	for _, bk := range backends {
		t.Run(bk.name, func(t *testing.T) { testTwoHops(t, bk.open) })
	}
}

func testTwoHops(t *testing.T, open func(t *testing.T) testStore) {
	for _, m := range []trace.Model{trace.Poison, trace.Haircut, trace.FIFO} {
		t.Run(string(m)+": the alert comes in the block that pays the deposit, with the path", func(t *testing.T) {
			st, fl, e, h := setupOn(t, open(t), m)
			h.blocks[0]()
			fl.add(h.flag)
			if r := catchUp(t, e); r.Retro != 1 || r.Alerts != 0 || r.Cursor.Height != 1 {
				t.Fatalf("first catch-up %+v", r)
			}
			h.blocks[1]()
			if r := catchUp(t, e); r.Blocks != 1 || r.Alerts != 0 {
				t.Fatalf("block 2 %+v", r)
			}
			h.blocks[2]()
			if r := catchUp(t, e); r.Blocks != 1 || r.Alerts != 1 {
				t.Fatalf("block 3 %+v", r)
			}
			got := alerts(t, st)
			if len(got) != 1 {
				t.Fatalf("%d alerts, want 1", len(got))
			}
			checkAlert(t, got[0], h, m, 3, false)
			tainted, err := st.TaintedAddresses(t.Context(), "btc", 3)
			must(t, err)
			if !slices.Contains(tainted, deposit.addr) || !slices.Contains(tainted, dump.addr) {
				t.Errorf("tainted at 3: %v", tainted)
			}
			if r := catchUp(t, e); r.Blocks != 0 || r.Alerts != 0 || len(alerts(t, st)) != 1 {
				t.Errorf("a second catch-up alerted again: %+v", r)
			}
		})
		t.Run(string(m)+": a flag arriving after the blocks alerts retroactively, the same amount", func(t *testing.T) {
			st, fl, e, h := setupOn(t, open(t), m)
			for _, b := range h.blocks {
				b()
			}
			catchUp(t, e)
			fl.add(h.flag)
			if r := catchUp(t, e); r.Retro != 1 || r.Alerts != 1 {
				t.Fatalf("retro catch-up %+v", r)
			}
			got := alerts(t, st)
			if len(got) != 1 {
				t.Fatalf("%d alerts, want 1", len(got))
			}
			checkAlert(t, got[0], h, m, 3, true)
		})
	}
}

func TestRevokedFlagRaisesNoAlert(t *testing.T) {
	st, fl, e, h := setup(t, trace.Haircut)
	h.blocks[0]()
	fl.add(h.flag)
	catchUp(t, e)
	h.blocks[1]()
	catchUp(t, e)
	fl.revoke(h.flag.FlagID)
	h.blocks[2]()
	if r := catchUp(t, e); r.Alerts != 0 {
		t.Fatalf("revoked flag alerted: %+v", r)
	}
	if got := alerts(t, st); len(got) != 0 {
		t.Fatalf("alerts %+v", got)
	}
	tainted, err := st.TaintedAddresses(t.Context(), "btc", 3)
	must(t, err)
	if len(tainted) != 0 {
		t.Errorf("a revoked flag's taint still spreads: %v", tainted)
	}
}

func TestHashedWatchEntryMatches(t *testing.T) {
	st, fl, _, h := setup(t, trace.Poison)
	must(t, st.RemoveWatch(t.Context(), "btc", deposit.addr))
	hs := watch.NewHasher([]byte("0123456789abcdef0123456789abcdef"))
	if _, err := st.AddWatch(t.Context(), []watch.Entry{{Chain: "btc", Address: hs.Hash("btc", deposit.addr), Hashed: true, Kind: watch.Hot}}); err != nil {
		t.Fatal(err)
	}
	e, err := watch.NewEngine(watch.Deps{Store: st, Flags: fl, BTC: h.c.idx, BTCParams: params, Hasher: hs}, watch.DefaultConfig())
	must(t, err)
	h.blocks[0]()
	fl.add(h.flag)
	catchUp(t, e)
	h.blocks[1]()
	h.blocks[2]()
	if r := catchUp(t, e); r.Alerts != 1 {
		t.Fatalf("hashed entry: %+v", r)
	}
	if a := alerts(t, st)[0]; a.Address != deposit.addr || a.Kind != watch.Hot {
		t.Fatalf("alert %+v", a)
	}
}

func TestReorgOrphansAlertsAndRevivesThemOnTheNewBranch(t *testing.T) {
	for _, bk := range backends {
		t.Run(bk.name, func(t *testing.T) { testReorg(t, bk.open(t)) })
	}
}

func testReorg(t *testing.T, store testStore) {
	st, fl, e, h := setupOn(t, store, trace.Poison)
	h.blocks[0]()
	fl.add(h.flag)
	catchUp(t, e)
	h.blocks[1]()
	h.blocks[2]()
	catchUp(t, e)
	id := alerts(t, st)[0].ID
	// A longer branch from height 2 without tx2.
	h.c.block(3, 7, nil)
	h.c.block(4, 7, nil)
	r := catchUp(t, e)
	if r.Orphaned != 1 || r.Cursor.Height != 4 || r.Alerts != 0 {
		t.Fatalf("reorg catch-up %+v", r)
	}
	a, err := st.ChainAlert(t.Context(), id)
	must(t, err)
	if !a.Orphaned {
		t.Fatalf("alert not orphaned after the reorg: %+v", a)
	}
	tainted, err := st.TaintedAddresses(t.Context(), "btc", 3)
	must(t, err)
	if slices.Contains(tainted, deposit.addr) {
		t.Errorf("the orphaned block's tainted addresses are kept: %v", tainted)
	}
	// tx2 mined again at height 5: the taint of mule1 came back live.
	h.c.block(5, 7, nil, h.tx2)
	if r := catchUp(t, e); r.Alerts != 1 {
		t.Fatalf("after tx2 mined again: %+v", r)
	}
	got := alerts(t, st)
	if len(got) != 1 || got[0].Orphaned || got[0].Height != 5 || got[0].ID != id {
		t.Fatalf("alerts after the new branch: %+v", got)
	}
}

func TestLifecycle(t *testing.T) {
	st, fl, e, h := setup(t, trace.Poison)
	for _, b := range h.blocks {
		b()
	}
	catchUp(t, e)
	fl.add(h.flag)
	catchUp(t, e)
	id := alerts(t, st)[0].ID
	if _, err := watch.Move(t.Context(), st, st, id, watch.Acknowledged, "ana", "", "checking", time.Time{}); err != nil {
		t.Fatal(err)
	}
	a, err := watch.Move(t.Context(), st, st, id, watch.Frozen, "bob", "", "frozen at the exchange", time.Time{})
	must(t, err)
	if a.Status != watch.Frozen || len(a.History) != 2 || a.History[1].Note != "frozen at the exchange" {
		t.Fatalf("alert %+v", a)
	}
	if _, err := watch.Move(t.Context(), st, st, id, watch.Dismissed, "bob", "", "", time.Time{}); !errors.Is(err, watch.ErrTransition) {
		t.Fatalf("frozen → dismissed: %v, want ErrTransition", err)
	}
	audit, err := st.Audit(t.Context(), 10)
	must(t, err)
	if len(audit) != 2 || audit[0].Action != "alert.frozen" || audit[0].Target != id || audit[0].Member != "bob" {
		t.Fatalf("audit %+v", audit)
	}
}

func TestStopRules(t *testing.T) {
	for _, c := range []struct {
		name    string
		hops    int
		min     int64
		alerted bool
	}{
		{"two hops alert under a limit of two", 2, 0, true},
		{"a limit of one hop stops the taint before the deposit", 1, 0, false},
		{"a minimum above the deposit's 15 BTC of haircut taint raises nothing", 6, 15_0000_0001, false},
		{"a minimum of exactly 15 BTC alerts", 6, 15_0000_0000, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, retro := range []bool{false, true} {
				st, fl, e, h := setup(t, trace.Haircut)
				must(t, st.SetWatchSettings(t.Context(), watch.Settings{Model: trace.Haircut, MaxHops: c.hops, MinAmount: big.NewInt(c.min)}))
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
				if got := len(alerts(t, st)); (got == 1) != c.alerted || got > 1 {
					t.Errorf("retro %v: %d alerts, want alerted=%v", retro, got, c.alerted)
				}
			}
		})
	}
}

func TestOnAlertsGetsEachCommittedAlertOnce(t *testing.T) {
	st, fl, _, h := setup(t, trace.Poison)
	var got []watch.Alert
	e, err := watch.NewEngine(watch.Deps{Store: st, Flags: fl, BTC: h.c.idx, BTCParams: params,
		OnAlerts: func(_ context.Context, a []watch.Alert) error { got = append(got, a...); return nil }}, watch.DefaultConfig())
	must(t, err)
	h.blocks[0]()
	fl.add(h.flag)
	catchUp(t, e)
	h.blocks[1]()
	h.blocks[2]()
	catchUp(t, e)
	catchUp(t, e)
	if len(got) != 1 || got[0].ID != alerts(t, st)[0].ID || got[0].Amount.Int64() != 30_0000_0000 {
		t.Fatalf("published %+v", got)
	}
}

func TestTxAndOutputSubjects(t *testing.T) {
	for _, c := range []struct {
		name    string
		vout    int
		alerted bool
	}{
		{"a flagged transaction taints all its outputs whole, even before it is mined", -1, true},
		{"a flagged output taints only itself: mule1 reaches the deposit", 0, true},
		{"a flagged output that is never spent raises nothing", 1, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			st, fl, e, h := setup(t, trace.Haircut)
			h.blocks[0]()
			h.tx1 = spend([]wire.OutPoint{out(h.cb, 0), out(h.cb, 1)}, pay{mule1, 60_0000_0000}, pay{mule2, 39_9999_0000})
			fl.add(watch.Source{FlagID: "flag-tx", Chain: "btc", Tx: h.tx1.TxHash().String(), Vout: c.vout})
			catchUp(t, e) // the tx is not indexed yet: evaluated with nothing found
			h.c.block(2, 0, nil, h.tx1)
			h.blocks[2]()
			catchUp(t, e)
			got := alerts(t, st)
			if (len(got) == 1) != c.alerted || len(got) > 1 {
				t.Fatalf("%d alerts, want alerted=%v", len(got), c.alerted)
			}
			if c.alerted {
				a := got[0]
				if a.Amount.Int64() != 30_0000_0000 || a.Hop != 1 ||
					!slices.Equal(a.Path, []string{h.tx1.TxHash().String(), h.tx2.TxHash().String()}) {
					t.Fatalf("alert %+v", a)
				}
			}
		})
	}
}
