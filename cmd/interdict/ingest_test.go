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
	tuned := cli{t: t, args: []string{"--data-dir", t.TempDir(), "--log-level", "warn"}}
	if d := strings.TrimSpace(tuned.ok("ingest", "btc", "--source", "file:"+blocks, "--batch-txs", "7", "--utxo-cache", "0", "--digest")); d != first {
		t.Fatalf("digest with commits of 7 txs and no utxo cache = %s, want %s", d, first)
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
	start := time.Now()
	want := strings.TrimSpace(clean.ok(append(args, "--digest")...))
	// Kill points spread over a clean run's duration, so they land mid-ingest
	// on a fast machine and a slow one alike.
	took := time.Since(start)

	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(7, 7))
	kills, partial := 0, 0
	for run := range 5 {
		cmd := exec.Command(binPath, append([]string{"--data-dir", dir, "--log-level", "warn"}, args...)...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(took/20 + time.Duration(rng.Int64N(int64(took)/5+1)))
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

// TestIngestBTCReorgAcrossSources reads btcd's blk_0_to_4 and then the side
// chain 3A, 4A, 5A as further sources of one run: the longer side chain wins,
// and the index equals a clean ingest of 0, 1, 2, 3A, 4A, 5A — on Pebble and,
// when the test server is there, on PostgreSQL with the same digest.
func TestIngestBTCReorgAcrossSources(t *testing.T) {
	path := func(name string) string {
		return "file:" + sharedtest.Decompressed(t, "blockchain", "btcd", "blockchain", "testdata", name)
	}
	stream := []string{"ingest", "btc", "--digest",
		"--source", path("blk_0_to_4.dat.bz2"), "--source", path("blk_3A.dat.bz2"),
		"--source", path("blk_4A.dat.bz2"), "--source", path("blk_5A.dat.bz2")}
	c := cli{t: t, args: []string{"--data-dir", t.TempDir(), "--log-level", "warn"}}
	got := strings.TrimSpace(c.ok(stream...))

	// A clean ingest of the winning chain: blocks 0-2 of the file, then 3A-5A.
	blocks := readFramedBlocks(t, sharedtest.Decompressed(t, "blockchain", "btcd", "blockchain", "testdata", "blk_0_to_4.dat.bz2"))
	for _, n := range []string{"blk_3A.dat.bz2", "blk_4A.dat.bz2", "blk_5A.dat.bz2"} {
		blocks = append(blocks[:len(blocks):len(blocks)], readFramedBlocks(t, sharedtest.Decompressed(t, "blockchain", "btcd", "blockchain", "testdata", n))...)
	}
	winning := append(append([]*wire.MsgBlock{}, blocks[:3]...), blocks[5:]...)
	file := filepath.Join(t.TempDir(), "winning.dat")
	writeFramed(t, file, chaincfg.MainNetParams.Net, winning)
	clean := cli{t: t, args: []string{"--data-dir", t.TempDir(), "--log-level", "warn"}}
	if want := strings.TrimSpace(clean.ok("ingest", "btc", "--digest", "--source", "file:"+file)); got != want {
		t.Fatalf("after the reorg the digest is %s, a clean ingest of 0,1,2,3A,4A,5A gives %s", got, want)
	}

	t.Run("PostgreSQL holds the same index with the same digest", func(t *testing.T) {
		pg := cli{t: t, args: []string{"--data-dir", t.TempDir(), "--log-level", "warn"}}
		if d := strings.TrimSpace(pg.ok(append(stream, "--chain", freshPostgresSchema(t))...)); d != got {
			t.Fatalf("digest on PostgreSQL %s, on Pebble %s", d, got)
		}
	})
	// The same sources, one `ingest btc` run each: the side blocks 3A and 4A
	// wait aside in the store between runs, and 5A makes their branch win.
	for _, backend := range []string{"pebble", "postgres"} {
		t.Run("one run per source reorganises the same way on "+backend, func(t *testing.T) {
			sep := cli{t: t, args: []string{"--data-dir", t.TempDir(), "--log-level", "warn"}}
			var chainFlag []string
			if backend == "postgres" {
				chainFlag = []string{"--chain", freshPostgresSchema(t)}
			}
			var d string
			for _, src := range stream[3:] {
				if src == "--source" {
					continue
				}
				d = strings.TrimSpace(sep.ok(append([]string{"ingest", "btc", "--digest", "--source", src}, chainFlag...)...))
			}
			if d != got {
				t.Fatalf("after one run per source the digest is %s, after one run %s", d, got)
			}
		})
	}
}

// readFramedBlocks decodes a file of network-magic framed blocks.
func readFramedBlocks(t *testing.T, path string) []*wire.MsgBlock {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []*wire.MsgBlock
	for len(data) >= 8 {
		n := binary.LittleEndian.Uint32(data[4:8])
		var m wire.MsgBlock
		if err := m.Deserialize(bytes.NewReader(data[8 : 8+n])); err != nil {
			t.Fatal(err)
		}
		out = append(out, &m)
		data = data[8+n:]
	}
	return out
}
