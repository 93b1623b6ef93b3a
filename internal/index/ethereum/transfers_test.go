package ethereum_test

import (
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	eth "github.com/interdict/interdict/internal/index/ethereum"
	src "github.com/interdict/interdict/internal/sources/ethereum"
)

var (
	alice  = common.HexToAddress("0x00000000000000000000000000000000000a11ce")
	bob    = common.HexToAddress("0x0000000000000000000000000000000000000b0b")
	carol  = common.HexToAddress("0x00000000000000000000000000000000000ca401")
	miner  = common.HexToAddress("0x000000000000000000000000000000000000beef")
	token  = common.HexToAddress("0x00000000000000000000000000000000000070c1")
	nftKey = common.HexToAddress("0x0000000000000000000000000000000000000721")
)

func u64(v uint64) *uint64 { return &v }

// oneTx is a block at height 10 with one transaction from alice to bob.
func oneTx(value int64, baseFee *big.Int, edit func(*src.Tx, *src.Receipt)) *eth.BlockData {
	to := bob
	tx := &src.Tx{Hash: common.Hash{1}, From: alice, To: &to, Value: big.NewInt(value), GasPrice: big.NewInt(10)}
	r := &src.Receipt{TxHash: tx.Hash, GasUsed: 100, Status: u64(1), EffectiveGasPrice: big.NewInt(10)}
	if edit != nil {
		edit(tx, r)
	}
	b := &src.Block{Number: 10, Hash: common.Hash{0xb}, Miner: miner, BaseFeePerGas: baseFee, Txs: []*src.Tx{tx}, TxHashes: []common.Hash{tx.Hash}}
	return &eth.BlockData{Block: b, Receipts: []*src.Receipt{r}}
}

func call(from, to common.Address, value int64, addr []int, errMsg string) *src.Trace {
	return &src.Trace{Type: src.TraceCall, CallType: "call", From: &from, To: &to, Value: big.NewInt(value), TxIndex: u64(0), TraceAddress: addr, Error: errMsg}
}

func word(a common.Address) common.Hash { return common.BytesToHash(a[:]) }

// summary is one line per transfer: kind from>to amount asset [token id].
func summary(ts []*eth.Transfer) string {
	short := func(a string) string {
		if a == "" {
			return "-"
		}
		return strings.TrimLeft(a[2:], "0")
	}
	var lines []string
	for _, t := range ts {
		l := fmt.Sprintf("%s %s>%s %s %s", t.Kind, short(t.From), short(t.To), t.Amount, t.Asset)
		if t.TokenID != nil {
			l += " #" + t.TokenID.String()
		}
		lines = append(lines, l)
	}
	return strings.Join(lines, "\n")
}

func TestTransfers(t *testing.T) {
	tokenAsset := eth.TokenAsset(token)
	cases := []struct {
		name string
		bd   *eth.BlockData
		want []string
	}{
		{"a pre-London fee goes wholly to the miner, the value to the recipient", oneTx(5, nil, nil),
			[]string{"fee a11ce>beef 1000 eth", "call a11ce>b0b 5 eth"}},
		{"a London fee is split into the burnt base fee and the miner's tip", oneTx(5, big.NewInt(7), nil),
			[]string{"fee a11ce>- 700 eth", "fee a11ce>beef 300 eth", "call a11ce>b0b 5 eth"}},
		{"a blob fee is burnt", oneTx(0, big.NewInt(10), func(_ *src.Tx, r *src.Receipt) {
			r.BlobGasUsed, r.BlobGasPrice = u64(131072), big.NewInt(3)
		}), []string{"fee a11ce>- 1000 eth", "fee a11ce>- 393216 eth"}},
		{"a failed transaction pays its fee and moves no value", oneTx(5, nil, func(_ *src.Tx, r *src.Receipt) { r.Status = u64(0) }),
			[]string{"fee a11ce>beef 1000 eth"}},
		{"an untraced creation pays the new contract", oneTx(9, nil, func(tx *src.Tx, r *src.Receipt) {
			tx.To, r.ContractAddress = nil, &carol
		}), []string{"fee a11ce>beef 1000 eth", "create a11ce>ca401 9 eth"}},
		{"a pre-Byzantium receipt without status counts as a success", oneTx(5, nil, func(_ *src.Tx, r *src.Receipt) { r.Status = nil }),
			[]string{"fee a11ce>beef 1000 eth", "call a11ce>b0b 5 eth"}},
		{"traces: a failed frame and every frame below it move nothing; delegatecalls move nothing", func() *eth.BlockData {
			bd := oneTx(5, nil, nil)
			bd.Traced = true
			dc := call(bob, carol, 4, []int{2}, "")
			dc.CallType = "delegatecall"
			bd.Traces = []*src.Trace{
				call(alice, bob, 5, []int{}, ""),
				call(bob, carol, 2, []int{0}, ""),
				call(bob, carol, 3, []int{1}, "Reverted"),
				call(carol, alice, 1, []int{1, 0}, ""),
				dc,
				call(carol, bob, 0, []int{3}, ""),
			}
			return bd
		}(), []string{"fee a11ce>beef 1000 eth", "call a11ce>b0b 5 eth", "call b0b>ca401 2 eth"}},
		{"traces: self-destruct sends the balance on, a created contract (CREATE or Geth's CREATE2) receives its endowment, rewards are issued", func() *eth.BlockData {
			bd := oneTx(0, nil, nil)
			bd.Traced = true
			create := &src.Trace{Type: src.TraceCreate, From: &bob, To: &carol, Value: big.NewInt(0), TxIndex: u64(0), TraceAddress: []int{0}}
			sd := &src.Trace{Type: src.TraceSuicide, From: &carol, To: &alice, Value: big.NewInt(8), TxIndex: u64(0), TraceAddress: []int{1}}
			reward := &src.Trace{Type: src.TraceReward, RewardType: "block", To: &miner, Value: big.NewInt(2)}
			create2 := &src.Trace{Type: "create2", From: &bob, To: &miner, Value: big.NewInt(6), TxIndex: u64(0), TraceAddress: []int{2}}
			bd.Traces = []*src.Trace{call(alice, bob, 0, []int{}, ""), create, sd, create2, reward}
			return bd
		}(), []string{"fee a11ce>beef 1000 eth", "create b0b>ca401 0 eth", "selfdestruct ca401>a11ce 8 eth", "create b0b>beef 6 eth", "reward ->beef 2 eth"}},
		{"ERC-20 and ERC-721 Transfer events are decoded; malformed and removed ones are not", oneTx(0, nil, func(tx *src.Tx, r *src.Receipt) {
			amount := new(big.Int).Lsh(big.NewInt(3), 100)
			r.Logs = []*src.Log{
				{Address: token, Topics: []common.Hash{eth.TransferTopic, word(alice), word(bob)}, Data: common.LeftPadBytes(amount.Bytes(), 32), Index: 0},
				{Address: nftKey, Topics: []common.Hash{eth.TransferTopic, word(bob), word(carol), common.BigToHash(big.NewInt(42))}, Index: 1},
				{Address: token, Topics: []common.Hash{eth.TransferTopic, word(alice), word(bob)}, Data: []byte{1, 2}, Index: 2},
				{Address: token, Topics: []common.Hash{eth.TransferTopic, word(alice), word(bob)}, Data: common.LeftPadBytes([]byte{1}, 32), Index: 3, Removed: true},
				{Address: token, Topics: []common.Hash{{9}, word(alice), word(bob)}, Data: common.LeftPadBytes([]byte{1}, 32), Index: 4},
			}
		}), []string{"fee a11ce>beef 1000 eth", "erc20 a11ce>b0b 3802951800684688204490109616128 " + tokenAsset,
			"erc721 b0b>ca401 1 " + eth.TokenAsset(nftKey) + " #42"}},
		{"withdrawals are issued in wei from gwei", func() *eth.BlockData {
			bd := oneTx(0, nil, nil)
			bd.Block.Withdrawals = []src.Withdrawal{{Address: carol, Amount: 3}, {Address: bob, Amount: 0}}
			return bd
		}(), []string{"fee a11ce>beef 1000 eth", "withdrawal ->ca401 3000000000 eth"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ts, err := eth.Transfers(c.bd)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := summary(ts), strings.Join(c.want, "\n"); got != want {
				t.Fatalf("transfers:\n%s\nwant:\n%s", got, want)
			}
			if !slices.IsSortedFunc(ts, func(a, b *eth.Transfer) int { return a.ID.Compare(b.ID) }) {
				t.Fatal("transfers are not in ID order")
			}
			for i := 1; i < len(ts); i++ {
				if ts[i-1].ID == ts[i].ID {
					t.Fatalf("two transfers share the ID %+v", ts[i].ID)
				}
			}
		})
	}
}

func TestTransfersRejectInconsistentBlocks(t *testing.T) {
	bd := oneTx(1, nil, nil)
	bd.Receipts = nil
	if _, err := eth.Transfers(bd); !errors.Is(err, eth.ErrBadBlock) {
		t.Fatalf("a block without its receipt: %v, want ErrBadBlock", err)
	}
	bd = oneTx(1, nil, func(_ *src.Tx, r *src.Receipt) { r.TxHash = common.Hash{2} })
	if _, err := eth.Transfers(bd); !errors.Is(err, eth.ErrBadBlock) {
		t.Fatalf("a receipt of another transaction: %v, want ErrBadBlock", err)
	}
}
