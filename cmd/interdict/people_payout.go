package main

import (
	"context"

	"github.com/spf13/cobra"

	vet "github.com/interdict/interdict/internal/analysis/people"
	"github.com/interdict/interdict/internal/analysis/trace"
	"github.com/interdict/interdict/internal/index/people"
)

// payoutFlags turn on payout-wallet screening (rule PPL-WALLET-EXPOSED) for
// people screen: each wallet traced backward over the chain index, the
// funds it received scored by the exposure rules with the tags in the state
// store.
type payoutFlags struct {
	wallets bool
	index   tracesFlags
}

func (f *payoutFlags) register(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&f.wallets, "wallets", false, "trace each payout wallet over the chain index (--index, --eth-index) and flag one that received exposed funds (PPL-WALLET-EXPOSED)")
	f.index.register(cmd)
}

// tracerAdapter gives the chain tracer the shape the people rules use.
type tracerAdapter struct{ tr *chainTracer }

func (t tracerAdapter) Trace(ctx context.Context, chain string, cfg trace.Config, starts []trace.Start) (*trace.Result, error) {
	res, _, err := t.tr.Trace(ctx, chain, cfg, starts)
	return res, err
}

// screener returns the wallet screen (nil without --wallets) and its closer.
func (f *payoutFlags) screener(a *app) (*vet.WalletScreen, func(), error) {
	if !f.wallets {
		return nil, func() {}, nil
	}
	_, tg, err := a.traceStores()
	if err != nil {
		return nil, nil, err
	}
	tr := &chainTracer{g: a.g, btcIndex: f.index.btcIndex, ethIndex: f.index.ethIndex, network: f.index.network, log: a.log, tags: tg}
	ws := &vet.WalletScreen{Tracer: tracerAdapter{tr}}
	if tg != nil {
		ws.Tagger = newStoreTagger(tg)
	}
	return ws, tr.close, nil
}

// screenWallets adds the wallet signals of p to as (nothing when ws is nil).
func screenWallets(ctx context.Context, ws *vet.WalletScreen, as *vet.Assessment, p *people.Person) error {
	if ws == nil {
		return nil
	}
	sig, err := ws.Screen(ctx, p.ID, vet.WalletsOf(p))
	if err != nil {
		return traceError(err)
	}
	as.AddSignals(sig)
	return nil
}
