package deliver_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/interdict/interdict/internal/action/deliver"
)

const secret = "whsec_test-secret-0123456789"

// alerts is an in-process alert source: the watch store's AlertsAfter over
// a slice.
type alerts struct {
	mu  sync.Mutex
	evs []deliver.Event
}

func (a *alerts) add(member string, n int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for range n {
		id := int64(len(a.evs) + 1)
		a.evs = append(a.evs, deliver.Event{ID: id, Member: member, Payload: json.RawMessage(fmt.Sprintf(`{"alert_id":%d,"address":"bc1q%04d"}`, id, id))})
	}
}

func (a *alerts) AlertsAfter(_ context.Context, after int64, limit int) ([]deliver.Event, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []deliver.Event
	for _, e := range a.evs {
		if e.ID > after && len(out) < limit {
			out = append(out, e)
		}
	}
	return out, nil
}

// receiver is a webhook receiver that verifies signatures and deduplicates
// by Idempotency-Key, answering with the status answer picks.
type receiver struct {
	t      *testing.T
	mu     sync.Mutex
	calls  int
	seen   map[string]int // idempotency key → requests
	bodies map[string][]byte
	answer func(call int, r *http.Request) int
}

func newReceiver(t *testing.T, answer func(call int, r *http.Request) int) *receiver {
	return &receiver{t: t, seen: map[string]int{}, bodies: map[string][]byte{}, answer: answer}
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if err := deliver.VerifyRequest(secret, r.Header, body, 0, time.Now()); err != nil {
		rc.t.Errorf("receiver: %v", err)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if ts := r.Header.Get(deliver.HeaderTimestamp); !strings.Contains(r.Header.Get(deliver.HeaderSignature), "t="+ts+",") {
		rc.t.Errorf("timestamp header %s is not the signed one in %s", ts, r.Header.Get(deliver.HeaderSignature))
	}
	key := r.Header.Get(deliver.HeaderIdempotencyKey)
	rc.mu.Lock()
	rc.calls++
	call := rc.calls
	rc.mu.Unlock()
	status := rc.answer(call, r)
	if status >= 200 && status < 300 {
		rc.mu.Lock()
		rc.seen[key]++
		rc.bodies[key] = body
		rc.mu.Unlock()
	}
	w.WriteHeader(status)
}

func (rc *receiver) callCount() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.calls
}

func (rc *receiver) seenCount(key string) int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.seen[key]
}

func (rc *receiver) body(key string) []byte {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.bodies[key]
}

// unique returns how many distinct deliveries succeeded.
func (rc *receiver) unique() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.seen)
}

type fixture struct {
	store deliver.Store
	src   *alerts
}

// newBenchFixture is a fixture on SQLite.
func newBenchFixture(tb testing.TB) *fixture { return &fixture{store: openSQLite(tb), src: &alerts{}} }

func (f *fixture) endpoint(t *testing.T, id, url, member string) {
	t.Helper()
	e := deliver.Endpoint{ID: id, URL: url, Secret: secret, Member: member}
	if err := deliver.CheckEndpoint(e); err != nil {
		t.Fatal(err)
	}
	if err := f.store.AddEndpoint(t.Context(), e); err != nil {
		t.Fatal(err)
	}
}

// fastConfig retries within milliseconds.
func fastConfig() deliver.Config {
	c := deliver.DefaultConfig()
	c.BaseBackoff, c.MaxBackoff = 5*time.Millisecond, 40*time.Millisecond
	c.Timeout, c.Lease = time.Second, 2*time.Second
	c.Poll = 5 * time.Millisecond
	return c
}

// until runs rounds of d until ok holds, failing after a few seconds.
func until(t *testing.T, d *deliver.Dispatcher, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		if err := d.Round(t.Context()); err != nil {
			t.Logf("round: %v", err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (f *fixture) deliveries(t *testing.T, state deliver.State) []deliver.Delivery {
	t.Helper()
	ds, err := f.store.Deliveries(t.Context(), deliver.DeliveryFilter{State: state, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func (f *fixture) attempts(t *testing.T, id int64) []deliver.Attempt {
	t.Helper()
	as, err := f.store.Attempts(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return as
}

func TestWebhooks(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			webhookCases(t, func(t *testing.T) *fixture { return &fixture{store: b.open(t), src: &alerts{}} })
		})
	}
}

func webhookCases(t *testing.T, newFixture func(t *testing.T) *fixture) {
	t.Run("a receiver answering 500 then 200 gets the alert once, with both attempts recorded", func(t *testing.T) {
		f := newFixture(t)
		rc := newReceiver(t, func(call int, _ *http.Request) int {
			if call == 1 {
				return http.StatusInternalServerError
			}
			return http.StatusOK
		})
		srv := httptest.NewServer(rc)
		defer srv.Close()
		f.endpoint(t, "b", srv.URL+"/hook", "")
		f.src.add("", 1)
		d := deliver.NewDispatcher(fastConfig(), f.store, f.src, nil, nil)
		until(t, d, "delivered", func() bool { return len(f.deliveries(t, deliver.StateDelivered)) == 1 })
		dl := f.deliveries(t, "")[0]
		as := f.attempts(t, dl.ID)
		if len(as) != 2 || as[0].Status != 500 || as[1].Status != 200 || as[0].Error == "" || as[1].Error != "" {
			t.Fatalf("attempts = %+v, want 500 then 200", as)
		}
		if rc.unique() != 1 || rc.callCount() != 2 {
			t.Errorf("receiver: %d unique of %d calls, want 1 of 2", rc.unique(), rc.callCount())
		}
		var body struct {
			EventID int64           `json:"event_id"`
			Alert   json.RawMessage `json:"alert"`
		}
		if err := json.Unmarshal(rc.body("b:1"), &body); err != nil || body.EventID != 1 || !strings.Contains(string(body.Alert), `"alert_id":1`) {
			t.Errorf("body = %s (%v)", rc.body("b:1"), err)
		}
	})

	t.Run("a receiver down and then up gets every alert, none twice", func(t *testing.T) {
		f := newFixture(t)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close() // down: connections are refused
		f.endpoint(t, "b", "http://"+addr+"/hook", "")
		f.src.add("", 5)
		d := deliver.NewDispatcher(fastConfig(), f.store, f.src, nil, nil)
		until(t, d, "every delivery failed twice", func() bool {
			ds := f.deliveries(t, deliver.StatePending)
			for _, dl := range ds {
				if dl.Attempts < 2 {
					return false
				}
			}
			return len(ds) == 5
		})
		if as := f.attempts(t, f.deliveries(t, "")[0].ID); as[0].Status != 0 || !strings.Contains(as[0].Error, "refused") {
			t.Errorf("first attempt = %+v, want a refused connection", as[0])
		}
		if strings.Contains(f.attempts(t, f.deliveries(t, "")[0].ID)[0].Error, addr+"/hook") {
			t.Errorf("the stored error holds the endpoint URL")
		}
		rc := newReceiver(t, func(int, *http.Request) int { return http.StatusNoContent })
		ln, err = net.Listen("tcp", addr)
		if err != nil {
			t.Skipf("the port was taken meanwhile: %v", err)
		}
		srv := &http.Server{Handler: rc, ReadHeaderTimeout: time.Second}
		go srv.Serve(ln)
		defer srv.Close()
		f.src.add("", 2)
		until(t, d, "all delivered", func() bool { return len(f.deliveries(t, deliver.StateDelivered)) == 7 })
		if rc.unique() != 7 || rc.callCount() != 7 {
			t.Errorf("receiver: %d unique of %d calls, want 7 of 7", rc.unique(), rc.callCount())
		}
	})

	t.Run("a dispatcher stopped mid-request leaves the delivery to the next, which the receiver deduplicates", func(t *testing.T) {
		f := newFixture(t)
		release := make(chan struct{})
		rc := newReceiver(t, func(call int, r *http.Request) int {
			if call == 1 {
				<-release // hangs until the first dispatcher is gone
			}
			return http.StatusOK
		})
		srv := httptest.NewServer(rc)
		defer srv.Close()
		f.endpoint(t, "b", srv.URL, "")
		f.src.add("", 1)
		cfg := fastConfig()
		cfg.Lease = 200 * time.Millisecond
		ctx, cancel := context.WithCancel(t.Context())
		first := deliver.NewDispatcher(cfg, f.store, f.src, nil, nil)
		done := make(chan struct{})
		go func() { _ = first.Run(ctx); close(done) }()
		for rc.callCount() == 0 {
			time.Sleep(5 * time.Millisecond)
		}
		cancel() // the process dies mid-request
		<-done
		close(release)
		if as := f.attempts(t, f.deliveries(t, "")[0].ID); len(as) != 0 {
			t.Errorf("the cut-off attempt was recorded: %+v", as)
		}
		second := deliver.NewDispatcher(cfg, f.store, f.src, nil, nil)
		until(t, second, "delivered after the lease", func() bool { return len(f.deliveries(t, deliver.StateDelivered)) == 1 })
		if n := len(f.deliveries(t, "")); n != 1 || rc.unique() != 1 {
			t.Errorf("%d deliveries, %d unique at the receiver; want 1 and 1", n, rc.unique())
		}
	})

	t.Run("an alert above the size limit dies at once without a request", func(t *testing.T) {
		f := newFixture(t)
		rc := newReceiver(t, func(int, *http.Request) int { return http.StatusOK })
		srv := httptest.NewServer(rc)
		defer srv.Close()
		f.endpoint(t, "b", srv.URL, "")
		f.src.evs = append(f.src.evs, deliver.Event{ID: 1, Payload: json.RawMessage(`"` + strings.Repeat("x", 2000) + `"`)})
		cfg := fastConfig()
		cfg.MaxPayloadBytes = 1000
		d := deliver.NewDispatcher(cfg, f.store, f.src, nil, nil)
		until(t, d, "dead", func() bool { return len(f.deliveries(t, deliver.StateDead)) == 1 })
		as := f.attempts(t, f.deliveries(t, "")[0].ID)
		if len(as) != 1 || !strings.Contains(as[0].Error, "exceeds") || rc.callCount() != 0 {
			t.Errorf("attempts = %+v, receiver calls %d", as, rc.callCount())
		}
	})

	t.Run("a receiver slower than the timeout is retried, then dies at its max age and is revived by requeue", func(t *testing.T) {
		f := newFixture(t)
		var slow sync.Mutex
		slowOn := true
		rc := newReceiver(t, func(_ int, r *http.Request) int {
			slow.Lock()
			s := slowOn
			slow.Unlock()
			if s {
				select {
				case <-time.After(2 * time.Second):
				case <-r.Context().Done():
				}
			}
			return http.StatusOK
		})
		srv := httptest.NewServer(rc)
		defer srv.Close()
		f.endpoint(t, "b", srv.URL, "")
		f.src.add("", 1)
		cfg := fastConfig()
		cfg.Timeout, cfg.MaxAge = 50*time.Millisecond, 300*time.Millisecond
		d := deliver.NewDispatcher(cfg, f.store, f.src, nil, nil)
		until(t, d, "dead", func() bool { return len(f.deliveries(t, deliver.StateDead)) == 1 })
		dl := f.deliveries(t, "")[0]
		as := f.attempts(t, dl.ID)
		if len(as) < 2 || !strings.Contains(as[0].Error, "deadline") {
			t.Fatalf("attempts = %+v, want several timeouts", as)
		}
		slow.Lock()
		slowOn = false
		slow.Unlock()
		now := time.Now()
		if err := f.store.Requeue(t.Context(), dl.ID, now, now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		until(t, d, "delivered after requeue", func() bool { return len(f.deliveries(t, deliver.StateDelivered)) == 1 })
		if rc.unique() != 1 {
			t.Errorf("receiver has %d unique deliveries", rc.unique())
		}
	})

	t.Run("an endpoint of a member gets that member's alerts and the instance's own only", func(t *testing.T) {
		f := newFixture(t)
		rc := newReceiver(t, func(int, *http.Request) int { return http.StatusOK })
		srv := httptest.NewServer(rc)
		defer srv.Close()
		f.endpoint(t, "b", srv.URL, "exchange-b")
		f.endpoint(t, "all", srv.URL, "")
		f.src.add("exchange-a", 2)
		f.src.add("exchange-b", 3)
		f.src.add("", 1)
		d := deliver.NewDispatcher(fastConfig(), f.store, f.src, nil, nil)
		until(t, d, "delivered", func() bool { return len(f.deliveries(t, deliver.StateDelivered)) == 6+4 })
		for _, k := range []string{"b:3", "b:5", "b:6", "all:1"} {
			if n := rc.seenCount(k); n != 1 {
				t.Errorf("receiver saw %s %d times", k, n)
			}
		}
		if rc.seenCount("b:1") != 0 {
			t.Errorf("exchange-b's endpoint received exchange-a's alert")
		}
	})
}

func TestCheckEndpoint(t *testing.T) {
	for _, c := range []struct {
		name string
		e    deliver.Endpoint
		ok   bool
	}{
		{"an https URL and a long secret are accepted", deliver.Endpoint{ID: "a", URL: "https://x.example/h", Secret: secret}, true},
		{"a relative URL is refused", deliver.Endpoint{ID: "a", URL: "/h", Secret: secret}, false},
		{"an ftp URL is refused", deliver.Endpoint{ID: "a", URL: "ftp://x.example/h", Secret: secret}, false},
		{"user information in the URL is refused", deliver.Endpoint{ID: "a", URL: "https://u:p@x.example/h", Secret: secret}, false},
		{"a short secret is refused", deliver.Endpoint{ID: "a", URL: "https://x.example/h", Secret: "short"}, false},
		{"an empty id is refused", deliver.Endpoint{URL: "https://x.example/h", Secret: secret}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if err := deliver.CheckEndpoint(c.e); (err == nil) != c.ok {
				t.Errorf("CheckEndpoint = %v, want ok=%v", err, c.ok)
			}
		})
	}
}
