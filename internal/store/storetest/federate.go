package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/interdict/interdict/internal/action/notify/federate"
)

// RunFederate is the contract suite of federate.Store. open must return a
// fresh, empty store and arrange its closing with t.Cleanup.
func RunFederate(t *testing.T, open func(t *testing.T) federate.Store) {
	for _, c := range federateCases() {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.run(t, open(t))
		})
	}
}

type federateCase struct {
	name string
	run  func(t *testing.T, s federate.Store)
}

// fedAt is base moved by s seconds (a zone other than UTC, nanoseconds the
// stores drop).
func fedAt(s int) time.Time { return base.Add(time.Duration(s) * time.Second) }

func delivery(peer, rec string, due int) federate.Delivery {
	return federate.Delivery{Peer: peer, RecordID: rec, IndicatorID: "indicator--" + rec, Object: []byte(`{"id":"` + rec + `"}`),
		Created: fedAt(0), NextAt: fedAt(due)}
}

func addDeliveries(t *testing.T, s federate.Store, ds ...federate.Delivery) int {
	t.Helper()
	n, err := s.OutboxAdd(ctx(t), ds)
	must(t, "OutboxAdd", err)
	return n
}

func due(t *testing.T, s federate.Store, at, limit int) []string {
	t.Helper()
	ds, err := s.OutboxDue(ctx(t), fedAt(at), limit)
	must(t, "OutboxDue", err)
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.Peer + "/" + d.RecordID
	}
	return out
}

func outbox(t *testing.T, s federate.Store, q federate.OutboxQuery) map[string]federate.Delivery {
	t.Helper()
	ds, err := s.OutboxList(ctx(t), q)
	must(t, "OutboxList", err)
	out := map[string]federate.Delivery{}
	for _, d := range ds {
		out[d.Peer+"/"+d.RecordID] = d
	}
	return out
}

func federateCases() []federateCase {
	return []federateCase{
		{"a delivery is queued once per peer and record", func(t *testing.T, s federate.Store) {
			if n := addDeliveries(t, s, delivery("b", "f1", 0), delivery("c", "f1", 0)); n != 2 {
				t.Fatalf("first add queued %d, want 2", n)
			}
			again := delivery("b", "f1", 50)
			again.Object = []byte(`{"other":1}`)
			if n := addDeliveries(t, s, again, delivery("b", "f2", 0)); n != 1 {
				t.Fatalf("second add queued %d, want 1 (b/f1 is held)", n)
			}
			ds, err := s.OutboxDue(ctx(t), fedAt(0), 0)
			must(t, "OutboxDue", err)
			if len(ds) != 3 {
				t.Fatalf("due = %d entries, want 3", len(ds))
			}
			for _, d := range ds {
				if string(d.Object) != `{"id":"`+d.RecordID+`"}` || d.State != federate.Pending || d.Attempts != 0 || d.IndicatorID != "indicator--"+d.RecordID {
					t.Errorf("due entry %+v (object %s) is not as queued", d, d.Object)
				}
				checkTime(t, "Created", d.Created, fedAt(0))
				checkTime(t, "Queued", d.Queued, fedAt(0))
				checkTime(t, "NextAt", d.NextAt, fedAt(0))
				if !d.LastAttempt.IsZero() || !d.DeliveredAt.IsZero() {
					t.Errorf("a new entry has attempt or delivery times: %+v", d)
				}
			}
		}},
		{"due entries come oldest due first, up to the limit, pending only", func(t *testing.T, s federate.Store) {
			addDeliveries(t, s, delivery("b", "late", 30), delivery("b", "early", 10), delivery("c", "early", 10), delivery("b", "later", 60))
			if got, want := fmt.Sprint(due(t, s, 30, 0)), "[b/early c/early b/late]"; got != want {
				t.Errorf("due at 30 = %s, want %s", got, want)
			}
			if got, want := fmt.Sprint(due(t, s, 100, 2)), "[b/early c/early]"; got != want {
				t.Errorf("due with limit 2 = %s, want %s", got, want)
			}
			must(t, "OutboxDelivered", s.OutboxDelivered(ctx(t), "b", "early", fedAt(31)))
			if got, want := fmt.Sprint(due(t, s, 100, 0)), "[c/early b/late b/later]"; got != want {
				t.Errorf("due after one delivery = %s, want %s", got, want)
			}
			d := outbox(t, s, federate.OutboxQuery{State: federate.Delivered})["b/early"]
			if d.State != federate.Delivered || d.Attempts != 1 || d.LastError != "" {
				t.Errorf("delivered entry = %+v", d)
			}
			checkTime(t, "DeliveredAt", d.DeliveredAt, fedAt(31))
			checkTime(t, "LastAttempt", d.LastAttempt, fedAt(31))
		}},
		{"a failure counts an attempt, keeps the error and moves the entry back; dead entries are not due", func(t *testing.T, s federate.Store) {
			addDeliveries(t, s, delivery("b", "f1", 0), delivery("b", "f2", 0))
			must(t, "OutboxFailed", s.OutboxFailed(ctx(t), federate.Failure{Peer: "b", RecordID: "f1", At: fedAt(1), Error: "HTTP 503", NextAt: fedAt(20)}))
			must(t, "OutboxFailed", s.OutboxFailed(ctx(t), federate.Failure{Peer: "b", RecordID: "f2", At: fedAt(1), Error: "refused", NextAt: fedAt(20), Dead: true}))
			if got := due(t, s, 19, 0); len(got) != 0 {
				t.Errorf("due before the back-off = %v", got)
			}
			if got, want := fmt.Sprint(due(t, s, 20, 0)), "[b/f1]"; got != want {
				t.Errorf("due after the back-off = %s, want %s", got, want)
			}
			all := outbox(t, s, federate.OutboxQuery{Peer: "b"})
			if d := all["b/f1"]; d.State != federate.Pending || d.Attempts != 1 || d.LastError != "HTTP 503" {
				t.Errorf("failed entry = %+v", d)
			} else {
				checkTime(t, "LastAttempt", d.LastAttempt, fedAt(1))
				checkTime(t, "NextAt", d.NextAt, fedAt(20))
			}
			dead := outbox(t, s, federate.OutboxQuery{State: federate.Dead})
			if d, ok := dead["b/f2"]; len(dead) != 1 || !ok || d.LastError != "refused" || d.Attempts != 1 {
				t.Errorf("dead entries = %+v", dead)
			}
			if len(outbox(t, s, federate.OutboxQuery{Peer: "c"})) != 0 {
				t.Error("peer c has entries")
			}
		}},
		{"re-queueing makes dead entries pending again with attempts reset", func(t *testing.T, s federate.Store) {
			addDeliveries(t, s, delivery("b", "f1", 0), delivery("b", "f2", 0), delivery("c", "f1", 0), delivery("c", "f3", 0))
			for _, k := range [][2]string{{"b", "f1"}, {"b", "f2"}, {"c", "f1"}} {
				must(t, "OutboxFailed", s.OutboxFailed(ctx(t), federate.Failure{Peer: k[0], RecordID: k[1], At: fedAt(1), Error: "down", NextAt: fedAt(2), Dead: true}))
			}
			n, err := s.OutboxRequeue(ctx(t), "b", "f2", fedAt(100))
			must(t, "OutboxRequeue", err)
			if n != 1 {
				t.Errorf("re-queue of one entry = %d", n)
			}
			d := outbox(t, s, federate.OutboxQuery{})["b/f2"]
			if d.State != federate.Pending || d.Attempts != 0 || d.LastError != "down" {
				t.Errorf("re-queued entry = %+v (the last error stays for the record)", d)
			}
			checkTime(t, "Queued", d.Queued, fedAt(100))
			checkTime(t, "NextAt", d.NextAt, fedAt(100))
			checkTime(t, "Created", d.Created, fedAt(0))
			if n, err := s.OutboxRequeue(ctx(t), "", "", fedAt(200)); err != nil || n != 2 {
				t.Errorf("re-queue of every dead entry = %d, %v; want 2", n, err)
			}
			if n, err := s.OutboxRequeue(ctx(t), "c", "", fedAt(300)); err != nil || n != 0 {
				t.Errorf("re-queue with none dead = %d, %v; want 0", n, err)
			}
			if got, want := fmt.Sprint(due(t, s, 200, 0)), "[c/f3 b/f2 b/f1 c/f1]"; got != want {
				t.Errorf("due = %s, want %s", got, want)
			}
		}},
		{"marking an entry that is not queued is ErrNotFound; a late failure leaves a delivery alone", func(t *testing.T, s federate.Store) {
			if err := s.OutboxDelivered(ctx(t), "b", "nope", fedAt(1)); !errors.Is(err, federate.ErrNotFound) {
				t.Errorf("OutboxDelivered of a missing entry = %v", err)
			}
			if err := s.OutboxFailed(ctx(t), federate.Failure{Peer: "b", RecordID: "nope", At: fedAt(1), NextAt: fedAt(2)}); !errors.Is(err, federate.ErrNotFound) {
				t.Errorf("OutboxFailed of a missing entry = %v", err)
			}
			addDeliveries(t, s, delivery("b", "f1", 0))
			must(t, "OutboxDelivered", s.OutboxDelivered(ctx(t), "b", "f1", fedAt(1)))
			must(t, "OutboxFailed", s.OutboxFailed(ctx(t), federate.Failure{Peer: "b", RecordID: "f1", At: fedAt(2), Error: "late", NextAt: fedAt(3)}))
			if d := outbox(t, s, federate.OutboxQuery{})["b/f1"]; d.State != federate.Delivered || d.LastError != "" {
				t.Errorf("after a late failure = %+v", d)
			}
		}},
		{"writers queueing the same entries at once store each once", func(t *testing.T, s federate.Store) {
			const writers, entries = 6, 20
			var wg sync.WaitGroup
			counts := make([]int, writers)
			errs := make([]error, writers)
			for w := range writers {
				wg.Go(func() {
					var ds []federate.Delivery
					for i := range entries {
						ds = append(ds, delivery("b", fmt.Sprintf("f%02d", (i+w)%entries), 0))
					}
					counts[w], errs[w] = s.OutboxAdd(ctx(t), ds)
				})
			}
			wg.Wait()
			total := 0
			for w := range writers {
				must(t, "OutboxAdd", errs[w])
				total += counts[w]
			}
			if total != entries || len(outbox(t, s, federate.OutboxQuery{Limit: 1000})) != entries {
				t.Errorf("queued %d in all, %d listed; want %d", total, len(outbox(t, s, federate.OutboxQuery{Limit: 1000})), entries)
			}
		}},
		{"cursors start empty and keep the last value", func(t *testing.T, s federate.Store) {
			v, err := s.FederationCursor(ctx(t), "pull b")
			must(t, "FederationCursor", err)
			if v != "" {
				t.Errorf("unset cursor = %q", v)
			}
			must(t, "PutFederationCursor", s.PutFederationCursor(ctx(t), "pull b", "2025-01-01T00:00:00Z"))
			must(t, "PutFederationCursor", s.PutFederationCursor(ctx(t), "pull b", "2025-01-02T00:00:00.123456Z"))
			must(t, "PutFederationCursor", s.PutFederationCursor(ctx(t), "inbox c", "x 1"))
			if v, _ := s.FederationCursor(ctx(t), "pull b"); v != "2025-01-02T00:00:00.123456Z" {
				t.Errorf("cursor = %q", v)
			}
		}},
		{"rejections are listed newest first, with their reasons", func(t *testing.T, s federate.Store) {
			for i := range 3 {
				must(t, "AddFederationRejection", s.AddFederationRejection(ctx(t), federate.Rejection{At: fedAt(i), Source: "b", Via: "pull",
					ObjectID: fmt.Sprintf("indicator--%d", i), Version: "2025-01-01T00:00:00.000Z", RecordID: fmt.Sprintf("f%d", i), Reason: fmt.Sprintf("bad %d", i)}))
			}
			must(t, "AddFederationRejection", s.AddFederationRejection(ctx(t), federate.Rejection{Source: "c", Via: "push", ObjectID: "x", Reason: "no time given"}))
			rs, err := s.FederationRejections(ctx(t), 3)
			must(t, "FederationRejections", err)
			if len(rs) != 3 || rs[0].Reason != "no time given" || rs[0].At.IsZero() || rs[1].Reason != "bad 2" || rs[2].RecordID != "f1" {
				t.Fatalf("rejections = %+v", rs)
			}
			checkTime(t, "At", rs[1].At, fedAt(2))
			if rs[1].Source != "b" || rs[1].Via != "pull" || rs[1].ObjectID != "indicator--2" || rs[1].Version != "2025-01-01T00:00:00.000Z" {
				t.Errorf("rejection = %+v", rs[1])
			}
			if all, _ := s.FederationRejections(ctx(t), 0); len(all) != 4 {
				t.Errorf("all rejections = %d, want 4", len(all))
			}
		}},
	}
}
