package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/interdict/interdict/internal/action/freeze"
	"github.com/interdict/interdict/internal/analysis/trace"
)

// RunTraces is the contract suite of freeze.TraceStore (saved traces). open
// must return a fresh, empty store and arrange its closing with t.Cleanup.
func RunTraces(t *testing.T, open func(t *testing.T) freeze.TraceStore) {
	for _, c := range tracesCases() {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.run(t, open(t))
		})
	}
}

type tracesCase struct {
	name string
	run  func(t *testing.T, s freeze.TraceStore)
}

func savedResult(reached ...string) *trace.Result {
	r := &trace.Result{Chain: "btc", Model: trace.FIFO, Direction: trace.Forward, Nodes: []trace.Node{}, Edges: []trace.Edge{},
		Reached: []trace.Reached{}, Stats: trace.Stats{Visited: 3}}
	for i, a := range reached {
		r.Reached = append(r.Reached, trace.Reached{Address: a, Asset: "btc", Tainted: fmt.Sprint(100 * (i + 1)), Hop: 2, Stop: "tagged:exchange",
			Tags: []trace.Tag{{Label: "ex", Category: "exchange", Confidence: 50}}})
		r.Nodes = append(r.Nodes, trace.Node{ID: a + ":0", Kind: "output", Address: a, Asset: "btc", Tainted: "1"})
	}
	return r
}

func savedTrace(id, owner string, created time.Time) freeze.SavedTrace {
	hops := 6
	return freeze.SavedTrace{ID: id, Owner: owner, Created: created.UTC().Truncate(time.Microsecond),
		Request: freeze.Request{Chain: "btc", Txs: []string{"ab:0"}, Direction: "forward", Model: "fifo", MaxHops: &hops},
		Runs:    []freeze.Run{{Seq: 1, At: created.UTC().Truncate(time.Microsecond), Tip: 100, TipHash: "00ff", Result: savedResult("bc1qa", "bc1qb")}}}
}

func tracesCases() []tracesCase {
	return []tracesCase{
		{"a saved trace reads back with its request, owner, tip and result", func(t *testing.T, s freeze.TraceStore) {
			in := savedTrace("t1", "acme", base)
			must(t, "CreateTrace", s.CreateTrace(ctx(t), in))
			got, err := s.Trace(ctx(t), "t1")
			must(t, "Trace", err)
			if got.Owner != "acme" || !got.Created.Equal(in.Created) || got.Request.Chain != "btc" || got.Request.MaxHops == nil || *got.Request.MaxHops != 6 {
				t.Fatalf("trace %+v", got)
			}
			if len(got.Runs) != 1 || got.Runs[0].Tip != 100 || got.Runs[0].TipHash != "00ff" || !got.Runs[0].At.Equal(in.Runs[0].At) ||
				got.Runs[0].Changes != nil || len(got.Runs[0].Result.Reached) != 2 || got.Runs[0].Result.Reached[1].Tainted != "200" ||
				got.Runs[0].Result.Reached[0].Tags[0].Category != "exchange" || got.Runs[0].Result.Stats.Visited != 3 {
				t.Fatalf("runs %+v", got.Runs)
			}
		}},
		{"an unknown id is ErrTraceNotFound for reads and re-runs", func(t *testing.T, s freeze.TraceStore) {
			if _, err := s.Trace(ctx(t), "nope"); !errors.Is(err, freeze.ErrTraceNotFound) {
				t.Fatalf("Trace: %v", err)
			}
			if err := s.AddTraceRun(ctx(t), "nope", freeze.Run{Seq: 1, Result: savedResult()}); !errors.Is(err, freeze.ErrTraceNotFound) {
				t.Fatalf("AddTraceRun: %v", err)
			}
		}},
		{"a second id collides with nothing and a duplicate id is refused", func(t *testing.T, s freeze.TraceStore) {
			must(t, "CreateTrace", s.CreateTrace(ctx(t), savedTrace("t1", "acme", base)))
			if err := s.CreateTrace(ctx(t), savedTrace("t1", "other", base)); err == nil {
				t.Fatal("a duplicate id was accepted")
			}
			got, err := s.Trace(ctx(t), "t1")
			must(t, "Trace", err)
			if got.Owner != "acme" {
				t.Fatalf("the duplicate overwrote the owner: %q", got.Owner)
			}
		}},
		{"re-runs append in order with their changes; a wrong sequence number is refused", func(t *testing.T, s freeze.TraceStore) {
			in := savedTrace("t1", "acme", base)
			must(t, "CreateTrace", s.CreateTrace(ctx(t), in))
			after := savedResult("bc1qa", "bc1qc")
			ch := freeze.Diff(in.Runs[0].Result, after)
			must(t, "AddTraceRun", s.AddTraceRun(ctx(t), "t1", freeze.Run{Seq: 2, At: base.Add(time.Hour), Tip: 105, Result: after, Changes: ch}))
			if err := s.AddTraceRun(ctx(t), "t1", freeze.Run{Seq: 2, Result: after}); !errors.Is(err, freeze.ErrRunConflict) {
				t.Fatalf("a second run 2: %v, want ErrRunConflict", err)
			}
			if err := s.AddTraceRun(ctx(t), "t1", freeze.Run{Seq: 5, Result: after}); err == nil {
				t.Fatal("run 5 after run 2 was accepted")
			}
			got, err := s.Trace(ctx(t), "t1")
			must(t, "Trace", err)
			if len(got.Runs) != 2 || got.Runs[1].Seq != 2 || got.Runs[1].Tip != 105 || got.Runs[1].Changes == nil ||
				len(got.Runs[1].Changes.NewReached) != 1 || got.Runs[1].Changes.NewReached[0].Address != "bc1qc" ||
				len(got.Runs[1].Changes.GoneReached) != 1 || got.Latest().Seq != 2 {
				t.Fatalf("runs %+v", got.Runs)
			}
		}},
		{"listing is newest first, per owner or everyone's, with the last run's facts", func(t *testing.T, s freeze.TraceStore) {
			must(t, "CreateTrace", s.CreateTrace(ctx(t), savedTrace("t1", "acme", base)))
			must(t, "CreateTrace", s.CreateTrace(ctx(t), savedTrace("t2", "other", base.Add(time.Minute))))
			must(t, "CreateTrace", s.CreateTrace(ctx(t), savedTrace("t3", "acme", base.Add(2*time.Minute))))
			must(t, "AddTraceRun", s.AddTraceRun(ctx(t), "t1", freeze.Run{Seq: 2, At: base.Add(time.Hour), Tip: 120, Result: savedResult("x")}))
			all, err := s.Traces(ctx(t), "", 0)
			must(t, "Traces", err)
			if ids := summaryIDs(all); fmt.Sprint(ids) != "[t3 t2 t1]" {
				t.Fatalf("all: %v", ids)
			}
			if x := all[2]; x.Runs != 2 || x.LastTip != 120 || x.Reached != 1 || !x.LastRun.Equal(base.Add(time.Hour).Truncate(time.Microsecond)) || x.Chain != "btc" {
				t.Fatalf("t1 summary %+v", x)
			}
			mine, err := s.Traces(ctx(t), "acme", 1)
			must(t, "Traces", err)
			if ids := summaryIDs(mine); fmt.Sprint(ids) != "[t3]" {
				t.Fatalf("acme's first: %v", ids)
			}
			none, err := s.Traces(ctx(t), "nobody", 0)
			must(t, "Traces", err)
			if none == nil || len(none) != 0 {
				t.Fatalf("nobody's: %#v", none)
			}
		}},
		{"concurrent re-runs get distinct sequence numbers or fail, never both succeed on one", func(t *testing.T, s freeze.TraceStore) {
			must(t, "CreateTrace", s.CreateTrace(ctx(t), savedTrace("t1", "acme", base)))
			var wg sync.WaitGroup
			errs := make([]error, 8)
			for i := range errs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs[i] = s.AddTraceRun(ctx(t), "t1", freeze.Run{Seq: 2, Result: savedResult()})
				}()
			}
			wg.Wait()
			ok := 0
			for _, err := range errs {
				if err == nil {
					ok++
				}
			}
			got, err := s.Trace(ctx(t), "t1")
			must(t, "Trace", err)
			if ok != 1 || len(got.Runs) != 2 {
				t.Fatalf("%d of 8 run-2 appends succeeded, %d runs stored", ok, len(got.Runs))
			}
		}},
	}
}

func summaryIDs(xs []freeze.Summary) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = x.ID
	}
	return out
}
