package etl

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/interdict/interdict/internal/action/etl/etltest"
	"github.com/interdict/interdict/internal/index/bitcoin"
)

// TestBitcoinETLOracleThroughTheIndex is the honest version of the oracle:
// the recorded blocks are ingested by the chain-index engine (with the node
// as prev-out resolver where bitcoin-etl enriched inputs), then exported
// from the index through the Writer, and the JSON lines must equal
// bitcoin-etl's expected files with the same documented differences as
// TestBitcoinETLOracle. The store is the index's in-memory reference store
// (same schema and encodings as the Pebble and PostgreSQL backends, which
// cmd/interdict's export test covers).
func TestBitcoinETLOracleThroughTheIndex(t *testing.T) {
	for _, c := range etltest.Cases() {
		t.Run(fmt.Sprintf("%s %s survives ingest and export", c.Chain, c.Name), func(t *testing.T) {
			dir := c.Dir(t)
			ctx := context.Background()
			cl := etltest.ReplayClient(t, dir)
			store := bitcoin.NewMemStore()
			var resolver bitcoin.PrevOutResolver
			if c.Enrich {
				resolver = cl
			}
			eng, err := bitcoin.NewEngine(ctx, store, c.Params, bitcoin.DefaultConfig(), resolver, nil)
			if err != nil {
				t.Fatal(err)
			}
			for h := c.From; h <= c.To; h++ {
				if err := eng.Add(ctx, etltest.FetchBlock(ctx, t, cl, h, c.Verbosity).Msg, h); err != nil {
					t.Fatalf("ingest %d: %v", h, err)
				}
			}
			if err := eng.Flush(ctx); err != nil {
				t.Fatal(err)
			}
			ex := Exporter{Index: store, Params: c.Params}
			for _, kind := range []Kind{KindBlocks, KindTransactions} {
				var buf bytes.Buffer
				w, err := newWriter(&buf, FormatJSON, nil)
				if err != nil {
					t.Fatal(err)
				}
				for h := c.From; h <= c.To; h++ {
					b, err := store.BlockByHeight(ctx, h)
					if err != nil {
						t.Fatalf("block %d: %v", h, err)
					}
					if err := ex.Write(ctx, b, kind, w); err != nil {
						t.Fatal(err)
					}
				}
				if err := w.Flush(); err != nil {
					t.Fatal(err)
				}
				etltest.Compare(t, c, filepath.Join(dir, "expected_"+string(kind)+".json"), jsonLinesOf(t, buf.Bytes()))
			}
		})
	}
}

func jsonLinesOf(t *testing.T, b []byte) []json.RawMessage {
	t.Helper()
	var out []json.RawMessage
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		out = append(out, json.RawMessage(append([]byte(nil), sc.Bytes()...)))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
