package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/interdict/interdict/internal/action/deliver"
	"github.com/interdict/interdict/internal/action/deliver/hubfilter"
	"github.com/interdict/interdict/internal/analysis/screen"
	"github.com/interdict/interdict/internal/index/lists"
	"github.com/interdict/interdict/internal/serve/api"
	"github.com/interdict/interdict/internal/serve/auth"
	"github.com/interdict/interdict/internal/store/sqlite"
)

func TestWebhooksCLI(t *testing.T) {
	dir := t.TempDir()
	c := cli{t: t, args: []string{"--data-dir", dir}}

	var added map[string]any
	c.json(&added, "webhooks", "add", "--url", "https://hooks.example.com/interdict", "--id", "exch-b")
	secret, _ := added["secret"].(string)
	if added["id"] != "exch-b" || !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("add printed %v", added)
	}
	secretFile := filepath.Join(dir, "secret")
	if err := os.WriteFile(secretFile, []byte("a-receiver-chosen-secret-0123\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var second map[string]any
	c.json(&second, "webhooks", "add", "--url", "http://127.0.0.1:9/hook", "--secret-file", secretFile, "--member", "exchange-c")
	if _, shown := second["secret"]; shown {
		t.Errorf("a secret from --secret-file was printed: %v", second)
	}

	for _, bad := range [][]string{
		{"webhooks", "add", "--url", "https://hooks.example.com/x", "--id", "exch-b"},
		{"webhooks", "add", "--url", "ftp://hooks.example.com/x"},
		{"webhooks", "add", "--url", "https://hooks.example.com/x", "--secret-file", filepath.Join(dir, "missing")},
		{"webhooks", "retry", "seven"},
	} {
		if _, errOut, code := c.run(bad...); code != exitUsage {
			t.Errorf("interdict %s: exit %d, want 2 (%s)", strings.Join(bad, " "), code, errOut)
		}
	}

	out := c.ok("--output", "json", "webhooks", "list")
	if strings.Contains(out, secret) || strings.Contains(out, "a-receiver-chosen-secret") {
		t.Fatalf("list shows a secret: %s", out)
	}
	var listed struct {
		Webhooks []deliver.Endpoint `json:"webhooks"`
	}
	if err := json.Unmarshal([]byte(out), &listed); err != nil || len(listed.Webhooks) != 2 {
		t.Fatalf("list: %v %s", err, out)
	}

	// A delivery that died, written as the dispatcher would.
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "interdict.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	if _, err := st.Enqueue(ctx, "exch-b", []deliver.Event{{ID: 41, Payload: json.RawMessage(`{}`)}}, 41, now, now); err != nil {
		t.Fatal(err)
	}
	ds, err := st.ClaimDue(ctx, now, time.Minute, 1)
	if err != nil || len(ds) != 1 {
		t.Fatal(err, ds)
	}
	if err := st.RecordAttempt(ctx, deliver.Attempt{Delivery: ds[0].ID, N: 1, At: now, Status: 500, Error: "receiver answered 500"},
		deliver.Outcome{State: deliver.StateDead}); err != nil {
		t.Fatal(err)
	}
	st.Close()

	var dead struct {
		Deliveries []deliver.Delivery `json:"deliveries"`
	}
	c.json(&dead, "webhooks", "deliveries", "--dead")
	if len(dead.Deliveries) != 1 || dead.Deliveries[0].EventID != 41 || dead.Deliveries[0].LastStatus != 500 {
		t.Fatalf("dead letters: %+v", dead.Deliveries)
	}
	id := fmt.Sprint(dead.Deliveries[0].ID)
	var shown struct {
		Delivery deliver.Delivery  `json:"delivery"`
		Attempts []deliver.Attempt `json:"attempts"`
		Alert    json.RawMessage   `json:"alert"`
	}
	c.json(&shown, "webhooks", "show", id)
	if len(shown.Attempts) != 1 || shown.Attempts[0].Status != 500 || string(shown.Alert) != "{}" || shown.Delivery.State != deliver.StateDead {
		t.Errorf("show: %+v", shown)
	}
	c.ok("webhooks", "retry", id)
	c.json(&dead, "webhooks", "deliveries", "--dead")
	if len(dead.Deliveries) != 0 {
		t.Errorf("still dead after retry: %+v", dead.Deliveries)
	}
	if _, errOut, code := c.run("webhooks", "retry", id); code != exitUsage || !strings.Contains(errOut, "pending") {
		t.Errorf("retrying a pending delivery: exit %d %s", code, errOut)
	}
	// A new endpoint starts after the alerts already raised, unless --replay.
	st, err = sqlite.Open(ctx, filepath.Join(dir, "interdict.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Publish(ctx, []deliver.Published{{Key: "x1", Payload: json.RawMessage(`{}`)}, {Key: "x2", Payload: json.RawMessage(`{}`)}}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	var late, replayer map[string]any
	c.json(&late, "webhooks", "add", "--url", "https://hooks.example.com/late", "--id", "late")
	c.json(&replayer, "webhooks", "add", "--url", "https://hooks.example.com/all", "--id", "all", "--replay")
	if late["cursor"] != 2.0 || replayer["cursor"] != 0.0 {
		t.Errorf("cursors: new %v, --replay %v; want 2 and 0", late["cursor"], replayer["cursor"])
	}

	c.ok("webhooks", "remove", "exch-b")
	if _, _, code := c.run("webhooks", "remove", "exch-b"); code == 0 {
		t.Error("removing a removed endpoint succeeded")
	}
}

// blockSets is a hub's TaintedSource over fixed eth blocks.
type blockSets map[int64][]string

func (b blockSets) TaintedAddresses(_ context.Context, chainName string, h int64) ([]string, error) {
	a, ok := b[h]
	if !ok || chainName != "eth" {
		return nil, hubfilter.ErrNotFound
	}
	return a, nil
}

func TestFilterCheckCLI(t *testing.T) {
	const tainted = "0x098B716B8Aaf21512996dC57EB0615e2383E2f96" // Lazarus Group, OFAC
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "hub.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	key, k, err := auth.NewKey("exchange-b", "b at the hub", auth.RoleScreener)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CreateKey(ctx, k); err != nil {
		t.Fatal(err)
	}
	h, err := api.New(api.DefaultConfig(), api.Deps{Screen: screen.NewLive(screen.NewIndex()), Subjects: st,
		Lists: lists.NewService(st, nil), Alerts: st, Auth: st,
		Filters: hubfilter.NewHub(blockSets{100: {"0x0000000000000000000000000000000000000007"}, 101: {tainted}}, 0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()

	dir := t.TempDir()
	watched := filepath.Join(dir, "watched.txt")
	if err := os.WriteFile(watched, []byte("# deposit addresses\n"+strings.ToLower(tainted)+"\n0x00000000000000000000000000000000000000aa\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := cli{t: t, args: []string{"--data-dir", dir}}
	var rep hubfilter.Report
	c.json(&rep, "filter", "check", "--hub", srv.URL, "--key", key, "--chain", "eth", "--from", "100", "--to", "102", "--watched", watched)
	if rep.Checked != 2 || len(rep.Missing) != 1 || rep.Watched != 2 {
		t.Errorf("report %+v", rep)
	}
	if len(rep.Candidates) != 1 || rep.Candidates[0].Height != 101 || rep.Candidates[0].Address != strings.ToLower(tainted) {
		t.Errorf("candidates %+v, want the watched Lazarus address at 101", rep.Candidates)
	}
	// Without --watched the watch store's addresses are checked.
	c.ok("watch", "add", "--chain", "eth", tainted, "0x00000000000000000000000000000000000000bb")
	var fromStore hubfilter.Report
	c.json(&fromStore, "filter", "check", "--hub", srv.URL, "--key", key, "--chain", "eth", "--from", "101")
	if fromStore.Watched != 2 || len(fromStore.Candidates) != 1 || fromStore.Candidates[0].Height != 101 {
		t.Errorf("check of the watch store: %+v", fromStore)
	}
	if _, errOut, code := c.run("filter", "check", "--hub", srv.URL, "--key", "itd_wrong", "--chain", "eth", "--from", "100", "--watched", watched); code == 0 || !strings.Contains(errOut, "401") {
		t.Errorf("a wrong key: exit %d %s", code, errOut)
	}
	if _, _, code := c.run("filter", "check", "--hub", srv.URL, "--key", key, "--chain", "eth", "--from", "5", "--to", "4", "--watched", watched); code != exitUsage {
		t.Errorf("--to below --from: exit %d, want 2", code)
	}
}
