package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/interdict/interdict/internal/sharedtest"
)

const (
	taxiiMedia = "application/taxii+json;version=2.1"
	hvColl     = "91a7b528-80eb-42ed-a74d-c6fbd5a26116"
	addColl    = "365fed99-08fa-fdcd-a1b3-fb247eb41d01"
)

// taxiiGet fetches path from a running server with the TAXII media type;
// basic sends the key as the Basic password.
func taxiiGet(t *testing.T, s *server, path, key string, basic bool) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.url+path, nil)
	req.Header.Set("Accept", taxiiMedia)
	if basic {
		req.SetBasicAuth("whoever", key)
	} else if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return resp.StatusCode, m
}

// TestTAXIIContract runs the TAXII CLI contract end to end, with the hub's
// state on SQLite and on PostgreSQL: a key printed as {"key":…} works as
// Bearer and as the Basic password on `serve`'s /taxii2/ after `taxii
// import` of medallion's file, and another instance syncs, pulls (resuming)
// and pushes through `taxii sync|pull|push`.
func TestTAXIIContract(t *testing.T) {
	t.Run("SQLite", func(t *testing.T) { taxiiContract(t, []string{"--data-dir", t.TempDir()}) })
	t.Run("PostgreSQL", func(t *testing.T) {
		taxiiContract(t, []string{"--data-dir", t.TempDir(), "--db", freshPostgresSchema(t)})
	})
}

func taxiiContract(t *testing.T, hubArgs []string) {
	medallion := sharedtest.Path(t, "stix", "medallion", "default_data.json")
	bundle := sharedtest.Path(t, "stix", "oasis-examples", "indicator-for-c2-ip-address.json")
	hub := cli{t: t, args: hubArgs}

	var admin, analyst struct {
		Key string `json:"key"`
	}
	hub.json(&admin, "keys", "create", "--name", "ops", "--role", "admin")
	hub.json(&analyst, "keys", "create", "--name", "member", "--member", "acme", "--role", "analyst")
	if !strings.HasPrefix(admin.Key, "itd_") || !strings.HasPrefix(analyst.Key, "itd_") {
		t.Fatalf("keys create printed %q and %q, want secrets", admin.Key, analyst.Key)
	}
	var rep struct {
		APIRoots    int `json:"api_roots"`
		Collections int `json:"collections"`
		Objects     int `json:"objects"`
		Statuses    int `json:"statuses"`
	}
	hub.json(&rep, "taxii", "import", medallion)
	if rep.APIRoots != 3 || rep.Collections != 5 || rep.Objects != 8 || rep.Statuses != 2 {
		t.Fatalf("import report %+v", rep)
	}

	s, _ := startServer(t, hub.args, "serve")
	if code, _ := s.do(t, "GET", "/healthz", "", ""); code != http.StatusOK {
		t.Fatalf("/healthz: HTTP %d", code)
	}
	for _, basic := range []bool{false, true} {
		code, disc := taxiiGet(t, s, "/taxii2/", admin.Key, basic)
		roots, _ := disc["api_roots"].([]any)
		if code != http.StatusOK || len(roots) != 3 || roots[2] != s.url+"/taxii2/trustgroup1/" {
			t.Fatalf("discovery (basic=%v): HTTP %d %v", basic, code, disc)
		}
	}
	if code, _ := taxiiGet(t, s, "/taxii2/", "", false); code != http.StatusUnauthorized {
		t.Fatalf("discovery without a key: HTTP %d", code)
	}
	if code, coll := taxiiGet(t, s, "/taxii2/trustgroup1/collections/64993447-4d7e-4f70-b94d-d7f33742ee63/", analyst.Key, true); code != 200 || coll["can_read"] != false {
		t.Fatalf("imported can_read=false is not the analyst's default: %d %v", code, coll)
	}

	member := cli{t: t, args: []string{"--data-dir", t.TempDir()}}
	root := s.url + "/taxii2/trustgroup1/"
	var synced struct {
		Objects int `json:"objects"`
	}
	member.json(&synced, "taxii", "sync", "--url", root, "--collection", hvColl, "--key", analyst.Key)
	if synced.Objects != 8 {
		t.Fatalf("sync read %d versions, want all 8", synced.Objects)
	}
	member.json(&synced, "taxii", "sync", "--url", root, "--collection", hvColl, "--key", analyst.Key)
	if synced.Objects != 0 {
		t.Fatalf("a second sync read %d versions, want none", synced.Objects)
	}

	pull := func() []string {
		cmd := exec.Command(binPath, append(member.args, "taxii", "pull", "--url", s.url+"/taxii2/", "--collection", hvColl, "--user", "acme")...)
		cmd.Env = append(os.Environ(), "INTERDICT_TAXII_KEY="+analyst.Key)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("taxii pull: %v", err)
		}
		if strings.Contains(string(out), analyst.Key) {
			t.Fatal("pull printed the key")
		}
		return strings.FieldsFunc(string(out), func(r rune) bool { return r == '\n' })
	}
	if lines := pull(); len(lines) != 8 {
		t.Fatalf("pull printed %d objects, want 8", len(lines))
	}
	if lines := pull(); len(lines) != 0 {
		t.Fatalf("a resumed pull printed %d objects, want 0", len(lines))
	}

	var pushed struct {
		Total, Successes, Failures int
	}
	member.json(&pushed, "taxii", "push", "--url", root, "--collection", addColl, "--key", analyst.Key, bundle)
	if pushed.Total != 1 || pushed.Successes != 1 {
		t.Fatalf("push status %+v", pushed)
	}
	// The pushed indicator is matched through the hub's IOC endpoint (the
	// admin key reads every collection).
	code, body := s.do(t, "POST", "/v1/iocs/match", admin.Key, `{"observables":[{"kind":"ipv4","value":"10.0.0.0"}]}`)
	if code != http.StatusOK || !strings.Contains(string(body), `"collection":"`+addColl+`"`) {
		t.Fatalf("/v1/iocs/match: HTTP %d %s; want a hit in the collection pushed to", code, body)
	}
	if _, _, code := member.run("taxii", "push", "--url", root, "--collection", "52892447-4d7e-4f70-b94d-d7f22742ff63", "--key", analyst.Key, bundle); code != exitFailure {
		t.Fatalf("push to a read-only collection exited %d", code)
	}
	if _, _, code := member.run("taxii", "pull", "--collection", hvColl); code != exitUsage {
		t.Fatalf("pull without --url exited %d", code)
	}

	// A scheduled pull (--every) picks up what is pushed while it runs, and
	// an interrupt ends it with exit 0.
	out := filepath.Join(t.TempDir(), "pulled.jsonl")
	sched := cli{t: t, args: []string{"--data-dir", t.TempDir(), "--log-level", "warn"}}
	cmd := exec.Command(binPath, append(sched.args, "taxii", "pull", "--url", root, "--collection", addColl,
		"--key", analyst.Key, "--every", "100ms", "--out", out)...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := func() int {
		b, _ := os.ReadFile(out)
		return strings.Count(string(b), "\n")
	}
	waitFor := func(n int) {
		t.Helper()
		for deadline := time.Now().Add(20 * time.Second); lines() < n; time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("the scheduled pull wrote %d objects, want %d", lines(), n)
			}
		}
	}
	waitFor(1)
	member.json(&pushed, "taxii", "push", "--url", root, "--collection", addColl, "--key", analyst.Key,
		sharedtest.Path(t, "stix", "oasis-examples", "malicious-email-indicator-with-attachment.json"))
	waitFor(1 + pushed.Successes)
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("an interrupted scheduled pull: %v, want exit 0", err)
	}
	if _, _, code := member.run("taxii", "sync", "--url", root, "--collection", hvColl, "--every", "-1s"); code != exitUsage {
		t.Fatalf("a negative --every exited %d, want %d", code, exitUsage)
	}
}

// TestTAXIIExitCodes: a medallion file that does not parse exits 65
// (malformed input) naming the file; nothing is imported from it.
func TestTAXIIExitCodes(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"discovery": [`), 0o600); err != nil {
		t.Fatal(err)
	}
	c := cli{t: t, args: []string{"--data-dir", t.TempDir(), "--log-level", "warn"}}
	if _, stderr, code := c.run("taxii", "import", bad); code != exitMalformed || !strings.Contains(stderr, "bad.json") {
		t.Fatalf("exit %d (%s), want %d naming the file", code, stderr, exitMalformed)
	}
}
