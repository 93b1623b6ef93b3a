package deliver

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// StreamConfig tunes a Stream. Zero fields take DefaultStreamConfig's values.
type StreamConfig struct {
	// Poll is how often followers read the source when nothing calls
	// Notify (another process, or an API node on the same database, may
	// have written an alert).
	Poll time.Duration
	// Heartbeat is how long a follower may stay silent: an idle stream
	// sends a heartbeat so proxies keep it and clients notice a dead one.
	Heartbeat time.Duration
	// Page bounds the alerts read at once.
	Page int
}

// DefaultStreamConfig polls every second and beats every 15 seconds.
func DefaultStreamConfig() StreamConfig {
	return StreamConfig{Poll: time.Second, Heartbeat: 15 * time.Second, Page: 100}
}

// ErrStreamClosed: the stream was stopped (the server is shutting down).
var ErrStreamClosed = errors.New("alert stream closed")

// Stream lets any number of followers read new alerts as they come. It is
// safe for concurrent use.
type Stream struct {
	src AlertSource
	cfg StreamConfig

	mu     sync.Mutex    // guards wake and closed
	wake   chan struct{} // closed and replaced by Notify
	closed chan struct{} // closed by Close
	once   sync.Once
}

// NewStream returns a stream over src.
func NewStream(src AlertSource, cfg StreamConfig) *Stream {
	d := DefaultStreamConfig()
	if cfg.Poll <= 0 {
		cfg.Poll = d.Poll
	}
	if cfg.Heartbeat <= 0 {
		cfg.Heartbeat = d.Heartbeat
	}
	if cfg.Page <= 0 {
		cfg.Page = d.Page
	}
	return &Stream{src: src, cfg: cfg, wake: make(chan struct{}), closed: make(chan struct{})}
}

// Heartbeat is the configured heartbeat interval.
func (s *Stream) Heartbeat() time.Duration { return s.cfg.Heartbeat }

// Notify wakes every follower to read the source now.
func (s *Stream) Notify() {
	s.mu.Lock()
	close(s.wake)
	s.wake = make(chan struct{})
	s.mu.Unlock()
}

func (s *Stream) waiter() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.wake
}

// Close ends every follower with ErrStreamClosed; long-lived responses must
// not hold a server's shutdown.
func (s *Stream) Close() { s.once.Do(func() { close(s.closed) }) }

// Run closes the stream when ctx ends: the lifecycle a run group needs.
func (s *Stream) Run(ctx context.Context) error {
	select {
	case <-ctx.Done():
	case <-s.closed:
	}
	s.Close()
	return nil
}

// Follow calls send for every alert after after, in id order, as they come,
// and beat after every Heartbeat of silence, until ctx ends, the stream is
// closed, or a callback fails. visible, when not nil, filters the alerts
// (per-member authorisation); skipped alerts still move the position.
func (s *Stream) Follow(ctx context.Context, after int64, visible func(Event) bool, send func(Event) error, beat func() error) error {
	poll := time.NewTicker(s.cfg.Poll)
	defer poll.Stop()
	beatT := time.NewTimer(s.cfg.Heartbeat)
	defer beatT.Stop()
	for {
		wake := s.waiter() // before reading, so a Notify during the read is not lost
		evs, err := s.src.AlertsAfter(ctx, after, s.cfg.Page)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("alert stream: read after %d: %w", after, err)
		}
		sent := false
		for _, e := range evs {
			after = e.ID
			if visible != nil && !visible(e) {
				continue
			}
			if err := send(e); err != nil {
				return err
			}
			sent = true
		}
		if sent {
			beatT.Reset(s.cfg.Heartbeat)
		}
		if len(evs) == s.cfg.Page {
			continue // more are waiting
		}
		for waiting := true; waiting; {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-s.closed:
				return ErrStreamClosed
			case <-wake:
				waiting = false
			case <-poll.C:
				waiting = false
			case <-beatT.C:
				if err := beat(); err != nil {
					return err
				}
				beatT.Reset(s.cfg.Heartbeat)
			}
		}
	}
}
