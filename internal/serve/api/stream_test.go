package api

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/interdict/interdict/internal/action/deliver"
	"github.com/interdict/interdict/internal/serve/auth"
)

// memAlerts is an alert source over a slice (the watch store's AlertsAfter).
type memAlerts struct {
	mu  sync.Mutex
	evs []deliver.Event
}

func (m *memAlerts) add(member string) int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	id := int64(len(m.evs) + 1)
	m.evs = append(m.evs, deliver.Event{ID: id, Member: member,
		Payload: json.RawMessage(fmt.Sprintf("{\n  \"id\": %d,\n  \"member\": %q\n}", id, member))})
	return id
}

func (m *memAlerts) AlertsAfter(_ context.Context, after int64, limit int) ([]deliver.Event, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []deliver.Event
	for _, e := range m.evs {
		if e.ID > after && len(out) < limit {
			out = append(out, e)
		}
	}
	return out, nil
}

// sseEvent is one event or comment read from a stream.
type sseEvent struct {
	id, event, data, comment string
}

// openStream starts GET /v1/alerts/stream and returns its events as read.
func openStream(t *testing.T, h *harness, secret string, hdr http.Header) (<-chan sseEvent, *http.Response) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, h.srv.URL+"/v1/alerts/stream", nil)
	for k, v := range hdr {
		req.Header[k] = v
	}
	req.Header.Set("Authorization", "Bearer "+secret)
	resp, err := h.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	out := make(chan sseEvent, 100)
	go func() {
		defer close(out)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev != (sseEvent{}) {
					out <- ev
				}
				ev = sseEvent{}
			case strings.HasPrefix(line, ":"):
				ev.comment = strings.TrimSpace(line[1:])
			default:
				k, v, _ := strings.Cut(line, ": ")
				switch k {
				case "id":
					ev.id = v
				case "event":
					ev.event = v
				case "data":
					ev.data = v
				}
			}
		}
	}()
	return out, resp
}

// nextAlert returns the next alert event, skipping comments.
func nextAlert(t *testing.T, evs <-chan sseEvent) sseEvent {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case ev, ok := <-evs:
			if !ok {
				t.Fatal("the stream ended")
			}
			if ev.event == "alert" {
				return ev
			}
		case <-timeout:
			t.Fatal("no alert within 5 s")
		}
	}
}

func TestAlertStream(t *testing.T) {
	src := &memAlerts{}
	src.add("")      // 1: the instance's own
	src.add("acme")  // 2
	src.add("other") // 3: another member's
	stream := deliver.NewStream(src, deliver.StreamConfig{Poll: time.Hour, Heartbeat: 50 * time.Millisecond})
	h := newHarness(t, func(_ *Config, d *Deps) { d.AlertStream = stream })

	t.Run("an analyst reads its member's alerts and the instance's, new ones as they come, and heartbeats", func(t *testing.T) {
		evs, resp := openStream(t, h, h.secrets["$ANALYST"], nil)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
			t.Fatalf("status %d, content type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		for _, want := range []string{"1", "2"} {
			if ev := nextAlert(t, evs); ev.id != want {
				t.Fatalf("event id %s, want %s", ev.id, want)
			}
		}
		id := src.add("acme")
		stream.Notify()
		ev := nextAlert(t, evs)
		if ev.id != fmt.Sprint(id) {
			t.Fatalf("after Notify: event %s, want %d (3 is another member's)", ev.id, id)
		}
		var doc map[string]any
		if err := json.Unmarshal([]byte(ev.data), &doc); err != nil || doc["member"] != "acme" {
			t.Errorf("data %q is not the alert on one line: %v", ev.data, err)
		}
		beat := false
		for deadline := time.After(2 * time.Second); !beat; {
			select {
			case e := <-evs:
				beat = e.comment == "heartbeat"
			case <-deadline:
				t.Fatal("no heartbeat while idle")
			}
		}
	})

	t.Run("Last-Event-ID resumes after the last alert received", func(t *testing.T) {
		evs, _ := openStream(t, h, h.secrets["$ANALYST"], http.Header{"Last-Event-Id": {"2"}})
		if ev := nextAlert(t, evs); ev.id != "4" {
			t.Errorf("resumed at %s, want 4", ev.id)
		}
	})

	t.Run("an admin sees every member's alerts", func(t *testing.T) {
		evs, _ := openStream(t, h, h.secrets["$ADMIN"], http.Header{"Last-Event-Id": {"2"}})
		if ev := nextAlert(t, evs); ev.id != "3" {
			t.Errorf("admin's next alert %s, want 3", ev.id)
		}
	})

	t.Run("a key of another member does not see acme's alerts", func(t *testing.T) {
		secret, k, err := auth.NewKey("other", "other analyst", auth.RoleAnalyst)
		if err != nil {
			t.Fatal(err)
		}
		if err := h.store.CreateKey(t.Context(), k); err != nil {
			t.Fatal(err)
		}
		evs, _ := openStream(t, h, secret, nil)
		for _, want := range []string{"1", "3"} {
			if ev := nextAlert(t, evs); ev.id != want {
				t.Fatalf("other's event %s, want %s", ev.id, want)
			}
		}
	})

	t.Run("a bad Last-Event-ID is a 400 and a screener key a 403", func(t *testing.T) {
		resp, body := h.do("GET", "/v1/alerts/stream", "$ANALYST", http.Header{"Last-Event-Id": {"x"}}, "")
		if resp.StatusCode != 400 || errorCode(t, body) != "invalid_request" {
			t.Errorf("status %d %s", resp.StatusCode, body)
		}
		resp, _ = h.do("GET", "/v1/alerts/stream", "$SCREENER", http.Header{}, "")
		if resp.StatusCode != 403 {
			t.Errorf("screener: status %d", resp.StatusCode)
		}
	})

	t.Run("closing the stream ends every open response", func(t *testing.T) {
		evs, _ := openStream(t, h, h.secrets["$ANALYST"], http.Header{"Last-Event-Id": {"4"}})
		stream.Close()
		for deadline := time.After(5 * time.Second); ; {
			select {
			case _, ok := <-evs:
				if !ok {
					return
				}
			case <-deadline:
				t.Fatal("the response stayed open after Close")
			}
		}
	})
}

func TestAlertStreamOff(t *testing.T) {
	h := newHarness(t)
	resp, body := h.do("GET", "/v1/alerts/stream", "$ANALYST", http.Header{}, "")
	if resp.StatusCode != 503 || errorCode(t, body) != "not_ready" {
		t.Errorf("status %d %s", resp.StatusCode, body)
	}
}
