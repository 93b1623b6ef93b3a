package bitcoin

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/wire"
)

// BenchmarkDecodeBlock574200 is btcd's decode alone of a full 2019 block
// (1.25 MB, 3315 txs): the floor any ingest of the same bytes is measured
// against. The Ours variant adds what DecodeRawBlock adds (block hash, the
// trailing-bytes check).
func BenchmarkDecodeBlock574200(b *testing.B) {
	data, _ := btcdFile(b, "wire", "testdata", block574200)
	b.Run("btcd", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			var m wire.MsgBlock
			if err := m.Deserialize(bytes.NewReader(data)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("DecodeRawBlock", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := DecodeRawBlock(data); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkBlkFramer splits btcd's 255 mainnet blocks 1–255, framed as in a
// blk file, plain and XOR-obfuscated; "decode" also decodes every block.
func BenchmarkBlkFramer(b *testing.B) {
	plain, _ := btcdFile(b, "database", "testdata", "blocks1-256.bz2")
	obf := append([]byte(nil), plain...)
	xorAt(obf, [XORKeySize]byte(testKey), 0)
	for _, c := range []struct {
		name   string
		data   []byte
		key    []byte
		decode bool
	}{
		{"plain", plain, nil, false},
		{"xor", obf, testKey, false},
		{"xor+decode", obf, testKey, true},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.data)))
			b.ReportAllocs()
			var buf []byte
			for b.Loop() {
				f, _ := NewFramer(bytes.NewReader(c.data), wire.MainNet, c.key, "bench")
				n := 0
				for {
					_, raw, err := f.Next(buf)
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					buf = raw
					if c.decode {
						if _, err := decodeBlock(raw, -1); err != nil {
							b.Fatal(err)
						}
					}
					n++
				}
				if n != 255 {
					b.Fatalf("%d blocks", n)
				}
			}
		})
	}
}

// BenchmarkBlkDir opens a blocks directory of 256 shuffled, obfuscated
// mainnet blocks (header scan, chain linking) and reads the chain back.
func BenchmarkBlkDir(b *testing.B) {
	g, _ := btcdFile(b, "blockchain", "testdata", "blk_0_to_4.dat.bz2")
	d, _ := btcdFile(b, "database", "testdata", "blocks1-256.bz2")
	ws := append(sliceRecords(b, g)[:1], sliceRecords(b, d)...)
	raws := make([][]byte, len(ws))
	size := 0
	for i, w := range ws {
		raws[i], size = w.raw, size+len(w.raw)
	}
	dir := b.TempDir()
	order := rand.New(rand.NewPCG(3, 4)).Perm(len(raws))
	os.WriteFile(filepath.Join(dir, "xor.dat"), testKey, 0o644)
	for f := 0; f < 4; f++ {
		var blocks [][]byte
		for _, i := range order[f*64 : (f+1)*64] {
			blocks = append(blocks, raws[i])
		}
		os.WriteFile(filepath.Join(dir, fmt.Sprintf("blk%05d.dat", f)), frame(blocks, testKey, 0), 0o644)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	ctx := context.Background()
	for b.Loop() {
		s, err := OpenBlkDir(ctx, dir, &chaincfg.MainNetParams, 0)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			_, err := s.Next(ctx)
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		s.Close()
		if n != 256 {
			b.Fatalf("%d blocks", n)
		}
	}
}
