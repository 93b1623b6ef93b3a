// Package ethereum fetches and decodes what an Ethereum execution node
// serves over JSON-RPC: blocks with every transaction type (legacy, 2930,
// 1559, 4844 blob, 7702 set-code), receipts and logs, withdrawals, call
// traces (Parity/Erigon trace_block and Geth debug_traceBlockByNumber with
// the callTracer, both flattened to one record per call frame) and ERC-20
// token metadata read with eth_call. It fetches and decodes only, with
// go-ethereum's rpc, common, hexutil and abi packages; the chain index
// decides what the records mean.
//
// Every quantity is kept exact: wei and difficulty as *big.Int, counters as
// uint64, byte strings as the node sent them. A field the node did not send
// (a pre-London base fee, a pre-Byzantium status) is nil, never zero, so
// exports can tell "absent" from "0".
package ethereum

import (
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// Transaction types (EIP-2718 envelope bytes).
const (
	LegacyTxType     = types.LegacyTxType     // 0
	AccessListTxType = types.AccessListTxType // 1, EIP-2930
	DynamicFeeTxType = types.DynamicFeeTxType // 2, EIP-1559
	BlobTxType       = types.BlobTxType       // 3, EIP-4844
	SetCodeTxType    = types.SetCodeTxType    // 4, EIP-7702
)

// Block is one block as eth_getBlockByNumber returns it. With full
// transactions Txs is filled and TxHashes holds their hashes too; with
// hashes only, Txs is nil.
type Block struct {
	Number           uint64
	Hash             common.Hash
	ParentHash       common.Hash
	Nonce            []byte // as sent (8 bytes on mainnet)
	Sha3Uncles       common.Hash
	LogsBloom        []byte
	TransactionsRoot common.Hash
	StateRoot        common.Hash
	ReceiptsRoot     common.Hash
	Miner            common.Address
	MixHash          common.Hash
	Difficulty       *big.Int
	TotalDifficulty  *big.Int // nil when the node omits it (post-merge Geth)
	Size             uint64
	ExtraData        []byte
	GasLimit         uint64
	GasUsed          uint64
	Timestamp        uint64
	BaseFeePerGas    *big.Int     // nil before London
	WithdrawalsRoot  *common.Hash // nil before Shanghai
	Withdrawals      []Withdrawal // nil before Shanghai
	BlobGasUsed      *uint64      // nil before Cancun
	ExcessBlobGas    *uint64      // nil before Cancun
	// ParentBeaconBlockRoot (EIP-4788) and RequestsHash (EIP-7685) are kept
	// so a block served back by rpctest is the block that was read.
	ParentBeaconBlockRoot *common.Hash
	RequestsHash          *common.Hash
	Uncles                []common.Hash
	TxHashes              []common.Hash
	Txs                   []*Tx // nil when fetched with hashes only
}

// TxCount is the number of transactions in the block, whichever form it
// was fetched in.
func (b *Block) TxCount() int {
	if b.Txs != nil {
		return len(b.Txs)
	}
	return len(b.TxHashes)
}

// Withdrawal is one beacon-chain withdrawal (EIP-4895). Amount is in gwei.
type Withdrawal struct {
	Index          uint64
	ValidatorIndex uint64
	Address        common.Address
	Amount         uint64
}

// Tx is one transaction of any type as the node returns it inside a block
// (or from eth_getTransactionByHash).
type Tx struct {
	Hash        common.Hash
	Type        uint8
	BlockHash   common.Hash
	BlockNumber uint64
	Index       uint64 // transactionIndex
	From        common.Address
	To          *common.Address // nil for a contract creation
	Nonce       uint64
	Value       *big.Int
	Gas         uint64
	Input       []byte
	// GasPrice is what the node reports: the legacy/2930 bid, or for 1559
	// and later the effective price once mined. Nil when not sent.
	GasPrice             *big.Int
	MaxFeePerGas         *big.Int // 1559 and later; nil otherwise
	MaxPriorityFeePerGas *big.Int // 1559 and later; nil otherwise
	ChainID              *big.Int // nil for pre-EIP-155 legacy
	AccessList           types.AccessList
	MaxFeePerBlobGas     *big.Int      // 4844 only
	BlobVersionedHashes  []common.Hash // 4844 only
	AuthorizationList    []types.SetCodeAuthorization
	V, R, S              *big.Int
	YParity              *uint64
}

// Receipt is one transaction receipt (eth_getTransactionReceipt or an
// element of eth_getBlockReceipts).
type Receipt struct {
	TxHash            common.Hash
	TxIndex           uint64
	BlockHash         common.Hash
	BlockNumber       uint64
	From              common.Address
	To                *common.Address
	Type              uint8
	CumulativeGasUsed uint64
	GasUsed           uint64
	ContractAddress   *common.Address // set only for a creation
	Root              []byte          // post-state root, pre-Byzantium only
	Status            *uint64         // 1 success, 0 failure; nil pre-Byzantium
	EffectiveGasPrice *big.Int        // nil when the node omits it
	LogsBloom         []byte
	Logs              []*Log
	BlobGasUsed       *uint64  // 4844 only
	BlobGasPrice      *big.Int // 4844 only
}

// Log is one event log.
type Log struct {
	Address     common.Address
	Topics      []common.Hash
	Data        []byte
	BlockNumber uint64
	BlockHash   common.Hash
	TxHash      common.Hash
	TxIndex     uint64
	Index       uint64 // logIndex, position in the block
	Removed     bool
}

// Trace types, as Parity names them.
const (
	TraceCall    = "call"
	TraceCreate  = "create"
	TraceSuicide = "suicide"
	TraceReward  = "reward"
)

// Trace is one call frame, flat, in Parity's shape: Geth callTracer output is
// converted to the same records. Pointer and slice fields are nil when the
// frame does not carry them (a reward has no tx; a failed frame may have no
// output, gasUsed or to), so exports can write null where ethereum-etl does.
type Trace struct {
	BlockNumber  uint64
	BlockHash    common.Hash     // zero when the tracer does not report it (Geth)
	TxHash       *common.Hash    // nil for block rewards and for Geth traces
	TxIndex      *uint64         // nil for block rewards
	Type         string          // call, create, suicide, reward
	CallType     string          // call, callcode, delegatecall, staticcall; "" otherwise
	RewardType   string          // block, uncle; "" otherwise
	From         *common.Address // nil for rewards
	To           *common.Address // callee, created contract, refund address or reward author
	Value        *big.Int        // nil when absent
	Input        []byte          // call input or creation init code; nil when absent
	Output       []byte          // call output or created code; nil when absent
	Gas          *uint64
	GasUsed      *uint64
	Subtraces    int
	TraceAddress []int  // path of child indexes from the transaction's top frame
	Error        string // "" for success
}

// Token is ERC-20/721 metadata read with eth_call. A field whose call
// reverted or returned data that decodes neither as the standard type nor
// as the non-standard bytes32 variant is nil.
type Token struct {
	Address     common.Address
	Symbol      *string
	Name        *string
	Decimals    *big.Int
	TotalSupply *big.Int
}
