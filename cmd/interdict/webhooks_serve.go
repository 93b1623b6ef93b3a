package main

import (
	"context"
	"errors"

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

// addDelivery runs the webhook dispatcher in g. Without the webhook key no
// endpoint was ever added here ('webhooks add' makes it), so there is
// nothing to deliver.
func (a *app) addDelivery(ctx context.Context, g *run.Group) {
	outbox, ok := a.store.(deliver.Outbox)
	if !ok {
		return
	}
	ds, err := a.sealedDeliverStore(false)
	if err != nil {
		a.log.Debug("webhooks are off", "err", err)
		return
	}
	d := deliver.NewDispatcher(deliver.DefaultConfig(), ds, outbox, nil, a.log)
	dctx, cancel := context.WithCancel(ctx)
	g.Add(func() error { return d.Run(dctx) }, func(error) { cancel() })
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
