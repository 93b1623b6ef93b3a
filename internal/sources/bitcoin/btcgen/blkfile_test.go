package btcgen

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/wire"
)

// readBlk undoes the xor (when key is set) and the framing of one blk file.
func readBlk(t *testing.T, path string, key []byte, magic wire.BitcoinNet) []*wire.MsgBlock {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range raw {
		if key != nil {
			raw[i] ^= key[i%8]
		}
	}
	var out []*wire.MsgBlock
	for len(raw) > 0 {
		if got := wire.BitcoinNet(binary.LittleEndian.Uint32(raw)); got != magic {
			t.Fatalf("%s: magic %v, want %v", path, got, magic)
		}
		size := binary.LittleEndian.Uint32(raw[4:])
		var b wire.MsgBlock
		if err := b.Deserialize(bytes.NewReader(raw[8 : 8+size])); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, &b)
		raw = raw[8+size:]
	}
	return out
}

func TestBlkWriter(t *testing.T) {
	blocks, _ := generate(t, Config{Seed: 11, Blocks: 110, Txs: 2000})
	magic := chaincfg.RegressionNetParams.Net
	for name, key := range map[string][]byte{
		"plain files hold the framed blocks in order, split below the size limit": nil,
		"obfuscated files decode with the key in xor.dat":                         {1, 2, 3, 4, 0xf0, 0x0f, 0xaa, 0x55},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			w, err := NewBlkWriter(dir, magic, key)
			if err != nil {
				t.Fatal(err)
			}
			w.max = 64 << 10 // small files so the test sees several
			for _, b := range blocks {
				if err := w.WriteBlock(b); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if len(w.Files()) < 3 || filepath.Base(w.Files()[1]) != "blk00001.dat" {
				t.Fatalf("files %v, want several blkNNNNN.dat", w.Files())
			}
			if key != nil {
				got, err := os.ReadFile(filepath.Join(dir, XORFileName))
				if err != nil || !bytes.Equal(got, key) {
					t.Fatalf("xor.dat = %x (%v), want %x", got, err, key)
				}
			}
			var back []*wire.MsgBlock
			for _, f := range w.Files() {
				if fi, _ := os.Stat(f); fi.Size() >= w.max && len(readBlk(t, f, key, magic)) > 1 {
					t.Errorf("%s is %d bytes, over the limit", f, fi.Size())
				}
				back = append(back, readBlk(t, f, key, magic)...)
			}
			if digest(t, back) != digest(t, blocks) {
				t.Error("the blocks read back differ from those written")
			}
		})
	}
	t.Run("a key that is not 8 bytes is refused", func(t *testing.T) {
		if _, err := NewBlkWriter(t.TempDir(), magic, []byte{1}); err == nil {
			t.Error("no error")
		}
	})
}
