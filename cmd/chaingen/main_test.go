package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/btcsuite/btcd/chaincfg"

	"github.com/interdict/interdict/internal/sources/bitcoin"
	"github.com/interdict/interdict/internal/sources/bitcoin/btcgen"
)

func chaingen(t *testing.T, args ...string) {
	t.Helper()
	var stderr bytes.Buffer
	if err := run(context.Background(), args, &stderr); err != nil {
		t.Fatalf("chaingen %v: %v\n%s", args, err, stderr.String())
	}
}

func TestChaingen(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "blocks")
	chaingen(t, "-quiet", "-seed", "5", "-txs", "3000", "-blocks", "130", "-heist", "-xor", "-out", out)

	t.Run("our blkdir source reads the obfuscated directory back as one chain", func(t *testing.T) {
		src, err := bitcoin.OpenBlkDir(context.Background(), out, &chaincfg.RegressionNetParams, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer src.Close()
		want, _, err := btcgen.Generate(btcgen.Config{Seed: 5, Blocks: 130, Txs: 3000, Heist: true})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for ; ; n++ {
			b, err := src.Next(context.Background())
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if b.Height != int64(n) || b.Hash != want[n].BlockHash() {
				t.Fatalf("block %d: height %d hash %s, want %s", n, b.Height, b.Hash, want[n].BlockHash())
			}
		}
		if n != len(want) {
			t.Errorf("read %d blocks, want %d", n, len(want))
		}
	})
	t.Run("the heist record names the theft and the deposits", func(t *testing.T) {
		raw, err := os.ReadFile(filepath.Join(out, "heist.json"))
		if err != nil {
			t.Fatal(err)
		}
		var h btcgen.Heist
		if err := json.Unmarshal(raw, &h); err != nil {
			t.Fatal(err)
		}
		if !h.Done || h.TxID == "" || len(h.TheftOutpoints) == 0 || len(h.DepositAddresses) == 0 || h.Network != "regtest" {
			t.Errorf("incomplete heist record: %s", raw)
		}
	})
	t.Run("the same flags write the same bytes", func(t *testing.T) {
		a, b := filepath.Join(dir, "a.blk"), filepath.Join(dir, "b.blk")
		chaingen(t, "-quiet", "-txs", "2000", "-blocks", "110", "-file", a)
		chaingen(t, "-quiet", "-txs", "2000", "-blocks", "110", "-file", b)
		ra, _ := os.ReadFile(a)
		rb, _ := os.ReadFile(b)
		if len(ra) == 0 || !bytes.Equal(ra, rb) {
			t.Errorf("%d and %d bytes, not identical", len(ra), len(rb))
		}
	})
}

func TestChaingenUsage(t *testing.T) {
	for name, args := range map[string][]string{
		"no output is refused":            {"-txs", "10"},
		"two outputs are refused":         {"-out", "x", "-file", "y"},
		"xor on a single file is refused": {"-xor", "-file", "y"},
		"an unknown network is refused":   {"-network", "dogecoin", "-file", "y"},
	} {
		t.Run(name, func(t *testing.T) {
			if err := run(context.Background(), args, io.Discard); err == nil {
				t.Error("no error")
			}
		})
	}
}
