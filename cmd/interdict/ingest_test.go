package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/wire"

	"github.com/interdict/interdict/internal/index/bitcoin"
	"github.com/interdict/interdict/internal/index/bitcoin/bitcointest"
	"github.com/interdict/interdict/internal/sharedtest"
	"github.com/interdict/interdict/internal/store/pebble"
)

// writeFramed writes blocks as a blk-style file of network-magic framed
// records.
func writeFramed(t *testing.T, path string, net wire.BitcoinNet, blocks []*wire.MsgBlock) {
	t.Helper()
	var buf bytes.Buffer
	for _, b := range blocks {
		var raw bytes.Buffer
		if err := b.Serialize(&raw); err != nil {
			t.Fatal(err)
		}
		buf.Write(binary.LittleEndian.AppendUint32(nil, uint32(net)))
		buf.Write(binary.LittleEndian.AppendUint32(nil, uint32(raw.Len())))
		buf.Write(raw.Bytes())
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestIngestBTCFileAndDigest(t *testing.T) {
	blocks := sharedtest.Decompressed(t, "blockchain", "btcd", "database", "testdata", "blocks1-256.bz2")
	c := cli{t: t, args: []string{"--data-dir", t.TempDir(), "--log-level", "warn"}}
	first := strings.TrimSpace(c.ok("ingest", "btc", "--source", "file:"+blocks, "--digest"))
	again := strings.TrimSpace(c.ok("ingest", "btc", "--source", "file:"+blocks, "--digest"))
	if len(first) != 64 || first != again {
		t.Fatalf("digest %q, after re-ingesting the same blocks %q: want the same 64 hex digits", first, again)
	}
	other := cli{t: t, args: []string{"--data-dir", t.TempDir(), "--log-level", "warn"}}
	if d := strings.TrimSpace(other.ok("ingest", "btc", "--source", "file:"+blocks, "--batch", "9", "--digest")); d != first {
		t.Fatalf("digest with batches of 9 = %s, want %s", d, first)
	}
	if _, _, code := c.run("ingest", "btc"); code != 2 {
		t.Fatalf("ingest btc without --source exited %d, want 2", code)
	}
	if _, _, code := c.run("ingest", "btc", "--source", "file:"+blocks, "--network", "moonnet"); code != 2 {
		t.Fatalf("an unknown network exited %d, want 2", code)
	}
}

// TestIngestBTCSurvivesKill9 kills the ingest at random points, resumes it, and
// expects the same index as a clean ingest.
func TestIngestBTCSurvivesKill9(t *testing.T) {
	g := bitcointest.New(2026)
	genesis, tip := bitcointest.Genesis()
	blocks, _ := g.Blocks(tip, 1500)
	file := filepath.Join(t.TempDir(), "chain.dat")
	writeFramed(t, file, chaincfg.RegressionNetParams.Net, append([]*wire.MsgBlock{genesis}, blocks...))
	args := []string{"ingest", "btc", "--network", "regtest", "--source", "file:" + file, "--batch", "5"}

	clean := cli{t: t, args: []string{"--data-dir", t.TempDir(), "--log-level", "warn"}}
	want := strings.TrimSpace(clean.ok(append(args, "--digest")...))

	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(7, 7))
	kills, partial := 0, 0
	for run := range 5 {
		cmd := exec.Command(binPath, append([]string{"--data-dir", dir, "--log-level", "warn"}, args...)...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(100+rng.IntN(300)) * time.Millisecond)
		if err := cmd.Process.Kill(); err == nil { // SIGKILL
			kills++
		}
		_ = cmd.Wait()
		if h := chainTip(t, filepath.Join(dir, "chain")); h > 0 && h < int64(len(blocks)) {
			partial++
			t.Logf("run %d killed at tip %d", run, h)
		}
	}
	if partial == 0 {
		t.Fatal("no kill landed in the middle of the ingest; the test shows nothing")
	}
	resumed := cli{t: t, args: []string{"--data-dir", dir, "--log-level", "warn"}}
	if got := strings.TrimSpace(resumed.ok(append(args, "--digest")...)); got != want {
		t.Fatalf("after %d kills and a resume the digest is %s, a clean ingest's %s", kills, got, want)
	}
}

// chainTip returns the tip height of the Pebble chain index in dir, -1 if empty.
func chainTip(t *testing.T, dir string) int64 {
	t.Helper()
	s, err := pebble.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tip, err := s.Tip(t.Context())
	if errors.Is(err, bitcoin.ErrNotFound) {
		return -1
	}
	if err != nil {
		t.Fatal(err)
	}
	return tip.Height
}
