package bitcoin

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
)

// blkEntry is where one block lives, found by the header scan. Entries hold
// offsets, never blocks, so indexing a whole mainnet directory costs ~100
// bytes per block and the blocks are read again when delivered.
type blkEntry struct {
	file   int32
	size   int32
	offset int64
	prev   chainhash.Hash
	bits   uint32
}

// BlkDir is a blkdir: source: Bitcoin Core's blocks directory. Core writes
// blocks in the order it receives them, so a parent may sit after its child
// or in a later file, and stale blocks of lost forks stay in the files. Open
// scans every header, links blocks by their parent hash and delivers the
// chain with the most work, from its first block forward.
type BlkDir struct {
	files []string
	key   []byte
	chain []chainhash.Hash
	index map[chainhash.Hash]*blkEntry
	first int64 // height of chain[0], or -1
	next  int   // index in chain of the next block to deliver
	open  *os.File
	openN int32
	buf   []byte
	// Stale counts scanned blocks not on the delivered chain.
	Stale int
}

var blkName = regexp.MustCompile(`^blk(\d{5,})\.dat$`)

// OpenBlkDir scans dir's blk*.dat files (and xor.dat if present) for
// network params. Blocks below height from are not delivered (from <= 0
// delivers all); heights are known when the chain reaches genesis or its
// first block carries a BIP34 height, and are -1 otherwise.
func OpenBlkDir(ctx context.Context, dir string, params *chaincfg.Params, from int64) (*BlkDir, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("bitcoin: blkdir: %w", err)
	}
	type numbered struct {
		n    int
		path string
	}
	var files []numbered
	for _, e := range ents {
		if m := blkName.FindStringSubmatch(e.Name()); m != nil && !e.IsDir() {
			n, _ := strconv.Atoi(m[1])
			files = append(files, numbered{n, filepath.Join(dir, e.Name())})
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("bitcoin: blkdir: no blk*.dat files in %s", dir)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].n < files[j].n })
	d := &BlkDir{index: map[chainhash.Hash]*blkEntry{}, first: -1, openN: -1}
	for _, f := range files {
		d.files = append(d.files, f.path)
	}
	if key, err := os.ReadFile(filepath.Join(dir, "xor.dat")); err == nil {
		if len(key) != XORKeySize {
			return nil, fmt.Errorf("bitcoin: blkdir: xor.dat holds %d bytes, want %d", len(key), XORKeySize)
		}
		d.key = key
	} else if !os.IsNotExist(err) {
		return nil, fmt.Errorf("bitcoin: blkdir: %w", err)
	}
	for i, path := range d.files {
		if err := d.scan(ctx, int32(i), path, params); err != nil {
			return nil, err
		}
	}
	d.link(params)
	if from > 0 && d.first >= 0 && from > d.first {
		d.next = int(min(from-d.first, int64(len(d.chain))))
	}
	return d, nil
}

// scan indexes one file's headers.
func (d *BlkDir) scan(ctx context.Context, n int32, path string, params *chaincfg.Params) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("bitcoin: blkdir: %w", err)
	}
	defer f.Close()
	fr, err := NewFramer(f, params.Net, d.key, path)
	if err != nil {
		return err
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		frame, hdr, err := fr.NextHeader()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		h := hdr.BlockHash()
		if _, dup := d.index[h]; dup {
			continue // Core may store a block twice after a crash
		}
		d.index[h] = &blkEntry{file: n, size: int32(frame.Size), offset: frame.Offset, prev: hdr.PrevBlock, bits: hdr.Bits}
	}
}

// link picks the chain with the most work. Blocks whose parent was not
// scanned are roots; every block's total work is counted from its root, and
// the chain is the path from the heaviest block back to its root.
func (d *BlkDir) link(params *chaincfg.Params) {
	work := make(map[chainhash.Hash]*big.Int, len(d.index))
	// Iterative, not recursive: mainnet chains are far deeper than Go's
	// stack likes.
	total := func(h chainhash.Hash) *big.Int {
		var path []chainhash.Hash
		cur := h
		for {
			if _, ok := work[cur]; ok {
				break
			}
			e, ok := d.index[cur]
			if !ok {
				break
			}
			path = append(path, cur)
			cur = e.prev
		}
		base := work[cur]
		if base == nil {
			base = new(big.Int)
		}
		for i := len(path) - 1; i >= 0; i-- {
			w := new(big.Int).Add(base, blockchain.CalcWork(d.index[path[i]].bits))
			work[path[i]] = w
			base = w
		}
		return base
	}
	var best chainhash.Hash
	var bestWork *big.Int
	hashes := make([]chainhash.Hash, 0, len(d.index))
	for h := range d.index {
		hashes = append(hashes, h)
	}
	// Ties go to the smaller hash so that the choice does not depend on map order.
	sort.Slice(hashes, func(i, j int) bool { return bytes.Compare(hashes[i][:], hashes[j][:]) < 0 })
	for _, h := range hashes {
		w := total(h)
		if bestWork == nil || w.Cmp(bestWork) > 0 {
			best, bestWork = h, w
		}
	}
	if bestWork == nil {
		return
	}
	for cur := best; ; {
		e, ok := d.index[cur]
		if !ok {
			break
		}
		d.chain = append(d.chain, cur)
		cur = e.prev
	}
	for i, j := 0, len(d.chain)-1; i < j; i, j = i+1, j-1 {
		d.chain[i], d.chain[j] = d.chain[j], d.chain[i]
	}
	d.Stale = len(d.index) - len(d.chain)
	root := d.chain[0]
	switch {
	case root == *params.GenesisHash:
		d.first = 0
	case d.index[root].prev == *params.GenesisHash:
		d.first = 1
	default:
		if b, err := d.read(root); err == nil {
			if h, ok := CoinbaseHeight(b.Msg); ok {
				d.first = h
			}
		}
	}
}

// StopAfter makes height the last block delivered, when heights are known;
// zero or a negative height means the tip.
func (d *BlkDir) StopAfter(height int64) {
	if height > 0 && d.first >= 0 {
		d.chain = d.chain[:max(0, min(int64(len(d.chain)), height-d.first+1))]
	}
}

// Len is the number of blocks on the chain the directory holds.
func (d *BlkDir) Len() int { return len(d.chain) }

// Next delivers the next block of the chain, io.EOF after its tip.
func (d *BlkDir) Next(ctx context.Context) (*Block, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if d.next >= len(d.chain) {
		return nil, io.EOF
	}
	h := d.chain[d.next]
	b, err := d.read(h)
	if err != nil {
		return nil, err
	}
	if b.Hash != h {
		return nil, fmt.Errorf("%w: %s changed under us: block %s read back as %s", ErrDecode, d.files[d.index[h].file], h, b.Hash)
	}
	if d.first >= 0 {
		b.Height = d.first + int64(d.next)
	}
	d.next++
	return b, nil
}

// read re-reads one indexed block from its file.
func (d *BlkDir) read(h chainhash.Hash) (*Block, error) {
	e := d.index[h]
	if d.openN != e.file {
		if d.open != nil {
			d.open.Close()
		}
		f, err := os.Open(d.files[e.file])
		if err != nil {
			d.open, d.openN = nil, -1
			return nil, fmt.Errorf("bitcoin: blkdir: %w", err)
		}
		d.open, d.openN = f, e.file
	}
	if cap(d.buf) < int(e.size) {
		d.buf = make([]byte, e.size)
	}
	buf := d.buf[:e.size]
	if _, err := d.open.ReadAt(buf, e.offset); err != nil {
		return nil, fmt.Errorf("bitcoin: blkdir: %s at offset %d: %w", d.files[e.file], e.offset, err)
	}
	if d.key != nil {
		xorAt(buf, [XORKeySize]byte(d.key), e.offset)
	}
	b, err := decodeBlock(buf, -1)
	if err != nil {
		return nil, fmt.Errorf("%s at offset %d: %w", d.files[e.file], e.offset, err)
	}
	return b, nil
}

// Close closes the file last read.
func (d *BlkDir) Close() error {
	if d.open != nil {
		return d.open.Close()
	}
	return nil
}
