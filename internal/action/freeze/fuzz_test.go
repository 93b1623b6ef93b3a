package freeze

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/interdict/interdict/internal/analysis/trace"
)

// FuzzRequestConfig: any JSON request body gives a trace configuration or
// an error wrapping trace.ErrBadRequest, never a panic, and a configuration
// within the limits.
func FuzzRequestConfig(f *testing.F) {
	f.Add([]byte(`{"chain":"btc","txs":["ab:0"],"direction":"forward","model":"fifo","max_hops":4}`))
	f.Add([]byte(`{"chain":"eth","addresses":["0xAb"],"direction":"backward","min_amount":"10","from":"2024-01-01T00:00:00Z"}`))
	f.Add([]byte(`{"chain":"btc","txs":["ab:x"]}`))
	f.Add([]byte(`{"chain":"btc","txs":[":1"],"max_nodes":99999999}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var req Request
		if json.Unmarshal(b, &req) != nil {
			return
		}
		cfg, starts, err := req.Config(Limits{MaxNodes: 1000, MaxStarts: 10})
		if err != nil {
			if !errors.Is(err, trace.ErrBadRequest) {
				t.Fatalf("%s: %v does not wrap ErrBadRequest", b, err)
			}
			return
		}
		if cfg.MaxNodes <= 0 || cfg.MaxNodes > 1000 || len(starts) == 0 || len(starts) > 10 {
			t.Fatalf("%s: config %+v, %d starts", b, cfg, len(starts))
		}
	})
}

// FuzzBuild: any result JSON makes packets or an error, never a panic.
func FuzzBuild(f *testing.F) {
	seed, _ := json.Marshal(smallResult())
	f.Add(seed)
	f.Add([]byte(`{"direction":"backward","reached":[{"address":"a","tainted":"x","tags":[{"category":"exchange","confidence":90}]}],"edges":[{"from":"a","to":"a","tainted":"1"}],"nodes":[{"id":"a","address":"a","stop":"s","tainted":"1"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		res, err := DecodeResult(b)
		if err != nil {
			return
		}
		ps, err := Build(context.Background(), res, nil, DefaultOptions())
		if err != nil && !errors.Is(err, ErrNoServices) {
			t.Fatal(err)
		}
		var sink discard
		_ = WriteMarkdown(&sink, ps)
		_ = WriteHTML(&sink, ps)
	})
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
