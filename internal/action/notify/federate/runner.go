package federate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/interdict/interdict/internal/action/notify"
	"github.com/interdict/interdict/internal/action/share/stix"
	"github.com/interdict/interdict/internal/action/share/taxii"
)

// Config tunes federation. Zero fields take DefaultConfig's values.
type Config struct {
	// Member is this instance's member id: records it publishes are owned
	// by it in the local TAXII collection.
	Member string
	// Root and Collection name the local TAXII flags collection peers push
	// to and pull from.
	Root, Collection string
	// PushEvery, PullEvery and InboxEvery are the loop intervals.
	PushEvery, PullEvery, InboxEvery time.Duration
	// Backoff is the wait after a first failed delivery; it doubles per
	// attempt up to MaxBackoff, with jitter (half fixed, half random).
	Backoff, MaxBackoff time.Duration
	// An entry is dead after MaxAttempts failed attempts or MaxAge after it
	// was queued, whichever comes first.
	MaxAttempts int
	MaxAge      time.Duration
	// Batch is how many outbox entries or inbox objects one step handles.
	Batch int
}

// DefaultConfig returns the documented defaults.
func DefaultConfig() Config {
	return Config{Root: "federation", Collection: "flags", PushEvery: 5 * time.Second, PullEvery: time.Minute,
		InboxEvery: 2 * time.Second, Backoff: 5 * time.Second, MaxBackoff: time.Hour, MaxAttempts: 20, MaxAge: 72 * time.Hour, Batch: 100}
}

func (c Config) withDefaults() Config {
	d := DefaultConfig()
	for _, f := range []struct{ v, def *time.Duration }{{&c.PushEvery, &d.PushEvery}, {&c.PullEvery, &d.PullEvery},
		{&c.InboxEvery, &d.InboxEvery}, {&c.Backoff, &d.Backoff}, {&c.MaxBackoff, &d.MaxBackoff}, {&c.MaxAge, &d.MaxAge}} {
		if *f.v <= 0 {
			*f.v = *f.def
		}
	}
	if c.Root == "" {
		c.Root = d.Root
	}
	if c.Collection == "" {
		c.Collection = d.Collection
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = d.MaxAttempts
	}
	if c.Batch <= 0 {
		c.Batch = d.Batch
	}
	return c
}

// Deps are what a Runner works with.
type Deps struct {
	Store    Store
	TAXII    taxii.Store // the local TAXII store (flags collection)
	Acceptor Acceptor
	Peers    Peers
	// Locals, when set, lists the records issued here for the push loop
	// to publish (PublishOnce); without it only Publish queues records.
	Locals Locals
	HTTP   *http.Client // nil: a client with a 1-minute timeout
	Log    *slog.Logger // nil: discard
	// Now and Jitter (a number in [0, 1)) are the clock and the randomness;
	// nil means the real ones. Tests set them.
	Now    func() time.Time
	Jitter func() float64
}

// Runner publishes local records and runs the push, pull and inbox loops.
type Runner struct {
	cfg  Config
	d    Deps
	kick chan struct{} // a record was queued: push now

	setupOnce sync.Mutex // guards setupDone and granted
	setupDone bool
	granted   map[string]bool // peers granted on the local collection
}

// New returns a runner; cfg.Member and every dependency but HTTP, Log, Now
// and Jitter are required.
func New(cfg Config, d Deps) (*Runner, error) {
	if cfg.Member == "" {
		return nil, errors.New("federate: no member id for this instance")
	}
	if d.Store == nil || d.TAXII == nil || d.Acceptor == nil || d.Peers == nil {
		return nil, errors.New("federate: store, TAXII store, acceptor and peers are required")
	}
	if d.HTTP == nil {
		d.HTTP = &http.Client{Timeout: time.Minute}
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = func() time.Time { return time.Now().UTC() }
	}
	if d.Jitter == nil {
		d.Jitter = rand.Float64
	}
	return &Runner{cfg: cfg.withDefaults(), d: d, kick: make(chan struct{}, 1)}, nil
}

// Config returns the configuration in force (defaults filled in).
func (r *Runner) Config() Config { return r.cfg }

// Setup creates the local flags collection if missing (readable and
// writable only by admins and the peers' members, which are granted
// TLP:AMBER), and publishes the extension definition in it.
func (r *Runner) Setup(ctx context.Context) error {
	r.setupOnce.Lock()
	defer r.setupOnce.Unlock()
	ts := r.d.TAXII
	roots, err := ts.APIRoots(ctx)
	if err != nil {
		return fmt.Errorf("federate: setup: %w", err)
	}
	if !slices.ContainsFunc(roots, func(a taxii.APIRoot) bool { return a.Name == r.cfg.Root }) {
		if err := ts.PutAPIRoot(ctx, taxii.APIRoot{Name: r.cfg.Root, Title: "Interdict federation", Versions: []string{taxii.MediaType}}); err != nil {
			return fmt.Errorf("federate: setup: %w", err)
		}
	}
	colls, err := ts.Collections(ctx, r.cfg.Root)
	if err != nil {
		return fmt.Errorf("federate: setup: %w", err)
	}
	if !slices.ContainsFunc(colls, func(c taxii.Collection) bool { return c.ID == r.cfg.Collection }) {
		err := ts.PutCollection(ctx, taxii.Collection{APIRoot: r.cfg.Root, ID: r.cfg.Collection, Title: "Signed flags",
			Description: "Interdict flags, revocations and amendments as STIX indicators with the signed record in an extension"})
		if err != nil {
			return fmt.Errorf("federate: setup: %w", err)
		}
	}
	peers, err := r.d.Peers.Peers(ctx)
	if err != nil {
		return fmt.Errorf("federate: setup: peers: %w", err)
	}
	if err := r.grantLocked(ctx, peers); err != nil {
		return fmt.Errorf("federate: setup: %w", err)
	}
	raw, err := stix.Marshal(ExtensionDefinition())
	if err != nil {
		return err
	}
	if err := r.addLocal(ctx, raw); err != nil {
		return fmt.Errorf("federate: setup: %w", err)
	}
	r.setupDone = true
	return nil
}

// grant gives peers not granted yet read, write and TLP:AMBER on the
// local flags collection, so members registered after start can push and
// pull.
func (r *Runner) grant(ctx context.Context, peers []Peer) error {
	r.setupOnce.Lock()
	defer r.setupOnce.Unlock()
	return r.grantLocked(ctx, peers)
}

func (r *Runner) grantLocked(ctx context.Context, peers []Peer) error {
	if r.granted == nil {
		r.granted = map[string]bool{}
	}
	for _, p := range peers {
		if r.granted[p.Member] || p.Member == r.cfg.Member {
			continue
		}
		g := taxii.Grant{APIRoot: r.cfg.Root, Collection: r.cfg.Collection, Principal: taxii.MemberPrincipal(p.Member), Read: true, Write: true, Amber: true}
		if err := r.d.TAXII.PutGrant(ctx, g); err != nil {
			return fmt.Errorf("grant %s: %w", p.Member, err)
		}
		r.granted[p.Member] = true
	}
	return nil
}

func (r *Runner) ensureSetup(ctx context.Context) error {
	r.setupOnce.Lock()
	done := r.setupDone
	r.setupOnce.Unlock()
	if done {
		return nil
	}
	return r.Setup(ctx)
}

// addLocal stores an object version in the local flags collection as
// posted by this instance.
func (r *Runner) addLocal(ctx context.Context, raw []byte) error {
	o, err := taxii.ParseObject(raw)
	if err != nil {
		return err
	}
	o.Owner = r.cfg.Member
	_, err = r.d.TAXII.AddObjects(ctx, r.cfg.Root, r.cfg.Collection, []taxii.Object{o})
	return err
}

// Publish makes a local signed record available to peers: its indicator
// is added to the local flags collection (where peers pull it) and queued
// for every peer pushed to. It returns how many deliveries were queued;
// publishing a record again queues nothing new.
func (r *Runner) Publish(ctx context.Context, env notify.Envelope, rec notify.Record) (int, error) {
	if err := r.ensureSetup(ctx); err != nil {
		return 0, err
	}
	prev, err := r.previous(ctx, IndicatorID(rec.Issuer, flagID(rec)))
	if err != nil {
		return 0, err
	}
	raw, err := Encode(env, rec, prev)
	if err != nil {
		return 0, err
	}
	if err := r.addLocal(ctx, raw); err != nil {
		return 0, fmt.Errorf("federate: publish %s: %w", rec.ID, err)
	}
	peers, err := r.d.Peers.Peers(ctx)
	if err != nil {
		return 0, fmt.Errorf("federate: publish %s: peers: %w", rec.ID, err)
	}
	now := r.d.Now()
	var ds []Delivery
	for _, p := range peers {
		if p.Push && p.Member != r.cfg.Member {
			ds = append(ds, Delivery{Peer: p.Member, RecordID: rec.ID, IndicatorID: IndicatorID(rec.Issuer, flagID(rec)), Object: raw, Created: now, Queued: now, NextAt: now})
		}
	}
	n, err := r.d.Store.OutboxAdd(ctx, ds)
	if err != nil {
		return 0, fmt.Errorf("federate: publish %s: %w", rec.ID, err)
	}
	r.d.Log.LogAttrs(ctx, slog.LevelInfo, "record published", slog.String("record", rec.ID), slog.String("kind", string(rec.Kind)), slog.Int("queued", n))
	select {
	case r.kick <- struct{}{}:
	default:
	}
	return n, nil
}

// previous finds the latest version of an indicator in the local flags
// collection; nil when there is none.
func (r *Runner) previous(ctx context.Context, id string) (*Previous, error) {
	metas, err := r.d.TAXII.ObjectMetas(ctx, r.cfg.Root, r.cfg.Collection, taxii.MetaQuery{Viewer: taxii.Viewer{Member: r.cfg.Member, Amber: true}, IDs: []string{id}})
	if err != nil || len(metas) == 0 {
		return nil, err
	}
	slices.SortFunc(metas, func(a, b taxii.Object) int { return a.VersionTime.Compare(b.VersionTime) })
	last := metas[len(metas)-1]
	bodies, err := r.d.TAXII.ObjectBodies(ctx, []int64{last.Seq})
	if err != nil {
		return nil, err
	}
	o, err := stix.Parse(bodies[last.Seq])
	if err != nil {
		return nil, nil // not ours to repair; the record stands on its own
	}
	ind, ok := o.(*stix.Indicator)
	if !ok {
		return nil, nil
	}
	return &Previous{Created: ind.Created.Time(), Pattern: ind.Pattern}, nil
}

// backoff is the wait after the n-th failed attempt.
func (r *Runner) backoff(n int) time.Duration {
	d := r.cfg.Backoff
	for i := 1; i < n && d < r.cfg.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, r.cfg.MaxBackoff)
	return d/2 + time.Duration(r.d.Jitter()*float64(d/2))
}

// Run runs the push, pull and inbox loops until ctx ends. Each runs once at
// start and then on its interval (push also as soon as a record is
// published); the push loop first publishes new local records (Locals).
// Errors are logged and the loops go on; Run returns nil when ctx ends.
func (r *Runner) Run(ctx context.Context) error {
	if err := r.Setup(ctx); err != nil {
		// The steps set up again before they work: a store that was down
		// at start does not end the loops.
		r.d.Log.LogAttrs(ctx, slog.LevelWarn, "federation setup failed", slog.Any("error", err))
	}
	var wg sync.WaitGroup
	loop := func(name string, every time.Duration, kick <-chan struct{}, step func(context.Context) error) {
		defer wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			if err := step(ctx); err != nil && ctx.Err() == nil {
				r.d.Log.LogAttrs(ctx, slog.LevelWarn, "federation step failed", slog.String("loop", name), slog.Any("error", err))
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			case <-kick:
			}
		}
	}
	wg.Add(3)
	go loop("push", r.cfg.PushEvery, r.kick, func(ctx context.Context) error {
		_, perr := r.PublishOnce(ctx)
		_, err := r.PushOnce(ctx)
		return errors.Join(perr, err)
	})
	go loop("pull", r.cfg.PullEvery, nil, func(ctx context.Context) error { _, err := r.PullOnce(ctx); return err })
	go loop("inbox", r.cfg.InboxEvery, nil, func(ctx context.Context) error { _, err := r.InboxOnce(ctx); return err })
	wg.Wait()
	return nil
}
