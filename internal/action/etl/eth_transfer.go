package etl

import (
	"math/big"
	"strings"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"

	"github.com/interdict/interdict/internal/sources/ethereum"
)

// transferABI declares the Transfer event ERC-20 and ERC-721 share; they
// differ only in whether the third argument (value or token id) is indexed,
// which is why extraction goes by word count, not by the ABI's layout.
const transferABI = `[{"type":"event","name":"Transfer","anonymous":false,"inputs":[
{"name":"from","type":"address","indexed":true},
{"name":"to","type":"address","indexed":true},
{"name":"value","type":"uint256","indexed":false}]}]`

var (
	transferEvent = mustEthABI(transferABI).Events["Transfer"]
	// TransferTopic is keccak256("Transfer(address,address,uint256)").
	TransferTopic = transferEvent.ID
	uint256Args   = abi.Arguments{transferEvent.Inputs[2]}
)

func mustEthABI(s string) abi.ABI {
	a, err := abi.JSON(strings.NewReader(s))
	if err != nil {
		panic(err) // the constant above is broken: a programming error
	}
	return a
}

// TokenTransfer is one ERC-20 or ERC-721 Transfer event. From and To are
// lower-case hex as ethereum-etl writes them (an over-short last data word
// gives a shorter string, as there).
type TokenTransfer struct {
	Token       common.Address
	From, To    string
	Value       *big.Int // amount (ERC-20) or token id (ERC-721)
	TxHash      common.Hash
	LogIndex    uint64
	BlockNumber uint64
}

// ExtractTokenTransfer reads a Transfer event as ethereum-etl does: the
// first topic must be TransferTopic, and the other topics followed by the
// data cut in 32-byte words must make exactly three words — from, to and
// value — whether they are indexed (ERC-721: four topics, no data) or not
// (ERC-20: three topics and one data word). Anything else is not a transfer.
func ExtractTokenTransfer(l *ethereum.Log) (TokenTransfer, bool) {
	if len(l.Topics) == 0 || l.Topics[0] != TransferTopic {
		return TokenTransfer{}, false
	}
	words := make([][]byte, 0, 3)
	for _, t := range l.Topics[1:] {
		words = append(words, t.Bytes())
	}
	for data := l.Data; len(data) > 0; {
		n := min(32, len(data))
		words = append(words, data[:n])
		data = data[n:]
	}
	if len(words) != 3 {
		return TokenTransfer{}, false
	}
	return TokenTransfer{
		Token: l.Address, From: wordAddress(words[0]), To: wordAddress(words[1]), Value: wordValue(words[2]),
		TxHash: l.TxHash, LogIndex: l.Index, BlockNumber: l.BlockNumber,
	}, true
}

// wordAddress is the last 20 bytes of a word as lower-case hex; a word
// shorter than that is written whole.
func wordAddress(w []byte) string {
	if len(w) >= common.AddressLength {
		w = w[len(w)-common.AddressLength:]
	}
	return hexutil.Encode(w)
}

func wordValue(w []byte) *big.Int {
	if len(w) == 32 {
		if vals, err := uint256Args.Unpack(w); err == nil {
			if v, ok := vals[0].(*big.Int); ok {
				return v
			}
		}
	}
	return new(big.Int).SetBytes(w)
}
