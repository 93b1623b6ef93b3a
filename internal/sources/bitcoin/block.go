// Package bitcoin reads Bitcoin blocks from where a node keeps or serves them:
// Bitcoin Core's blk*.dat files (framed, out of order, XOR-obfuscated since
// Core 28), single raw block files (binary or hex) and Bitcoin Core's JSON-RPC
// interface. It fetches and decodes only, always with btcd's wire package; the
// chain index (internal/index/bitcoin) decides what the blocks mean.
//
// Every source delivers *Block values through the Source interface, in chain
// order where the source can know it (blkdir:, rpc:) and in file order
// otherwise (file:).
package bitcoin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// Block is one decoded block as a source delivers it.
type Block struct {
	// Height is the block's height, or -1 when the source cannot know it
	// (a lone raw block, a blk file whose chain does not reach genesis).
	Height int64
	Hash   chainhash.Hash
	Msg    *wire.MsgBlock
	// Size is the serialized size in bytes, witness data included.
	Size int
}

// Source delivers blocks one at a time. Next returns io.EOF after the last
// block; a follow-mode source blocks instead until a new block arrives or ctx
// ends. Close releases files and connections.
type Source interface {
	Next(ctx context.Context) (*Block, error)
	Close() error
}

// Errors callers branch on. Decoding errors wrap one of these with the file,
// offset or height they occurred at.
var (
	// ErrBadMagic: a blk record does not start with the network's magic.
	ErrBadMagic = errors.New("bitcoin: wrong network magic")
	// ErrTruncated: a record or block ends before its stated size.
	ErrTruncated = errors.New("bitcoin: truncated block")
	// ErrBlockSize: a record states a size no valid block can have.
	ErrBlockSize = errors.New("bitcoin: impossible block size")
	// ErrDecode: the bytes are not a serialized block btcd can decode.
	ErrDecode = errors.New("bitcoin: undecodable block")
	// ErrUnknownNetwork: Params got a name it does not know.
	ErrUnknownNetwork = errors.New("bitcoin: unknown network")
)

// Params returns btcd's chain parameters for a network name: "mainnet"
// (also "main", "bitcoin"), "testnet" ("testnet3"), "testnet4" (BIP94),
// "signet" (the default signet) or "regtest". "testnet" stays testnet3, as
// Bitcoin Core's -testnet does.
func Params(name string) (*chaincfg.Params, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "", "mainnet", "main", "bitcoin":
		return &chaincfg.MainNetParams, nil
	case "testnet", "testnet3", "test":
		return &chaincfg.TestNet3Params, nil
	case "testnet4":
		return &chaincfg.TestNet4Params, nil
	case "signet":
		return &chaincfg.SigNetParams, nil
	case "regtest", "regression":
		return &chaincfg.RegressionNetParams, nil
	}
	return nil, fmt.Errorf("%w: %q (want mainnet, testnet, testnet4, signet or regtest)", ErrUnknownNetwork, name)
}

// CoinbaseHeight returns the height a block's coinbase states under BIP34:
// the first push of the coinbase input script, a little-endian script number
// (OP_0 and OP_1..OP_16 for heights 0..16, as Bitcoin Core writes them). Only
// blocks of version 2 or later carry it; for older blocks, and for scripts
// that do not start with the number as Core writes it (minimal, positive),
// ok is false. The script is
// read with txscript's tokenizer rather than btcd's blockchain package, which
// would pull the whole validation engine into every source user.
func CoinbaseHeight(msg *wire.MsgBlock) (int64, bool) {
	if msg == nil || msg.Header.Version < 2 || len(msg.Transactions) == 0 {
		return 0, false
	}
	cb := msg.Transactions[0]
	if len(cb.TxIn) != 1 || cb.TxIn[0].PreviousOutPoint.Index != wire.MaxPrevOutIndex ||
		cb.TxIn[0].PreviousOutPoint.Hash != (chainhash.Hash{}) {
		return 0, false
	}
	tok := txscript.MakeScriptTokenizer(0, cb.TxIn[0].SignatureScript)
	if !tok.Next() {
		return 0, false
	}
	op, data := tok.Opcode(), tok.Data()
	switch {
	case op == txscript.OP_0:
		return 0, true
	case op >= txscript.OP_1 && op <= txscript.OP_16:
		return int64(op-txscript.OP_1) + 1, true
	case op >= txscript.OP_DATA_1 && op <= txscript.OP_DATA_8:
		// Heights are positive: a set sign bit or a non-minimal encoding is
		// not a BIP34 height.
		// Heights up to 16 are written as OP_1..OP_16, never as a push.
		last := data[len(data)-1]
		if last&0x80 != 0 || (last == 0 && (len(data) == 1 || data[len(data)-2]&0x80 == 0)) ||
			(len(data) == 1 && last <= 16) {
			return 0, false
		}
		var h int64
		for i := len(data) - 1; i >= 0; i-- {
			h = h<<8 | int64(data[i])
		}
		return h, true
	}
	return 0, false
}

// decodeBlock decodes one serialized block with btcd and fills a Block.
func decodeBlock(raw []byte, height int64) (*Block, error) {
	var msg wire.MsgBlock
	r := bytes.NewReader(raw)
	if err := msg.Deserialize(r); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrDecode, err)
	}
	if r.Len() != 0 {
		return nil, fmt.Errorf("%w: %d bytes follow the block's last transaction", ErrDecode, r.Len())
	}
	return &Block{Height: height, Hash: msg.Header.BlockHash(), Msg: &msg, Size: len(raw)}, nil
}

func unixTime(sec int64) time.Time { return time.Unix(sec, 0) }
