package ethereum

import (
	"cmp"
	"fmt"
	"math/big"
	"strings"

	"github.com/ethereum/go-ethereum/common"

	src "github.com/interdict/interdict/internal/sources/ethereum"
)

// BlockRef names a block: height and hash.
type BlockRef struct {
	Height int64
	Hash   common.Hash
}

// TxLocation is where a transaction is: its block and index in it.
type TxLocation struct {
	Height int64
	Index  uint32
}

// TxRecord is a transaction with its receipt (whose Logs are nil: logs are
// records of their own).
type TxRecord struct {
	Tx      *src.Tx
	Receipt *src.Receipt
}

// NativeAsset is the asset name of ether.
const NativeAsset = "eth"

// TokenAsset returns the asset name of a token contract: eth:0x<lower hex>.
func TokenAsset(token common.Address) string { return "eth:" + NormalizeAddress(token) }

// NormalizeAddress returns an address as the index stores it: 0x and 40
// lower-case hex digits.
func NormalizeAddress(a common.Address) string { return strings.ToLower(a.Hex()) }

// ParseAddress parses a 0x-prefixed 20-byte hex address in any case.
func ParseAddress(s string) (common.Address, error) {
	if !common.IsHexAddress(s) || !strings.HasPrefix(s, "0x") && !strings.HasPrefix(s, "0X") {
		return common.Address{}, fmt.Errorf("address %q: want 0x and 40 hex digits", s)
	}
	return common.HexToAddress(s), nil
}

// Source is where in a transaction (or block) a transfer comes from; it
// orders the transfers of one transaction: the fee first (gas is bought
// before execution), then the transaction's value or its call frames, then
// its logs. Withdrawals come after every transaction.
type Source uint8

// Transfer sources.
const (
	SourceFee        Source = 0 // Index 0 burnt base fee, 1 priority fee to the miner, 2 burnt blob fee
	SourceTx         Source = 1 // Index 0: the transaction's own value (no traces)
	SourceTrace      Source = 2 // Index: position of the trace in the block's traces
	SourceLog        Source = 3 // Index: log index in the block
	SourceWithdrawal Source = 4 // Index: position in the block's withdrawals
)

// BlockLevel is the TxIndex of transfers that belong to no transaction
// (rewards, withdrawals): they sort after every transaction of the block.
const BlockLevel = ^uint32(0)

// TransferID keys a transfer: a reorg deletes exactly the IDs of its blocks.
type TransferID struct {
	Height  int64
	TxIndex uint32
	Source  Source
	Index   uint32
}

// Compare orders IDs by height, tx index, source, index.
func (a TransferID) Compare(b TransferID) int {
	switch {
	case a.Height != b.Height:
		return cmp.Compare(a.Height, b.Height)
	case a.TxIndex != b.TxIndex:
		return cmp.Compare(a.TxIndex, b.TxIndex)
	case a.Source != b.Source:
		return cmp.Compare(a.Source, b.Source)
	}
	return cmp.Compare(a.Index, b.Index)
}

// Kind says what moved value.
type Kind uint8

// Transfer kinds.
const (
	KindFee          Kind = 1 // gas fee: To "" burnt, else the miner
	KindCall         Kind = 2 // native value of a call (or of the transaction)
	KindCreate       Kind = 3 // contract creation: To is the new contract
	KindSelfDestruct Kind = 4 // balance of From to the beneficiary To
	KindReward       Kind = 5 // block or uncle reward: From ""
	KindWithdrawal   Kind = 6 // beacon-chain withdrawal: From ""
	KindERC20        Kind = 7
	KindERC721       Kind = 8 // Amount 1, TokenID set
	maxKind               = KindERC721
)

var kindNames = [...]string{"", "fee", "call", "create", "selfdestruct", "reward", "withdrawal", "erc20", "erc721"}

func (k Kind) String() string {
	if k == 0 || k > maxKind {
		return fmt.Sprintf("kind(%d)", uint8(k))
	}
	return kindNames[k]
}

// Transfer is one movement of an asset between two addresses. From "" means
// newly issued (rewards, withdrawals), To "" burnt (fees).
type Transfer struct {
	ID     TransferID
	Kind   Kind
	Asset  string // NativeAsset or TokenAsset
	From   string // normalised, or ""
	To     string // normalised, or ""
	Amount *big.Int
	// TokenID is the ERC-721 token id (nil otherwise).
	TokenID *big.Int
	// TxHash is the transaction's hash (zero for block-level transfers).
	TxHash common.Hash
	// TraceAddress is the call frame's path (SourceTrace only).
	TraceAddress []int
}

// Dir is the side of a transfer an address is on.
type Dir uint8

// Directions.
const (
	Out Dir = 0
	In  Dir = 1
)

func (d Dir) String() string {
	if d == In {
		return "in"
	}
	return "out"
}

// AddressTransfer is one entry of an address's history: a transfer and the
// address's side of it (a transfer to oneself appears twice, out then in).
type AddressTransfer struct {
	Dir      Dir
	Transfer *Transfer
}

// Flow is one in or out amount of an asset at an address, in chain order:
// the running sequence haircut and FIFO tracing per address consume.
type Flow struct {
	ID     TransferID
	Dir    Dir
	Amount *big.Int
}
