package exposure

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/interdict/interdict/internal/analysis/trace"
)

// canned answers a trace with a fixed result per direction.
type canned map[trace.Direction]*trace.Result

func (c canned) trace(_ context.Context, cfg trace.Config, starts []trace.Start) (*trace.Result, error) {
	if len(starts) != 1 || starts[0].Address != "subject" {
		return nil, errors.New("unexpected starts")
	}
	r, ok := c[cfg.Direction]
	if !ok {
		return nil, trace.ErrNotFound
	}
	return r, nil
}

type ownTags map[string][]trace.Tag

func (o ownTags) Tags(_ context.Context, _, a string) ([]trace.Tag, error) { return o[a], nil }

func reach(addr, tainted string, hop int, tags ...trace.Tag) trace.Reached {
	return trace.Reached{Address: addr, Asset: "btc", Tainted: tainted, Hop: hop, Tags: tags}
}

var (
	sanctioned = trace.Tag{Label: "OFAC SDN", Category: "sanction", Confidence: 100}
	lazarus    = trace.Tag{Label: "Ronin hacker", Category: "perpetrator", Actor: "Lazarus Group", Confidence: 60}
	hack       = trace.Tag{Label: "exchange hack", Category: "service_hack", Confidence: 50}
	mixer      = trace.Tag{Label: "mixer", Category: "mixing_service", Confidence: 50}
	exchange   = trace.Tag{Label: "exchange", Category: "exchange", Confidence: 50}
	weak       = trace.Tag{Label: "rumour", Category: "sanction", Confidence: 10}
)

func result(rs ...trace.Reached) *trace.Result { return &trace.Result{Chain: "btc", Reached: rs} }

func TestSeverityTable(t *testing.T) {
	cases := []struct {
		name    string
		own     []trace.Tag
		traces  canned
		req     Request
		want    Severity
		because string
	}{
		{"an address tagged as sanctioned is Severe", []trace.Tag{sanctioned}, canned{}, Request{Direction: Receiving}, Severe, "tagged as sanctioned"},
		{"an address attributed to Lazarus Group by alias is Severe", []trace.Tag{{Label: "x", Category: "perpetrator", Actor: "HIDDEN COBRA", Confidence: 50}},
			canned{trace.Backward: result()}, Request{}, Severe, "DPRK actor"},
		{"a weak sanction tag does not count", []trace.Tag{weak}, canned{trace.Backward: result()}, Request{}, Low, "no rule matched"},
		{"a direct hack tag is High", []trace.Tag{hack}, canned{trace.Backward: result()}, Request{}, High, "serious abuse"},
		{"a direct mixer tag is Medium", []trace.Tag{mixer}, canned{trace.Backward: result()}, Request{}, Medium, "high-risk service"},
		{"60% received one hop from a sanctioned address is Severe", nil,
			canned{trace.Backward: result(reach("s", "60", 1, sanctioned), reach("e", "40", 1, exchange))}, Request{Direction: Receiving}, Severe, "at least half"},
		{"40% received one hop from a sanctioned address is High", nil,
			canned{trace.Backward: result(reach("s", "40", 1, sanctioned), reach("e", "60", 1, exchange))}, Request{Direction: Receiving}, High, "at least 10%"},
		{"20% received from a hack 3 hops back is High", nil,
			canned{trace.Backward: result(reach("h", "20", 3, hack), reach("e", "80", 1, exchange))}, Request{Direction: Receiving}, High, "receiving btc: 20 of 100, share 0.2, nearest 3 hops"},
		{"20% from a hack 5 hops back is only Medium", nil,
			canned{trace.Backward: result(reach("h", "20", 5, hack), reach("e", "80", 1, exchange))}, Request{Direction: Receiving}, Medium, "at least 1%"},
		{"5% sent to Lazarus within 3 hops is Medium", nil,
			canned{trace.Forward: result(reach("l", "5", 2, lazarus), reach("u", "95", 6))}, Request{Direction: Sending}, Medium, "sending btc: 5 of 100"},
		{"0.5% from a sanctioned address is Low", nil,
			canned{trace.Backward: result(reach("s", "5", 1, sanctioned), reach("u", "995", 2))}, Request{Direction: Receiving}, Low, "no rule matched"},
		{"30% through a mixer is Medium", nil,
			canned{trace.Backward: result(reach("m", "30", 2, mixer), reach("u", "70", 2))}, Request{}, Medium, "mixers or abuse"},
		{"an address that never sent is scored on what it received", nil,
			canned{trace.Backward: result(reach("h", "50", 1, hack), reach("u", "50", 1))}, Request{Direction: Both}, High, "at least 10%"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := &Scorer{Chain: "btc", Trace: c.traces.trace, Tagger: ownTags{"subject": c.own}, Config: DefaultConfig()}
			req := c.req
			req.Address = "subject"
			rep, err := s.Score(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Severity != c.want || !strings.Contains(strings.Join(rep.Reasons, "\n"), c.because) {
				t.Fatalf("severity %s, reasons %q; want %s because %q", rep.Severity, rep.Reasons, c.want, c.because)
			}
		})
	}
}

func TestFindings(t *testing.T) {
	tr := canned{
		trace.Backward: result(reach("s1", "30", 2, sanctioned), reach("s2", "10", 1, sanctioned, lazarus), reach("e", "60", 1, exchange)),
		trace.Forward:  result(reach("m", "7", 1, mixer)),
	}
	s := &Scorer{Chain: "btc", Trace: tr.trace, Tagger: ownTags{"subject": {exchange}}, Config: DefaultConfig()}
	rep, err := s.Score(context.Background(), Request{Address: "subject"})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Finding{}
	for _, f := range rep.Indirect {
		got[f.Direction+"/"+f.Category+"/"+f.Actor] = f
	}
	if f := got["receiving/sanction/"]; f.Amount != "40" || f.Share != "0.4" || f.Hops != 1 || f.Addresses != 2 {
		t.Errorf("sanction finding %+v", f)
	}
	if f := got["receiving/perpetrator/Lazarus Group"]; f.Amount != "10" || f.Share != "0.1" {
		t.Errorf("actor finding %+v", f)
	}
	if f := got["sending/mixing_service/"]; f.Amount != "7" || f.Share != "1" {
		t.Errorf("mixer finding %+v", f)
	}
	if len(rep.Direct) != 1 || rep.Direct[0].Category != "exchange" {
		t.Errorf("direct %+v", rep.Direct)
	}
	if rep.Severity != High {
		t.Errorf("severity %s: %q", rep.Severity, rep.Reasons)
	}
}

func TestBadRequests(t *testing.T) {
	s := &Scorer{Chain: "btc", Trace: canned{}.trace, Config: DefaultConfig()}
	for _, req := range []Request{{}, {Address: "subject", Direction: "sideways"}, {Address: "subject", Model: "lifo"}, {Address: "subject", MaxHops: -1}} {
		if _, err := s.Score(context.Background(), req); !errors.Is(err, ErrBadRequest) {
			t.Errorf("%+v: err %v, want ErrBadRequest", req, err)
		}
	}
	if _, err := s.Score(context.Background(), Request{Address: "subject"}); !errors.Is(err, trace.ErrNotFound) {
		t.Errorf("unknown address: err %v, want trace.ErrNotFound", err)
	}
	for _, bad := range []string{`[{"severity":"Huge","concepts":["x"]}]`, `[{"severity":"High"}]`, `[{"severity":"High","concepts":["x"],"min_share":"2"}]`, `{`} {
		if _, err := ParseRules([]byte(bad)); err == nil {
			t.Errorf("rules %s: no error", bad)
		}
	}
	if rs, err := ParseRules([]byte(`[{"severity":"severe","direct":true,"concepts":["sanction"],"reason":"r"}]`)); err != nil || rs[0].Severity != Severe {
		t.Errorf("good rules: %v %+v", err, rs)
	}
}
