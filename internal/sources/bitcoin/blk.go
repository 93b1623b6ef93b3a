package bitcoin

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/btcsuite/btcd/wire"
)

// minBlockSize is an 80-byte header plus a one-byte transaction count: no
// record can be smaller and still hold a block.
const minBlockSize = wire.MaxBlockHeaderPayload + 1

// XORKeySize is the length of Bitcoin Core's blocks/xor.dat key.
const XORKeySize = 8

// Frame locates one record of a blk*.dat file.
type Frame struct {
	// Offset is where the serialized block starts in the file (after the
	// 8-byte magic and size prefix), so ReadAt(Offset, Size) re-reads it.
	Offset int64
	Size   int
}

// Framer splits a Bitcoin Core blk*.dat stream into blocks: records of the
// network magic (4 bytes, little-endian), the block size (4 bytes,
// little-endian) and the serialized block. Zero bytes between or after
// records are skipped, because Core preallocates files in zero-filled chunks.
// Since Core 28 the whole file is XORed with an 8-byte key (blocks/xor.dat),
// byte i of the file with key[i%8]; the Framer undoes it as it reads.
type Framer struct {
	br    *bufio.Reader
	src   io.Reader
	magic [4]byte
	key   [XORKeySize]byte
	xor   bool
	pos   int64 // file position of the next byte br returns
	name  string
	pfx   [8]byte // the record prefix, here so that reading it does not allocate
}

// NewFramer reads records of network net from r, which starts at file
// position 0. key is the xor.dat content, or nil for an unobfuscated file
// (an all-zero key is the same). name is used in error messages.
func NewFramer(r io.Reader, net wire.BitcoinNet, key []byte, name string) (*Framer, error) {
	f := &Framer{br: bufio.NewReaderSize(r, 1<<16), src: r, name: name}
	binary.LittleEndian.PutUint32(f.magic[:], uint32(net))
	if len(key) != 0 {
		if len(key) != XORKeySize {
			return nil, fmt.Errorf("bitcoin: xor key of %d bytes, want %d", len(key), XORKeySize)
		}
		copy(f.key[:], key)
		f.xor = f.key != [XORKeySize]byte{}
	}
	return f, nil
}

// Next returns the next block's frame and its bytes (valid until the next
// call). At the end of the stream it returns io.EOF.
func (f *Framer) Next(buf []byte) (Frame, []byte, error) {
	fr, err := f.frame()
	if err != nil {
		return Frame{}, nil, err
	}
	// Grow the buffer as bytes arrive rather than trusting the stated size
	// up front: a corrupt size in a short file then costs no 4 MB allocation.
	buf = buf[:0]
	for len(buf) < fr.Size {
		n := min(fr.Size-len(buf), 1<<20)
		buf = slices.Grow(buf, n)
		if err := f.read(buf[len(buf) : len(buf)+n]); err != nil {
			return Frame{}, nil, f.truncated(fr, err)
		}
		buf = buf[:len(buf)+n]
	}
	return fr, buf, nil
}

// NextHeader returns the next block's frame and header and skips its body
// without reading it when the underlying reader can seek.
func (f *Framer) NextHeader() (Frame, wire.BlockHeader, error) {
	var hdr wire.BlockHeader
	fr, err := f.frame()
	if err != nil {
		return Frame{}, hdr, err
	}
	var b [wire.MaxBlockHeaderPayload]byte
	if err := f.read(b[:]); err != nil {
		return Frame{}, hdr, f.truncated(fr, err)
	}
	if err := hdr.Deserialize(bytes.NewReader(b[:])); err != nil {
		return Frame{}, hdr, fmt.Errorf("%w: %s at offset %d: %v", ErrDecode, f.name, fr.Offset, err)
	}
	if err := f.skip(int64(fr.Size - len(b))); err != nil {
		return Frame{}, hdr, f.truncated(fr, err)
	}
	return fr, hdr, nil
}

func (f *Framer) truncated(fr Frame, err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: %s: record at offset %d states %d bytes, the file ends first", ErrTruncated, f.name, fr.Offset-8, fr.Size)
	}
	return fmt.Errorf("bitcoin: %s: %w", f.name, err)
}

// frame reads the next record's prefix, skipping zero padding.
func (f *Framer) frame() (Frame, error) {
	p := f.pfx[:]
	for {
		start := f.pos
		b, err := f.readByte()
		if err == io.EOF {
			return Frame{}, io.EOF
		} else if err != nil {
			return Frame{}, fmt.Errorf("bitcoin: %s: %w", f.name, err)
		}
		if b == 0 {
			continue // preallocated padding
		}
		p[0] = b
		if err := f.read(p[1:]); err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return Frame{}, fmt.Errorf("%w: %s: record prefix at offset %d cut short", ErrTruncated, f.name, start)
			}
			return Frame{}, fmt.Errorf("bitcoin: %s: %w", f.name, err)
		}
		if [4]byte(p) != f.magic {
			return Frame{}, fmt.Errorf("%w: %s: offset %d holds %x, want %x", ErrBadMagic, f.name, start, p[:4], f.magic)
		}
		size := binary.LittleEndian.Uint32(p[4:])
		if size < minBlockSize || size > wire.MaxBlockPayload {
			return Frame{}, fmt.Errorf("%w: %s: record at offset %d states %d bytes (want %d..%d)", ErrBlockSize, f.name, start, size, minBlockSize, wire.MaxBlockPayload)
		}
		return Frame{Offset: start + 8, Size: int(size)}, nil
	}
}

func (f *Framer) readByte() (byte, error) {
	b, err := f.br.ReadByte()
	if err != nil {
		return 0, err
	}
	if f.xor {
		b ^= f.key[f.pos%XORKeySize]
	}
	f.pos++
	return b, nil
}

func (f *Framer) read(p []byte) error {
	n, err := io.ReadFull(f.br, p)
	if f.xor {
		xorAt(p[:n], f.key, f.pos)
	}
	f.pos += int64(n)
	return err
}

// skip moves n bytes forward, seeking past whatever is not buffered.
func (f *Framer) skip(n int64) error {
	if buffered := int64(f.br.Buffered()); n > buffered {
		if s, ok := f.src.(io.Seeker); ok {
			// The seek may land beyond the end; the next read reports it.
			if _, err := f.br.Discard(int(buffered)); err != nil {
				return err
			}
			end, err := s.Seek(0, io.SeekEnd)
			if err != nil {
				return err
			}
			target := f.pos + n
			if target > end {
				return io.ErrUnexpectedEOF
			}
			if _, err := s.Seek(target, io.SeekStart); err != nil {
				return err
			}
			f.br.Reset(f.src)
			f.pos = target
			return nil
		}
	}
	d, err := f.br.Discard(int(n))
	f.pos += int64(d)
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return err
}

// xorAt undoes Core's obfuscation of p, which starts at file position pos,
// eight bytes at a time.
func xorAt(p []byte, key [XORKeySize]byte, pos int64) {
	var rot [XORKeySize]byte // the key as it lines up with p[0:8]
	for i := range rot {
		rot[i] = key[(int(pos%XORKeySize)+i)%XORKeySize]
	}
	w := binary.LittleEndian.Uint64(rot[:])
	i := 0
	for ; i+8 <= len(p); i += 8 {
		binary.LittleEndian.PutUint64(p[i:], binary.LittleEndian.Uint64(p[i:])^w)
	}
	for ; i < len(p); i++ {
		p[i] ^= rot[i%XORKeySize]
	}
}
