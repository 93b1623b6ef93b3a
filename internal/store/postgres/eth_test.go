package postgres

import (
	"errors"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	eth "github.com/interdict/interdict/internal/index/ethereum"
	"github.com/interdict/interdict/internal/index/ethereum/ethtest"
	"github.com/interdict/interdict/internal/store/storetest"
)

// openEth returns an Ethereum chain store on a fresh schema, closed at cleanup.
func openEth(tb testing.TB) *EthStore {
	tb.Helper()
	s, err := OpenEth(tb.Context(), freshSchema(tb), nil)
	if err != nil {
		tb.Fatalf("OpenEth: %v", err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

func TestEthContract(t *testing.T) {
	serverURL(t) // once here rather than in every case
	storetest.RunEth(t, func(t *testing.T) eth.Store { return openEth(t) })
}

func TestEthStore(t *testing.T) {
	serverURL(t)
	t.Run("migrations go down to nothing and up again", func(t *testing.T) {
		s := openEth(t)
		e, err := eth.NewEngine(t.Context(), s, eth.Config{BatchBlocks: 2}, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, bd := range (ethtest.Gen{Seed: 1, Traced: true}).Chain(0, common.Hash{}, 3) {
			if _, err := e.Connect(t.Context(), bd); err != nil {
				t.Fatal(err)
			}
		}
		if err := e.Flush(t.Context()); err != nil {
			t.Fatal(err)
		}
		if err := s.migrateDown(t.Context(), 0); err != nil {
			t.Fatalf("migrate down: %v", err)
		}
		var n int
		if err := s.pool.QueryRow(t.Context(), `SELECT COUNT(*) FROM information_schema.tables
WHERE table_schema = current_schema() AND table_name LIKE 'eth\_%' AND table_name <> 'eth_schema_migrations'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%d eth tables left after migrating down", n)
		}
		if err := s.migrate(t.Context()); err != nil {
			t.Fatalf("migrate up again: %v", err)
		}
		if _, err := s.Tip(t.Context()); !errors.Is(err, eth.ErrNotFound) {
			t.Errorf("Tip on the re-created schema: %v, want ErrNotFound", err)
		}
	})
}
