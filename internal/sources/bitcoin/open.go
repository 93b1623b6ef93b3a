package bitcoin

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/btcsuite/btcd/chaincfg"
)

// Options configure the source Open builds.
type Options struct {
	// Params selects the network (magic, genesis); nil means mainnet.
	Params *chaincfg.Params
	// From is the first height delivered by sources that know heights
	// (blkdir:, rpc:); To is the last when positive, and zero or negative
	// means the end (the tip when Open is called, for rpc:), so that the
	// zero Options read everything. file: sources deliver every block.
	From, To int64
	// Follow keeps an rpc: source polling for new blocks past the tip
	// every PollInterval (default 10 s) instead of returning io.EOF. While
	// following, a node that stops answering (ErrUnavailable once the
	// client's own retries are spent) is waited for, with a back-off from
	// PollInterval doubling up to MaxFollowBackoff, instead of ending Next.
	Follow       bool
	PollInterval time.Duration
	// Idle, when set, is called by a following rpc: source each time it has
	// delivered every block up to the node's tip and is about to wait for
	// more: an ingest commits there, so a follower's index is never behind
	// the blocks it was given. An error from Idle ends Next with it.
	Idle func(ctx context.Context) error
	// HTTPClient and Logger are used by rpc:; nil means defaults
	// (http.DefaultClient, a discarding logger).
	HTTPClient *http.Client
	Logger     *slog.Logger
	// Verbosity is the getblock verbosity an rpc: source asks for: 0 (raw
	// hex, the default and cheapest for the node), 1 (txids, each
	// transaction fetched with getrawtransaction) or 2 (inline JSON).
	Verbosity int
	// Batch is how many blocks an rpc: source asks for in one JSON-RPC
	// batch (verbosity 0 or 2) while it is behind the tip; 0 or 1 means one
	// call per block. A batch holds up to Batch blocks in memory.
	Batch int
}

// Open builds the source a --source flag names: "file:PATH",
// "blkdir:DIR" or "rpc:URL" (rpc:http://user:pass@host:8332, or with
// ?cookie=PATH for Bitcoin Core's .cookie file).
func Open(ctx context.Context, spec string, opt Options) (Source, error) {
	if opt.Params == nil {
		opt.Params = &chaincfg.MainNetParams
	}
	kind, arg, ok := strings.Cut(spec, ":")
	if !ok || arg == "" {
		return nil, fmt.Errorf("bitcoin: source %q: want file:PATH, blkdir:DIR or rpc:URL", spec)
	}
	switch kind {
	case "file":
		return OpenFile(arg, opt.Params)
	case "blkdir":
		d, err := OpenBlkDir(ctx, arg, opt.Params, opt.From)
		if err != nil {
			return nil, err
		}
		d.StopAfter(opt.To)
		return d, nil
	case "rpc":
		c, err := NewClient(arg, ClientOptions{HTTPClient: opt.HTTPClient, Logger: opt.Logger})
		if err != nil {
			return nil, err
		}
		return NewRPCSource(ctx, c, opt)
	}
	return nil, fmt.Errorf("bitcoin: source %q: unknown kind %q (want file, blkdir or rpc)", spec, kind)
}
