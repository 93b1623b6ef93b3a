package storetest

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/interdict/interdict/internal/action/deliver"
)

// RunDeliver is the contract suite of deliver.Store. open must return a
// fresh, empty store and arrange its closing with t.Cleanup.
func RunDeliver(t *testing.T, open func(t *testing.T) deliver.Store) {
	for _, c := range deliverCases() {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.run(t, open(t))
		})
	}
}

type deliverCase struct {
	name string
	run  func(t *testing.T, s deliver.Store)
}

func sampleEndpoint(id string) deliver.Endpoint {
	return deliver.Endpoint{ID: id, URL: "https://hooks.example.com/" + id + "?token=t", Secret: "whsec_secret-of-" + id, CreatedAt: base}
}

func sampleEvents(from, to int64) []deliver.Event {
	var out []deliver.Event
	for i := from; i <= to; i++ {
		out = append(out, deliver.Event{ID: i, Payload: json.RawMessage(fmt.Sprintf(`{"alert":%d}`, i))})
	}
	return out
}

// queued adds endpoint id and queues events from..to for it at base.
func queued(t *testing.T, s deliver.Store, id string, from, to int64) {
	t.Helper()
	must(t, "AddEndpoint", s.AddEndpoint(ctx(t), sampleEndpoint(id)))
	_, err := s.Enqueue(ctx(t), id, sampleEvents(from, to), to, base, base.Add(time.Hour))
	must(t, "Enqueue", err)
}

func deliverCases() []deliverCase {
	return []deliverCase{
		{"an endpoint comes back with its secret and cursor, and a second with the same id is refused", func(t *testing.T, s deliver.Store) {
			e := sampleEndpoint("b")
			e.Member, e.Cursor = "exchange-b", 7
			must(t, "AddEndpoint", s.AddEndpoint(ctx(t), e))
			must(t, "AddEndpoint", s.AddEndpoint(ctx(t), sampleEndpoint("a")))
			wantErr(t, "AddEndpoint again", s.AddEndpoint(ctx(t), sampleEndpoint("a")), deliver.ErrExists)
			eps, err := s.Endpoints(ctx(t))
			must(t, "Endpoints", err)
			if len(eps) != 2 || eps[0].ID != "a" || eps[1].ID != "b" {
				t.Fatalf("Endpoints = %+v, want a then b", eps)
			}
			got := eps[1]
			if got.URL != e.URL || got.Secret != e.Secret || got.Member != "exchange-b" || got.Cursor != 7 {
				t.Errorf("endpoint = %+v, want %+v", got, e)
			}
			checkTime(t, "CreatedAt", got.CreatedAt, base)
		}},
		{"enqueue queues each event once and only moves the cursor forward", func(t *testing.T, s deliver.Store) {
			queued(t, s, "a", 1, 3)
			n, err := s.Enqueue(ctx(t), "a", sampleEvents(2, 5), 5, base, base.Add(time.Hour))
			must(t, "Enqueue", err)
			if n != 2 {
				t.Errorf("Enqueue of 2..5 after 1..3 queued %d, want 2", n)
			}
			_, err = s.Enqueue(ctx(t), "a", nil, 4, base, base.Add(time.Hour))
			must(t, "Enqueue backwards", err)
			eps, err := s.Endpoints(ctx(t))
			must(t, "Endpoints", err)
			if eps[0].Cursor != 5 {
				t.Errorf("cursor = %d, want 5", eps[0].Cursor)
			}
			ds, err := s.Deliveries(ctx(t), deliver.DeliveryFilter{})
			must(t, "Deliveries", err)
			if len(ds) != 5 || ds[0].EventID != 5 || ds[4].EventID != 1 {
				t.Fatalf("Deliveries = %d, want events 5..1", len(ds))
			}
			d := ds[4]
			if d.State != deliver.StatePending || d.Attempts != 0 || string(d.Payload) != `{"alert":1}` || d.Endpoint != "a" {
				t.Errorf("delivery = %+v", d)
			}
			checkTime(t, "NextAttempt", d.NextAttempt, base)
			checkTime(t, "ExpiresAt", d.ExpiresAt, base.Add(time.Hour))
			checkTime(t, "CreatedAt", d.CreatedAt, base)
			_, err = s.Enqueue(ctx(t), "nobody", sampleEvents(1, 1), 1, base, base)
			wantErr(t, "Enqueue for an unknown endpoint", err, deliver.ErrNotFound)
		}},
		{"claimed deliveries are not due again until the lease lapses", func(t *testing.T, s deliver.Store) {
			queued(t, s, "a", 1, 3)
			got, err := s.ClaimDue(ctx(t), base.Add(time.Second), time.Minute, 2)
			must(t, "ClaimDue", err)
			if len(got) != 2 || got[0].EventID != 1 || got[1].EventID != 2 {
				t.Fatalf("ClaimDue = %+v, want events 1 and 2", got)
			}
			checkTime(t, "claimed NextAttempt", got[0].NextAttempt, base.Add(time.Second+time.Minute))
			again, err := s.ClaimDue(ctx(t), base.Add(2*time.Second), time.Minute, 10)
			must(t, "ClaimDue again", err)
			if len(again) != 1 || again[0].EventID != 3 {
				t.Fatalf("second ClaimDue = %+v, want event 3 only", again)
			}
			later, err := s.ClaimDue(ctx(t), base.Add(2*time.Minute), time.Minute, 10)
			must(t, "ClaimDue after the lease", err)
			if len(later) != 3 {
				t.Errorf("after the lease %d due, want 3", len(later))
			}
		}},
		{"attempts are recorded in order and their outcome applied", func(t *testing.T, s deliver.Store) {
			queued(t, s, "a", 1, 1)
			ds, err := s.ClaimDue(ctx(t), base, time.Minute, 1)
			must(t, "ClaimDue", err)
			id := ds[0].ID
			next := base.Add(10 * time.Second)
			must(t, "RecordAttempt 1", s.RecordAttempt(ctx(t), deliver.Attempt{Delivery: id, N: 1, At: base, Status: 500,
				Error: "receiver answered 500", Duration: 1500 * time.Microsecond}, deliver.Outcome{State: deliver.StatePending, Next: next}))
			d, err := s.Delivery(ctx(t), id)
			must(t, "Delivery", err)
			if d.State != deliver.StatePending || d.Attempts != 1 || d.LastStatus != 500 || d.LastError != "receiver answered 500" {
				t.Errorf("after a failure: %+v", d)
			}
			checkTime(t, "NextAttempt", d.NextAttempt, next)
			must(t, "RecordAttempt 2", s.RecordAttempt(ctx(t), deliver.Attempt{Delivery: id, N: 2, At: next, Status: 204},
				deliver.Outcome{State: deliver.StateDelivered}))
			wantErr(t, "RecordAttempt 2 again", s.RecordAttempt(ctx(t), deliver.Attempt{Delivery: id, N: 2, At: next, Status: 204},
				deliver.Outcome{State: deliver.StateDelivered}), deliver.ErrExists)
			as, err := s.Attempts(ctx(t), id)
			must(t, "Attempts", err)
			if len(as) != 2 || as[0].N != 1 || as[0].Status != 500 || as[0].Duration != 1500*time.Microsecond || as[1].Status != 204 {
				t.Fatalf("Attempts = %+v", as)
			}
			checkTime(t, "attempt At", as[1].At, next)
			d, err = s.Delivery(ctx(t), id)
			must(t, "Delivery", err)
			if d.State != deliver.StateDelivered || d.Attempts != 2 || d.LastError != "" {
				t.Errorf("after success: %+v", d)
			}
			wantErr(t, "RecordAttempt for no delivery", s.RecordAttempt(ctx(t), deliver.Attempt{Delivery: id + 99, N: 1, At: base},
				deliver.Outcome{State: deliver.StateDead}), deliver.ErrNotFound)
		}},
		{"a dead delivery is listed as dead and can be queued again, once", func(t *testing.T, s deliver.Store) {
			queued(t, s, "a", 1, 2)
			ds, err := s.ClaimDue(ctx(t), base, time.Minute, 1)
			must(t, "ClaimDue", err)
			id := ds[0].ID
			must(t, "RecordAttempt", s.RecordAttempt(ctx(t), deliver.Attempt{Delivery: id, N: 1, At: base, Error: "refused"},
				deliver.Outcome{State: deliver.StateDead}))
			dead, err := s.Deliveries(ctx(t), deliver.DeliveryFilter{State: deliver.StateDead})
			must(t, "Deliveries dead", err)
			if len(dead) != 1 || dead[0].ID != id {
				t.Fatalf("dead = %+v, want delivery %d", dead, id)
			}
			if due, _ := s.ClaimDue(ctx(t), base.Add(time.Hour), time.Minute, 10); len(due) != 1 || due[0].ID == id {
				t.Errorf("a dead delivery was claimed: %+v", due)
			}
			must(t, "Requeue", s.Requeue(ctx(t), id, base.Add(time.Hour), base.Add(2*time.Hour)))
			wantErr(t, "Requeue again", s.Requeue(ctx(t), id, base, base), deliver.ErrNotDead)
			wantErr(t, "Requeue unknown", s.Requeue(ctx(t), id+99, base, base), deliver.ErrNotFound)
			d, err := s.Delivery(ctx(t), id)
			must(t, "Delivery", err)
			if d.State != deliver.StatePending {
				t.Errorf("requeued state = %s", d.State)
			}
			checkTime(t, "requeued ExpiresAt", d.ExpiresAt, base.Add(2*time.Hour))
			_, err = s.Delivery(ctx(t), id+99)
			wantErr(t, "Delivery unknown", err, deliver.ErrNotFound)
		}},
		{"the filter selects by endpoint and the limit applies", func(t *testing.T, s deliver.Store) {
			queued(t, s, "a", 1, 3)
			queued(t, s, "b", 1, 2)
			ds, err := s.Deliveries(ctx(t), deliver.DeliveryFilter{Endpoint: "b"})
			must(t, "Deliveries b", err)
			if len(ds) != 2 {
				t.Errorf("b has %d deliveries, want 2", len(ds))
			}
			ds, err = s.Deliveries(ctx(t), deliver.DeliveryFilter{Limit: 1})
			must(t, "Deliveries limit 1", err)
			if len(ds) != 1 || ds[0].Endpoint != "b" {
				t.Errorf("limit 1 = %+v, want b's newest", ds)
			}
		}},
		{"removing an endpoint removes its deliveries; removing it again is not found", func(t *testing.T, s deliver.Store) {
			queued(t, s, "a", 1, 3)
			must(t, "RemoveEndpoint", s.RemoveEndpoint(ctx(t), "a"))
			wantErr(t, "RemoveEndpoint again", s.RemoveEndpoint(ctx(t), "a"), deliver.ErrNotFound)
			ds, err := s.Deliveries(ctx(t), deliver.DeliveryFilter{})
			must(t, "Deliveries", err)
			if len(ds) != 0 {
				t.Errorf("%d deliveries left", len(ds))
			}
		}},
		{"workers claiming at once never get the same delivery", func(t *testing.T, s deliver.Store) {
			queued(t, s, "a", 1, 60)
			var (
				mu   sync.Mutex
				seen = map[int64]int{}
				wg   sync.WaitGroup
			)
			for range 4 {
				wg.Go(func() {
					for {
						ds, err := s.ClaimDue(ctx(t), base, time.Hour, 7)
						if err != nil {
							t.Errorf("ClaimDue: %v", err)
							return
						}
						if len(ds) == 0 {
							return
						}
						mu.Lock()
						for _, d := range ds {
							seen[d.ID]++
						}
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			if len(seen) != 60 {
				t.Errorf("%d deliveries claimed, want 60", len(seen))
			}
			for id, n := range seen {
				if n != 1 {
					t.Errorf("delivery %d claimed %d times", id, n)
				}
			}
		}},
	}
}

// RunOutbox is the contract suite of deliver.Outbox. open must return a
// fresh, empty store and arrange its closing with t.Cleanup.
func RunOutbox(t *testing.T, open func(t *testing.T) deliver.Outbox) {
	t.Run("alerts are numbered in publication order and a key is published once", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		pub := func(keys ...string) int {
			var evs []deliver.Published
			for _, k := range keys {
				evs = append(evs, deliver.Published{Key: k, Member: "m-" + k, Payload: json.RawMessage(`{"k":"` + k + `"}`)})
			}
			n, err := s.Publish(ctx(t), evs)
			must(t, "Publish", err)
			return n
		}
		if n := pub("a", "b", "c"); n != 3 {
			t.Errorf("Publish of 3 new = %d", n)
		}
		if n := pub("b", "d"); n != 1 {
			t.Errorf("Publish of b again and d = %d, want 1", n)
		}
		all, err := s.AlertsAfter(ctx(t), 0, 0)
		must(t, "AlertsAfter", err)
		if len(all) != 4 {
			t.Fatalf("%d events, want 4", len(all))
		}
		for i, want := range []string{"a", "b", "c", "d"} {
			e := all[i]
			if e.Member != "m-"+want || string(e.Payload) != `{"k":"`+want+`"}` || (i > 0 && e.ID <= all[i-1].ID) {
				t.Errorf("event %d = %+v, want %s in increasing order", i, e, want)
			}
		}
		page, err := s.AlertsAfter(ctx(t), all[1].ID, 1)
		must(t, "AlertsAfter page", err)
		if len(page) != 1 || page[0].ID != all[2].ID {
			t.Errorf("the page after b = %+v, want c", page)
		}
		_, err = s.Publish(ctx(t), []deliver.Published{{Member: "x"}})
		wantErr(t, "Publish without a key", err, deliver.ErrInvalid)
	})
	t.Run("a follower reading while publishers commit at once misses none", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		const writers, each = 4, 25
		var wg sync.WaitGroup
		for w := range writers {
			wg.Go(func() {
				for i := range each {
					if _, err := s.Publish(ctx(t), []deliver.Published{{Key: fmt.Sprintf("w%d-%d", w, i), Payload: json.RawMessage(`{}`)}}); err != nil {
						t.Errorf("Publish: %v", err)
						return
					}
				}
			})
		}
		seen := map[int64]bool{}
		var after int64
		deadline := time.Now().Add(20 * time.Second)
		for len(seen) < writers*each && time.Now().Before(deadline) {
			evs, err := s.AlertsAfter(ctx(t), after, 7)
			must(t, "AlertsAfter", err)
			for _, e := range evs {
				seen[e.ID] = true
				after = e.ID
			}
		}
		wg.Wait()
		if len(seen) != writers*each {
			all, _ := s.AlertsAfter(ctx(t), 0, 1000)
			t.Errorf("the follower saw %d of %d events (%d stored)", len(seen), writers*each, len(all))
		}
	})
}
