package main

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/wire"

	"github.com/interdict/interdict/internal/index/bitcoin/bitcointest"
	"github.com/interdict/interdict/internal/sources/bitcoin/rpctest"
)

// recordNode writes the recordings a node serving blocks (from genesis) would
// answer getblockcount, getblockhash and getblock (raw) with.
func recordNode(t *testing.T, blocks []*wire.MsgBlock) string {
	t.Helper()
	dir := t.TempDir()
	write := func(name, v string) {
		if err := os.WriteFile(filepath.Join(dir, "rpc_response_"+name+".json"), []byte(v), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("getblockcount", fmt.Sprint(len(blocks)-1))
	for h, b := range blocks {
		var raw bytes.Buffer
		if err := b.Serialize(&raw); err != nil {
			t.Fatal(err)
		}
		write(fmt.Sprintf("getblockhash_%d", h), `"`+b.BlockHash().String()+`"`)
		write("getblock_"+b.BlockHash().String()+"_0", `"`+hex.EncodeToString(raw.Bytes())+`"`)
	}
	return dir
}

// TestIngestBTCFollowsANodeReorg ingests a node's chain over RPC, then asks a
// node that has reorganised onto a longer branch: the ingest fetches the
// branch's missing blocks and the index equals a clean ingest of the branch.
func TestIngestBTCFollowsANodeReorg(t *testing.T) {
	g := bitcointest.New(77)
	genesis, tip := bitcointest.Genesis()
	mainBlocks, _ := g.Blocks(tip, 12)
	a := append([]*wire.MsgBlock{genesis}, mainBlocks...)
	g.Salt = 5
	branch, _ := g.Blocks(bitcointest.TipOf(a[:7]), 9)
	b := append(append([]*wire.MsgBlock{}, a[:7]...), branch...)

	nodeA := rpctest.New(t, recordNode(t, a))
	nodeB := rpctest.New(t, recordNode(t, b))
	c := cli{t: t, args: []string{"--data-dir", t.TempDir(), "--log-level", "warn"}}
	gotA := strings.TrimSpace(c.ok("ingest", "btc", "--network", "regtest", "--source", "rpc:"+nodeA.URL, "--digest"))
	if wantA := cleanDigest(t, a); gotA != wantA {
		t.Fatalf("ingest over RPC gave digest %s, a clean file ingest %s", gotA, wantA)
	}
	got := strings.TrimSpace(c.ok("ingest", "btc", "--network", "regtest", "--source", "rpc:"+nodeB.URL, "--digest"))
	if want := cleanDigest(t, b); got != want {
		t.Fatalf("after the node's reorg the index digest is %s, a clean ingest of the new chain's %s", got, want)
	}
}

// cleanDigest ingests blocks from a framed file into a fresh index.
func cleanDigest(t *testing.T, blocks []*wire.MsgBlock) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "chain.dat")
	writeFramed(t, file, chaincfg.RegressionNetParams.Net, blocks)
	clean := cli{t: t, args: []string{"--data-dir", t.TempDir(), "--log-level", "warn"}}
	return strings.TrimSpace(clean.ok("ingest", "btc", "--network", "regtest", "--source", "file:"+file, "--digest"))
}

// TestIngestBTCBlkDirAfterANodeReorg resumes from a blocks directory in
// which the node has since reorganised onto a longer branch: the resume
// re-reads the undo window and the index equals a clean ingest of the branch.
func TestIngestBTCBlkDirAfterANodeReorg(t *testing.T) {
	g := bitcointest.New(78)
	genesis, tip := bitcointest.Genesis()
	mainBlocks, _ := g.Blocks(tip, 12)
	a := append([]*wire.MsgBlock{genesis}, mainBlocks...)
	g.Salt = 6
	branch, _ := g.Blocks(bitcointest.TipOf(a[:8]), 8)
	b := append(append([]*wire.MsgBlock{}, a[:8]...), branch...)

	dir := t.TempDir()
	writeFramed(t, filepath.Join(dir, "blk00000.dat"), chaincfg.RegressionNetParams.Net, a)
	c := cli{t: t, args: []string{"--data-dir", t.TempDir(), "--log-level", "warn"}}
	if got, want := strings.TrimSpace(c.ok("ingest", "btc", "--network", "regtest", "--source", "blkdir:"+dir, "--digest")), cleanDigest(t, a); got != want {
		t.Fatalf("blkdir ingest digest %s, clean %s", got, want)
	}
	writeFramed(t, filepath.Join(dir, "blk00001.dat"), chaincfg.RegressionNetParams.Net, branch)
	if got, want := strings.TrimSpace(c.ok("ingest", "btc", "--network", "regtest", "--source", "blkdir:"+dir, "--digest")), cleanDigest(t, b); got != want {
		t.Fatalf("after the node's reorg the digest is %s, a clean ingest of the new chain's %s", got, want)
	}
}
