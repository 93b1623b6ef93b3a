package watch_test

import (
	"fmt"
	"math/big"
	"slices"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/interdict/interdict/internal/action/watch"
	"github.com/interdict/interdict/internal/analysis/trace"
	eth "github.com/interdict/interdict/internal/index/ethereum"
	src "github.com/interdict/interdict/internal/sources/ethereum"
)

var (
	ethThief   = common.HexToAddress("0x00000000000000000000000000000000000bad01")
	ethMule    = common.HexToAddress("0x0000000000000000000000000000000000000111")
	ethDeposit = common.HexToAddress("0x00000000000000000000000000000000000de905")
	ethToken   = common.HexToAddress("0xdac17f958d2ee523a2206206994597c13d831ec7")
	ethMiner   = common.HexToAddress("0x000000000000000000000000000000000000beef")
)

func lower(a common.Address) string { return strings.ToLower(a.Hex()) }

// ethPay is one transaction of a hand-built block: native value, and with
// tokens > 0 an ERC-20 Transfer log of the token from the sender to `to`.
type ethPay struct {
	from, to common.Address
	value    *big.Int
	tokens   int64
}

type ethChain struct {
	t    *testing.T
	idx  *eth.MemStore
	eng  *eth.Engine
	prev common.Hash
}

func newEthChain(t *testing.T) *ethChain {
	idx := eth.NewMemStore()
	eng, err := eth.NewEngine(t.Context(), idx, eth.DefaultConfig(), nil)
	must(t, err)
	c := &ethChain{t: t, idx: idx, eng: eng}
	c.block(0)
	return c
}

func (c *ethChain) block(h int64, pays ...ethPay) []common.Hash {
	c.t.Helper()
	hash := common.BigToHash(big.NewInt(0xb10c00 + h))
	b := &src.Block{Number: uint64(h), Hash: hash, ParentHash: c.prev, Miner: ethMiner, BaseFeePerGas: big.NewInt(1),
		Difficulty: big.NewInt(0), GasLimit: 30_000_000, Timestamp: 1_700_000_000 + uint64(h)*12, Nonce: make([]byte, 8),
		ExtraData: []byte{}, Txs: []*src.Tx{}}
	bd := &eth.BlockData{Block: b}
	var ids []common.Hash
	for i, p := range pays {
		to := p.to
		if p.tokens > 0 {
			to = ethToken
		}
		tx := &src.Tx{Hash: common.BigToHash(big.NewInt(h*1000 + int64(i) + 1)), BlockHash: hash, BlockNumber: uint64(h), Index: uint64(i),
			From: p.from, To: &to, Value: p.value, Gas: 100_000, GasPrice: big.NewInt(1), Input: []byte{}}
		rc := &src.Receipt{TxHash: tx.Hash, TxIndex: uint64(i), BlockHash: hash, BlockNumber: uint64(h), From: p.from, To: &to,
			GasUsed: 21_000, CumulativeGasUsed: 21_000 * uint64(i+1), Status: u64(1), EffectiveGasPrice: big.NewInt(1), LogsBloom: []byte{}}
		if p.tokens > 0 {
			rc.Logs = []*src.Log{{Address: ethToken, Topics: []common.Hash{eth.TransferTopic, common.BytesToHash(p.from[:]), common.BytesToHash(p.to[:])},
				Data: common.LeftPadBytes(big.NewInt(p.tokens).Bytes(), 32), BlockNumber: uint64(h), BlockHash: hash, TxHash: tx.Hash, TxIndex: uint64(i)}}
		}
		b.Txs, b.TxHashes = append(b.Txs, tx), append(b.TxHashes, tx.Hash)
		bd.Receipts = append(bd.Receipts, rc)
		ids = append(ids, tx.Hash)
	}
	if _, err := c.eng.Connect(c.t.Context(), bd); err != nil {
		c.t.Fatalf("connect %d: %v", h, err)
	}
	must(c.t, c.eng.Flush(c.t.Context()))
	c.prev = hash
	return ids
}

func u64(v uint64) *uint64 { return &v }

func ether(n int64) *big.Int { return new(big.Int).Mul(big.NewInt(n), big.NewInt(1e18)) }

func TestEthFlaggedFundsReachAWatchedAddressThroughOneHop(t *testing.T) {
	token := eth.TokenAsset(ethToken)
	for _, retro := range []bool{false, true} {
		name := "block by block"
		if retro {
			name = "retroactively"
		}
		t.Run(name+": ETH and an ERC-20 go thief -> mule -> deposit and both alert", func(t *testing.T) {
			st := openStore(t)
			must(t, st.SetWatchSettings(t.Context(), watch.Settings{Model: trace.Haircut, MaxHops: 4, MinAmount: new(big.Int)}))
			_, err := st.AddWatch(t.Context(), []watch.Entry{{Chain: "eth", Address: lower(ethDeposit), Kind: watch.Deposit}})
			must(t, err)
			c := newEthChain(t)
			fl := &flags{}
			e, err := watch.NewEngine(watch.Deps{Store: st, Flags: fl, ETH: c.idx}, watch.DefaultConfig())
			must(t, err)
			flag := watch.Source{FlagID: "flag-eth", Chain: "eth", Address: lower(ethThief), Vout: -1, Incident: "Bybit 2025-02-21"}
			run := func() watch.Report {
				r, err := e.CatchUpChain(t.Context(), watch.ETH)
				must(t, err)
				return r
			}
			if !retro {
				fl.add(flag)
			}
			run()
			// The thief holds no history the index saw: the mule's receipts
			// are the taint's start.
			hop1 := c.block(1, ethPay{from: ethThief, to: ethMule, value: ether(10)}, ethPay{from: ethThief, to: ethMule, value: new(big.Int), tokens: 1000})
			run()
			hop2 := c.block(2, ethPay{from: ethMule, to: ethDeposit, value: ether(4)}, ethPay{from: ethMule, to: ethDeposit, value: new(big.Int), tokens: 600})
			r := run()
			if retro {
				fl.add(flag)
				r = run()
			}
			if r.Alerts != 2 {
				t.Fatalf("report %+v, want 2 alerts", r)
			}
			got := alerts(t, st)
			byAsset := map[string]watch.Alert{}
			for _, a := range got {
				byAsset[a.Asset] = a
			}
			native, tok := byAsset["eth"], byAsset[token]
			if native.Amount.Cmp(ether(4)) != 0 || native.Address != lower(ethDeposit) || native.Height != 2 || native.Hop != 2 ||
				native.Tx != hop2[0].Hex() || !slices.Equal(native.Path, []string{hop1[0].Hex(), hop2[0].Hex()}) || native.Retro != retro {
				t.Errorf("ETH alert %+v", native)
			}
			if tok.Amount.Int64() != 600 || tok.Tx != hop2[1].Hex() || !slices.Equal(tok.Path, []string{hop1[1].Hex(), hop2[1].Hex()}) {
				t.Errorf("token alert %+v", tok)
			}
		})
	}
}

func TestEthPriorCleanBalanceDilutesTheTaint(t *testing.T) {
	// The mule holds 10 clean ETH when the thief's 10 arrive; it then pays
	// the deposit 4. Haircut: half of it; FIFO: the clean 10 leave first;
	// poison: all of it. Block by block and retroactively alike.
	ethClean := common.HexToAddress("0x00000000000000000000000000000000000c1ea0")
	for _, c := range []struct {
		model trace.Model
		want  *big.Int // nil: no alert
	}{
		{trace.Haircut, ether(2)},
		{trace.FIFO, nil},
		{trace.Poison, ether(4)},
	} {
		for _, retro := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s retro=%v", c.model, retro), func(t *testing.T) {
				st := openStore(t)
				must(t, st.SetWatchSettings(t.Context(), watch.Settings{Model: c.model, MaxHops: 4, MinAmount: new(big.Int)}))
				_, err := st.AddWatch(t.Context(), []watch.Entry{{Chain: "eth", Address: lower(ethDeposit), Kind: watch.Deposit}})
				must(t, err)
				ch := newEthChain(t)
				fl := &flags{}
				e, err := watch.NewEngine(watch.Deps{Store: st, Flags: fl, ETH: ch.idx}, watch.DefaultConfig())
				must(t, err)
				flag := watch.Source{FlagID: "flag-eth", Chain: "eth", Address: lower(ethThief), Vout: -1}
				run := func() {
					_, err := e.CatchUpChain(t.Context(), watch.ETH)
					must(t, err)
				}
				if !retro {
					fl.add(flag)
				}
				run()
				ch.block(1, ethPay{from: ethClean, to: ethMule, value: ether(10)}, ethPay{from: ethThief, to: ethMule, value: ether(10)})
				run()
				ch.block(2, ethPay{from: ethMule, to: ethDeposit, value: ether(4)})
				run()
				if retro {
					fl.add(flag)
					run()
				}
				got := alerts(t, st)
				switch {
				case c.want == nil && len(got) != 0:
					t.Fatalf("alerts %+v, want none", got)
				case c.want != nil && (len(got) != 1 || got[0].Amount.Cmp(c.want) != 0):
					t.Fatalf("alerts %+v, want one of %s", got, c.want)
				}
			})
		}
	}
}
