package etl

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"github.com/interdict/interdict/internal/sharedtest"
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
	params *chaincfg.Params
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

func TestBitcoinETLOracle(t *testing.T) {
	cases := []oracleCase{
		{chain: "bitcoin", name: "block_0", from: 0, to: 0, params: &chaincfg.MainNetParams},
		{chain: "bitcoin", name: "block_1", from: 1, to: 1, params: &chaincfg.MainNetParams},
		{chain: "bitcoin", name: "block_without_transactions", from: 50000, to: 50000, params: &chaincfg.MainNetParams},
		{chain: "bitcoin", name: "block_with_transactions", from: 50001, to: 50002, params: &chaincfg.MainNetParams},
		{chain: "bitcoin", name: "stream_50001_50002", from: 50001, to: 50002, enrich: true, params: &chaincfg.MainNetParams,
			skip: map[string]string{"type": "streamer envelope", "item_id": "streamer envelope"}},
		{chain: "dogecoin", name: "block_without_transactions", from: 2, to: 2, params: dogecoinParams, nullOK: oldAPISkips},
		{chain: "bitcoin_cash", name: "block_with_duplicate_txid", from: 91722, to: 91722, params: &chaincfg.MainNetParams,
			nullOK: oldAPISkips, skip: map[string]string{
				"addresses": "bitcoin-etl writes Bitcoin Cash addresses in CashAddr (bitcoincash:q…), an encoding btcutil does not have",
			}},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s %s reproduces bitcoin-etl's export", c.chain, c.name), func(t *testing.T) {
			dir := sharedtest.Path(t, "blockchain", "bitcoin-etl", "test_export_blocks_job", c.chain, c.name)
			rec := recorded{t: t, dir: dir}
			var blocks []Block
			var txs []Transaction
			for h := c.from; h <= c.to; h++ {
				msg := rec.block(h)
				var prev PrevOuts
				if c.enrich {
					prev = rec.prevOuts(msg)
				}
				blocks = append(blocks, NewBlock(h, msg))
				txs = append(txs, NewTransactions(h, msg, prev, c.params)...)
			}
			compareRecords(t, c, filepath.Join(dir, "expected_blocks.json"), blocks)
			compareRecords(t, c, filepath.Join(dir, "expected_transactions.json"), txs)
		})
	}
}

// TestBitcoinETLOracleCasesThatCannotApply states, by assertion, why the
// remaining bitcoin-etl cases are not reproduced.
func TestBitcoinETLOracleCasesThatCannotApply(t *testing.T) {
	t.Run("zcash blocks carry no bytes btcd's wire can decode", func(t *testing.T) {
		// Zcash headers have a 256-bit nonce and an Equihash solution that
		// wire.BlockHeader (uint32 nonce, 80 bytes) cannot hold, and the
		// recorded getblock verbosity-2 responses carry no raw "hex" for any
		// transaction (zcashd omits it), so there is no serialized block or
		// transaction to decode: no record can be built from these cases.
		for _, name := range []string{"block_0", "block_with_shielded_addresses", "block_with_value_balance"} {
			dir := sharedtest.Path(t, "blockchain", "bitcoin-etl", "test_export_blocks_job", "zcash", name)
			matches, err := filepath.Glob(filepath.Join(dir, "rpc_response_getblock_*_2.json"))
			if err != nil || len(matches) != 1 {
				t.Fatalf("%s: want one getblock response, got %v (%v)", name, matches, err)
			}
			var blk struct {
				Nonce string `json:"nonce"`
				Tx    []struct {
					Hex *string `json:"hex"`
				} `json:"tx"`
			}
			readJSON(t, matches[0], &blk)
			if len(blk.Nonce) != 64 {
				t.Errorf("%s: nonce %q is not 256 bits; the case could be reproduced", name, blk.Nonce)
			}
			for i, tx := range blk.Tx {
				if tx.Hex != nil {
					t.Errorf("%s: tx %d has raw hex; the case could be reproduced", name, i)
				}
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

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// recorded reads one case's rpc_response_* files.
type recorded struct {
	t   *testing.T
	dir string
}

func (r recorded) file(method string, args ...string) string {
	return filepath.Join(r.dir, "rpc_response_"+strings.Join(append([]string{method}, args...), "_")+".json")
}

// block rebuilds the block at height from getblockhash and getblock
// (verbosity 2, or verbose=true plus getrawtransaction for old-API chains):
// the header from the JSON fields, the transactions from their raw hex. The
// rebuilt header must hash to the recorded hash.
func (r recorded) block(height int64) *wire.MsgBlock {
	t := r.t
	t.Helper()
	var hash string
	readJSON(t, r.file("getblockhash", strconv.FormatInt(height, 10)), &hash)
	path := r.file("getblock", hash, "2")
	if _, err := os.Stat(path); err != nil {
		path = r.file("getblock", hash, "True")
	}
	var blk struct {
		Version    int32             `json:"version"`
		Prev       string            `json:"previousblockhash"`
		MerkleRoot string            `json:"merkleroot"`
		Time       int64             `json:"time"`
		Bits       string            `json:"bits"`
		Nonce      uint32            `json:"nonce"`
		Tx         []json.RawMessage `json:"tx"`
	}
	readJSON(t, path, &blk)
	bits, err := strconv.ParseUint(blk.Bits, 16, 32)
	if err != nil {
		t.Fatal(err)
	}
	msg := &wire.MsgBlock{Header: wire.BlockHeader{
		Version: blk.Version, PrevBlock: mustHash(t, blk.Prev), MerkleRoot: mustHash(t, blk.MerkleRoot),
		Bits: uint32(bits), Nonce: blk.Nonce,
	}}
	msg.Header.Timestamp = unixTime(blk.Time)
	for _, raw := range blk.Tx {
		var tx struct {
			Hex string `json:"hex"`
		}
		if raw[0] == '"' { // verbose=true: a txid to fetch
			var txid string
			if err := json.Unmarshal(raw, &txid); err != nil {
				t.Fatal(err)
			}
			readJSON(t, r.file("getrawtransaction", txid), &tx)
		} else if err := json.Unmarshal(raw, &tx); err != nil {
			t.Fatal(err)
		}
		msg.Transactions = append(msg.Transactions, decodeTx(t, tx.Hex))
	}
	if got := msg.Header.BlockHash().String(); got != hash {
		t.Fatalf("rebuilt header hashes to %s, recorded %s", got, hash)
	}
	return msg
}

// prevOuts resolves msg's spent outputs from the recorded getrawtransaction
// responses, as bitcoin-etl's enrichment does.
func (r recorded) prevOuts(msg *wire.MsgBlock) PrevOutMap {
	m := make(PrevOutMap)
	for _, tx := range msg.Transactions {
		for _, in := range tx.TxIn {
			path := r.file("getrawtransaction", in.PreviousOutPoint.Hash.String())
			if _, err := os.Stat(path); err != nil {
				continue
			}
			var raw struct {
				Hex string `json:"hex"`
			}
			readJSON(r.t, path, &raw)
			prev := decodeTx(r.t, raw.Hex)
			if int(in.PreviousOutPoint.Index) < len(prev.TxOut) {
				out := prev.TxOut[in.PreviousOutPoint.Index]
				m[in.PreviousOutPoint] = PrevOut{Value: out.Value, PkScript: out.PkScript}
			}
		}
	}
	return m
}

func mustHash(t *testing.T, s string) chainhash.Hash {
	t.Helper()
	if s == "" { // genesis has no previous block
		return chainhash.Hash{}
	}
	h, err := chainhash.NewHashFromStr(s)
	if err != nil {
		t.Fatal(err)
	}
	return *h
}

func decodeTx(t *testing.T, s string) *wire.MsgTx {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	tx := new(wire.MsgTx)
	if err := tx.Deserialize(bytes.NewReader(b)); err != nil {
		t.Fatal(err)
	}
	return tx
}

func unixTime(sec int64) time.Time { return time.Unix(sec, 0) }
