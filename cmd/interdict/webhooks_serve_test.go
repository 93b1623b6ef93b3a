package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/interdict/interdict/internal/action/deliver"
	"github.com/interdict/interdict/internal/action/deliver/hubfilter"
	"github.com/interdict/interdict/internal/action/watch"
	"github.com/interdict/interdict/internal/analysis/trace"
	"github.com/interdict/interdict/internal/store/sqlite"
)

// TestServeDeliversAlerts runs `interdict serve`, registers a webhook and
// publishes an alert into the state store's alert log as the watch engine
// does: the receiver gets it signed, an SSE client reads it, and shutting
// the server down ends the open stream.
func TestServeDeliversAlerts(t *testing.T) {
	dir := t.TempDir()
	c := cli{t: t, args: []string{"--data-dir", dir}}

	var (
		mu   sync.Mutex
		got  []string
		errs []error
	)
	var secret string
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		if err := deliver.VerifyRequest(secret, r.Header, body, 0, time.Now()); err != nil {
			errs = append(errs, err)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		got = append(got, r.Header.Get(deliver.HeaderIdempotencyKey)+" "+string(body))
		w.WriteHeader(http.StatusNoContent)
	}))
	defer receiver.Close()

	var added map[string]any
	c.json(&added, "webhooks", "add", "--url", receiver.URL, "--id", "soc")
	secret = added["secret"].(string)
	if _, err := os.Stat(filepath.Join(dir, webhookKeyFile)); err != nil {
		t.Fatalf("no webhook key after add: %v", err)
	}
	var key map[string]any
	c.json(&key, "keys", "create", "--name", "soc", "--role", "analyst")

	srv, _ := startServer(t, []string{"--data-dir", dir}, "serve")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.url+"/v1/alerts/stream", nil)
	req.Header.Set("Authorization", "Bearer "+key["key"].(string))
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("stream: %v %v", err, resp)
	}
	lines := make(chan string, 100)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()

	st, err := sqlite.Open(ctx, filepath.Join(dir, "interdict.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	alert := `{"id":"a1","chain":"btc","address":"bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq","amount":"150000000"}`
	if _, err := st.Publish(ctx, []deliver.Published{{Key: "a1", Payload: json.RawMessage(alert)}}); err != nil {
		t.Fatal(err)
	}
	st.Close()

	deadline := time.After(15 * time.Second)
	for sawData := false; !sawData; {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatal("the stream ended early")
			}
			sawData = strings.HasPrefix(l, "data: ") && strings.Contains(l, `"id":"a1"`)
		case <-deadline:
			t.Fatal("the alert did not come through the stream")
		}
	}
	for {
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if n == 1 {
			break
		}
		select {
		case <-deadline:
			t.Fatalf("the webhook did not arrive (receiver errors: %v)", errs)
		case <-time.After(50 * time.Millisecond):
		}
	}
	if !strings.HasPrefix(got[0], "soc:1 ") || !strings.Contains(got[0], `"event_id":1`) || len(errs) != 0 {
		t.Errorf("webhook %q, errors %v", got[0], errs)
	}
	if code, _ := srv.do(t, "GET", "/v1/filters/btc/0", key["key"].(string), ""); code != 404 {
		t.Errorf("a filter before any processed block: %d, want 404", code)
	}

	// The watch engine commits a block with an alert and a tainted address:
	// the alert feed publishes the alert, the hub serves the block's filter.
	const deposit = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
	st, err = sqlite.Open(ctx, filepath.Join(dir, "interdict.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	wa := watch.Alert{ID: watch.AlertID("flag-1", "btc", deposit, strings.Repeat("ab", 32), 0), Status: watch.Open, Chain: "btc",
		Address: deposit, Kind: watch.Deposit, Asset: "btc", Amount: big.NewInt(150_000_000), FlagID: "flag-1", FlagIDs: []string{"flag-1"},
		Tx: strings.Repeat("ab", 32), Height: 0, Block: strings.Repeat("00", 32), Hop: 2, Path: []string{}, Model: trace.Poison, Created: now, Updated: now}
	if err := st.CommitWatchBlock(ctx, watch.BlockCommit{Chain: "btc", Cursor: watch.Cursor{Height: 0, Hash: strings.Repeat("00", 32)},
		Alerts: []watch.Alert{wa}, Tainted: []string{deposit}}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	for {
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if n == 2 {
			break
		}
		select {
		case <-deadline:
			t.Fatalf("the watch alert did not reach the webhook (receiver errors: %v)", errs)
		case <-time.After(50 * time.Millisecond):
		}
	}
	mu.Lock()
	if !strings.HasPrefix(got[1], "soc:2 ") || !strings.Contains(got[1], wa.ID) {
		t.Errorf("second webhook %q, want the watch alert", got[1])
	}
	mu.Unlock()
	code, body := srv.do(t, "GET", "/v1/filters/btc/0", key["key"].(string), "")
	if code != 200 {
		t.Fatalf("filter of a processed block: %d %s", code, body)
	}
	if f, err := hubfilter.Decode(body); err != nil || !f.Contains(deposit) {
		t.Errorf("the block's filter misses the tainted address: %v", err)
	}

	_ = srv.cmd.Process.Signal(os.Interrupt)
	for end := time.After(8 * time.Second); ; {
		select {
		case _, ok := <-lines:
			if !ok {
				return // the server ended the stream as it shut down
			}
		case <-end:
			t.Fatal("the open stream held the server's shutdown")
		}
	}
}
