package bitcoin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"
)

// RPCSource delivers the node's blocks by height, from Options.From to
// Options.To (or the tip when Open was called) and, in follow mode, every
// block the node adds afterwards. It does not detect reorgs itself: the
// engine compares each block's parent with its own tip and, on a mismatch,
// walks back with Client.BlockHash and calls SetNext at the fork.
type RPCSource struct {
	c         *Client
	next, to  int64
	follow    bool
	poll      time.Duration
	onIdle    func(context.Context) error
	idle      bool // caught up with the tip since the last block delivered
	verbosity int
	tip       int64 // last tip height seen; getblockcount is asked again only past it
	batch     int
	queue     []*Block // fetched by a batch, not yet delivered
}

// NewRPCSource builds an rpc: source on c. Without Follow and without a
// positive To, the node's tip height at this call is the last block.
func NewRPCSource(ctx context.Context, c *Client, opt Options) (*RPCSource, error) {
	s := &RPCSource{tip: -1, c: c, next: max(opt.From, 0), to: -1, follow: opt.Follow, poll: opt.PollInterval, onIdle: opt.Idle, verbosity: opt.Verbosity, batch: opt.Batch}
	if opt.To > 0 {
		s.to = opt.To
	}
	if s.poll <= 0 {
		s.poll = 10 * time.Second
	}
	switch s.verbosity {
	case 0, 1, 2:
	default:
		return nil, fmt.Errorf("bitcoin: rpc source: verbosity %d (want 0, 1 or 2)", s.verbosity)
	}
	if s.to < 0 && !s.follow {
		tip, err := c.BlockCount(ctx)
		if err != nil {
			return nil, err
		}
		s.to, s.tip = tip, tip
	}
	return s, nil
}

// Client returns the source's client, for PrevOut and BlockHash.
func (s *RPCSource) Client() *Client { return s.c }

// SetNext makes the next block delivered the one at height: after a reorg,
// the height just above the fork.
func (s *RPCSource) SetNext(height int64) { s.next, s.queue = max(height, 0), nil }

// MaxFollowBackoff bounds the wait between attempts of a following source
// whose node is unavailable.
const MaxFollowBackoff = 5 * time.Minute

// Next fetches the block at the next height. Past To it returns io.EOF, or
// in follow mode polls getblockcount until the node has the block, and
// outlasts a node that stops answering for a while (see Options.Follow).
func (s *RPCSource) Next(ctx context.Context) (*Block, error) {
	wait := s.poll
	for {
		b, err := s.fetch(ctx)
		if !s.follow || err == nil || !errors.Is(err, ErrUnavailable) || errors.Is(err, ErrAuth) || ctx.Err() != nil {
			if err == nil {
				s.idle = false
			}
			return b, err
		}
		s.c.log.Warn("bitcoin rpc node unavailable; following again when it answers", "next_height", s.next, "retry_in", wait, "err", err)
		if err := sleep(ctx, wait); err != nil {
			return nil, err
		}
		wait = min(2*wait, max(MaxFollowBackoff, s.poll))
	}
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// fetch is one attempt of Next.
func (s *RPCSource) fetch(ctx context.Context) (*Block, error) {
	if len(s.queue) > 0 {
		b := s.queue[0]
		s.queue = s.queue[1:]
		s.next++
		return b, nil
	}
	for {
		if s.to >= 0 && s.next > s.to {
			return nil, io.EOF
		}
		if s.next <= s.tip {
			break
		}
		tip, err := s.c.BlockCount(ctx)
		if err != nil {
			return nil, err
		}
		if s.tip = tip; s.next <= tip {
			break
		}
		if !s.follow {
			return nil, io.EOF
		}
		if !s.idle && s.onIdle != nil {
			if err := s.onIdle(ctx); err != nil {
				return nil, err
			}
		}
		s.idle = true
		if err := sleep(ctx, s.poll); err != nil {
			return nil, err
		}
	}
	if n := s.batchLen(); n > 1 {
		blocks, err := s.c.BlocksAt(ctx, s.next, n, s.verbosity)
		if err != nil {
			return nil, err
		}
		s.queue = blocks[1:]
		s.next++
		return blocks[0], nil
	}
	h, err := s.c.BlockHash(ctx, s.next)
	var re *RPCError
	if errors.As(err, &re) && re.Code == codeHeightOutOfRange && s.follow {
		// The chain got shorter under a reorg: wait for it to grow back.
		s.tip = -1
		return s.fetch(ctx)
	}
	if err != nil {
		return nil, err
	}
	var b *Block
	if s.verbosity == 0 {
		b, err = s.c.Block(ctx, h)
	} else {
		b, err = s.c.BlockVerbose(ctx, h, s.verbosity)
	}
	if err != nil {
		return nil, err
	}
	if b.Height >= 0 && b.Height != s.next {
		return nil, fmt.Errorf("%w: block %s at height %d says height %d", ErrDecode, h, s.next, b.Height)
	}
	b.Height = s.next
	s.next++
	return b, nil
}

// Close does nothing: the client holds no connection of its own.
func (s *RPCSource) Close() error { return nil }

// batchLen is how many blocks the next fetch asks for: never past the tip
// seen or To, and 1 when batching is off or cannot be used (verbosity 1
// needs a getrawtransaction per transaction).
func (s *RPCSource) batchLen() int {
	if s.batch <= 1 || s.verbosity == 1 {
		return 1
	}
	n := min(int64(s.batch), s.tip-s.next+1)
	if s.to >= 0 {
		n = min(n, s.to-s.next+1)
	}
	return int(max(n, 1))
}
