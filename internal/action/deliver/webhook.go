package deliver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// Config tunes the Dispatcher. Zero fields take DefaultConfig's values.
type Config struct {
	// Poll is how often the alert source and the due deliveries are read
	// when nothing calls Notify.
	Poll time.Duration
	// Batch bounds the alerts read and the deliveries claimed at once.
	Batch int
	// Timeout bounds one request, from connecting to the end of the answer.
	Timeout time.Duration
	// Lease is how long a claimed delivery is kept from other workers; a
	// worker that dies mid-request leaves it due again after the lease.
	Lease time.Duration
	// MaxPayloadBytes is the largest body sent; a larger alert dies at once
	// rather than be refused by every receiver on every retry.
	MaxPayloadBytes int
	// MaxAge is how long a delivery is retried before it dies.
	MaxAge time.Duration
	// BaseBackoff is the wait after the first failure, doubled after each
	// further one up to MaxBackoff; the wait is jittered by up to half.
	BaseBackoff, MaxBackoff time.Duration
	// Workers is how many requests run at once.
	Workers int
}

// DefaultConfig returns the defaults: retries for a day, back-off from 5 s to
// an hour, 10 s per request, 256 KiB bodies.
func DefaultConfig() Config {
	return Config{
		Poll:            time.Second,
		Batch:           100,
		Timeout:         10 * time.Second,
		Lease:           time.Minute,
		MaxPayloadBytes: 256 << 10,
		MaxAge:          24 * time.Hour,
		BaseBackoff:     5 * time.Second,
		MaxBackoff:      time.Hour,
		Workers:         4,
	}
}

func (c Config) withDefaults() Config {
	d := DefaultConfig()
	set := func(v *time.Duration, def time.Duration) {
		if *v <= 0 {
			*v = def
		}
	}
	set(&c.Poll, d.Poll)
	set(&c.Timeout, d.Timeout)
	set(&c.Lease, d.Lease)
	set(&c.MaxAge, d.MaxAge)
	set(&c.BaseBackoff, d.BaseBackoff)
	set(&c.MaxBackoff, d.MaxBackoff)
	if c.Batch <= 0 {
		c.Batch = d.Batch
	}
	if c.MaxPayloadBytes <= 0 {
		c.MaxPayloadBytes = d.MaxPayloadBytes
	}
	if c.Workers <= 0 {
		c.Workers = d.Workers
	}
	if c.Lease < c.Timeout {
		c.Lease = c.Timeout + c.Timeout/2
	}
	return c
}

// maxAnswerBytes is how much of a receiver's answer is read (and kept, for
// its error message): receivers owe us nothing but a status.
const maxAnswerBytes = 4 << 10

// Dispatcher queues alerts for every endpoint and delivers them. It is safe
// for concurrent use; several dispatchers (API nodes) may share one store.
type Dispatcher struct {
	cfg    Config
	store  Store
	src    AlertSource
	client *http.Client
	log    *slog.Logger
	wake   chan struct{}
	// now is the clock, replaced in tests.
	now func() time.Time
}

// NewDispatcher returns a dispatcher reading alerts from src. A nil client
// gets one that follows no redirects; a nil logger discards.
func NewDispatcher(cfg Config, st Store, src AlertSource, client *http.Client, log *slog.Logger) *Dispatcher {
	if client == nil {
		client = &http.Client{
			// A receiver that redirects is misconfigured: following would
			// send the signed alert somewhere nobody registered.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Dispatcher{cfg: cfg.withDefaults(), store: st, src: src, client: client, log: log.With("component", "webhooks"),
		wake: make(chan struct{}, 1), now: func() time.Time { return time.Now().UTC() }}
}

// Notify wakes the dispatcher now (a new alert was written) instead of at
// the next poll.
func (d *Dispatcher) Notify() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run delivers until ctx ends; errors of one round are logged and the next
// round tries again. It returns nil when ctx ends.
func (d *Dispatcher) Run(ctx context.Context) error {
	t := time.NewTicker(d.cfg.Poll)
	defer t.Stop()
	for {
		if err := d.Round(ctx); err != nil && ctx.Err() == nil {
			d.log.Warn("webhook round failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-d.wake:
		}
	}
}

// Round queues the new alerts of every endpoint and sends every due
// delivery once.
func (d *Dispatcher) Round(ctx context.Context) error {
	eps, err := d.store.Endpoints(ctx)
	if err != nil {
		return fmt.Errorf("webhooks: endpoints: %w", err)
	}
	byID := make(map[string]Endpoint, len(eps))
	var errs []error
	for _, ep := range eps {
		byID[ep.ID] = ep
		if err := d.enqueue(ctx, ep); err != nil {
			errs = append(errs, err)
		}
	}
	for ctx.Err() == nil {
		due, err := d.store.ClaimDue(ctx, d.now(), d.cfg.Lease, d.cfg.Batch)
		if err != nil {
			errs = append(errs, fmt.Errorf("webhooks: claim due: %w", err))
			break
		}
		d.sendAll(ctx, byID, due)
		if len(due) < d.cfg.Batch {
			break
		}
	}
	return errors.Join(errs...)
}

// enqueue moves ep's cursor to the newest alert, queueing those it may see.
func (d *Dispatcher) enqueue(ctx context.Context, ep Endpoint) error {
	cursor := ep.Cursor
	for {
		evs, err := d.src.AlertsAfter(ctx, cursor, d.cfg.Batch)
		if err != nil {
			return fmt.Errorf("webhooks: read alerts after %d: %w", cursor, err)
		}
		if len(evs) == 0 {
			return nil
		}
		last := evs[len(evs)-1].ID
		mine := evs[:0:0]
		for _, e := range evs {
			if ep.Member == "" || e.Member == "" || e.Member == ep.Member {
				mine = append(mine, e)
			}
		}
		now := d.now()
		n, err := d.store.Enqueue(ctx, ep.ID, mine, last, now, now.Add(d.cfg.MaxAge))
		if err != nil {
			return fmt.Errorf("webhooks: queue alerts for %s: %w", ep.ID, err)
		}
		if n > 0 {
			d.log.Debug("webhook deliveries queued", "endpoint", ep.ID, "count", n, "cursor", last)
		}
		cursor = last
		if len(evs) < d.cfg.Batch {
			return nil
		}
	}
}

func (d *Dispatcher) sendAll(ctx context.Context, eps map[string]Endpoint, due []Delivery) {
	sem := make(chan struct{}, d.cfg.Workers)
	var wg sync.WaitGroup
	for _, dl := range due {
		ep, ok := eps[dl.Endpoint]
		if !ok {
			continue // removed since this round began; its deliveries went with it
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			d.attempt(ctx, ep, dl)
		})
	}
	wg.Wait()
}

// attempt sends dl once and records the attempt. When ctx ends mid-request
// nothing is recorded: the claim lapses and the next worker sends again.
func (d *Dispatcher) attempt(ctx context.Context, ep Endpoint, dl Delivery) {
	a := Attempt{Delivery: dl.ID, N: dl.Attempts + 1, At: d.now()}
	var err error
	if len(dl.Payload) > d.cfg.MaxPayloadBytes {
		err = fmt.Errorf("alert of %d bytes exceeds the %d-byte webhook limit", len(dl.Payload), d.cfg.MaxPayloadBytes)
	} else {
		a.Status, err = d.post(ctx, ep, dl, a)
		if ctx.Err() != nil {
			return
		}
	}
	a.Duration = d.now().Sub(a.At)
	o := Outcome{State: StateDelivered}
	if err != nil {
		a.Error = err.Error()
		o = d.retry(dl, a, len(dl.Payload) > d.cfg.MaxPayloadBytes)
	}
	if rerr := d.store.RecordAttempt(context.WithoutCancel(ctx), a, o); rerr != nil {
		d.log.Error("record webhook attempt", "delivery", dl.ID, "err", rerr)
		return
	}
	lvl := slog.LevelInfo
	if o.State != StateDelivered {
		lvl = slog.LevelWarn
	}
	d.log.Log(ctx, lvl, "webhook attempt", "delivery", dl.ID, "endpoint", ep.ID, "event", dl.EventID,
		"attempt", a.N, "status", a.Status, "state", o.State, "err", a.Error)
}

// retry decides what follows a failed attempt: the next try after the
// back-off, or death when that would pass the delivery's expiry.
func (d *Dispatcher) retry(dl Delivery, a Attempt, fatal bool) Outcome {
	if fatal {
		return Outcome{State: StateDead}
	}
	next := a.At.Add(d.backoff(a.N))
	if next.After(dl.ExpiresAt) {
		return Outcome{State: StateDead}
	}
	return Outcome{State: StatePending, Next: next}
}

// backoff is the wait after attempt n failed: BaseBackoff·2^(n-1) capped at
// MaxBackoff, of which a random half is taken off (so that receivers
// coming back up are not hit by every sender at once).
func (d *Dispatcher) backoff(n int) time.Duration {
	w := d.cfg.BaseBackoff
	for i := 1; i < n && w < d.cfg.MaxBackoff; i++ {
		w *= 2
	}
	w = min(w, d.cfg.MaxBackoff)
	half := w / 2
	return w - half + time.Duration(rand.Int64N(int64(half)+1))
}

// envelope is the body of a webhook request.
type envelope struct {
	EventID int64           `json:"event_id"`
	Alert   json.RawMessage `json:"alert"`
}

func (d *Dispatcher) post(ctx context.Context, ep Endpoint, dl Delivery, a Attempt) (int, error) {
	payload := dl.Payload
	if len(payload) == 0 {
		payload = json.RawMessage("null")
	}
	body, err := json.Marshal(envelope{EventID: dl.EventID, Alert: payload})
	if err != nil {
		return 0, fmt.Errorf("encode webhook body: %w", err)
	}
	rctx, cancel := context.WithTimeout(ctx, d.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodPost, ep.URL, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("webhook request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "interdict-webhooks/1")
	req.Header.Set(HeaderIdempotencyKey, dl.IdempotencyKey())
	req.Header.Set(HeaderEventID, strconv.FormatInt(dl.EventID, 10))
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(a.At.Unix(), 10))
	req.Header.Set(HeaderSignature, Sign(ep.Secret, a.At, body))
	resp, err := d.client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("post: %w", redact(err))
	}
	defer resp.Body.Close()
	answer, rerr := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, fmt.Errorf("receiver answered %s: %.200q", resp.Status, answer)
	}
	if rerr != nil && rctx.Err() != nil {
		return resp.StatusCode, fmt.Errorf("read answer: %w", rerr)
	}
	return resp.StatusCode, nil
}

// redact keeps the endpoint URL, whose query may hold a token of the
// receiver's, out of errors that are stored and logged.
func redact(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}
