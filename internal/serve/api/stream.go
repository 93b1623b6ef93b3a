package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/interdict/interdict/internal/action/deliver"
	"github.com/interdict/interdict/internal/serve/auth"
)

// AlertStreamer follows alerts as they come (deliver.Stream does).
type AlertStreamer interface {
	Follow(ctx context.Context, after int64, visible func(deliver.Event) bool, send func(deliver.Event) error, beat func() error) error
	Heartbeat() time.Duration
}

// errStreamOff: the server runs without an alert stream.
var errStreamOff = fmt.Errorf("%w: the alert stream is not configured on this server", errNotReady)

// registerStream serves GET /v1/alerts/stream to the roles that read alerts.
func (s *server) registerStream() {
	s.handle("GET /v1/alerts/stream", auth.RoleAnalyst, s.alertStream)
}

// alertStream answers text/event-stream: one event per alert (id: the
// alert id, event: alert, data: the alert's JSON on one line), a comment
// line as heartbeat, resumed after Last-Event-ID (or ?after=). A key sees
// its own member's alerts and the instance's own; an admin key sees all.
func (s *server) alertStream(w http.ResponseWriter, r *http.Request) error {
	if s.deps.AlertStream == nil {
		return errStreamOff
	}
	after, err := intParam(r.URL.Query(), "after", 0, 0, math.MaxInt64)
	if err != nil {
		return err
	}
	if v := r.Header.Get("Last-Event-ID"); v != "" {
		if after, err = strconv.ParseInt(v, 10, 64); err != nil || after < 0 {
			return fmt.Errorf("%w: Last-Event-ID %q is not an alert id", ErrInvalidRequest, truncate(v, 40))
		}
	}
	key := stateOf(r).key
	visible := func(e deliver.Event) bool {
		return key == nil || key.Role == auth.RoleAdmin || e.Member == "" || e.Member == key.Member
	}
	rc := http.NewResponseController(w)
	// The server's read and write timeouts suit requests, not a stream: it
	// has no read deadline, and a write deadline renewed at every write.
	_ = rc.SetReadDeadline(time.Time{})
	window := 2*s.deps.AlertStream.Heartbeat() + 10*time.Second
	write := func(b []byte) error {
		_ = rc.SetWriteDeadline(time.Now().Add(window))
		if _, err := w.Write(b); err != nil {
			return err
		}
		return rc.Flush()
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("X-Accel-Buffering", "no") // nginx would hold events back
	w.WriteHeader(http.StatusOK)
	if err := write([]byte("retry: 3000\n: interdict alert stream\n\n")); err != nil {
		return nil
	}
	var buf bytes.Buffer
	send := func(e deliver.Event) error {
		buf.Reset()
		fmt.Fprintf(&buf, "id: %d\nevent: alert\ndata: ", e.ID)
		if err := json.Compact(&buf, e.Payload); err != nil {
			buf.WriteString("null")
		}
		buf.WriteString("\n\n")
		return write(buf.Bytes())
	}
	beat := func() error { return write([]byte(": heartbeat\n\n")) }
	err = s.deps.AlertStream.Follow(r.Context(), after, visible, send, beat)
	if err != nil && !errors.Is(err, deliver.ErrStreamClosed) && r.Context().Err() == nil {
		// The answer has started: the cause goes to the request log only.
		stateOf(r).cause = err
	}
	return nil
}
