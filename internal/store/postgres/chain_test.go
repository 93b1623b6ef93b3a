package postgres

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/wire"

	"github.com/interdict/interdict/internal/index/bitcoin"
	"github.com/interdict/interdict/internal/index/bitcoin/bitcointest"
	"github.com/interdict/interdict/internal/store/storetest"
)

// openChain returns a chain store on a fresh schema, closed at cleanup.
func openChain(tb testing.TB) *ChainStore {
	tb.Helper()
	s, err := OpenChain(tb.Context(), freshSchema(tb), nil)
	if err != nil {
		tb.Fatalf("OpenChain: %v", err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

func TestChainContract(t *testing.T) {
	serverURL(t) // once here rather than in every case
	storetest.RunChain(t, func(t *testing.T) bitcoin.Store { return openChain(t) })
}

// ingest connects blocks on s through the engine, committing every batch blocks.
func ingest(tb testing.TB, s bitcoin.Store, blocks []*wire.MsgBlock, batch int) {
	tb.Helper()
	cfg := bitcoin.DefaultConfig()
	cfg.BatchBlocks = batch
	e, err := bitcoin.NewEngine(tb.Context(), s, &chaincfg.RegressionNetParams, cfg, nil, nil)
	if err != nil {
		tb.Fatal(err)
	}
	for _, b := range blocks {
		if err := e.Add(tb.Context(), b, -1); err != nil {
			tb.Fatalf("Add: %v", err)
		}
	}
	if err := e.Flush(tb.Context()); err != nil {
		tb.Fatalf("Flush: %v", err)
	}
}

func TestChainStore(t *testing.T) {
	serverURL(t) // once here rather than in every case
	genesis, tip := bitcointest.Genesis()
	blocks, _ := bitcointest.New(1).Blocks(tip, 30)
	blocks = append([]*wire.MsgBlock{genesis}, blocks...)

	t.Run("an ingest equals the in-memory reference whatever the batch size", func(t *testing.T) {
		ref := bitcoin.NewMemStore()
		ingest(t, ref, blocks, 1)
		want, err := ref.Digest(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		for _, batch := range []int{1, 7, 100} {
			s := openChain(t)
			ingest(t, s, blocks, batch)
			got, err := s.Digest(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("batch %d: digest %x, reference %x", batch, got, want)
			}
		}
	})
	t.Run("a second writer whose changes do not extend the tip writes nothing", func(t *testing.T) {
		u := freshSchema(t)
		a, err := OpenChain(t.Context(), u, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		b, err := OpenChain(t.Context(), u, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		ingest(t, a, blocks[:10], 5)
		before, _ := a.Digest(t.Context())
		// A stale writer replays the first blocks: its first change connects
		// genesis on a tip that has moved on.
		err = b.Commit(t.Context(), recorded(t, blocks[:2]))
		if !errors.Is(err, bitcoin.ErrNotTip) {
			t.Fatalf("stale Commit error = %v, want bitcoin.ErrNotTip", err)
		}
		after, _ := b.Digest(t.Context())
		if after != before {
			t.Error("a refused commit changed the index")
		}
	})
	t.Run("concurrent ingesters on one database leave one consistent chain", func(t *testing.T) {
		u := freshSchema(t)
		changes := recorded(t, blocks)
		ref := bitcoin.NewMemStore()
		if err := ref.Commit(t.Context(), changes); err != nil {
			t.Fatal(err)
		}
		want, _ := ref.Digest(t.Context())
		const writers = 4
		stores := make([]*ChainStore, writers)
		for i := range stores {
			s, err := OpenChain(t.Context(), u, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			stores[i] = s
		}
		// Every writer tries to commit every change in turn; exactly one
		// commit of each succeeds and the others are refused as not on tip.
		var wg sync.WaitGroup
		wins := make([]int, writers)
		for i, s := range stores {
			wg.Go(func() {
				for j := range changes {
					err := s.Commit(t.Context(), changes[j:j+1])
					switch {
					case err == nil:
						wins[i]++
					case !errors.Is(err, bitcoin.ErrNotTip):
						t.Errorf("writer %d change %d: %v", i, j, err)
					}
				}
			})
		}
		wg.Wait()
		total := 0
		for _, w := range wins {
			total += w
		}
		got, err := stores[0].Digest(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("digest after concurrent writers %x, want %x (%d commits won)", got, want, total)
		}
	})
	t.Run("migrations go down to nothing and up again", func(t *testing.T) {
		s := openChain(t)
		ingest(t, s, blocks[:3], 3)
		if err := s.migrateDown(t.Context(), 0); err != nil {
			t.Fatalf("migrate down: %v", err)
		}
		var n int
		if err := s.pool.QueryRow(t.Context(), `SELECT COUNT(*) FROM information_schema.tables
WHERE table_schema = current_schema() AND table_name LIKE 'chain\_%' AND table_name <> 'chain_schema_migrations'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%d chain tables left after migrating down", n)
		}
		if err := s.migrate(t.Context()); err != nil {
			t.Fatalf("migrate up again: %v", err)
		}
		if _, err := s.Tip(t.Context()); !errors.Is(err, bitcoin.ErrNotFound) {
			t.Errorf("Tip on the re-created schema: %v, want ErrNotFound", err)
		}
	})
	t.Run("a put over records already committed overwrites them (the COPY conflict path)", func(t *testing.T) {
		s := openChain(t)
		ref := bitcoin.NewMemStore()
		changes := recorded(t, blocks[:4])
		for _, st := range []bitcoin.Store{s, ref} {
			if err := st.Commit(t.Context(), changes); err != nil {
				t.Fatal(err)
			}
		}
		// Re-put the last block's records changed, as BIP30 does to a
		// duplicate coinbase, in a change that does not move the tip.
		last := changes[len(changes)-1]
		tx := *last.PutTxs[0]
		tx.Index = 7
		out := *last.PutOutputs[0]
		out.Value++
		sp := bitcoin.Spend{OutPoint: out.OutPoint, Txid: tx.Txid, Vin: 3, Height: out.Height}
		c := bitcoin.Change{PutTxs: []*bitcoin.Tx{&tx}, PutOutputs: []*bitcoin.Output{&out},
			PutSpends: []*bitcoin.Spend{&sp}, PutUndo: &bitcoin.UndoEntry{Height: out.Height, Data: []byte("again")},
			Tip: last.Tip}
		for _, st := range []bitcoin.Store{s, ref} {
			if err := st.Commit(t.Context(), []bitcoin.Change{c, c}); err != nil {
				t.Fatal(err)
			}
		}
		got, _ := s.Digest(t.Context())
		want, _ := ref.Digest(t.Context())
		if got != want {
			t.Errorf("digest %x, reference %x", got, want)
		}
		o, err := s.Output(t.Context(), out.OutPoint)
		if err != nil || o.Value != out.Value {
			t.Errorf("Output after overwrite = %+v, %v; want value %d", o, err, out.Value)
		}
	})
	t.Run("a cancelled context fails a commit and leaves the index as it was", func(t *testing.T) {
		s := openChain(t)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if err := s.Commit(ctx, recorded(t, blocks[:2])); !errors.Is(err, context.Canceled) {
			t.Fatalf("Commit error = %v, want context.Canceled", err)
		}
		if _, err := s.Tip(t.Context()); !errors.Is(err, bitcoin.ErrNotFound) {
			t.Errorf("Tip after a cancelled commit: %v, want ErrNotFound", err)
		}
	})
}

// changeRecorder is a Store that keeps the changes committed through it.
type changeRecorder struct {
	bitcoin.Store
	changes []bitcoin.Change
}

func (r *changeRecorder) Commit(ctx context.Context, changes []bitcoin.Change) error {
	r.changes = append(r.changes, changes...)
	return r.Store.Commit(ctx, changes)
}

// recorded returns the changes the engine makes to connect blocks on an
// empty index.
func recorded(tb testing.TB, blocks []*wire.MsgBlock) []bitcoin.Change {
	tb.Helper()
	r := &changeRecorder{Store: bitcoin.NewMemStore()}
	ingest(tb, r, blocks, 1)
	return r.changes
}
