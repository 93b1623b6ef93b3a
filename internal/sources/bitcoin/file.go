package bitcoin

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
)

// maxRawFile bounds how much of a file: source is read into memory when it
// is not framed: a hex dump of the largest block, with room for line breaks.
const maxRawFile = 3 * wire.MaxBlockPayload

// DecodeRawBlock decodes one block given as serialized bytes or as hex text
// (whitespace ignored). Anything else than exactly one block is an error.
func DecodeRawBlock(data []byte) (*Block, error) {
	if isHexText(data) {
		raw, err := hex.DecodeString(string(stripSpace(data)))
		if err != nil {
			return nil, fmt.Errorf("%w: hex: %v", ErrDecode, err)
		}
		data = raw
	}
	if len(data) > wire.MaxBlockPayload {
		return nil, fmt.Errorf("%w: %d bytes, more than %d", ErrBlockSize, len(data), wire.MaxBlockPayload)
	}
	return decodeBlock(data, -1)
}

// isHexText reports whether data is non-empty hex digits and whitespace.
func isHexText(data []byte) bool {
	digits := 0
	for _, c := range data {
		switch {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f', c >= 'A' && c <= 'F':
			digits++
		case c == ' ', c == '\n', c == '\r', c == '\t':
		default:
			return false
		}
	}
	return digits > 0
}

func stripSpace(data []byte) []byte {
	out := make([]byte, 0, len(data))
	for _, c := range data {
		if c != ' ' && c != '\n' && c != '\r' && c != '\t' {
			out = append(out, c)
		}
	}
	return out
}

// fileSource is a file: source: one raw block, or a blk-style file of framed
// blocks delivered in file order.
type fileSource struct {
	f      *os.File
	framer *Framer // nil for a single raw block
	single *Block
	buf    []byte
	hs     heightTracker
}

// OpenFile opens path as a file: source. A file that starts with the network
// magic of params, as is or XORed with an xor.dat in the same directory, is
// read as framed records (a blk*.dat file, btcd's test files); anything else
// must be one raw block, binary or hex.
// Heights are known only for a chain that starts at genesis or its child,
// and are -1 otherwise (see heightTracker).
func OpenFile(path string, params *chaincfg.Params) (Source, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("bitcoin: %w", err)
	}
	s := &fileSource{f: f, hs: heightTracker{params: params, last: -1}}
	var head [4]byte
	n, _ := io.ReadFull(f, head[:])
	// A blk file copied out of Core's blocks directory is obfuscated with the
	// xor.dat beside it; one found there is tried too.
	framed := func(key []byte) bool {
		h := head
		if key != nil {
			xorAt(h[:], [XORKeySize]byte(key), 0)
		}
		return n == 4 && binary.LittleEndian.Uint32(h[:]) == uint32(params.Net)
	}
	key, _ := os.ReadFile(filepath.Join(filepath.Dir(path), "xor.dat"))
	if len(key) != XORKeySize || framed(nil) {
		key = nil
	}
	if framed(key) {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			f.Close()
			return nil, fmt.Errorf("bitcoin: %w", err)
		}
		s.framer, _ = NewFramer(f, params.Net, key, path)
		return s, nil
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		return nil, fmt.Errorf("bitcoin: %w", err)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxRawFile+1))
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("bitcoin: %s: %w", path, err)
	}
	if len(data) > maxRawFile {
		f.Close()
		return nil, fmt.Errorf("%w: %s is larger than any block, raw or hex", ErrBlockSize, path)
	}
	b, err := DecodeRawBlock(data)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	b.Height = s.hs.next(b)
	s.single = b
	return s, nil
}

func (s *fileSource) Next(ctx context.Context) (*Block, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if s.framer == nil {
		b := s.single
		if b == nil {
			return nil, io.EOF
		}
		s.single = nil
		return b, nil
	}
	fr, raw, err := s.framer.Next(s.buf)
	if err != nil {
		return nil, err
	}
	s.buf = raw
	b, err := decodeBlock(raw, -1)
	if err != nil {
		return nil, fmt.Errorf("%s at offset %d: %w", s.f.Name(), fr.Offset, err)
	}
	b.Height = s.hs.next(b)
	return b, nil
}

func (s *fileSource) Close() error { return s.f.Close() }

// heightTracker gives blocks read in file order the heights it can prove:
// genesis is 0, the genesis block's child is 1, and a block whose parent was
// the block just before it is one higher. Everything else is -1 (unknown).
type heightTracker struct {
	params   *chaincfg.Params
	lastHash chainhash.Hash
	last     int64
}

func (h *heightTracker) next(b *Block) int64 {
	prev := b.Msg.Header.PrevBlock
	height := int64(-1)
	switch {
	case b.Hash == *h.params.GenesisHash:
		height = 0
	case prev == *h.params.GenesisHash:
		height = 1
	case h.last >= 0 && prev == h.lastHash:
		height = h.last + 1
	}
	h.lastHash, h.last = b.Hash, height
	return height
}

// DecodeRawTx decodes one transaction given as serialized bytes or hex text,
// with or without witness data.
func DecodeRawTx(data []byte) (*wire.MsgTx, error) {
	if isHexText(data) {
		raw, err := hex.DecodeString(string(stripSpace(data)))
		if err != nil {
			return nil, fmt.Errorf("%w: hex: %v", ErrDecode, err)
		}
		data = raw
	}
	var tx wire.MsgTx
	r := bytes.NewReader(data)
	if err := tx.Deserialize(r); err != nil {
		return nil, fmt.Errorf("%w: transaction: %v", ErrDecode, err)
	}
	if r.Len() != 0 {
		return nil, fmt.Errorf("%w: %d bytes follow the transaction", ErrDecode, r.Len())
	}
	return &tx, nil
}
