package bitcoin

import (
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

func fixture(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// knownErr reports whether err is one the decoders promise.
func knownErr(err error) bool {
	for _, e := range []error{ErrBadMagic, ErrTruncated, ErrBlockSize, ErrDecode, ErrForeignChain, ErrBlockSize} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// FuzzBlkFramer: any bytes, with or without a key, give frames then io.EOF
// or one of the framer's errors; Next and NextHeader agree on the frames.
func FuzzBlkFramer(f *testing.F) {
	blk := fixture(f, "blk_0_to_4.dat")
	f.Add(blk, []byte(nil))
	f.Add(frame([][]byte{blk[8:293]}, testKey, 40), testKey)
	f.Add(blk[:300], []byte(nil))                          // truncated second block
	f.Add(append([]byte{0, 0, 0, 0}, blk...), []byte(nil)) // leading padding
	f.Add([]byte{0xf9, 0xbe, 0xb4, 0xd9, 0xff, 0xff, 0xff, 0xff}, []byte(nil))
	f.Fuzz(func(t *testing.T, data, key []byte) {
		if len(key) != XORKeySize {
			key = nil
		}
		var full []Frame
		fr, _ := NewFramer(bytes.NewReader(data), wire.MainNet, key, "fuzz")
		var err error
		for {
			var frm Frame
			var raw []byte
			if frm, raw, err = fr.Next(nil); err != nil {
				break
			}
			if len(raw) != frm.Size || frm.Size > wire.MaxBlockPayload {
				t.Fatalf("frame %+v with %d bytes", frm, len(raw))
			}
			full = append(full, frm)
			if _, derr := decodeBlock(raw, -1); derr != nil && !knownErr(derr) {
				t.Fatalf("decode error %v is no sentinel", derr)
			}
		}
		if err != io.EOF && !knownErr(err) {
			t.Fatalf("framer error %v is no sentinel", err)
		}
		hf, _ := NewFramer(bytes.NewReader(data), wire.MainNet, key, "fuzz")
		for i := 0; ; i++ {
			frm, _, herr := hf.NextHeader()
			if herr != nil {
				// The header pass reads less, so it may fail on a block the full
				// pass read (bad header) but never get further than it.
				if i > len(full) {
					t.Fatalf("NextHeader read %d frames, Next %d", i, len(full))
				}
				break
			}
			if i >= len(full) || frm != full[i] {
				if i < len(full) || err == io.EOF {
					t.Fatalf("frame %d: NextHeader %+v, Next %v", i, frm, full)
				}
				break
			}
		}
	})
}

// FuzzRawBlock: hex or binary, DecodeRawBlock and DecodeRawTx return a
// consistent value or a sentinel error.
func FuzzRawBlock(f *testing.F) {
	blk := fixture(f, "blk_0_to_4.dat")
	genesis := blk[8:293]
	f.Add(genesis)
	f.Add([]byte(hex.EncodeToString(genesis)))
	f.Add([]byte(hexLines(genesis, 64)))
	f.Add(genesis[:100])
	f.Add([]byte("0100000000"))
	f.Add([]byte("zz"))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := DecodeRawBlock(data)
		if err != nil {
			if !knownErr(err) {
				t.Fatalf("error %v is no sentinel", err)
			}
		} else {
			if b.Hash != b.Msg.Header.BlockHash() || b.Height != -1 || b.Size > wire.MaxBlockPayload {
				t.Fatalf("inconsistent block %+v", b)
			}
		}
		if _, err := DecodeRawTx(data); err != nil && !knownErr(err) {
			t.Fatalf("tx error %v is no sentinel", err)
		}
	})
}

// FuzzRPCBlockJSON: getblock JSON decodes to a block whose header hashes to
// the stated hash and whose transactions hash to its merkle root, or fails
// with a sentinel error.
func FuzzRPCBlockJSON(f *testing.F) {
	f.Add(fixture(f, "block_50001_verbose2.json"))
	f.Add(fixture(f, "block_50001_nohex.json"))
	f.Add([]byte(`{"hash":"00","tx":["ab"]}`))
	f.Add([]byte(`{"solution":"00"}`))
	f.Add([]byte(`{"tx":[{"txid":"00","vout":[{"value":1e-9}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := DecodeBlockJSON(data, nil)
		if err != nil {
			if !knownErr(err) {
				t.Fatalf("error %v is no sentinel", err)
			}
			return
		}
		if b.Hash != b.Msg.Header.BlockHash() || len(b.Msg.Transactions) == 0 || b.Size != b.Msg.SerializeSize() {
			t.Fatalf("inconsistent block %+v", b)
		}
	})
}

// FuzzRPCResponse: any HTTP status and body give a result or an error, and
// batch answers never give results for ids that were not asked.
func FuzzRPCResponse(f *testing.F) {
	f.Add(200, []byte(`{"result":500000,"error":null,"id":1}`))
	f.Add(500, []byte(`{"result":null,"error":{"code":-28,"message":"Loading block index..."},"id":1}`))
	f.Add(404, []byte(`{"result":null,"error":{"code":-32601,"message":"Method not found"},"id":1}`))
	f.Add(200, []byte(`{"jsonrpc":"2.0","result":"00ab","id":1}`))
	f.Add(503, []byte(`Work queue depth exceeded`))
	f.Add(200, []byte(`[{"result":"a","error":null,"id":1},{"result":"b","error":null,"id":2}]`))
	f.Add(200, []byte(`[{"result":"a","error":null,"id":7}]`))
	f.Fuzz(func(t *testing.T, status int, data []byte) {
		raw, err, _ := parseResponse("m", status, data)
		if (err == nil) == (raw == nil) {
			t.Fatalf("result %q and error %v", raw, err)
		}
		out, err, _ := parseBatch("m", status, data, 1, 2)
		if err == nil && (len(out) != 2 || out[0] == nil || out[1] == nil) {
			t.Fatalf("batch answer %q", out)
		}
	})
}

// FuzzCoinbaseHeight: a height read from any script is one txscript would
// write back as the same leading push.
func FuzzCoinbaseHeight(f *testing.F) {
	f.Add([]byte{3, 0xf8, 0xc2, 0x08, 0xaa})
	f.Add([]byte{0x51})
	f.Add([]byte{2, 0x80, 0x00})
	f.Add([]byte{0x4c, 0x01, 0x05})
	f.Fuzz(func(t *testing.T, script []byte) {
		h, ok := CoinbaseHeight(coinbaseBlock(2, script))
		if !ok {
			return
		}
		want, err := txscript.NewScriptBuilder().AddInt64(h).Script()
		if err != nil || h < 0 || !bytes.HasPrefix(script, want) {
			t.Fatalf("script %x: height %d, which encodes as %x", script, h, want)
		}
	})
}
