package main

import (
	"strings"
	"testing"
	"time"
)

type deliveryDoc struct {
	Peer      string `json:"peer"`
	RecordID  string `json:"record_id"`
	State     string `json:"state"`
	Attempts  int    `json:"attempts"`
	LastError string `json:"last_error"`
}

// TestCLIFlagsFederateToAServingExchange: the authority A issues a flag
// and `flags sync` pushes it to exchange B's TAXII flags collection; B's
// `serve` accepts it from its inbox; the revocation follows. The outbox
// shows both delivered, and nothing was refused.
func TestCLIFlagsFederateToAServingExchange(t *testing.T) {
	a := cli{t: t, args: []string{"--data-dir", t.TempDir(), "--log-level", "warn"}}
	b := cli{t: t, args: []string{"--data-dir", t.TempDir(), "--log-level", "warn"}}
	var aid, bid identityOut
	a.json(&aid, "keys", "init", "--member", "npa-jp", "--org", "National Police Agency", "--role", "authority")
	b.json(&bid, "keys", "init", "--member", "exchange-b", "--role", "exchange")
	var key struct {
		Secret string `json:"secret"`
	}
	b.json(&key, "keys", "create", "--name", "npa-federation", "--member", "npa-jp", "--role", "analyst")
	if key.Secret == "" {
		t.Fatal("keys create gave no secret")
	}
	b.ok("members", "add", "npa-jp", "--org", "NPA", "--role", "authority", "--key", aid.PublicKey)

	srv, _ := startServer(t, b.args, "serve")
	cred := writeFile(t, "cred", []byte(key.Secret+"\n"))
	a.ok("members", "add", "exchange-b", "--role", "exchange", "--key", bid.PublicKey,
		"--endpoint", srv.url+"/taxii2/federation/collections/flags/", "--endpoint-key-file", cred)

	id := strings.TrimSpace(a.ok("flags", "issue", "--chain", "btc", "--address", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
		"--reason", "DMM Bitcoin theft proceeds", "--incident", "DMM Bitcoin 2024-05-31", "--tlp", "amber", "--expires", "90d"))
	var rep syncReport
	a.json(&rep, "flags", "sync")
	if rep.Queued != 1 || rep.Push.Delivered != 1 || len(rep.Errors) != 0 {
		t.Fatalf("flags sync at A: %+v", rep)
	}
	waitState(t, b, id, "active")

	a.ok("flags", "revoke", id, "--reason", "attribution withdrawn")
	a.json(&rep, "flags", "sync")
	if rep.Queued != 1 || rep.Push.Delivered != 1 {
		t.Fatalf("flags sync after the revocation: %+v", rep)
	}
	waitState(t, b, id, "revoked")

	var ds []deliveryDoc
	a.json(&ds, "flags", "deliveries")
	if len(ds) != 2 || ds[0].State != "delivered" || ds[1].State != "delivered" || ds[0].Peer != "exchange-b" {
		t.Fatalf("flags deliveries: %+v", ds)
	}
	var refused []map[string]any
	b.json(&refused, "flags", "refused")
	if len(refused) != 0 {
		t.Fatalf("flags refused at B: %+v", refused)
	}
	var rq map[string]int
	a.json(&rq, "flags", "requeue")
	if rq["requeued"] != 0 {
		t.Fatalf("requeue with nothing dead: %v", rq)
	}
}

// waitState polls `flags list` at c until flag id is in state, for 15s.
func waitState(t *testing.T, c cli, id, state string) {
	t.Helper()
	var list flagsListDoc
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		c.json(&list, "flags", "list")
		for _, f := range list.Flags {
			if f.ID == id && f.State == state {
				return
			}
		}
	}
	t.Fatalf("flag %s never became %s: %+v", id, state, list)
}
