package bitcoin

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/wire"
)

var testKey = []byte{0x5a, 0x17, 0xc3, 0x00, 0x81, 0xfe, 0x42, 0x09}

// frame writes records the way Core does, optionally obfuscated, with
// padding zeros (before obfuscation) after each record.
func frame(blocks [][]byte, key []byte, pad int) []byte {
	var buf bytes.Buffer
	for _, b := range blocks {
		binary.Write(&buf, binary.LittleEndian, uint32(wire.MainNet))
		binary.Write(&buf, binary.LittleEndian, uint32(len(b)))
		buf.Write(b)
		buf.Write(make([]byte, pad))
	}
	out := buf.Bytes()
	if key != nil {
		naiveXOR(out, key, 0)
	}
	return out
}

// naiveXOR is Core's obfuscation as its documentation states it, to check
// the word-wise xorAt against.
func naiveXOR(p, key []byte, pos int64) {
	for i := range p {
		p[i] ^= key[(pos+int64(i))%8]
	}
}

func TestXORAt(t *testing.T) {
	data := make([]byte, 100)
	for i := range data {
		data[i] = byte(i * 7)
	}
	for pos := int64(0); pos < 17; pos++ {
		for n := 0; n <= len(data); n += 13 {
			a, b := append([]byte(nil), data[:n]...), append([]byte(nil), data[:n]...)
			xorAt(a, [XORKeySize]byte(testKey), pos)
			naiveXOR(b, testKey, pos)
			if !bytes.Equal(a, b) {
				t.Fatalf("pos %d, %d bytes: %x, want %x", pos, n, a, b)
			}
		}
	}
}

func framerHashes(t *testing.T, data, key []byte) ([]want, error) {
	t.Helper()
	f, err := NewFramer(bytes.NewReader(data), wire.MainNet, key, "test")
	if err != nil {
		t.Fatal(err)
	}
	var out []want
	var buf []byte
	for {
		_, raw, err := f.Next(buf)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		buf = raw
		out = append(out, btcdWant(t, raw))
	}
}

func TestFramer(t *testing.T) {
	data, _ := btcdFile(t, "blockchain", "testdata", "blk_0_to_4.dat.bz2")
	wants := sliceRecords(t, data)
	raws := make([][]byte, len(wants))
	for i, w := range wants {
		raws[i] = w.raw
	}
	for _, c := range []struct {
		name string
		key  []byte
		pad  int
	}{
		{"plain records come back in order", nil, 0},
		{"obfuscated records come back in order", testKey, 0},
		{"zero padding between and after records is skipped", nil, 1000},
		{"padding of an obfuscated file is skipped", testKey, 77},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := framerHashes(t, frame(raws, c.key, c.pad), c.key)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(wants) {
				t.Fatalf("%d blocks, want %d", len(got), len(wants))
			}
			for i := range got {
				if got[i].hash != wants[i].hash || got[i].outSum != wants[i].outSum {
					t.Fatalf("block %d: %s, want %s", i, got[i].hash, wants[i].hash)
				}
			}
		})
	}
	good := frame(raws[:2], nil, 0)
	for _, c := range []struct {
		name  string
		data  func() []byte
		key   []byte
		want  error
		after int
	}{
		{"a wrong magic is reported after the good blocks", func() []byte {
			d := append([]byte{}, good...)
			return append(d, 0x0b, 0x11, 0x09, 0x07, 1, 0, 0, 0)
		}, nil, ErrBadMagic, 2},
		{"a block cut short is reported as truncated", func() []byte { return good[:len(good)-10] }, nil, ErrTruncated, 1},
		{"a prefix cut short is reported as truncated", func() []byte { return append(append([]byte{}, good...), 0xf9, 0xbe) }, nil, ErrTruncated, 2},
		{"a size above the largest block is refused", func() []byte {
			d := append([]byte{}, good...)
			return binary.LittleEndian.AppendUint32(binary.LittleEndian.AppendUint32(d, uint32(wire.MainNet)), wire.MaxBlockPayload+1)
		}, nil, ErrBlockSize, 2},
		{"a size too small for a header is refused", func() []byte {
			return binary.LittleEndian.AppendUint32(binary.LittleEndian.AppendUint32(nil, uint32(wire.MainNet)), 50)
		}, nil, ErrBlockSize, 0},
		{"an obfuscated file read without its key has a wrong magic", func() []byte { return frame(raws, testKey, 0) }, nil, ErrBadMagic, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := framerHashes(t, c.data(), c.key)
			if !errors.Is(err, c.want) || len(got) != c.after {
				t.Fatalf("got %d blocks then %v; want %d then %v", len(got), err, c.after, c.want)
			}
		})
	}
	t.Run("a key of the wrong length is refused", func(t *testing.T) {
		if _, err := NewFramer(bytes.NewReader(good), wire.MainNet, []byte{1, 2, 3}, "x"); err == nil {
			t.Fatal("no error")
		}
	})
}

// writeBlkDir spreads blocks over files of a Core-like blocks directory in
// the given order, obfuscated with key when it is not nil.
func writeBlkDir(t *testing.T, raws [][]byte, order []int, perFile int, key []byte) string {
	t.Helper()
	dir := t.TempDir()
	if key != nil {
		if err := os.WriteFile(filepath.Join(dir, "xor.dat"), key, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for f := 0; f*perFile < len(order); f++ {
		var blocks [][]byte
		for _, i := range order[f*perFile : min((f+1)*perFile, len(order))] {
			blocks = append(blocks, raws[i])
		}
		name := filepath.Join(dir, fmt.Sprintf("blk%05d.dat", f))
		if err := os.WriteFile(name, frame(blocks, key, 300), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestBlkDir(t *testing.T) {
	g, _ := btcdFile(t, "blockchain", "testdata", "blk_0_to_4.dat.bz2")
	main := sliceRecords(t, g)
	d, _ := btcdFile(t, "database", "testdata", "blocks1-256.bz2")
	chain := append([]want{main[0]}, sliceRecords(t, d)...) // mainnet 0..255
	var fork []want
	for _, f := range []string{"blk_3A.dat.bz2", "blk_4A.dat.bz2", "blk_5A.dat.bz2"} {
		b, _ := btcdFile(t, "blockchain", "testdata", f)
		fork = append(fork, sliceRecords(t, b)...)
	}
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	for _, c := range []struct {
		name    string
		blocks  []want
		want    []want
		stale   int
		key     []byte
		from    int64
		perFile int
		first   int64 // height of the first block delivered
	}{
		{"256 shuffled mainnet blocks in 5 obfuscated files come back in chain order from genesis",
			chain, chain, 0, testKey, 0, 60, 0},
		{"the longer fork 3A-4A-5A wins over blocks 3 and 4, which count as stale",
			append(append([]want{}, main...), fork...), append(append([]want{}, main[:3]...), fork...), 2, nil, 0, 2, 0},
		{"from skips the blocks below it", chain, chain[200:], 0, nil, 200, 100, 200},
		{"a chain that starts at block 1 without genesis still has heights",
			chain[1:], chain[1:], 0, nil, 0, 100, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			raws := make([][]byte, len(c.blocks))
			for i, w := range c.blocks {
				raws[i] = w.raw
			}
			order := rng.Perm(len(raws))
			s, err := OpenBlkDir(ctx, writeBlkDir(t, raws, order, c.perFile, c.key), &chaincfg.MainNetParams, c.from)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			got := drain(t, s)
			if len(got) != len(c.want) || s.Stale != c.stale {
				t.Fatalf("%d blocks, %d stale; want %d, %d", len(got), s.Stale, len(c.want), c.stale)
			}
			first := c.first
			for i := range got {
				checkBlock(t, i, got[i], c.want[i])
				if got[i].Height != first+int64(i) {
					t.Fatalf("block %d at height %d, want %d", i, got[i].Height, first+int64(i))
				}
			}
		})
	}
	t.Run("a chain far from genesis takes its height from the first block's coinbase", func(t *testing.T) {
		data, _ := btcdFile(t, "wire", "testdata", block574200)
		s, err := OpenBlkDir(ctx, writeBlkDir(t, [][]byte{data}, []int{0}, 1, testKey), &chaincfg.MainNetParams, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		got := drain(t, s)
		if len(got) != 1 || got[0].Height != 574200 || len(got[0].Msg.Transactions) != 3315 {
			t.Fatalf("got %d blocks, first at %d", len(got), got[0].Height)
		}
	})
	t.Run("a directory without blk files is an error", func(t *testing.T) {
		if _, err := OpenBlkDir(ctx, t.TempDir(), &chaincfg.MainNetParams, 0); err == nil {
			t.Fatal("no error")
		}
	})
	t.Run("a corrupt record in any file is an error naming it", func(t *testing.T) {
		dir := writeBlkDir(t, [][]byte{chain[0].raw}, []int{0}, 1, nil)
		os.WriteFile(filepath.Join(dir, "blk00001.dat"), []byte{1, 2, 3, 4, 5, 6, 7, 8}, 0o644)
		if _, err := OpenBlkDir(ctx, dir, &chaincfg.MainNetParams, 0); !errors.Is(err, ErrBadMagic) {
			t.Fatalf("got %v, want ErrBadMagic", err)
		}
	})
}

func TestOpenSpecs(t *testing.T) {
	ctx := context.Background()
	blk := fixture(t, "blk_0_to_4.dat")
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "xor.dat"), testKey, 0o644)
	obf := append([]byte(nil), blk...)
	naiveXOR(obf, testKey, 0)
	os.WriteFile(filepath.Join(dir, "blk00000.dat"), obf, 0o644)
	for _, c := range []struct {
		name   string
		spec   string
		blocks int
	}{
		{"file: reads a framed file", "file:testdata/blk_0_to_4.dat", 5},
		{"file: reads a blk file obfuscated with the xor.dat beside it", "file:" + filepath.Join(dir, "blk00000.dat"), 5},
		{"blkdir: reads the directory", "blkdir:" + dir, 5},
		{"blkdir: stops after To", "blkdir:" + dir, 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			to := int64(-1)
			if c.blocks == 3 {
				to = 2
			}
			s, err := Open(ctx, c.spec, Options{To: to})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			got := drain(t, s)
			if len(got) != c.blocks || got[len(got)-1].Height != int64(c.blocks-1) {
				t.Fatalf("%d blocks", len(got))
			}
		})
	}
	for _, spec := range []string{"blk:/tmp", "file:", "nothing", "rpc:ftp://x", "file:/nonexistent/x"} {
		t.Run(spec+" is refused", func(t *testing.T) {
			if _, err := Open(ctx, spec, Options{}); err == nil {
				t.Fatal("no error")
			}
		})
	}
	t.Run("a file that is neither framed nor a block is an error", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "x")
		os.WriteFile(p, []byte("hello"), 0o644)
		if _, err := OpenFile(p, &chaincfg.MainNetParams); !errors.Is(err, ErrDecode) {
			t.Fatalf("got %v", err)
		}
	})
}
