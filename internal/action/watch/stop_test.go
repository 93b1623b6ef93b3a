package watch_test

import (
	"context"
	"math/big"
	"testing"

	"github.com/interdict/interdict/internal/action/watch"
	"github.com/interdict/interdict/internal/analysis/trace"
)

// mapTagger is a fixed set of address tags.
type mapTagger map[string][]trace.Tag

func (m mapTagger) Tags(_ context.Context, _, address string) ([]trace.Tag, error) {
	return m[address], nil
}

// TestStopAtTaggedServices: taint reaching an address tagged as a service
// of a stop category, at the minimum confidence or more, is not followed
// further, block by block and retroactively alike; a tagged address that is
// watched is still alerted on (reached, not followed).
func TestStopAtTaggedServices(t *testing.T) {
	for _, c := range []struct {
		name     string
		tags     mapTagger
		stops    []string
		minConf  int
		depositA bool // the deposit behind mule1 alerts
	}{
		{"mule1 tagged exchange at 60 stops the taint before the deposit", mapTagger{mule1.addr: {{Category: "exchange", Confidence: 60}}},
			[]string{"exchange", "bridge", "mixer"}, 50, false},
		{"a mixer concept (mixing_service) stops it too", mapTagger{mule1.addr: {{Category: "service", Concepts: []string{"mixing_service"}, Confidence: 90}}},
			[]string{"mixer"}, 50, false},
		{"a tag under the confidence threshold does not stop", mapTagger{mule1.addr: {{Category: "exchange", Confidence: 40}}},
			[]string{"exchange"}, 50, true},
		{"a category not among the stops does not stop", mapTagger{mule1.addr: {{Category: "gambling", Confidence: 100}}},
			[]string{"exchange"}, 50, true},
		{"no stop categories: nothing stops", mapTagger{mule1.addr: {{Category: "exchange", Confidence: 100}}},
			nil, 50, true},
		{"the watched deposit itself tagged exchange is still alerted on", mapTagger{deposit.addr: {{Category: "exchange", Confidence: 100}}},
			[]string{"exchange"}, 50, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, retro := range []bool{false, true} {
				st, fl, _, h := setup(t, trace.Haircut)
				must(t, st.SetWatchSettings(t.Context(), watch.Settings{Model: trace.Haircut, MaxHops: 6, MinAmount: new(big.Int),
					StopCategories: c.stops, MinConfidence: c.minConf}))
				e, err := watch.NewEngine(watch.Deps{Store: st, Flags: fl, BTC: h.c.idx, BTCParams: params, Tags: c.tags}, watch.DefaultConfig())
				must(t, err)
				h.blocks[0]()
				if !retro {
					fl.add(h.flag)
				}
				catchUp(t, e)
				h.blocks[1]()
				h.blocks[2]()
				if retro {
					catchUp(t, e)
					fl.add(h.flag)
				}
				catchUp(t, e)
				got := alerts(t, st)
				if (len(got) == 1) != c.depositA || len(got) > 1 {
					t.Fatalf("retro %v: %d alerts, want deposit alerted=%v", retro, len(got), c.depositA)
				}
				if c.depositA && (got[0].Address != deposit.addr || got[0].Retro != retro) {
					t.Fatalf("retro %v: alert %+v", retro, got[0])
				}
			}
		})
	}
}

// TestSettingsStopRuleRoundTrips: the stop categories and confidence are
// kept by both state stores; the defaults are the trace's.
func TestSettingsStopRuleRoundTrips(t *testing.T) {
	for _, bk := range backends {
		t.Run(bk.name, func(t *testing.T) {
			st := bk.open(t)
			got, err := st.WatchSettings(t.Context())
			must(t, err)
			if d := watch.DefaultSettings(); got.MinConfidence != d.MinConfidence || len(got.StopCategories) != len(d.StopCategories) {
				t.Fatalf("default settings %+v", got)
			}
			want := watch.Settings{Model: trace.FIFO, MaxHops: 3, MinAmount: big.NewInt(7), StopCategories: []string{"exchange", "mixer"}, MinConfidence: 80}
			must(t, st.SetWatchSettings(t.Context(), want))
			got, err = st.WatchSettings(t.Context())
			must(t, err)
			if got.MinConfidence != 80 || watch.EncodeStops(got.StopCategories) != "exchange,mixer" || got.Model != trace.FIFO {
				t.Fatalf("settings %+v, want %+v", got, want)
			}
			must(t, st.SetWatchSettings(t.Context(), watch.Settings{Model: trace.Poison, MinAmount: new(big.Int)}))
			if got, err = st.WatchSettings(t.Context()); err != nil || got.StopCategories != nil {
				t.Fatalf("no stops: %+v %v", got, err)
			}
			if err := st.SetWatchSettings(t.Context(), watch.Settings{Model: trace.Poison, MinConfidence: 101}); err == nil {
				t.Fatal("a confidence of 101 was accepted")
			}
		})
	}
}
