package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/spf13/cobra"

	"github.com/interdict/interdict/internal/action/inspect"
	"github.com/interdict/interdict/internal/action/inspect/deps"
	"github.com/interdict/interdict/internal/action/inspect/drift"
	"github.com/interdict/interdict/internal/action/inspect/github"
	"github.com/interdict/interdict/internal/action/inspect/hotwallet"
	"github.com/interdict/interdict/internal/action/inspect/privilege"
	"github.com/interdict/interdict/internal/action/inspect/safe"
	vet "github.com/interdict/interdict/internal/analysis/people"
	"github.com/interdict/interdict/internal/index/bitcoin"
	eth "github.com/interdict/interdict/internal/index/ethereum"
	"github.com/interdict/interdict/internal/index/people"
	srcbtc "github.com/interdict/interdict/internal/sources/bitcoin"
)

// collectFlags are the collectors collect runs, each when its flag is given.
type collectFlags struct {
	config, by                  string
	safes                       []string
	rpcURL                      string
	hotWallets, signers         string
	btcChain, ethChain, network string
	recentBlocks                int64
	github                      string
	lockfiles                   []string
	roles                       string
	privileged                  bool
}

func (f *collectFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.config, "config", "", "the configuration file (JSON)")
	fl.StringSliceVar(&f.safes, "safe", nil, "a Safe multisig address to read (repeat or comma-separate)")
	fl.StringVar(&f.rpcURL, "rpc", "", "Ethereum JSON-RPC URL for --safe")
	fl.StringVar(&f.hotWallets, "hot-wallets", "", `hot wallets and caps (JSON {"wallets":[{"label","chain":"btc|eth","address","asset","cap"}]}), balances read from the chain indexes`)
	fl.StringVar(&f.signers, "signers", "", `signer addresses (JSON [{"chain":"btc|eth","address"}]) whose outgoing transactions are checked for fingerprint drift`)
	fl.StringVar(&f.btcChain, "btc-chain", "", "Bitcoin chain index: pebble://DIR or postgres://... (default: Pebble in <data-dir>/chain)")
	fl.StringVar(&f.ethChain, "eth-chain", "", "Ethereum chain index: pebble://DIR or postgres://... (default: Pebble in <data-dir>/chain-eth)")
	fl.StringVar(&f.network, "network", "mainnet", "Bitcoin network of --btc-chain")
	fl.Int64Var(&f.recentBlocks, "recent-blocks", drift.DefaultConfig().RecentBlocks, "signer drift: the window at the tip compared with the blocks before it")
	fl.StringVar(&f.github, "github", "", "GitHub organisation export (JSON of REST objects; see docs/inspection.md)")
	fl.StringSliceVar(&f.lockfiles, "lockfile", nil, "a lockfile to check (package-lock.json, yarn.lock, go.sum, requirements*.txt; repeat)")
	fl.StringVar(&f.roles, "roles", "", "privileged seats (CSV or JSON, as people gate --roles) checked against the people store")
	fl.BoolVar(&f.privileged, "privileged", false, "check the people store's privileged persons are verified in person (implied by --roles)")
	fl.StringVar(&f.by, "by", whoami(), "who collects")
}

func (f *collectFlags) any() bool {
	return f.config != "" || len(f.safes) > 0 || f.hotWallets != "" || f.signers != "" || f.github != "" ||
		len(f.lockfiles) > 0 || f.roles != "" || f.privileged
}

// readFile reads a flag's file; a missing file is a usage error.
func readFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, usageError{err}
	}
	return b, nil
}

// readings runs every collector the flags ask for, in the order of the
// flags' documentation, and returns what each read.
func (f *collectFlags) readings(ctx context.Context, g *globals, a *app) ([]inspect.Reading, []*safe.Config, error) {
	now := time.Now()
	var out []inspect.Reading
	var safes []*safe.Config
	if len(f.safes) > 0 {
		client, err := ethclient.DialContext(ctx, f.rpcURL)
		if err != nil {
			return nil, nil, fmt.Errorf("dial %s: %w", f.rpcURL, err)
		}
		defer client.Close()
		for _, s := range f.safes {
			sc, err := safe.Read(ctx, client, common.HexToAddress(s), now)
			if err != nil {
				return nil, nil, wrapInspect(err)
			}
			safes = append(safes, sc)
			r := inspect.Reading{Collector: "safe", Label: "Safe " + sc.Address.Hex(), URI: "eip155:" + sc.Address.Hex(), ReadAt: sc.ReadAt, Read: sc.Read, Detail: sc}
			sc.Apply(&r.Facts)
			out = append(out, r)
		}
	}
	var btc bitcoin.Store
	var ethIdx eth.Store
	openBTC := func() (bitcoin.Store, error) {
		if btc == nil {
			s, err := openChainStore(ctx, g, f.btcChain, a.log)
			if err != nil {
				return nil, err
			}
			btc = s
		}
		return btc, nil
	}
	openETH := func() (eth.Store, error) {
		if ethIdx == nil {
			s, err := openEthStore(ctx, g, f.ethChain, a.log)
			if err != nil {
				return nil, err
			}
			ethIdx = s
		}
		return ethIdx, nil
	}
	defer func() {
		if btc != nil {
			btc.Close()
		}
		if ethIdx != nil {
			ethIdx.Close()
		}
	}()
	chains := func(onBTC, onETH bool) (bitcoin.Store, eth.Store, error) {
		var b bitcoin.Store
		var e eth.Store
		var err error
		if onBTC {
			if b, err = openBTC(); err != nil {
				return nil, nil, err
			}
		}
		if onETH {
			if e, err = openETH(); err != nil {
				return nil, nil, err
			}
		}
		return b, e, nil
	}
	if f.hotWallets != "" {
		b, err := readFile(f.hotWallets)
		if err != nil {
			return nil, nil, err
		}
		p, err := hotwallet.DecodePolicy(b)
		if err != nil {
			return nil, nil, wrapInspect(fmt.Errorf("%s: %w", f.hotWallets, err))
		}
		onBTC, onETH := false, false
		for _, w := range p.Wallets {
			onBTC, onETH = onBTC || w.Chain == "btc", onETH || w.Chain == "eth"
		}
		bs, es, err := chains(onBTC, onETH)
		if err != nil {
			return nil, nil, err
		}
		var bi hotwallet.BitcoinIndex
		var ei hotwallet.EthereumIndex
		if bs != nil {
			bi = bs
		}
		if es != nil {
			ei = es
		}
		r, err := hotwallet.Collect(ctx, p, bi, ei, now)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, r)
	}
	if f.signers != "" {
		b, err := readFile(f.signers)
		if err != nil {
			return nil, nil, err
		}
		var signers []drift.Signer
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&signers); err != nil || len(signers) == 0 {
			return nil, nil, wrapInspect(fmt.Errorf("%w: %s: want a JSON array of {\"chain\",\"address\"}: %v", inspect.ErrInvalid, f.signers, err))
		}
		onBTC, onETH := false, false
		for _, s := range signers {
			onBTC, onETH = onBTC || s.Chain == "btc", onETH || s.Chain == "eth"
		}
		bs, es, err := chains(onBTC, onETH)
		if err != nil {
			return nil, nil, err
		}
		params, err := srcbtc.Params(f.network)
		if err != nil {
			return nil, nil, usageError{err}
		}
		var bi drift.BitcoinIndex
		var ei drift.EthereumIndex
		if bs != nil {
			bi = bs
		}
		if es != nil {
			ei = es
		}
		cfg := drift.DefaultConfig()
		cfg.RecentBlocks = f.recentBlocks
		r, err := drift.Collect(ctx, signers, bi, params, ei, cfg, now)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, r)
	}
	if f.github != "" {
		b, err := readFile(f.github)
		if err != nil {
			return nil, nil, err
		}
		r, err := github.Collect(b, "file://"+absPath(f.github), now)
		if err != nil {
			return nil, nil, wrapInspect(fmt.Errorf("%s: %w", f.github, err))
		}
		out = append(out, r)
	}
	if len(f.lockfiles) > 0 {
		lists, err := deps.LoadLists()
		if err != nil {
			return nil, nil, err
		}
		var files []deps.File
		for _, p := range f.lockfiles {
			b, err := readFile(p)
			if err != nil {
				return nil, nil, err
			}
			files = append(files, deps.File{Path: filepath.Clean(p), Data: b})
		}
		r, err := deps.Collect(files, lists, now)
		if err != nil {
			return nil, nil, wrapInspect(err)
		}
		out = append(out, r)
	}
	if f.roles != "" || f.privileged {
		var rolesFile []byte
		var roles []vet.RoleAssignment
		if f.roles != "" {
			b, err := readFile(f.roles)
			if err != nil {
				return nil, nil, err
			}
			if roles, err = vet.ParseRoles(bytes.NewReader(b)); err != nil {
				return nil, nil, wrapInspect(fmt.Errorf("%s: %w", f.roles, err))
			}
			rolesFile = b
		}
		ps, ok := a.store.(people.Store)
		if !ok {
			return nil, nil, fmt.Errorf("the state store %T keeps no people", a.store)
		}
		cs, err := caseStore(a)
		if err != nil {
			return nil, nil, err
		}
		r, err := privilege.Collect(ctx, vet.NewGate(ps, cs), ps, roles, f.roles, rolesFile, now)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, r)
	}
	return out, safes, nil
}
