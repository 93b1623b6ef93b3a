package hubfilter

import (
	"encoding/binary"
	"fmt"
	"math/bits"

	"github.com/FastFilter/xorfilter"
)

// reader reads the wire format, remembering the first shortfall.
type reader struct {
	b   []byte
	err error
}

func (r *reader) take(n int, what string) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || len(r.b) < n {
		r.err = fmt.Errorf("%w: truncated at %s", ErrMalformed, what)
		return nil
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

func (r *reader) u8(what string) uint8 {
	if b := r.take(1, what); b != nil {
		return b[0]
	}
	return 0
}

func (r *reader) u32(what string) uint32 {
	if b := r.take(4, what); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

func (r *reader) u64(what string) uint64 {
	if b := r.take(8, what); b != nil {
		return binary.LittleEndian.Uint64(b)
	}
	return 0
}

// Decode reads a filter in the wire format. Every parameter is checked
// against the others, so that Contains on the result can never index
// outside the fingerprints, whatever the bytes were.
func Decode(data []byte) (*Filter, error) {
	r := &reader{b: data}
	if string(r.take(4, "magic")) != magic {
		if r.err != nil {
			return nil, r.err
		}
		return nil, fmt.Errorf("%w: not a hub filter (bad magic)", ErrMalformed)
	}
	if v := r.u8("version"); r.err == nil && v != Version {
		return nil, fmt.Errorf("%w: version %d, this build reads %d", ErrMalformed, v, Version)
	}
	f := &Filter{Bits: int(r.u8("bits"))}
	if reserved := r.take(2, "reserved"); r.err == nil && (reserved[0] != 0 || reserved[1] != 0) {
		return nil, fmt.Errorf("%w: reserved bytes are not zero", ErrMalformed)
	}
	if r.err == nil && f.Bits != 8 && f.Bits != 16 {
		return nil, fmt.Errorf("%w: %d-bit fingerprints", ErrMalformed, f.Bits)
	}
	f.Height = int64(r.u64("height"))
	f.Chain = string(r.take(int(r.u8("chain length")), "chain"))
	count := r.u32("count")
	if r.err != nil {
		return nil, r.err
	}
	if f.Height < 0 {
		return nil, fmt.Errorf("%w: negative height", ErrMalformed)
	}
	if err := CheckChain(f.Chain); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	f.Count = int(count)
	if count == 0 {
		if len(r.b) != 0 {
			return nil, fmt.Errorf("%w: %d bytes after an empty filter", ErrMalformed, len(r.b))
		}
		return f, nil
	}
	seed := r.u64("seed")
	sl, mask, sc, scl, n := r.u32("segment length"), r.u32("segment mask"), r.u32("segment count"),
		r.u32("segment count length"), r.u32("fingerprints")
	if r.err != nil {
		return nil, r.err
	}
	switch {
	case sl == 0 || sl > maxSegmentLen || bits.OnesCount32(sl) != 1 || mask != sl-1:
		return nil, fmt.Errorf("%w: segment length %d with mask %d", ErrMalformed, sl, mask)
	case sc == 0 || uint64(sc)*uint64(sl) != uint64(scl):
		return nil, fmt.Errorf("%w: %d segments of %d are not %d", ErrMalformed, sc, sl, scl)
	case uint64(n) != (uint64(sc)+2)*uint64(sl):
		return nil, fmt.Errorf("%w: %d fingerprints for %d segments of %d", ErrMalformed, n, sc, sl)
	case uint64(len(r.b)) != uint64(n)*uint64(f.Bits/8):
		return nil, fmt.Errorf("%w: %d bytes of fingerprints, want %d", ErrMalformed, len(r.b), uint64(n)*uint64(f.Bits/8))
	case uint64(count) > uint64(n):
		return nil, fmt.Errorf("%w: %d addresses in %d fingerprints", ErrMalformed, count, n)
	}
	if f.Bits == 8 {
		f.f8 = &xorfilter.BinaryFuse[uint8]{Seed: seed, SegmentLength: sl, SegmentLengthMask: mask, SegmentCount: sc,
			SegmentCountLength: scl, Fingerprints: append([]uint8(nil), r.b...)}
		return f, nil
	}
	fps := make([]uint16, n)
	for i := range fps {
		fps[i] = binary.LittleEndian.Uint16(r.b[2*i:])
	}
	f.f16 = &xorfilter.BinaryFuse[uint16]{Seed: seed, SegmentLength: sl, SegmentLengthMask: mask, SegmentCount: sc,
		SegmentCountLength: scl, Fingerprints: fps}
	return f, nil
}
