package btcgen

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/btcsuite/btcd/wire"
)

// MaxBlockFileSize is Bitcoin Core's MAX_BLOCKFILE_SIZE: a block that would
// take a blk file to this size or past it starts the next file.
const MaxBlockFileSize = 0x8000000 // 128 MiB

// XORFileName is the file holding Bitcoin Core's (≥ 28) blocks-directory
// obfuscation key.
const XORFileName = "xor.dat"

// FramedWriter writes blocks framed as in blk files — network magic, little-
// endian size, serialized block (with witnesses) — to one writer, XORing every
// byte with key[offset mod 8] when a key is set, as Core does to its files.
type FramedWriter struct {
	w     io.Writer
	magic wire.BitcoinNet
	key   [8]byte
	xor   bool
	off   int64
	buf   []byte
}

// NewFramedWriter returns a writer framing blocks for the network magic; key
// is nil or 8 bytes.
func NewFramedWriter(w io.Writer, magic wire.BitcoinNet, key []byte) (*FramedWriter, error) {
	f := &FramedWriter{w: w, magic: magic}
	if key != nil {
		if len(key) != 8 {
			return nil, fmt.Errorf("%w: xor key of %d bytes, want 8", ErrConfig, len(key))
		}
		copy(f.key[:], key)
		f.xor = true
	}
	return f, nil
}

// WriteBlock frames and writes one block, returning the bytes written.
func (f *FramedWriter) WriteBlock(b *wire.MsgBlock) (int, error) {
	size := b.SerializeSize()
	if cap(f.buf) < size+8 {
		f.buf = make([]byte, 0, size+8)
	}
	buf := f.buf[:8]
	binary.LittleEndian.PutUint32(buf[0:4], uint32(f.magic))
	binary.LittleEndian.PutUint32(buf[4:8], uint32(size))
	w := sliceWriter{buf}
	if err := b.Serialize(&w); err != nil {
		return 0, fmt.Errorf("serialize block: %w", err)
	}
	buf = w.b
	if f.xor {
		for i := range buf {
			buf[i] ^= f.key[(f.off+int64(i))%8]
		}
	}
	n, err := f.w.Write(buf)
	f.off += int64(n)
	if err != nil {
		return n, fmt.Errorf("write block: %w", err)
	}
	return n, nil
}

type sliceWriter struct{ b []byte }

func (s *sliceWriter) Write(p []byte) (int, error) {
	s.b = append(s.b, p...)
	return len(p), nil
}

// BlkWriter writes a Bitcoin Core blocks directory: blk00000.dat,
// blk00001.dat, … each under MaxBlockFileSize, and xor.dat when obfuscating.
type BlkWriter struct {
	dir   string
	magic wire.BitcoinNet
	key   []byte
	max   int64

	file  *os.File
	bw    *bufio.Writer
	fw    *FramedWriter
	num   int
	size  int64
	files []string
}

// NewBlkWriter creates dir if needed and writes xor.dat when key is set (8
// bytes; nil for plain files, which is what Core before 28 wrote).
func NewBlkWriter(dir string, magic wire.BitcoinNet, key []byte) (*BlkWriter, error) {
	if key != nil && len(key) != 8 {
		return nil, fmt.Errorf("%w: xor key of %d bytes, want 8", ErrConfig, len(key))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("blocks dir: %w", err)
	}
	if key != nil {
		if err := os.WriteFile(filepath.Join(dir, XORFileName), key, 0o644); err != nil {
			return nil, fmt.Errorf("write xor key: %w", err)
		}
	}
	return &BlkWriter{dir: dir, magic: magic, key: key, max: MaxBlockFileSize, num: -1}, nil
}

// WriteBlock appends a block, starting a new blk file when it would not fit.
func (w *BlkWriter) WriteBlock(b *wire.MsgBlock) error {
	add := int64(b.SerializeSize()) + 8
	if w.file == nil || w.size+add >= w.max {
		if err := w.next(); err != nil {
			return err
		}
	}
	n, err := w.fw.WriteBlock(b)
	w.size += int64(n)
	return err
}

func (w *BlkWriter) next() error {
	if err := w.closeFile(); err != nil {
		return err
	}
	w.num++
	name := filepath.Join(w.dir, fmt.Sprintf("blk%05d.dat", w.num))
	f, err := os.Create(name)
	if err != nil {
		return fmt.Errorf("create blk file: %w", err)
	}
	w.file, w.bw, w.size = f, bufio.NewWriterSize(f, 1<<20), 0
	w.fw, _ = NewFramedWriter(w.bw, w.magic, w.key) // key length checked in NewBlkWriter
	w.files = append(w.files, name)
	return nil
}

func (w *BlkWriter) closeFile() error {
	if w.file == nil {
		return nil
	}
	err := w.bw.Flush()
	if cerr := w.file.Close(); err == nil {
		err = cerr
	}
	w.file = nil
	if err != nil {
		return fmt.Errorf("close blk file: %w", err)
	}
	return nil
}

// Close flushes and closes the current file.
func (w *BlkWriter) Close() error { return w.closeFile() }

// Files lists the blk files written, in order.
func (w *BlkWriter) Files() []string { return w.files }
