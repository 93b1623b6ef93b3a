package federate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"

	"github.com/interdict/interdict/internal/action/share/taxii"
)

// PushReport says what one push step did.
type PushReport struct {
	Due       int `json:"due"`
	Delivered int `json:"delivered"`
	Failed    int `json:"failed"`
	Dead      int `json:"dead"`
}

// PushOnce sends the outbox entries that are due, grouped per peer, each
// peer's in one push. An entry the peer took is marked delivered; a failed
// one is due again after a back-off, or dead. A crash between the push and
// the marking sends the entry again: receivers accept idempotently.
func (r *Runner) PushOnce(ctx context.Context) (PushReport, error) {
	var rep PushReport
	if err := r.ensureSetup(ctx); err != nil {
		return rep, err
	}
	due, err := r.d.Store.OutboxDue(ctx, r.d.Now(), r.cfg.Batch)
	if err != nil {
		return rep, fmt.Errorf("federate: push: %w", err)
	}
	rep.Due = len(due)
	if len(due) == 0 {
		return rep, nil
	}
	peers, err := r.d.Peers.Peers(ctx)
	if err != nil {
		return rep, fmt.Errorf("federate: push: peers: %w", err)
	}
	byMember := map[string]Peer{}
	for _, p := range peers {
		byMember[p.Member] = p
	}
	groups := map[string][]Delivery{}
	var order []string
	for _, d := range due {
		if _, ok := groups[d.Peer]; !ok {
			order = append(order, d.Peer)
		}
		groups[d.Peer] = append(groups[d.Peer], d)
	}
	var errs []error
	for _, member := range order {
		ds := groups[member]
		p, ok := byMember[member]
		var failures map[string]string // indicator id → message
		var pushErr error
		switch {
		case !ok || !p.Push || p.URL == "":
			pushErr = fmt.Errorf("peer %s is not a push peer any more", member)
		default:
			failures, pushErr = r.push(ctx, p, ds)
		}
		for _, d := range ds {
			msg := ""
			switch {
			case pushErr != nil:
				msg = pushErr.Error()
			case failures[d.IndicatorID] != "":
				msg = "peer refused the object: " + failures[d.IndicatorID]
			}
			if msg == "" {
				if err := r.d.Store.OutboxDelivered(ctx, d.Peer, d.RecordID, r.d.Now()); err != nil {
					return rep, fmt.Errorf("federate: push: %w", err)
				}
				rep.Delivered++
				continue
			}
			dead, err := r.fail(ctx, d, msg)
			if err != nil {
				return rep, err
			}
			rep.Failed++
			if dead {
				rep.Dead++
			}
		}
		if pushErr != nil {
			errs = append(errs, fmt.Errorf("federate: push to %s: %w", member, pushErr))
		}
	}
	return rep, errors.Join(errs...)
}

// push posts one peer's entries and returns the server's per-object
// failures.
func (r *Runner) push(ctx context.Context, p Peer, ds []Delivery) (map[string]string, error) {
	c := &taxii.Client{HTTP: r.d.HTTP, User: p.User, Key: p.Key, Retries: -1, Log: r.d.Log}
	objs := make([]json.RawMessage, len(ds))
	for i, d := range ds {
		objs[i] = d.Object
	}
	st, err := c.Push(ctx, p.URL, objs, r.cfg.Batch, 0)
	if err != nil {
		return nil, err
	}
	failures := map[string]string{}
	for _, f := range st.FailureMessages {
		failures[f.ID] = f.Message
		if f.Message == "" {
			failures[f.ID] = "no reason given"
		}
	}
	return failures, nil
}

// fail records a failed attempt and reports whether the entry is now dead.
func (r *Runner) fail(ctx context.Context, d Delivery, msg string) (bool, error) {
	now := r.d.Now()
	attempts := d.Attempts + 1
	dead := attempts >= r.cfg.MaxAttempts || now.Sub(d.Queued) >= r.cfg.MaxAge
	f := Failure{Peer: d.Peer, RecordID: d.RecordID, At: now, Error: msg, NextAt: now.Add(r.backoff(attempts)), Dead: dead}
	if err := r.d.Store.OutboxFailed(ctx, f); err != nil {
		return false, fmt.Errorf("federate: push: %w", err)
	}
	lvl := slog.LevelInfo
	if dead {
		lvl = slog.LevelWarn
	}
	r.d.Log.LogAttrs(ctx, lvl, "delivery failed", slog.String("peer", d.Peer), slog.String("record", d.RecordID),
		slog.Int("attempts", attempts), slog.Bool("dead", dead), slog.Time("next", f.NextAt), slog.String("error", msg))
	return dead, nil
}
