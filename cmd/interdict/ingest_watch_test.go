package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/wire"

	"github.com/interdict/interdict/internal/sources/bitcoin/rpctest"
)

// TestIngestBTCFollowRaisesAlertsWhileFollowing: a follower that has caught
// up with the node runs the alert engine after each new block it commits, so
// the flagged → mule → deposit movement mined while it follows is an alert
// (listed by another process) before the follower is interrupted.
func TestIngestBTCFollowRaisesAlertsWhileFollowing(t *testing.T) {
	thief, clean, mule, deposit := newWatchParty(0xaa), newWatchParty(0xbb), newWatchParty(0x11), newWatchParty(0xde)
	blocks := heistBlocks(thief, clean, mule, deposit)
	data := filepath.Join(t.TempDir(), "data")
	c := cli{t: t, args: []string{"--data-dir", data, "--log-level", "warn"}}
	c.ok("watch", "add", "--chain", "btc", deposit.addr)
	c.ok("watch", "settings", "--model", "haircut", "--max-hops", "4")
	flags, _ := json.Marshal([]map[string]any{{"flag_id": "flag-1", "chain": "btc", "address": thief.addr, "incident": "drill"}})
	if err := os.WriteFile(filepath.Join(data, "watch-flags.json"), flags, 0o600); err != nil {
		t.Fatal(err)
	}

	node := rpctest.NewNode(t, nil, []*wire.MsgBlock{chaincfg.RegressionNetParams.GenesisBlock, blocks[0]})
	const poll = 20 * time.Millisecond
	f := startFollower(t, "--data-dir", data, "--log-level", "info", "ingest", "btc", "--network", "regtest",
		"--source", "rpc:"+node.URL, "--follow", "--poll", poll.String())
	f.waitFor("caught up", "tip_height=1")

	var got []chainAlertDoc
	c.json(&got, "alerts", "list")
	if len(got) != 0 {
		t.Fatalf("alerts before the movement: %+v", got)
	}
	if err := node.Submit(blocks[1]); err != nil {
		t.Fatal(err)
	}
	f.waitFor("ingest block", "tip_height=2")
	if err := node.Submit(blocks[2]); err != nil {
		t.Fatal(err)
	}
	f.waitFor("watch alerts", "chain=btc", "height=3", "alerts=1")

	// Still following: the alert is stored and listed by another process.
	select {
	case <-f.done:
		t.Fatalf("the follower ended:\n%s", f.stderr())
	default:
	}
	c.json(&got, "alerts", "list")
	tx2 := blocks[2].Transactions[1].TxHash().String()
	if len(got) != 1 || got[0].Address != deposit.addr || got[0].Tx != tx2 || got[0].Height != 3 || got[0].Retro ||
		got[0].Amount != "1500000000" || len(got[0].Path) != 3 {
		t.Fatalf("alerts while following: %+v", got)
	}

	if err := f.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	<-f.done
	if err := f.cmd.Wait(); err != nil {
		t.Fatalf("interrupted follower: %v\n%s", err, f.stderr())
	}
	if n := f.count("watch alerts"); n != 1 {
		t.Fatalf("%d 'watch alerts' lines, want 1 (no alert raised twice):\n%s", n, f.stderr())
	}
}
