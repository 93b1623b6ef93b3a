package bitcoin

import (
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
)

// BlockRef names a block in the index: its height and hash.
type BlockRef struct {
	Height int64
	Hash   chainhash.Hash
}

// Block is a block's record: its header fields, sizes, coinbase script and the
// txids of its transactions in block order.
type Block struct {
	Hash       chainhash.Hash
	Height     int64
	Prev       chainhash.Hash
	Version    int32
	MerkleRoot chainhash.Hash
	Time       int64 // header time, Unix seconds
	Bits       uint32
	Nonce      uint32
	// Size is the serialized size with witness data, StrippedSize without;
	// Weight = 3*StrippedSize + Size (BIP141).
	Size, StrippedSize, Weight int64
	CoinbaseScript             []byte
	Txids                      []chainhash.Hash
}

// Ref returns the block's height and hash.
func (b *Block) Ref() BlockRef { return BlockRef{Height: b.Height, Hash: b.Hash} }

// SideBlock is a block the engine holds aside: on a branch with less work than
// the indexed chain (kept so a later reorg onto it needs no source), or
// waiting for its parent. Height is -1 while its parent has not arrived.
type SideBlock struct {
	Hash   chainhash.Hash
	Height int64
	Msg    *wire.MsgBlock
}

// PrevOut is what an input spends, as far as the index knows it. Known is false
// when the previous output precedes the ingest start and neither the index nor
// the PrevOutResolver found it: its value is then unknown (null in exports),
// never zero. Coinbase inputs spend nothing and have Known false.
type PrevOut struct {
	Known    bool
	Value    int64 // satoshis
	PkScript []byte
}

// Tx is a transaction's record: the transaction itself (btcd's wire form:
// version, lock time, inputs with outpoint, sequence, signature script and
// witness, outputs with value and pkScript), where it is in the chain, and
// what each input spends.
type Tx struct {
	Txid      chainhash.Hash
	BlockHash chainhash.Hash
	Height    int64
	Index     int // position in the block, 0 = coinbase
	Msg       *wire.MsgTx
	// Prev has one entry per input, in input order.
	Prev []PrevOut
}

// Coinbase reports whether the transaction is its block's coinbase.
func (t *Tx) Coinbase() bool { return t.Index == 0 && isCoinbase(t.Msg) }

// isCoinbase reports whether tx has the coinbase shape: one input spending the
// null outpoint (zero hash, index 0xffffffff).
func isCoinbase(tx *wire.MsgTx) bool {
	if len(tx.TxIn) != 1 {
		return false
	}
	op := tx.TxIn[0].PreviousOutPoint
	return op.Index == wire.MaxPrevOutIndex && op.Hash == (chainhash.Hash{})
}

// Size is the serialized size with witness data.
func (t *Tx) Size() int64 { return int64(t.Msg.SerializeSize()) }

// StrippedSize is the serialized size without witness data.
func (t *Tx) StrippedSize() int64 { return int64(t.Msg.SerializeSizeStripped()) }

// Weight is 3*StrippedSize + Size (BIP141).
func (t *Tx) Weight() int64 { return 3*t.StrippedSize() + t.Size() }

// VSize is the virtual size, Weight/4 rounded up.
func (t *Tx) VSize() int64 { return (t.Weight() + 3) / 4 }

// ScriptClass is the standard form of an output script.
type ScriptClass uint8

// Script classes. The numbers are stored: never renumber.
const (
	NonStandard ScriptClass = iota
	P2PK
	P2PKH
	P2SH
	P2WPKH
	P2WSH
	P2TR
	Multisig
	NullData // OP_RETURN
	WitnessUnknown
)

var classNames = [...]string{"nonstandard", "pubkey", "pubkeyhash", "scripthash",
	"witness_v0_keyhash", "witness_v0_scripthash", "witness_v1_taproot", "multisig",
	"nulldata", "witness_unknown"}

// String returns the class name as Bitcoin Core and bitcoin-etl spell it.
func (c ScriptClass) String() string {
	if int(c) < len(classNames) {
		return classNames[c]
	}
	return "nonstandard"
}

// Output is one transaction output with what the index derived from its script:
// class, addresses (normalised with chain.NormalizeAddress; several for bare
// multisig, none for OP_RETURN and non-standard scripts) and required
// signatures.
type Output struct {
	OutPoint  wire.OutPoint
	Height    int64
	Coinbase  bool
	Value     int64 // satoshis
	PkScript  []byte
	Class     ScriptClass
	Addresses []string
	ReqSigs   int
}

// Spend records which input spent an outpoint. It exists even when the spent
// output itself is not in the index (it precedes the ingest start).
type Spend struct {
	OutPoint wire.OutPoint  // the output spent
	Txid     chainhash.Hash // the spending transaction
	Vin      uint32         // the spending input's index
	Height   int64          // the spending transaction's block height
}

// AddressOutput is one entry of the address index: an output paying the
// address, ordered by height and then outpoint.
type AddressOutput struct {
	Address  string
	Height   int64
	OutPoint wire.OutPoint
}
