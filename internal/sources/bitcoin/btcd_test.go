package bitcoin

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
	"github.com/interdict/interdict/internal/sharedtest"
)

// btcdFile returns the decompressed bytes of a file of btcd's test data and
// the path of an uncompressed copy (sharedtest's per-machine cache).
func btcdFile(t testing.TB, elem ...string) ([]byte, string) {
	t.Helper()
	path := sharedtest.Decompressed(t, append([]string{"blockchain", "btcd"}, elem...)...)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data, path
}

// want is what btcd computes for one block, on bytes the test slices itself.
type want struct {
	hash   chainhash.Hash
	raw    []byte
	txs    int
	outSum int64
}

// sliceRecords splits magic+size framed data without the code under test.
func sliceRecords(t testing.TB, data []byte) []want {
	t.Helper()
	var out []want
	for off := 0; off < len(data); {
		if binary.LittleEndian.Uint32(data[off:]) != uint32(wire.MainNet) {
			t.Fatalf("test data: no magic at %d", off)
		}
		n := int(binary.LittleEndian.Uint32(data[off+4:]))
		out = append(out, btcdWant(t, data[off+8:off+8+n]))
		off += 8 + n
	}
	return out
}

func btcdWant(t testing.TB, raw []byte) want {
	t.Helper()
	var m wire.MsgBlock
	if err := m.Deserialize(bytes.NewReader(raw)); err != nil {
		t.Fatal(err)
	}
	w := want{hash: m.BlockHash(), raw: raw, txs: len(m.Transactions)}
	for _, tx := range m.Transactions {
		for _, o := range tx.TxOut {
			w.outSum += o.Value
		}
	}
	return w
}

func checkBlock(t *testing.T, i int, got *Block, w want) {
	t.Helper()
	var sum int64
	for _, tx := range got.Msg.Transactions {
		for _, o := range tx.TxOut {
			sum += o.Value
		}
	}
	if got.Hash != w.hash || len(got.Msg.Transactions) != w.txs || sum != w.outSum || got.Size != len(w.raw) {
		t.Fatalf("block %d: got %s, %d txs, %d sat, %d bytes; btcd says %s, %d, %d, %d",
			i, got.Hash, len(got.Msg.Transactions), sum, got.Size, w.hash, w.txs, w.outSum, len(w.raw))
	}
}

func drain(t *testing.T, s Source) []*Block {
	t.Helper()
	var out []*Block
	for {
		b, err := s.Next(context.Background())
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
}

func TestBtcdFramedFiles(t *testing.T) {
	for _, c := range []struct {
		file       []string
		blocks     int
		firstH     int64
		firstTxs   int
		hashPrefix string
	}{
		{[]string{"database", "testdata", "blocks1-256.bz2"}, 255, 1, 1, "00000000839a8e68"},
		{[]string{"blockchain", "testdata", "blk_0_to_4.dat.bz2"}, 5, 0, 1, "000000000019d668"},
		{[]string{"blockchain", "testdata", "277647.dat.bz2"}, 1, -1, 213, "0000000000000000054a714e"},
		{[]string{"blockchain", "testdata", "blk_3A.dat.bz2"}, 1, -1, 3, ""},
		{[]string{"blockchain", "testdata", "blk_4A.dat.bz2"}, 1, -1, 1, ""},
		{[]string{"blockchain", "testdata", "blk_5A.dat.bz2"}, 1, -1, 2, ""},
	} {
		name := c.file[len(c.file)-1]
		t.Run(name+" yields btcd's blocks in file order", func(t *testing.T) {
			data, path := btcdFile(t, c.file...)
			wants := sliceRecords(t, data)
			if len(wants) != c.blocks {
				t.Fatalf("test slicing found %d blocks, README says %d", len(wants), c.blocks)
			}
			s, err := OpenFile(path, &chaincfg.MainNetParams)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			got := drain(t, s)
			if len(got) != len(wants) {
				t.Fatalf("got %d blocks, want %d", len(got), len(wants))
			}
			for i := range got {
				checkBlock(t, i, got[i], wants[i])
			}
			if got[0].Height != c.firstH || len(got[0].Msg.Transactions) != c.firstTxs {
				t.Errorf("first block: height %d, %d txs; want %d, %d", got[0].Height, len(got[0].Msg.Transactions), c.firstH, c.firstTxs)
			}
			if p := got[0].Hash.String(); len(p) < len(c.hashPrefix) || p[:len(c.hashPrefix)] != c.hashPrefix {
				t.Errorf("first hash %s, want prefix %s", p, c.hashPrefix)
			}
			if c.firstH >= 0 {
				for i, b := range got {
					if b.Height != c.firstH+int64(i) {
						t.Fatalf("block %d has height %d, want %d", i, b.Height, c.firstH+int64(i))
					}
				}
			}
		})
	}
}

const block574200 = "block-0000000000000000001602407ac49862a7bca9d00f7f402db20b7be2f5de59d2.blk"

func TestLargeRawBlock(t *testing.T) {
	data, path := btcdFile(t, "wire", "testdata", block574200)
	w := btcdWant(t, data)
	for _, c := range []struct {
		name string
		file func(t *testing.T) string
	}{
		{"binary file decodes as one block", func(t *testing.T) string { return path }},
		{"hex file with line breaks decodes as the same block", func(t *testing.T) string {
			h := []byte(hexLines(data, 120))
			p := filepath.Join(t.TempDir(), "b.hex")
			if err := os.WriteFile(p, h, 0o644); err != nil {
				t.Fatal(err)
			}
			return p
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := OpenFile(c.file(t), &chaincfg.MainNetParams)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			got := drain(t, s)
			if len(got) != 1 {
				t.Fatalf("%d blocks", len(got))
			}
			b := got[0]
			checkBlock(t, 0, b, w)
			segwit := 0
			for _, tx := range b.Msg.Transactions {
				if tx.HasWitness() {
					segwit++
				}
			}
			h, ok := CoinbaseHeight(b.Msg)
			if b.Hash.String() != block574200[6:70] || len(b.Msg.Transactions) != 3315 || segwit != 1341 || b.Size != 1245250 || !ok || h != 574200 || b.Height != -1 {
				t.Errorf("got %s, %d txs, %d segwit, %d bytes, BIP34 height %d/%v, height %d", b.Hash, len(b.Msg.Transactions), segwit, b.Size, h, ok, b.Height)
			}
		})
	}
}

func hexLines(data []byte, width int) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, len(data)*2+len(data)*2/width+1)
	for i, c := range data {
		out = append(out, digits[c>>4], digits[c&15])
		if (2*i+2)%width == 0 {
			out = append(out, '\n')
		}
	}
	return string(out)
}

func TestMegaTxIsNoBlock(t *testing.T) {
	data, _ := btcdFile(t, "wire", "testdata", "megatx.bin.bz2")
	var tx wire.MsgTx
	if err := tx.Deserialize(bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	if len(tx.TxIn) != 5569 || len(tx.TxOut) != 1 || tx.TxHash().String()[:8] != "bb41a757" {
		t.Fatalf("btcd reads megatx as %d inputs, %d outputs, %s", len(tx.TxIn), len(tx.TxOut), tx.TxHash())
	}
	got, err := DecodeRawTx(data)
	if err != nil || got.TxHash() != tx.TxHash() {
		t.Fatalf("DecodeRawTx: %v", err)
	}
	if _, err := DecodeRawBlock(data); !errors.Is(err, ErrDecode) {
		t.Fatalf("a transaction given as a block: got %v, want ErrDecode", err)
	}
}
