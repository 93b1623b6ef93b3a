package main

import (
	"context"
	"log/slog"
	"sync"

	"github.com/btcsuite/btcd/chaincfg"

	"github.com/interdict/interdict/internal/action/watch"
	"github.com/interdict/interdict/internal/index/bitcoin"
	"github.com/interdict/interdict/internal/index/ethereum"
)

// followWatcher runs the alert engine after each commit of a following
// ingest, so a block that pays a watched address alerts while the ingest
// follows the node, not when it is interrupted. It keeps the state store and
// one engine open for the whole run (the engine caches the active flags
// between blocks); a failure is logged, closes them, and the next commit
// opens them again.
type followWatcher struct {
	g      *globals
	btc    bitcoin.ChainReader
	params *chaincfg.Params
	eth    ethereum.Reader
	log    *slog.Logger

	mu sync.Mutex // serialises runs
	a  *app
	e  *watch.Engine
}

func newFollowWatcher(g *globals, btc bitcoin.ChainReader, params *chaincfg.Params, eth ethereum.Reader, log *slog.Logger) *followWatcher {
	return &followWatcher{g: g, btc: btc, params: params, eth: eth, log: log}
}

// run catches the engine up with what the index has committed. It runs on
// a context that an interrupt does not cancel: a block's alerts are never
// cut half way.
func (w *followWatcher) run(ctx context.Context) {
	ctx = context.WithoutCancel(ctx)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.e == nil {
		a, err := w.g.open(ctx)
		if err != nil {
			logWatchRun(ctx, nil, err, w.log)
			return
		}
		e, err := newWatchEngine(ctx, a, w.btc, w.params, w.eth, w.log)
		if err != nil {
			a.close()
			logWatchRun(ctx, nil, err, w.log)
			return
		}
		w.a, w.e = a, e
	}
	reps, err := catchUpWith(ctx, w.e)
	logWatchRun(ctx, reps, err, w.log)
	if err != nil {
		w.closeLocked()
	}
}

// loop runs the engine each time kick is signalled, until ctx ends; the
// returned func signals (without blocking: signals while a run is under
// way fold into one more run) and stop ends the loop, waiting for a run
// under way.
func (w *followWatcher) loop(ctx context.Context) (kick func(), stop func()) {
	ch := make(chan struct{}, 1)
	lctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-lctx.Done():
				return
			case <-ch:
				w.run(lctx)
			}
		}
	}()
	kick = func() {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
	return kick, func() { cancel(); <-done }
}

func (w *followWatcher) close() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.closeLocked()
}

func (w *followWatcher) closeLocked() {
	if w.a != nil {
		w.a.close()
	}
	w.a, w.e = nil, nil
}

// notifyingEthStore is an Ethereum chain store that calls committed after
// each successful commit (the engine commits in the background on a store
// that allows it; ConcurrentCommit is passed through).
type notifyingEthStore struct {
	ethereum.Store
	committed func()
}

func (s notifyingEthStore) Commit(ctx context.Context, changes []ethereum.Change) error {
	if err := s.Store.Commit(ctx, changes); err != nil {
		return err
	}
	s.committed()
	return nil
}

// ConcurrentCommit implements ethereum.ConcurrentStore as the wrapped store does.
func (s notifyingEthStore) ConcurrentCommit() bool {
	cs, ok := s.Store.(ethereum.ConcurrentStore)
	return ok && cs.ConcurrentCommit()
}
