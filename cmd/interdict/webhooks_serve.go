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

// feedEvery is how often serve looks at the alert log for alerts that
// another process (an ingest, 'alerts scan') committed, to wake the webhook
// dispatcher: a small part of the block-to-webhook latency.
const feedEvery = 250 * time.Millisecond

// fallbackEvery is how often the fallback feed looks for watch alerts that
// are not in the alert log (the state store publishes each block's alerts
// in the commit that stores them; alerts stored by an older version were
// not).
const fallbackEvery = 30 * time.Second

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

// addAlertFeed follows the alert log every poll and calls published when
// it grew; every fallbackEvery (and at start) it also publishes the watch
// store's alerts missing from the log, oldest first, each once (by its id).
func (a *app) addAlertFeed(ctx context.Context, g *run.Group, outbox deliver.Outbox, every time.Duration, published func()) {
	src, _ := a.store.(chainAlerts)
	fctx, cancel := context.WithCancel(ctx)
	g.Add(func() error {
		seen := map[string]bool{}
		head, err := logHead(fctx, outbox, 0)
		if err != nil && fctx.Err() == nil {
			a.log.Warn("alert feed", "err", err)
		}
		t := time.NewTicker(every)
		defer t.Stop()
		var fallback time.Time
		for {
			if src != nil && time.Since(fallback) >= fallbackEvery {
				fallback = time.Now()
				if _, err := feedOnce(fctx, src, outbox, seen); err != nil && fctx.Err() == nil {
					a.log.Warn("alert feed", "err", err)
				}
			}
			h, err := logHead(fctx, outbox, head)
			if err != nil && fctx.Err() == nil {
				a.log.Warn("alert feed", "err", err)
			}
			if h > head {
				head = h
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

// logHead returns the id of the last alert in the log after after (after
// when there is none).
func logHead(ctx context.Context, outbox deliver.AlertSource, after int64) (int64, error) {
	for {
		evs, err := outbox.AlertsAfter(ctx, after, feedBatch)
		if err != nil || len(evs) == 0 {
			return after, err
		}
		after = evs[len(evs)-1].ID
		if len(evs) < feedBatch {
			return after, nil
		}
	}
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
