package main

import (
	"context"
	"encoding/json"
	"errors"
	"sync/atomic"
	"time"

	"github.com/oklog/run"

	"github.com/interdict/interdict/internal/action/deliver"
	"github.com/interdict/interdict/internal/action/deliver/hubfilter"
	"github.com/interdict/interdict/internal/action/watch"
	"github.com/interdict/interdict/internal/serve/api"
)

// What `serve` runs of alert delivery, over the state store's alert log
// (deliver.Outbox, migration 0010): the SSE stream, the webhook dispatcher,
// and the hub's per-block filters over the watch store's tainted sets.

// alertStream is the /v1/alerts/stream source, closed when ctx ends so that
// open streams do not hold the server's shutdown; nil when the state store
// keeps no alert log.
func (a *app) alertStream(ctx context.Context) api.AlertStreamer {
	outbox, ok := a.store.(deliver.Outbox)
	if !ok {
		return nil
	}
	s := deliver.NewStream(outbox, deliver.DefaultStreamConfig())
	go func() { _ = s.Run(ctx) }()
	return s
}

// addDelivery runs the alert feed and the webhook dispatcher in g. Without the webhook key no
// endpoint was ever added here ('webhooks add' makes it), so there is
// nothing to deliver.
func (a *app) addDelivery(ctx context.Context, g *run.Group) {
	outbox, ok := a.store.(deliver.Outbox)
	if !ok {
		return
	}
	// The webhook key is made by the first 'webhooks add', which may come
	// after serve started: until it exists the dispatcher waits for it.
	var running atomic.Pointer[deliver.Dispatcher]
	a.addAlertFeed(ctx, g, outbox, feedEvery, func() {
		if d := running.Load(); d != nil {
			d.Notify()
		}
	})
	dctx, cancel := context.WithCancel(ctx)
	g.Add(func() error {
		logged := false
		for {
			ds, err := a.sealedDeliverStore(false)
			if err == nil {
				d := deliver.NewDispatcher(deliver.DefaultConfig(), ds, outbox, nil, a.log)
				running.Store(d)
				return d.Run(dctx)
			}
			if !logged {
				a.log.Debug("webhooks are off until the first 'webhooks add'", "err", err)
				logged = true
			}
			select {
			case <-dctx.Done():
				return nil
			case <-time.After(keyPoll):
			}
		}
	}, func(error) { cancel() })
}

// keyPoll is how often serve looks for the webhook key while it has none.
const keyPoll = time.Second

// feedEvery is how often the feed looks for new watch alerts: a small part
// of the block-to-webhook latency.
const feedEvery = 250 * time.Millisecond

// chainAlerts is what the alert feed reads of the watch store.
type chainAlerts interface {
	ChainAlerts(ctx context.Context, f watch.Filter) ([]watch.Alert, error)
}

// feedBatch is how many of the newest watch alerts a feed round reads when
// the first feedPeek are all new.
const (
	feedPeek  = 50
	feedBatch = 1000
)

// addAlertFeed publishes the watch store's alerts into the alert log every
// poll, oldest first, each once (by its id). It bridges until the watch
// store publishes inside its block commit (publishTx in the store
// packages); it misses alerts only when more than feedBatch are raised
// between two polls.
func (a *app) addAlertFeed(ctx context.Context, g *run.Group, outbox deliver.Outbox, every time.Duration, published func()) {
	src, ok := a.store.(chainAlerts)
	if !ok {
		return
	}
	fctx, cancel := context.WithCancel(ctx)
	g.Add(func() error {
		seen := map[string]bool{}
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			n, err := feedOnce(fctx, src, outbox, seen)
			if err != nil && fctx.Err() == nil {
				a.log.Warn("alert feed", "err", err)
			}
			if n > 0 {
				published()
			}
			select {
			case <-fctx.Done():
				return nil
			case <-t.C:
			}
		}
	}, func(error) { cancel() })
}

// feedOnce publishes the watch alerts not seen yet and returns how many.
func feedOnce(ctx context.Context, src chainAlerts, outbox deliver.Outbox, seen map[string]bool) (int, error) {
	alerts, err := src.ChainAlerts(ctx, watch.Filter{Limit: feedPeek})
	if err != nil {
		return 0, err
	}
	if len(alerts) == feedPeek && !seen[alerts[len(alerts)-1].ID] {
		// All the newest may be new: read further back.
		if alerts, err = src.ChainAlerts(ctx, watch.Filter{Limit: feedBatch}); err != nil {
			return 0, err
		}
	}
	var pub []deliver.Published
	for i := len(alerts) - 1; i >= 0; i-- { // newest first → oldest first
		al := alerts[i]
		if seen[al.ID] {
			continue
		}
		body, err := json.Marshal(al)
		if err != nil {
			return 0, err
		}
		pub = append(pub, deliver.Published{Key: al.ID, Payload: body})
	}
	if len(pub) == 0 {
		return 0, nil
	}
	n, err := outbox.Publish(ctx, pub)
	if err != nil {
		return 0, err
	}
	if len(seen) > 4*feedBatch {
		clear(seen) // the store ignores keys published before
	}
	for _, p := range pub {
		seen[p.Key] = true
	}
	return n, nil
}

// watchProgress is what the hub reads of the watch store.
type watchProgress interface {
	TaintedAddresses(ctx context.Context, chain string, height int64) ([]string, error)
	WatchCursor(ctx context.Context, chain string) (watch.Cursor, error)
}

// taintedSets adapts the watch store to the hub: its cursor is how far a
// chain was processed.
type taintedSets struct{ watchProgress }

func (t taintedSets) ProcessedHeight(ctx context.Context, chain string) (int64, error) {
	c, err := t.WatchCursor(ctx, chain)
	if errors.Is(err, watch.ErrNotFound) {
		return -1, nil
	}
	return c.Height, err
}

// hubFilters serves /v1/filters over the watch store's per-block tainted
// sets; nil when the state store keeps none.
func (a *app) hubFilters() api.FilterSource {
	w, ok := a.store.(watchProgress)
	if !ok {
		return nil
	}
	return hubfilter.NewHub(taintedSets{w}, hubfilter.DefaultBits, 0)
}
