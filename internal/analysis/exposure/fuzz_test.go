package exposure

import "testing"

// FuzzParseRules: any bytes give rules or an error, never a panic; rules
// that parse score without error.
func FuzzParseRules(f *testing.F) {
	f.Add([]byte(`[{"severity":"Severe","direct":true,"concepts":["sanction"],"reason":"r"}]`))
	f.Add([]byte(`[{"severity":"High","actors":["Lazarus Group"],"min_share":"0.1","max_hops":3,"reason":"r"}]`))
	f.Add([]byte(`[{"severity":"Medium","concepts":["x"],"min_share":"1/3"}]`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{`))
	f.Fuzz(func(t *testing.T, b []byte) {
		rs, err := ParseRules(b)
		if err != nil {
			return
		}
		s := &Scorer{Chain: "btc", Trace: canned{}.trace, Tagger: ownTags{"subject": {sanctioned, lazarus}}, Config: Config{Rules: rs, MinConfidence: 0}}
		if _, err := s.Score(t.Context(), Request{Address: "subject", Direction: Receiving}); err != nil {
			t.Fatalf("rules %s parsed but do not score: %v", b, err)
		}
	})
}
