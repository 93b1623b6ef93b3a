// Package hubfilter is the hub's per-block filter of newly tainted
// addresses, for members without a chain index of their own. The hub builds,
// for each chain and height, a binary fuse filter (github.com/FastFilter/
// xorfilter) of the addresses that block newly tainted; a member downloads
// it and tests its own watched addresses locally, so the hub never learns
// them. A hit is a candidate only: the filter has false positives (about
// 2^-bits of the addresses tested, never a false negative), so the member
// confirms a candidate with the hub's trace or a flag before acting.
//
// # Wire format, version 1 (little endian)
//
//	"IDHF" | version u8 = 1 | bits u8 (8 or 16) | reserved u16 = 0
//	height i64 | chain length u8 | chain (ASCII)
//	count u32                              addresses in the set
//	if count > 0:
//	  seed u64 | segment length u32 | segment length mask u32
//	  segment count u32 | segment count length u32
//	  fingerprints u32 | fingerprints × bits/8 bytes
//
// The key of an address is the first eight bytes, little endian, of
// SHA-256("interdict/hubfilter/v1" 0x00 chain 0x00 address), the address
// normalised as chain.NormalizeAddress does (EVM and bech32 lower case).
package hubfilter

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/FastFilter/xorfilter"

	"github.com/interdict/interdict/internal/chain"
)

// Version is the wire format version this package writes and reads.
const Version = 1

// HTTP names of the served filter.
const (
	MediaType     = "application/vnd.interdict.hubfilter"
	HeaderVersion = "Interdict-Filter-Version"
	HeaderFPRate  = "Interdict-Filter-FP-Rate"
	HeaderCount   = "Interdict-Filter-Count"
)

// Errors callers branch on.
var (
	// ErrMalformed: bytes that are not a filter of a known version.
	ErrMalformed = errors.New("malformed hub filter")
	// ErrNotFound: the hub has no filter for that chain and height (yet).
	ErrNotFound = errors.New("no hub filter for that block")
	// ErrInvalid: a bad chain, height or fingerprint width.
	ErrInvalid = errors.New("invalid hub filter request")
)

const (
	magic         = "IDHF"
	maxChainLen   = 32
	maxSegmentLen = 262144 // the library's own cap
	domain        = "interdict/hubfilter/v1"
)

// Filter is one block's filter.
type Filter struct {
	Chain  string
	Height int64
	// Count is how many distinct addresses the filter holds.
	Count int
	// Bits is the fingerprint width: 8 (about 9 bits an address, 0.4 %
	// false positives) or 16 (about 18 bits, 0.0015 %).
	Bits int

	f8  *xorfilter.BinaryFuse[uint8]
	f16 *xorfilter.BinaryFuse[uint16]
}

// DefaultBits is the fingerprint width Build uses for 0: with 16 bits a
// member watching 10,000 addresses sees a false candidate about once in six
// blocks; with 8 it would see about 39 in every block.
const DefaultBits = 16

// Key is the filter key of address on chainName.
func Key(chainName, address string) uint64 {
	var buf [160]byte // holds any real address without a heap allocation
	b := append(buf[:0], domain...)
	b = append(b, 0)
	b = append(b, chainName...)
	b = append(b, 0)
	b = append(b, chain.NormalizeAddress(address)...)
	sum := sha256.Sum256(b)
	return binary.LittleEndian.Uint64(sum[:8])
}

// CheckChain checks a chain name as it appears in URLs and filters.
func CheckChain(name string) error {
	if name == "" || len(name) > maxChainLen {
		return fmt.Errorf("%w: chain %q", ErrInvalid, name)
	}
	for _, c := range []byte(name) {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == ':') {
			return fmt.Errorf("%w: chain %q", ErrInvalid, name)
		}
	}
	return nil
}

// Build returns the filter of addresses (duplicates allowed) for a block.
// bits is 8 or 16; 0 means DefaultBits.
func Build(chainName string, height int64, addresses []string, bits int) (*Filter, error) {
	if bits == 0 {
		bits = DefaultBits
	}
	if bits != 8 && bits != 16 {
		return nil, fmt.Errorf("%w: %d-bit fingerprints (want 8 or 16)", ErrInvalid, bits)
	}
	if err := CheckChain(chainName); err != nil {
		return nil, err
	}
	if height < 0 {
		return nil, fmt.Errorf("%w: height %d", ErrInvalid, height)
	}
	keys := make([]uint64, len(addresses))
	for i, a := range addresses {
		keys[i] = Key(chainName, a)
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	f := &Filter{Chain: chainName, Height: height, Count: len(keys), Bits: bits}
	if len(keys) == 0 {
		return f, nil
	}
	var err error
	if bits == 8 {
		f.f8, err = xorfilter.NewBinaryFuse[uint8](keys)
	} else {
		f.f16, err = xorfilter.NewBinaryFuse[uint16](keys)
	}
	if err != nil {
		return nil, fmt.Errorf("build hub filter of %d addresses: %w", len(keys), err)
	}
	return f, nil
}

// Contains reports whether address may be in the set: false is certain,
// true is a candidate to confirm.
func (f *Filter) Contains(address string) bool {
	return f.containsKey(Key(f.Chain, address))
}

func (f *Filter) containsKey(k uint64) bool {
	switch {
	case f.f8 != nil:
		return f.f8.Contains(k)
	case f.f16 != nil:
		return f.f16.Contains(k)
	}
	return false
}

// Check returns the addresses that may be in the set, in the order given.
func (f *Filter) Check(addresses []string) []string {
	var out []string
	for _, a := range addresses {
		if f.Contains(a) {
			out = append(out, a)
		}
	}
	return out
}

// FPRate is the expected false-positive rate of one test: 2^-bits, or 0
// for an empty filter.
func (f *Filter) FPRate() float64 {
	if f.Count == 0 {
		return 0
	}
	return math.Ldexp(1, -f.Bits)
}

// fingerprints returns the library filter's parameters and its
// fingerprints widened to uint16 (for writing).
func (f *Filter) params() (seed uint64, sl, mask, sc, scl uint32, n int) {
	switch {
	case f.f8 != nil:
		return f.f8.Seed, f.f8.SegmentLength, f.f8.SegmentLengthMask, f.f8.SegmentCount, f.f8.SegmentCountLength, len(f.f8.Fingerprints)
	case f.f16 != nil:
		return f.f16.Seed, f.f16.SegmentLength, f.f16.SegmentLengthMask, f.f16.SegmentCount, f.f16.SegmentCountLength, len(f.f16.Fingerprints)
	}
	return 0, 0, 0, 0, 0, 0
}

// MarshalBinary encodes the filter in the wire format.
func (f *Filter) MarshalBinary() ([]byte, error) {
	if err := CheckChain(f.Chain); err != nil {
		return nil, err
	}
	seed, sl, mask, sc, scl, n := f.params()
	b := make([]byte, 0, 8+8+1+len(f.Chain)+4+28+n*f.Bits/8)
	b = append(b, magic...)
	b = append(b, Version, byte(f.Bits), 0, 0)
	b = binary.LittleEndian.AppendUint64(b, uint64(f.Height))
	b = append(b, byte(len(f.Chain)))
	b = append(b, f.Chain...)
	b = binary.LittleEndian.AppendUint32(b, uint32(f.Count))
	if f.Count == 0 {
		return b, nil
	}
	b = binary.LittleEndian.AppendUint64(b, seed)
	for _, v := range []uint32{sl, mask, sc, scl, uint32(n)} {
		b = binary.LittleEndian.AppendUint32(b, v)
	}
	if f.f8 != nil {
		return append(b, f.f8.Fingerprints...), nil
	}
	for _, fp := range f.f16.Fingerprints {
		b = binary.LittleEndian.AppendUint16(b, fp)
	}
	return b, nil
}

// Size is the encoded size in bytes.
func (f *Filter) Size() int {
	_, _, _, _, _, n := f.params()
	size := 8 + 8 + 1 + len(f.Chain) + 4
	if f.Count > 0 {
		size += 8 + 5*4 + n*f.Bits/8
	}
	return size
}
