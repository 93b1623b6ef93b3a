package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/interdict/interdict/internal/index/ethereum/ethtest"
	"github.com/interdict/interdict/internal/sources/ethereum/rpctest"
)

// TestIngestETHFollowRaisesAlertsWhileFollowing: `ingest eth --follow` runs
// the alert engine after each commit, so a payment from a flagged address
// to a watched one, mined while the follower runs, is an alert (listed by
// another process) before the follower is stopped.
func TestIngestETHFollowRaisesAlertsWhileFollowing(t *testing.T) {
	blocks := ethtest.Gen{Seed: 31, Traced: true}.Chain(100, common.Hash{}, 20) // 100..119
	// The payment: the first successful value transfer of block 112 or later.
	var (
		k        int
		from, to string
		txHash   string
	)
	for i := 12; i < len(blocks) && from == ""; i++ {
		bd := blocks[i]
		for j, tx := range bd.Block.Txs {
			if tx.To == nil || tx.Value == nil || tx.Value.Sign() == 0 || *tx.To == tx.From {
				continue
			}
			if r := bd.Receipts[j]; r.Status != nil && *r.Status != 1 {
				continue
			}
			k, from, to, txHash = i, strings.ToLower(tx.From.Hex()), strings.ToLower(tx.To.Hex()), strings.ToLower(tx.Hash.Hex())
			break
		}
	}
	if from == "" {
		t.Fatal("the generated chain has no value transfer from block 112")
	}
	height := int64(100 + k)
	node := rpctest.New(t)
	if err := node.SetChain(1, served(blocks[:k])); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(t.TempDir(), "data")
	c := cli{t: t, args: []string{"--data-dir", data, "--log-level", "warn"}}
	c.ok("watch", "add", "--chain", "eth", to)
	flags, _ := json.Marshal([]map[string]any{{"flag_id": "flag-eth", "chain": "eth", "address": from, "incident": "drill"}})
	if err := os.WriteFile(filepath.Join(data, "watch-flags.json"), flags, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binPath, "--data-dir", data, "--log-level", "info", "ingest", "eth", "--rpc", node.URL,
		"--from", "100", "--follow", "--poll", "20ms", "--confirmations", "0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	waitFollower(t, node, height-1)

	// The payment is mined while the follower runs.
	if err := node.Append(served(blocks[k : k+1])...); err != nil {
		t.Fatal(err)
	}
	var got []chainAlertDoc
	deadline := time.Now().Add(30 * time.Second)
	found := false
	for !found && time.Now().Before(deadline) {
		c.json(&got, "alerts", "list", "--chain", "eth")
		for _, a := range got {
			found = found || (a.Height == height && a.Tx == txHash && a.Address == to && !a.Retro)
		}
		if !found {
			time.Sleep(50 * time.Millisecond)
		}
	}
	// Found before the follower was stopped: raised while following.
	if !found {
		t.Fatalf("no alert for %s paying %s in block %d while following: %+v\n%s", from, to, height, got, stderr.String())
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("ingest --follow after SIGTERM: %v\n%s", err, stderr.String())
	}
}
