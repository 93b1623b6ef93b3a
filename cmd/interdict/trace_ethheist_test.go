package main

import (
	"context"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/interdict/interdict/internal/analysis/trace"
	"github.com/interdict/interdict/internal/index/ethereum"
	src "github.com/interdict/interdict/internal/sources/ethereum"
	"github.com/interdict/interdict/internal/store/pebble"
)

// ethHeist builds blocks for the Ethereum index: each block a list of
// moves (ether as the tx's value, or a token Transfer log), no gas price
// (so no fees), withdrawals to fund the victim and the bystanders.
type ethHeist struct {
	blocks []*ethereum.BlockData
	parent common.Hash
}

var heistToken = common.HexToAddress("0x00000000000000000000000000000000000007ee")

func heistAddr(name string) common.Address {
	return common.BytesToAddress(crypto.Keccak256([]byte("heist " + name))[:20])
}

type ethMove struct {
	from, to string
	ether    float64 // or
	tokens   int64
}

func (h *ethHeist) block(withdrawals map[string]uint64, moves ...ethMove) []common.Hash {
	height := uint64(len(h.blocks))
	hash := crypto.Keccak256Hash([]byte(fmt.Sprint("heist block ", height)))
	b := &src.Block{Number: height, Hash: hash, ParentHash: h.parent, Miner: heistAddr("miner"), Difficulty: big.NewInt(0),
		GasLimit: 30_000_000, Timestamp: 1_700_000_000 + height*12, Nonce: make([]byte, 8), ExtraData: []byte{}, Txs: []*src.Tx{}}
	bd := &ethereum.BlockData{Block: b}
	var hashes []common.Hash
	for i, m := range moves {
		from, to := heistAddr(m.from), heistAddr(m.to)
		tx := &src.Tx{Hash: crypto.Keccak256Hash([]byte(fmt.Sprint("heist tx ", height, i))), BlockHash: hash, BlockNumber: height,
			Index: uint64(i), From: from, To: &to, Value: new(big.Int), Gas: 100_000, Input: []byte{}, ChainID: big.NewInt(1),
			V: big.NewInt(0), R: big.NewInt(1), S: big.NewInt(2)}
		status := uint64(1)
		rc := &src.Receipt{TxHash: tx.Hash, TxIndex: uint64(i), BlockHash: hash, BlockNumber: height, From: from, To: &to,
			Status: &status, LogsBloom: []byte{}}
		if m.tokens > 0 {
			tx.To, rc.To = &heistToken, &heistToken
			amount := new(big.Int).Mul(big.NewInt(m.tokens), big.NewInt(1e6))
			rc.Logs = []*src.Log{{Address: heistToken, Topics: []common.Hash{ethereum.TransferTopic, common.BytesToHash(from[:]), common.BytesToHash(to[:])},
				Data: common.LeftPadBytes(amount.Bytes(), 32), BlockNumber: height, BlockHash: hash, TxHash: tx.Hash, TxIndex: uint64(i), Index: uint64(i)}}
		} else {
			tx.Value = weiOf(m.ether)
		}
		b.Txs = append(b.Txs, tx)
		b.TxHashes = append(b.TxHashes, tx.Hash)
		bd.Receipts = append(bd.Receipts, rc)
		hashes = append(hashes, tx.Hash)
	}
	i := uint64(0)
	for name, gwei := range withdrawals {
		b.Withdrawals = append(b.Withdrawals, src.Withdrawal{Index: i, Address: heistAddr(name), Amount: gwei})
		i++
	}
	h.blocks = append(h.blocks, bd)
	h.parent = hash
	return hashes
}

func weiOf(ether float64) *big.Int {
	r, _ := new(big.Rat).SetString(fmt.Sprint(ether))
	return new(big.Int).Quo(new(big.Int).Mul(r.Num(), big.NewInt(1e18)), r.Denom())
}

// TestTraceETHHeistEndToEnd: a theft of 100 ETH and 1 000 000 tokens from
// V, split, hopped through three intermediaries each and deposited at three
// exchange deposit addresses tagged by a TagPack; one hop mixes with a
// bystander's clean 50 ETH first:
//
//	h1 withdrawals: V 100 ETH, U1 50 ETH; 1 000 000 tokens to V
//	h2 V → T 100 ETH, V → T 1 000 000 TKN              (the theft)
//	h3 T → H1 40, T → H2 60, T → H3 1 000 000 TKN, U1 → H5 50 (clean)
//	h4 H1 → H4 40, H2 → H5 60, H3 → H6 1 000 000 TKN
//	h5 H4 → X1 40, H5 → X2 70, H5 → U2 40, H6 → X3 1 000 000 TKN
//
// H5's line is U1's 50 clean then H2's 60 tainted, so X2's 70 carries:
// poison 70; haircut 70·60/110 = 420/11 ETH; FIFO [0,70): 20 ETH; and U2's
// 40 (not a service: reached unspent): poison 40, haircut 240/11, FIFO 40.
// X1 gets 40 ETH and X3 the million tokens in every model.
func TestTraceETHHeistEndToEnd(t *testing.T) {
	h := &ethHeist{}
	h.block(nil)
	h.block(map[string]uint64{"V": 100e9, "U1": 50e9}, ethMove{from: "token", to: "V", tokens: 1_000_000})
	theft := h.block(nil, ethMove{from: "V", to: "T", ether: 100}, ethMove{from: "V", to: "T", tokens: 1_000_000})
	h.block(nil, ethMove{from: "T", to: "H1", ether: 40}, ethMove{from: "T", to: "H2", ether: 60},
		ethMove{from: "T", to: "H3", tokens: 1_000_000}, ethMove{from: "U1", to: "H5", ether: 50})
	h.block(nil, ethMove{from: "H1", to: "H4", ether: 40}, ethMove{from: "H2", to: "H5", ether: 60},
		ethMove{from: "H3", to: "H6", tokens: 1_000_000})
	h.block(nil, ethMove{from: "H4", to: "X1", ether: 40}, ethMove{from: "H5", to: "X2", ether: 70},
		ethMove{from: "H5", to: "U2", ether: 40}, ethMove{from: "H6", to: "X3", tokens: 1_000_000})

	dir := t.TempDir()
	ctx := context.Background()
	st, err := pebble.OpenEth(filepath.Join(dir, "chain-eth"))
	if err != nil {
		t.Fatal(err)
	}
	e, err := ethereum.NewEngine(ctx, st, ethereum.DefaultConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, bd := range h.blocks {
		if _, err := e.Connect(ctx, bd); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	st.Close()

	c := cli{t: t, args: []string{"--data-dir", dir, "--log-level", "warn"}}
	pack := "title: Test exchange deposits\ncreator: interdict tests\ndescription: ETH heist deposits\nis_public: true\n" +
		"confidence: service_data\ncategory: exchange\ncurrency: ETH\nnetwork: ETH\nlabel: test exchange\nlastmod: 2026-01-01\n" +
		"source: https://example.org/eth-heist\ntags:\n"
	for _, x := range []string{"X1", "X2", "X3"} {
		pack += "- address: " + ethereum.NormalizeAddress(heistAddr(x)) + "\n"
	}
	path := filepath.Join(dir, "deposits.yaml")
	if err := os.WriteFile(path, []byte(pack), 0o600); err != nil {
		t.Fatal(err)
	}
	c.ok("tags", "import", path)

	eth := ethereum.NativeAsset
	tok := ethereum.TokenAsset(heistToken)
	million := new(big.Int).Mul(big.NewInt(1_000_000), big.NewInt(1e6)).String()
	want := map[trace.Model]map[string]string{
		trace.Poison:  {"X1/" + eth: weiOf(40).String(), "X2/" + eth: weiOf(70).String(), "X3/" + tok: million, "U2/" + eth: weiOf(40).String()},
		trace.Haircut: {"X1/" + eth: weiOf(40).String(), "X2/" + eth: "38181818181818181818", "X3/" + tok: million, "U2/" + eth: "21818181818181818181"},
		trace.FIFO:    {"X1/" + eth: weiOf(40).String(), "X2/" + eth: weiOf(20).String(), "X3/" + tok: million, "U2/" + eth: weiOf(40).String()},
	}
	names := map[string]string{}
	for _, n := range []string{"V", "T", "H1", "H2", "H3", "H4", "H5", "H6", "U1", "U2", "X1", "X2", "X3"} {
		names[ethereum.NormalizeAddress(heistAddr(n))] = n
	}
	for _, m := range []trace.Model{trace.Poison, trace.Haircut, trace.FIFO} {
		t.Run(string(m), func(t *testing.T) {
			c := cli{t: t, args: c.args}
			var res trace.Result
			c.json(&res, "trace", "--chain", "eth", "--tx", theft[0].Hex(), "--tx", theft[1].Hex(), "--direction", "forward",
				"--model", string(m), "--max-hops", "10")
			got := map[string]string{}
			deposits := 0
			for _, r := range res.Reached {
				got[names[r.Address]+"/"+r.Asset] = r.Tainted
				if strings.HasPrefix(r.Stop, "tagged:exchange") {
					deposits++
				}
			}
			for k, v := range want[m] {
				if got[k] != v {
					t.Errorf("%s: tainted %s, want %s (reached %v)", k, got[k], v, got)
				}
			}
			if deposits != 3 || len(got) != 4 {
				t.Errorf("reached %v: want the 3 deposits stopped at the tag and U2", got)
			}
		})
	}
}
