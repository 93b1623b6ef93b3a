package bitcoin

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"github.com/interdict/interdict/internal/sources/bitcoin/btcgen"
	"github.com/interdict/interdict/internal/sources/bitcoin/rpctest"
)

// nodeChain generates a regtest chain with spends (past coinbase maturity)
// and a competing branch forking at height fork.
func nodeChain(t *testing.T, blocks int32, fork int32, branchLen int) (chain, branch []*wire.MsgBlock) {
	t.Helper()
	cfg := btcgen.Config{Seed: 41, Blocks: blocks}
	if blocks > 100 { // coinbases mature at 100
		cfg.Txs = 4 * int(blocks)
	}
	chain, _, err := btcgen.Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	branch, err = btcgen.GenerateFork(cfg, fork, 42, branchLen)
	if err != nil {
		t.Fatal(err)
	}
	return chain, branch
}

func TestNode(t *testing.T) {
	ctx := t.Context()
	chain, branch := nodeChain(t, 110, 105, 8)
	node := rpctest.NewNode(t, nil, chain)
	cl, err := NewClient(node.URL, ClientOptions{Backoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("getblock 0 and 2 give the block the node holds, at every height", func(t *testing.T) {
		for h, want := range chain {
			hash, err := cl.BlockHash(ctx, int64(h))
			if err != nil || hash != want.BlockHash() {
				t.Fatalf("height %d: hash %s, %v", h, hash, err)
			}
			raw, err := cl.Block(ctx, hash)
			if err != nil {
				t.Fatalf("height %d verbosity 0: %v", h, err)
			}
			verbose, err := cl.BlockVerbose(ctx, hash, 2)
			if err != nil {
				t.Fatalf("height %d verbosity 2: %v", h, err)
			}
			if verbose.Height != int64(h) || len(verbose.Msg.Transactions) != len(raw.Msg.Transactions) {
				t.Fatalf("height %d: verbose says height %d with %d txs, raw has %d", h, verbose.Height, len(verbose.Msg.Transactions), len(raw.Msg.Transactions))
			}
		}
	})
	t.Run("getblock 1 lists txids that getrawtransaction resolves", func(t *testing.T) {
		tip := chain[len(chain)-1]
		b, err := cl.BlockVerbose(ctx, tip.BlockHash(), 1)
		if err != nil || b.Hash != tip.BlockHash() {
			t.Fatalf("got %v, %v", b, err)
		}
	})
	t.Run("a height past the tip is Core's -8", func(t *testing.T) {
		var re *RPCError
		if _, err := cl.BlockHash(ctx, int64(len(chain))); !errors.As(err, &re) || re.Code != codeHeightOutOfRange {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("an unknown block or transaction is ErrNotFound", func(t *testing.T) {
		var h chainhash.Hash
		h[3] = 9
		if _, err := cl.Block(ctx, h); !errors.Is(err, ErrNotFound) {
			t.Fatalf("block: %v", err)
		}
		if _, _, ok, err := cl.PrevOut(ctx, wire.OutPoint{Hash: h}); ok || err != nil {
			t.Fatalf("prevout: %v, %v", ok, err)
		}
	})
	t.Run("a block on an unknown parent is refused", func(t *testing.T) {
		if err := node.Submit(branch[1]); !errors.Is(err, rpctest.ErrParentUnknown) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("a longer branch becomes the best chain; the old blocks are still served by hash", func(t *testing.T) {
		if err := node.Submit(branch...); err != nil {
			t.Fatal(err)
		}
		if got, want := node.Height(), int64(105+len(branch)); got != want {
			t.Fatalf("height %d, want %d", got, want)
		}
		for i, b := range branch {
			if h, err := cl.BlockHash(ctx, int64(106+i)); err != nil || h != b.BlockHash() {
				t.Fatalf("height %d: %s, %v", 106+i, h, err)
			}
		}
		stale := chain[108].BlockHash()
		if b, err := cl.Block(ctx, stale); err != nil || b.Hash != stale {
			t.Fatalf("stale block: %v", err)
		}
		var best string
		if err := cl.Call(ctx, "getbestblockhash", nil, &best); err != nil || best != branch[len(branch)-1].BlockHash().String() {
			t.Fatalf("best %s, %v", best, err)
		}
	})
}

// TestFollowNode follows a node that grows and then reorganises: the source
// delivers each new height once, commits (Idle) once per catch-up, and waits
// while the node has nothing new.
func TestFollowNode(t *testing.T) {
	chain, branch := nodeChain(t, 110, 105, 8)
	node := rpctest.NewNode(t, nil, chain[:101])
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	idles := 0
	idle := make(chan struct{}, 10)
	s, err := Open(ctx, "rpc:"+node.URL, Options{From: 95, Follow: true, PollInterval: 2 * time.Millisecond,
		Idle: func(context.Context) error { idles++; idle <- struct{}{}; return nil }})
	if err != nil {
		t.Fatal(err)
	}
	next := func(want *wire.MsgBlock, height int64) {
		t.Helper()
		b, err := s.Next(ctx)
		if err != nil || b.Hash != want.BlockHash() || b.Height != height {
			t.Fatalf("height %d: got %v, %v", height, b, err)
		}
	}
	for h := 95; h <= 100; h++ {
		next(chain[h], int64(h))
	}
	if idles != 0 {
		t.Fatalf("idle %d times before catching up", idles)
	}
	// Blocks arrive once the source waits at the tip.
	go func() {
		<-idle
		node.Submit(chain[101:108]...)
	}()
	next(chain[101], 101)
	if idles != 1 {
		t.Fatalf("idle %d times after the first catch-up, want 1", idles)
	}
	for h := 102; h <= 107; h++ {
		next(chain[h], int64(h))
	}
	// The node reorganises onto the branch forking at 105: the source goes
	// on by height, with the branch's block at 108 (the engine fetches its
	// missing parents).
	go func() {
		<-idle
		node.Submit(branch...)
	}()
	next(branch[2], 108)
	if idles != 2 {
		t.Fatalf("idle %d times after the second catch-up, want 2", idles)
	}
	for h := 109; h <= 113; h++ {
		next(branch[h-106], int64(h))
	}
	short, cancelShort := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancelShort()
	if _, err := s.Next(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("at the tip: got %v, want to wait until the context ends", err)
	}
	if idles != 3 {
		t.Fatalf("idle %d times while waiting at the tip, want 3 (once per catch-up, not per poll)", idles)
	}
}

// TestFollowOutlastsAnUnavailableNode: a following source waits for a node
// that stops answering; a source that is not following gives up at once.
func TestFollowOutlastsAnUnavailableNode(t *testing.T) {
	chain, _ := nodeChain(t, 10, 5, 1)
	node := rpctest.NewNode(t, nil, chain)
	var logs syncBuffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	never := ClientOptions{Retries: -1, Logger: log}

	cl, _ := NewClient(node.URL, never)
	node.Inject(rpctest.Fault{Status: http.StatusServiceUnavailable, Body: "down"})
	if _, err := NewRPCSource(t.Context(), cl, Options{}); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("not following: got %v, want ErrUnavailable", err)
	}

	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	s, err := NewRPCSource(ctx, cl, Options{From: 3, Follow: true, PollInterval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	for range 4 {
		node.Inject(rpctest.Fault{Status: http.StatusBadGateway, Body: "restarting"})
	}
	start := time.Now()
	b, err := s.Next(ctx)
	if err != nil || b.Height != 3 {
		t.Fatalf("got %v, %v", b, err)
	}
	// Back-off doubles from the poll interval: 1+2+4+8 ms at least.
	if took := time.Since(start); took < 15*time.Millisecond {
		t.Errorf("four failures took only %s: no back-off", took)
	}
	if n := strings.Count(logs.String(), "following again when it answers"); n != 4 {
		t.Errorf("%d warnings for 4 failures:\n%s", n, logs.String())
	}
	for h := int64(4); h < int64(len(chain)); h++ {
		if b, err := s.Next(ctx); err != nil || b.Height != h {
			t.Fatalf("height %d: %v, %v", h, b, err)
		}
	}
	t.Run("an interrupt while waiting ends Next with the context's error", func(t *testing.T) {
		for range 1000 {
			node.Inject(rpctest.Fault{Status: http.StatusBadGateway, Body: "down"})
		}
		short, c := context.WithTimeout(ctx, 50*time.Millisecond)
		defer c()
		if _, err := s.Next(short); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("got %v", err)
		}
	})
}

// syncBuffer is a bytes.Buffer safe for a logger and a reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
