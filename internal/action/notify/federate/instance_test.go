package federate_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/interdict/interdict/internal/action/notify"
	"github.com/interdict/interdict/internal/action/notify/federate"
	"github.com/interdict/interdict/internal/action/share/taxii"
	"github.com/interdict/interdict/internal/serve/auth"
	"github.com/interdict/interdict/internal/store/sqlite"
)

// keyring is a member registry in memory: the keys every instance of a
// test knows.
type keyring struct{ keys map[string]notify.SigningKey }

func (k keyring) SigningKey(_ context.Context, id string) (notify.SigningKey, error) {
	if sk, ok := k.keys[id]; ok {
		return sk, nil
	}
	return notify.SigningKey{}, fmt.Errorf("%w: key %s", notify.ErrNotFound, id)
}

// acceptor is a flag store in memory with the rules the real one applies:
// verification, idempotent receipt, the same id with other bytes is a
// conflict, and a revocation is final.
type acceptor struct {
	kr keyring
	mu sync.Mutex // guards the maps
	// records by id, and the flags revoked (by flag id).
	records map[string][]byte
	revoked map[string]bool
	sources map[string]string
}

func newAcceptor(kr keyring) *acceptor {
	return &acceptor{kr: kr, records: map[string][]byte{}, revoked: map[string]bool{}, sources: map[string]string{}}
}

func (a *acceptor) Accept(ctx context.Context, env notify.Envelope, source string) (bool, error) {
	rec, err := notify.Verify(ctx, a.kr, notify.Policy{}, env, time.Now())
	if err != nil {
		return false, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if prev, ok := a.records[rec.ID]; ok {
		if bytes.Equal(prev, env.Payload) {
			return false, nil
		}
		return false, fmt.Errorf("%w: record %s was accepted before with other content", notify.ErrConflict, rec.ID)
	}
	if rec.Kind == notify.KindFlag && a.revoked[rec.ID] {
		return false, fmt.Errorf("%w: flag %s was revoked", notify.ErrConflict, rec.ID)
	}
	if rec.Kind == notify.KindRevocation {
		a.revoked[rec.Ref] = true
	}
	a.records[rec.ID] = env.Payload
	a.sources[rec.ID] = source
	return true, nil
}

func (a *acceptor) count() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.records)
}

func (a *acceptor) has(id string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	_, ok := a.records[id]
	return ok
}

// peerList is a settable list of peers.
type peerList struct {
	mu    sync.Mutex // guards peers
	peers []federate.Peer
}

func (p *peerList) Peers(context.Context) ([]federate.Peer, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]federate.Peer(nil), p.peers...), nil
}

func (p *peerList) add(peer federate.Peer) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, q := range p.peers {
		if q.Member == peer.Member {
			if peer.URL != "" {
				q.URL, q.Key = peer.URL, peer.Key
			}
			q.Push, q.Pull = q.Push || peer.Push, q.Pull || peer.Pull
			p.peers[i] = q
			return
		}
	}
	p.peers = append(p.peers, peer)
}

// gate answers 503 to everything while down, as a peer that is away.
type gate struct {
	next http.Handler
	down atomic.Bool
	hits atomic.Int64
}

func (g *gate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.hits.Add(1)
	if g.down.Load() {
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
		return
	}
	g.next.ServeHTTP(w, r)
}

// crashy is the real store, except that it can lose the marking of
// deliveries, as a process killed between a push and its bookkeeping.
type crashy struct {
	federate.Store
	dropMarks atomic.Int64
}

func (c *crashy) OutboxDelivered(ctx context.Context, peer, recordID string, at time.Time) error {
	if c.dropMarks.Add(-1) >= 0 {
		return errors.New("killed before marking the delivery")
	}
	return c.Store.OutboxDelivered(ctx, peer, recordID, at)
}

// clock is a settable time for the outbox schedule.
type clock struct {
	mu  sync.Mutex // guards now
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// instance is one Interdict instance: a SQLite state store serving TAXII
// over httptest, its identity, acceptor, peers and runner.
type instance struct {
	name   string
	id     notify.Identity
	store  backend
	gate   *gate
	srv    *httptest.Server
	acc    *acceptor
	peers  *peerList
	run    *federate.Runner
	clock  *clock
	crash  *crashy
	issued map[string]string // member → API key secret it holds here
}

// backend is a state store as an instance uses it.
type backend interface {
	federate.Store
	taxii.Store
	auth.Store
}

// opener opens a fresh, empty state store for an instance, closed at cleanup.
type opener func(t *testing.T, name string) backend

func openSQLite(t *testing.T, name string) backend {
	t.Helper()
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), name+".db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// backends are the stores the scenario tests run on: SQLite, and
// PostgreSQL when INTERDICT_TEST_POSTGRES_URL is set (required under CI).
func backends(t *testing.T) map[string]opener {
	out := map[string]opener{"sqlite": openSQLite}
	if os.Getenv(pgURLEnv) != "" || os.Getenv("CI") != "" {
		out["postgres"] = openPostgres
	}
	return out
}

// network makes instances with the given names on SQLite; the first is the
// authority, the others exchanges. Every instance knows every member's key.
func network(t *testing.T, cfg federate.Config, names ...string) map[string]*instance {
	t.Helper()
	return networkOn(t, openSQLite, cfg, names...)
}

// networkOn is network on the stores open opens.
func networkOn(t *testing.T, open opener, cfg federate.Config, names ...string) map[string]*instance {
	t.Helper()
	kr := keyring{keys: map[string]notify.SigningKey{}}
	out := map[string]*instance{}
	for i, name := range names {
		id, err := notify.NewIdentity(name)
		if err != nil {
			t.Fatal(err)
		}
		role := notify.RoleExchange
		if i == 0 {
			role = notify.RoleAuthority
		}
		kr.keys[id.KeyID()] = notify.SigningKey{Member: name, Role: role, Public: id.Key.Public().(ed25519.PublicKey)}
		st := open(t, name)
		in := &instance{name: name, id: id, store: st, acc: newAcceptor(kr), peers: &peerList{},
			clock: &clock{now: time.Now().UTC()}, issued: map[string]string{}}
		in.gate = &gate{next: taxii.NewServer(taxii.Config{}, st, st, st, nil)}
		in.srv = httptest.NewServer(in.gate)
		t.Cleanup(in.srv.Close)
		c := cfg
		c.Member = name
		in.crash = &crashy{Store: st}
		in.run, err = federate.New(c, federate.Deps{Store: in.crash, TAXII: st, Acceptor: in.acc, Peers: in.peers,
			Now: in.clock.Now, Jitter: func() float64 { return 0.5 }})
		if err != nil {
			t.Fatal(err)
		}
		out[name] = in
	}
	return out
}

// link makes from a peer of to: to issues from an API key (analyst, of
// member from) and from pushes to and/or pulls from to's flags collection.
func link(t *testing.T, from, to *instance, push, pull bool) {
	t.Helper()
	secret, ok := to.issued[from.name]
	if !ok {
		var key auth.Key
		var err error
		secret, key, err = auth.NewKey(from.name, "federation", auth.RoleAnalyst)
		if err != nil {
			t.Fatal(err)
		}
		if err := to.store.CreateKey(t.Context(), key); err != nil {
			t.Fatal(err)
		}
		to.issued[from.name] = secret
	}
	cfg := to.run.Config()
	from.peers.add(federate.Peer{Member: to.name, URL: to.srv.URL + taxii.Prefix + cfg.Root + "/collections/" + cfg.Collection + "/",
		Key: secret, Push: push, Pull: pull})
	// to learns from as a peer too, so its inbox reads what from posts and
	// the collection grants from read and write.
	to.peers.add(federate.Peer{Member: from.name})
	if err := to.run.Setup(t.Context()); err != nil {
		t.Fatal(err)
	}
}

// locals is a list of records issued here.
type locals struct {
	mu   sync.Mutex // guards recs
	recs []federate.LocalRecord
}

func (l *locals) LocalRecords(_ context.Context, since time.Time) ([]federate.LocalRecord, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []federate.LocalRecord
	for _, r := range l.recs {
		if !r.At.Before(since) {
			out = append(out, r)
		}
	}
	return out, nil
}

func (l *locals) add(env notify.Envelope, rec notify.Record, at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.recs = append(l.recs, federate.LocalRecord{Envelope: env, Record: rec, At: at})
}
