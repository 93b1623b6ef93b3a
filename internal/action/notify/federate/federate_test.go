package federate_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/interdict/interdict/internal/action/notify"
	"github.com/interdict/interdict/internal/action/notify/federate"
	"github.com/interdict/interdict/internal/action/share/taxii"
)

var (
	deposit = notify.Subject{Chain: "btc", Address: "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"}
	hot     = notify.Subject{Chain: "eth", Address: "0x098b716b8aaf21512996dc57eb0615e2383e2f96"}
)

// issue signs a fresh flag as in and publishes it.
func issue(t *testing.T, in *instance, id string, subjects ...notify.Subject) (notify.Envelope, notify.Record) {
	t.Helper()
	r := dmmFlag(id, subjects...)
	r.IssuedAt, r.ExpiresAt = time.Now().Add(-time.Minute), time.Now().Add(90*24*time.Hour)
	env, rec := sign(t, in.id, r)
	if _, err := in.run.Publish(t.Context(), env, rec); err != nil {
		t.Fatalf("Publish %s: %v", id, err)
	}
	return env, rec
}

func revoke(t *testing.T, in *instance, id, flag string) {
	t.Helper()
	env, rec := sign(t, in.id, notify.Record{Kind: notify.KindRevocation, ID: id, Ref: flag, IssuedAt: time.Now().Add(-time.Second), TLP: "amber"})
	if _, err := in.run.Publish(t.Context(), env, rec); err != nil {
		t.Fatalf("Publish %s: %v", id, err)
	}
}

func pushOnce(t *testing.T, in *instance) federate.PushReport {
	t.Helper()
	rep, _ := in.run.PushOnce(t.Context()) // peer errors are in the report
	return rep
}

func inboxOnce(t *testing.T, in *instance) federate.ReceiveReport {
	t.Helper()
	rep, err := in.run.InboxOnce(t.Context())
	if err != nil {
		t.Fatalf("%s inbox: %v", in.name, err)
	}
	return rep
}

func pullOnce(t *testing.T, in *instance) federate.ReceiveReport {
	t.Helper()
	rep, err := in.run.PullOnce(t.Context())
	if err != nil {
		t.Fatalf("%s pull: %v", in.name, err)
	}
	return rep
}

// versions counts the object versions of the local flags collection.
func versions(t *testing.T, in *instance) int {
	t.Helper()
	cfg := in.run.Config()
	metas, err := in.store.ObjectMetas(t.Context(), cfg.Root, cfg.Collection, taxii.MetaQuery{Viewer: taxii.Viewer{Member: in.name, Amber: true}})
	if err != nil {
		t.Fatal(err)
	}
	return len(metas)
}

func outbox(t *testing.T, in *instance, state federate.DeliveryState) []federate.Delivery {
	t.Helper()
	ds, err := in.store.OutboxList(t.Context(), federate.OutboxQuery{State: state, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func rejections(t *testing.T, in *instance) []federate.Rejection {
	t.Helper()
	rs, err := in.store.FederationRejections(t.Context(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

// TestPushedThenPulled: a flag the authority A pushes to exchange B is
// accepted by B, and C, which pulls from B, accepts it too (verified
// against A's key, whoever relayed it); A's revocation follows the same
// way, and nothing arrives twice.
func TestPushedThenPulled(t *testing.T) {
	for name, open := range backends(t) {
		t.Run(name, func(t *testing.T) { testPushedThenPulled(t, open) })
	}
}

func testPushedThenPulled(t *testing.T, open opener) {
	n := networkOn(t, open, federate.Config{}, "a", "b", "c")
	a, b, c := n["a"], n["b"], n["c"]
	link(t, a, b, true, false)
	link(t, c, b, false, true)

	issue(t, a, "f-1", deposit, hot)
	if q := outbox(t, a, federate.Pending); len(q) != 1 || q[0].Peer != "b" {
		t.Fatalf("A's outbox = %+v, want one entry for b", q)
	}
	if rep := pushOnce(t, a); rep.Delivered != 1 || rep.Failed != 0 {
		t.Fatalf("A push = %+v", rep)
	}
	if rep := inboxOnce(t, b); rep.Accepted != 1 || rep.Rejected != 0 {
		t.Fatalf("B inbox = %+v", rep)
	}
	if rep := pullOnce(t, c); rep.Accepted != 1 || rep.Skipped != 1 || rep.Rejected != 0 {
		t.Fatalf("C pull = %+v (want the flag and the extension definition skipped)", rep)
	}
	if !b.acc.has("f-1") || !c.acc.has("f-1") || b.acc.sources["f-1"] != "peer:a" || c.acc.sources["f-1"] != "peer:b" {
		t.Fatalf("B and C hold f-1? %v %v (sources %q, %q)", b.acc.has("f-1"), c.acc.has("f-1"), b.acc.sources["f-1"], c.acc.sources["f-1"])
	}

	revoke(t, a, "r-1", "f-1")
	pushOnce(t, a)
	if rep := inboxOnce(t, b); rep.Accepted != 1 {
		t.Fatalf("B inbox after the revocation = %+v", rep)
	}
	if rep := pullOnce(t, c); rep.Accepted != 1 || rep.Objects != 1 {
		t.Fatalf("C pull after the revocation = %+v (resumed after the last page: one new object)", rep)
	}
	if !c.acc.revoked["f-1"] || !b.acc.revoked["f-1"] {
		t.Error("the revocation did not reach B and C")
	}
	for _, in := range []*instance{b, c} {
		if got := in.acc.count(); got != 2 {
			t.Errorf("%s holds %d records, want 2 (flag and revocation)", in.name, got)
		}
	}
	if got := versions(t, b); got != 3 {
		t.Errorf("B's flags collection has %d versions, want 3 (extension definition, flag, revocation)", got)
	}
	// Nothing new: a second round moves nothing.
	if rep := inboxOnce(t, b); rep.Objects != 0 {
		t.Errorf("B inbox again = %+v", rep)
	}
	if rep := pullOnce(t, c); rep.Objects != 0 {
		t.Errorf("C pull again = %+v", rep)
	}
}

// TestPeerDownThenBack: B answers 503 for a while; A's deliveries back
// off (attempts recorded, not due before their time), then reach B when it
// is back: every flag once, none twice, even when A re-sends after a crash
// between the push and its bookkeeping.
func TestPeerDownThenBack(t *testing.T) {
	for name, open := range backends(t) {
		t.Run(name, func(t *testing.T) { testPeerDownThenBack(t, open) })
	}
}

func testPeerDownThenBack(t *testing.T, open opener) {
	n := networkOn(t, open, federate.Config{Backoff: time.Minute, MaxBackoff: 10 * time.Minute, MaxAttempts: 100}, "a", "b")
	a, b := n["a"], n["b"]
	link(t, a, b, true, false)
	b.gate.down.Store(true)

	for _, id := range []string{"f-1", "f-2", "f-3"} {
		issue(t, a, id, deposit)
	}
	for round := 1; round <= 4; round++ {
		rep := pushOnce(t, a)
		if rep.Due != 3 || rep.Failed != 3 || rep.Delivered != 0 {
			t.Fatalf("round %d while B is down: %+v", round, rep)
		}
		if rep := pushOnce(t, a); rep.Due != 0 {
			t.Fatalf("round %d: %d entries due again before their back-off", round, rep.Due)
		}
		a.clock.advance(10 * time.Minute)
	}
	pending := outbox(t, a, federate.Pending)
	if len(pending) != 3 || pending[0].Attempts != 4 || !strings.Contains(pending[0].LastError, "503") {
		t.Fatalf("pending while down = %+v", pending)
	}
	if gap := pending[0].NextAt.Sub(pending[0].LastAttempt); gap < 4*time.Minute || gap > 8*time.Minute {
		t.Errorf("back-off after 4 attempts = %v, want 8m with jitter 0.5 → 6m", gap)
	}

	b.gate.down.Store(false)
	if rep := pushOnce(t, a); rep.Delivered != 3 {
		t.Fatalf("push once B is back = %+v", rep)
	}
	if rep := inboxOnce(t, b); rep.Accepted != 3 {
		t.Fatalf("B inbox = %+v", rep)
	}
	// A crash after the push, before the marking: the entries are due again
	// and sent again; B's collection holds each version once and its
	// acceptor each record once.
	issue(t, a, "f-4", hot)
	issue(t, a, "f-5", hot)
	a.crash.dropMarks.Store(1)
	if rep, err := a.run.PushOnce(t.Context()); err == nil || rep.Delivered != 0 {
		t.Fatalf("push killed before marking = %+v, %v", rep, err)
	}
	if rep := pushOnce(t, a); rep.Delivered != 2 {
		t.Fatalf("re-send = %+v", rep)
	}
	if rep := inboxOnce(t, b); rep.Accepted != 2 || rep.Duplicates != 0 {
		t.Fatalf("B inbox after the re-send = %+v", rep)
	}
	if got := b.acc.count(); got != 5 {
		t.Errorf("B holds %d records, want 5", got)
	}
	if got := versions(t, b); got != 6 {
		t.Errorf("B's collection has %d versions, want 6 (5 flags and the extension definition)", got)
	}
	if got := len(outbox(t, a, federate.Delivered)); got != 5 {
		t.Errorf("A's delivered entries = %d", got)
	}
}

// TestDeadLetters: an unreachable peer's entries go dead after the maximum
// attempts, are listed with the last error, and are delivered once
// re-queued.
func TestDeadLetters(t *testing.T) {
	for name, open := range backends(t) {
		t.Run(name, func(t *testing.T) { testDeadLetters(t, open) })
	}
}

func testDeadLetters(t *testing.T, open opener) {
	n := networkOn(t, open, federate.Config{Backoff: time.Second, MaxBackoff: time.Second, MaxAttempts: 3}, "a", "b")
	a, b := n["a"], n["b"]
	link(t, a, b, true, false)
	b.gate.down.Store(true)
	issue(t, a, "f-1", deposit)
	dead := 0
	for range 3 {
		dead += pushOnce(t, a).Dead
		a.clock.advance(time.Minute)
	}
	ds := outbox(t, a, federate.Dead)
	if dead != 1 || len(ds) != 1 || ds[0].Attempts != 3 || !strings.Contains(ds[0].LastError, "HTTP 503") {
		t.Fatalf("dead letters = %+v (%d reported)", ds, dead)
	}
	if rep := pushOnce(t, a); rep.Due != 0 {
		t.Fatalf("a dead entry is still due: %+v", rep)
	}
	b.gate.down.Store(false)
	if n, err := a.store.OutboxRequeue(t.Context(), "b", "", a.clock.Now()); err != nil || n != 1 {
		t.Fatalf("re-queue = %d, %v", n, err)
	}
	if rep := pushOnce(t, a); rep.Delivered != 1 {
		t.Fatalf("push after re-queue = %+v", rep)
	}
	inboxOnce(t, b)
	if !b.acc.has("f-1") {
		t.Error("B does not hold f-1")
	}
}

// TestRejectedOverTAXII: forged, tampered, unsigned, mismatching, replayed
// and expired indicators posted to B's collection are refused with the reason
// recorded, none is stored, and they do not stop the good one after them.
func TestRejectedOverTAXII(t *testing.T) {
	for name, open := range backends(t) {
		t.Run(name, func(t *testing.T) { testRejectedOverTAXII(t, open) })
	}
}

func testRejectedOverTAXII(t *testing.T, open opener) {
	n := networkOn(t, open, federate.Config{}, "a", "b", "c")
	a, b, c := n["a"], n["b"], n["c"]
	link(t, a, b, true, true)
	link(t, c, b, false, true)

	mallory, err := notify.NewIdentity("a") // claims to be A, with its own key
	if err != nil {
		t.Fatal(err)
	}
	good := dmmFlag("f-good", deposit)
	good.IssuedAt, good.ExpiresAt = time.Now().Add(-time.Hour), time.Now().Add(time.Hour)
	genv, grec := sign(t, a.id, good)

	// Each bad object is its own version (id and modified): TAXII keeps the
	// first of equal versions, so one posing as the good one's version
	// would shadow it in the collection (see docs/federation.md).
	forged := good
	forged.IssuedAt = good.IssuedAt.Add(2 * time.Second)
	forgedEnv, forgedRec := sign(t, mallory, forged)
	other := dmmFlag("f-sig", deposit)
	other.IssuedAt = good.IssuedAt
	badSig, badSigRec := sign(t, a.id, other)
	badSig.Signature[0] ^= 1
	moved := dmmFlag("f-mm", deposit)
	moved.IssuedAt = good.IssuedAt
	movedEnv, movedRec := sign(t, a.id, moved)
	expired := dmmFlag("f-old", deposit)
	expired.IssuedAt, expired.ExpiresAt = time.Now().Add(-48*time.Hour), time.Now().Add(-24*time.Hour)
	expEnv, expRec := sign(t, a.id, expired)
	replay := good
	replay.IssuedAt = good.IssuedAt.Add(time.Second) // same id, other content
	replay.Reason = "edited"
	repEnv, repRec := sign(t, a.id, replay)
	byExchange := dmmFlag("f-c", deposit)
	byExchange.IssuedAt = time.Now().Add(-time.Minute)
	cEnv, cRec := sign(t, c.id, byExchange)

	mismatch := tamper(t, encode(t, movedEnv, movedRec, nil), func(m map[string]any) {
		m["pattern"] = "[cryptocurrency-wallet:address = 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq']"
	})
	objs := []json.RawMessage{
		encode(t, forgedEnv, forgedRec, nil),
		mismatch,
		encode(t, expEnv, expRec, nil),
		encode(t, cEnv, cRec, nil),
		encode(t, genv, grec, nil),
		encode(t, repEnv, repRec, nil),
	}
	unsigned := dmmFlag("f-unsigned", deposit)
	unsigned.IssuedAt = good.IssuedAt
	uEnv, uRec := sign(t, a.id, unsigned)
	stripped := tamper(t, encode(t, uEnv, uRec, nil), func(m map[string]any) {
		ext := m["extensions"].(map[string]any)[federate.ExtensionID].(map[string]any)
		ext["signature"], ext["key_id"] = "", ""
	})
	objs = append([]json.RawMessage{encode(t, badSig, badSigRec, nil), stripped}, objs...)
	client := &taxii.Client{Key: b.issued["a"], Retries: -1}
	cfg := b.run.Config()
	st, err := client.Push(t.Context(), b.srv.URL+taxii.Prefix+cfg.Root+"/collections/"+cfg.Collection+"/", objs, 0, 0)
	if err != nil || st.Successes != len(objs) {
		t.Fatalf("push to B = %+v, %v", st, err)
	}
	rep := inboxOnce(t, b)
	if rep.Accepted != 1 || rep.Rejected != len(objs)-1 {
		t.Fatalf("B inbox = %+v, want 1 accepted and %d rejected", rep, len(objs)-1)
	}
	if got := b.acc.count(); got != 1 || !b.acc.has("f-good") {
		t.Fatalf("B holds %d records", got)
	}
	reasons := map[string]error{}
	for _, r := range rejections(t, b) {
		if r.Source != "a" || r.Via != "push" || r.ObjectID == "" || r.Reason == "" {
			t.Errorf("rejection lacks its origin: %+v", r)
		}
		reasons[r.Reason] = nil
	}
	for _, want := range []struct {
		err  error
		says string
	}{
		{notify.ErrBadSignature, "signature does not verify"}, // tampered signature
		{notify.ErrBadSignature, "unsigned"},                  // signature and key id stripped
		{notify.ErrUnknownIssuer, "no member holds key"},      // forged: Mallory's key
		{federate.ErrMismatch, "pattern"},                     // the indicator names another address
		{notify.ErrExpired, "expired"},                        // expired
		{notify.ErrNotAuthorised, "authority"},                // an exchange may not issue
		{notify.ErrConflict, "other content"},                 // replayed id, other content
	} {
		found := false
		for r := range reasons {
			if strings.Contains(r, want.err.Error()) && strings.Contains(r, want.says) {
				found = true
			}
		}
		if !found {
			t.Errorf("no rejection says %q (%v); rejections: %v", want.says, want.err, keys(reasons))
		}
	}

	// C pulls B's collection: the bad versions B holds are refused by C
	// too, for the same reasons, and the good one is accepted.
	crep := pullOnce(t, c)
	if crep.Accepted != 1 || !c.acc.has("f-good") || c.acc.count() != 1 {
		t.Errorf("C pull = %+v, C holds %d", crep, c.acc.count())
	}
	if len(rejections(t, c)) == 0 {
		t.Error("C recorded no rejections")
	}
}

func keys(m map[string]error) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestRunner runs the loops of three instances for real, with short
// intervals: a flag issued at A reaches B by push and C by pull, and its
// revocation follows.
func TestRunner(t *testing.T) {
	cfg := federate.Config{PushEvery: 20 * time.Millisecond, PullEvery: 20 * time.Millisecond, InboxEvery: 20 * time.Millisecond}
	n := network(t, cfg, "a", "b", "c")
	a, b, c := n["a"], n["b"], n["c"]
	for _, in := range n {
		in.clock.now = time.Now().UTC().Add(-time.Hour) // due at once
	}
	link(t, a, b, true, false)
	link(t, c, b, false, true)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 3)
	for _, in := range n {
		go func() { done <- in.run.Run(ctx) }()
	}
	defer func() {
		cancel()
		for range 3 {
			if err := <-done; err != nil {
				t.Error(err)
			}
		}
	}()
	issue(t, a, "f-1", deposit)
	waitFor(t, "f-1 at B and C", func() bool { return b.acc.has("f-1") && c.acc.has("f-1") })
	revoke(t, a, "r-1", "f-1")
	waitFor(t, "r-1 at B and C", func() bool { return b.acc.has("r-1") && c.acc.has("r-1") })
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestPublishOnce: records issued by another process (listed by Locals)
// are published from where the last step stopped, each queued once.
func TestPublishOnce(t *testing.T) {
	n := network(t, federate.Config{}, "a", "b")
	a, b := n["a"], n["b"]
	link(t, a, b, true, false)
	loc := &locals{}
	run, err := federate.New(federate.Config{Member: "a"}, federate.Deps{Store: a.store, TAXII: a.store, Acceptor: a.acc, Peers: a.peers, Locals: loc})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now().UTC()
	for i, id := range []string{"f-1", "f-2"} {
		r := dmmFlag(id, deposit)
		r.IssuedAt = time.Now().Add(-time.Minute)
		env, rec := sign(t, a.id, r)
		loc.add(env, rec, at.Add(time.Duration(i)*time.Millisecond))
	}
	if q, err := run.PublishOnce(t.Context()); err != nil || q != 2 {
		t.Fatalf("first publish queued %d, %v", q, err)
	}
	env, rec := sign(t, a.id, notify.Record{Kind: notify.KindRevocation, ID: "r-1", Ref: "f-1", IssuedAt: time.Now().Add(-time.Second)})
	loc.add(env, rec, at.Add(time.Second))
	if q, err := run.PublishOnce(t.Context()); err != nil || q != 1 {
		t.Fatalf("second publish queued %d, %v (only the revocation is new)", q, err)
	}
	if q, err := run.PublishOnce(t.Context()); err != nil || q != 0 {
		t.Fatalf("third publish queued %d, %v", q, err)
	}
	if rep, err := run.PushOnce(t.Context()); err != nil || rep.Delivered != 3 {
		t.Fatalf("push = %+v, %v", rep, err)
	}
	if rep := inboxOnce(t, b); rep.Accepted != 3 || !b.acc.revoked["f-1"] {
		t.Fatalf("B inbox = %+v", rep)
	}
}
