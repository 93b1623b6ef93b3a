package etl

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/wire"

	"github.com/interdict/interdict/internal/sharedtest"
	btcsource "github.com/interdict/interdict/internal/sources/bitcoin"
	"github.com/interdict/interdict/internal/sources/bitcoin/rpctest"
)

// The oracle: bitcoin-etl's own test_export_blocks_job cases. Each case holds
// the RPC responses bitcoin-etl recorded and the records it exported from
// them; we rebuild the blocks from the same responses and compare our records
// with bitcoin-etl's field by field.
//
// Fields we deliberately differ on (docs/formats/bitcoin-etl.md):
//   - input_value and fee of a transaction whose spent outputs bitcoin-etl did
//     not look up: bitcoin-etl writes input_value 0 and fee = -output_value; we
//     write null for both, because an unknown amount must never read as zero
//     (a tracer would see money appear from nothing). The test asserts the
//     null instead of skipping the field.
//   - "type" and "item_id" in the stream case: the streamer's message
//     envelope ("block"/"transaction" and "<type>_<hash>"), not record fields.
//     Our export writes the records of export_blocks_and_transactions.

type oracleCase struct {
	chain, name string
	from, to    int64
	// enrich: bitcoin-etl resolved spent outputs with getrawtransaction.
	enrich bool
	// verbosity of getblock: 2 (transactions inline), or 1 for the chains
	// bitcoin-etl reads with verbose=true plus getrawtransaction.
	verbosity int
	params    *chaincfg.Params
	// skip maps a field to why it is not compared for this chain.
	skip map[string]string
	// nullOK maps a field to why bitcoin-etl's null stands where we have a
	// value; a non-null expected value is still compared.
	nullOK map[string]string
}

// oldAPISkips are fields bitcoin-etl leaves null for chains it reads with
// getblock verbose=true + getrawtransaction (Chain.HAVE_OLD_API): their nodes
// report no stripped size, weight or vsize, and the old-API path sets no tx
// index. We compute them from the bytes, so ours are numbers where theirs are
// null.
var oldAPISkips = map[string]string{
	"stripped_size": "old-API node reports none; bitcoin-etl writes null",
	"weight":        "old-API node reports none; bitcoin-etl writes null",
	"virtual_size":  "old-API node reports no vsize; bitcoin-etl writes null",
	"index":         "bitcoin-etl's old-API path sets no transaction index",
	"size":          "dogecoin's getrawtransaction reports no size; bitcoin-etl writes null",
}

// dogecoinParams are the address prefixes of Dogecoin mainnet (D… and 9/A…);
// only the fields the address encoder reads are set.
var dogecoinParams = func() *chaincfg.Params {
	p := chaincfg.MainNetParams
	p.Name = "dogecoin"
	p.PubKeyHashAddrID = 0x1e
	p.ScriptHashAddrID = 0x16
	return &p
}()

// oracleCases are bitcoin-etl's cases that apply to us.
func oracleCases() []oracleCase {
	return []oracleCase{
		{chain: "bitcoin", name: "block_0", from: 0, to: 0, verbosity: 2, params: &chaincfg.MainNetParams},
		{chain: "bitcoin", name: "block_1", from: 1, to: 1, verbosity: 2, params: &chaincfg.MainNetParams},
		{chain: "bitcoin", name: "block_without_transactions", from: 50000, to: 50000, verbosity: 2, params: &chaincfg.MainNetParams},
		{chain: "bitcoin", name: "block_with_transactions", from: 50001, to: 50002, verbosity: 2, params: &chaincfg.MainNetParams},
		{chain: "bitcoin", name: "stream_50001_50002", from: 50001, to: 50002, verbosity: 2, enrich: true, params: &chaincfg.MainNetParams,
			skip: map[string]string{"type": "streamer envelope", "item_id": "streamer envelope"}},
		{chain: "dogecoin", name: "block_without_transactions", from: 2, to: 2, verbosity: 1, params: dogecoinParams, nullOK: oldAPISkips},
		{chain: "bitcoin_cash", name: "block_with_duplicate_txid", from: 91722, to: 91722, verbosity: 1, params: &chaincfg.MainNetParams,
			nullOK: oldAPISkips, skip: map[string]string{
				"addresses": "bitcoin-etl writes Bitcoin Cash addresses in CashAddr (bitcoincash:q…), an encoding btcutil does not have",
			}},
	}
}

func TestBitcoinETLOracle(t *testing.T) {
	for _, c := range oracleCases() {
		t.Run(fmt.Sprintf("%s %s reproduces bitcoin-etl's export", c.chain, c.name), func(t *testing.T) {
			dir := sharedtest.Path(t, "blockchain", "bitcoin-etl", "test_export_blocks_job", c.chain, c.name)
			ctx := context.Background()
			cl := replayClient(t, dir)
			var blocks []Block
			var txs []Transaction
			for h := c.from; h <= c.to; h++ {
				b := fetchBlock(ctx, t, cl, h, c.verbosity)
				var prev PrevOuts
				if c.enrich {
					prev = resolvePrevOuts(ctx, t, cl, b.Msg)
				}
				blocks = append(blocks, NewBlock(h, b.Msg))
				txs = append(txs, NewTransactions(h, b.Msg, prev, c.params)...)
			}
			compareRecords(t, c, filepath.Join(dir, "expected_blocks.json"), blocks)
			compareRecords(t, c, filepath.Join(dir, "expected_transactions.json"), txs)
		})
	}
}

// TestBitcoinETLOracleCasesThatCannotApply states, by assertion, why the
// remaining bitcoin-etl cases are not reproduced.
func TestBitcoinETLOracleCasesThatCannotApply(t *testing.T) {
	t.Run("zcash blocks are refused as a foreign chain", func(t *testing.T) {
		// Zcash headers carry a 256-bit nonce and an Equihash solution
		// (1487 bytes, not Bitcoin's 80), and v2+ transactions carry
		// JoinSplits and Sapling data; btcd's wire cannot hold either, so the
		// source refuses the blocks with a clear error and no record can be
		// built. The recorded responses also carry no raw transaction hex.
		for _, name := range []string{"block_0", "block_with_shielded_addresses", "block_with_value_balance"} {
			dir := sharedtest.Path(t, "blockchain", "bitcoin-etl", "test_export_blocks_job", "zcash", name)
			cl := replayClient(t, dir)
			var want []map[string]any = readJSONLines(t, filepath.Join(dir, "expected_blocks.json"))
			num, _ := want[0]["number"].(json.Number).Int64()
			ctx := context.Background()
			hash, err := cl.BlockHash(ctx, num)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := cl.BlockVerbose(ctx, hash, 2); !errors.Is(err, btcsource.ErrForeignChain) {
				t.Errorf("%s: BlockVerbose = %v, want ErrForeignChain", name, err)
			}
		}
	})
	t.Run("dogecoin block_with_float_precision_loss has no recorded responses", func(t *testing.T) {
		// Upstream tests this case only against a live node; only the
		// expected files were published, so there is nothing to feed.
		dir := sharedtest.Path(t, "blockchain", "bitcoin-etl", "test_export_blocks_job", "dogecoin", "block_with_float_precision_loss")
		matches, _ := filepath.Glob(filepath.Join(dir, "rpc_response_*"))
		if len(matches) != 0 {
			t.Errorf("recorded responses appeared (%v): add the case to TestBitcoinETLOracle", matches)
		}
	})
}

// compareRecords compares got with the JSON lines in path, matching lines by
// hash (order-insensitive) and comparing every field.
func compareRecords[R any](t *testing.T, c oracleCase, path string, got []R) {
	t.Helper()
	want := readJSONLines(t, path)
	if len(want) != len(got) {
		t.Fatalf("%s: %d records, bitcoin-etl has %d", filepath.Base(path), len(got), len(want))
	}
	byHash := make(map[string]map[string]any, len(got))
	for _, r := range got {
		m := toMap(t, r)
		byHash[m["hash"].(string)] = m
	}
	for _, w := range want {
		hash := w["hash"].(string)
		g, ok := byHash[hash]
		if !ok {
			t.Errorf("%s: no record for %s", filepath.Base(path), hash)
			continue
		}
		compareFields(t, c, hash, w, g)
	}
}

func compareFields(t *testing.T, c oracleCase, where string, want, got map[string]any) {
	t.Helper()
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: field %q is not in bitcoin-etl's record", where, k)
		}
	}
	for k, w := range want {
		if _, skip := c.skip[k]; skip {
			continue
		}
		if _, ok := c.nullOK[k]; ok && w == nil {
			continue
		}
		g, ok := got[k]
		if !ok {
			t.Errorf("%s: field %q missing", where, k)
			continue
		}
		switch k {
		case "input_value", "fee":
			if unenriched(want) {
				// Documented difference: unknown, not zero.
				if g != nil {
					t.Errorf("%s: %s = %v, want null (spent outputs unknown; bitcoin-etl writes %v)", where, k, g, w)
				}
				continue
			}
		case "inputs", "outputs":
			ws, gs := w.([]any), g.([]any)
			if len(ws) != len(gs) {
				t.Errorf("%s: %d %s, want %d", where, len(gs), k, len(ws))
				continue
			}
			for i := range ws {
				compareFields(t, c, fmt.Sprintf("%s %s[%d]", where, k, i), ws[i].(map[string]any), gs[i].(map[string]any))
			}
			continue
		}
		if !reflect.DeepEqual(w, g) {
			t.Errorf("%s: %s = %v, bitcoin-etl has %v", where, k, g, w)
		}
	}
}

// unenriched reports whether bitcoin-etl wrote a transaction without looking
// up its spent outputs: a non-coinbase transaction with an input of null value.
func unenriched(tx map[string]any) bool {
	if tx["is_coinbase"] == true {
		return false
	}
	ins, _ := tx["inputs"].([]any)
	for _, in := range ins {
		if in.(map[string]any)["value"] == nil {
			return true
		}
	}
	return false
}

func toMap(t *testing.T, v any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return decodeObject(t, b)
}

func decodeObject(t *testing.T, b []byte) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("decode %.80s: %v", b, err)
	}
	return m
}

func readJSONLines(t *testing.T, path string) []map[string]any {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []map[string]any
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		if line := bytes.TrimSpace(sc.Bytes()); len(line) > 0 {
			out = append(out, decodeObject(t, line))
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func replayClient(t *testing.T, dir string) *btcsource.Client {
	t.Helper()
	srv := rpctest.New(t, dir)
	cl, err := btcsource.NewClient(srv.URL, btcsource.ClientOptions{Retries: -1})
	if err != nil {
		t.Fatal(err)
	}
	return cl
}

// fetchBlock asks the replayed node for the block at height as bitcoin-etl
// did: getblockhash, then getblock.
func fetchBlock(ctx context.Context, t *testing.T, cl *btcsource.Client, height int64, verbosity int) *btcsource.Block {
	t.Helper()
	hash, err := cl.BlockHash(ctx, height)
	if err != nil {
		t.Fatal(err)
	}
	b, err := cl.BlockVerbose(ctx, hash, verbosity)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// resolvePrevOuts looks up every spent output with getrawtransaction, as
// bitcoin-etl's enrichment does; outputs the node does not know stay unknown.
func resolvePrevOuts(ctx context.Context, t *testing.T, cl *btcsource.Client, msg *wire.MsgBlock) PrevOutMap {
	t.Helper()
	m := make(PrevOutMap)
	for _, tx := range msg.Transactions[1:] {
		for _, in := range tx.TxIn {
			v, pk, ok, err := cl.PrevOut(ctx, in.PreviousOutPoint)
			if err != nil {
				t.Fatal(err)
			}
			if ok {
				m[in.PreviousOutPoint] = PrevOut{Value: v, PkScript: pk}
			}
		}
	}
	return m
}
