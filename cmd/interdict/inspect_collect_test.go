package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/wire"

	"github.com/interdict/interdict/internal/index/bitcoin"
	"github.com/interdict/interdict/internal/index/bitcoin/bitcointest"
	"github.com/interdict/interdict/internal/store/pebble"
)

// regtestChain writes 30 generated blocks to a Pebble chain index in dir and
// returns the regtest address the generator pays repeatedly.
func regtestChain(t *testing.T, dir string) string {
	t.Helper()
	params := &chaincfg.RegressionNetParams
	store, err := pebble.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	eng, err := bitcoin.NewEngine(t.Context(), store, params, bitcoin.DefaultConfig(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	genesis, tip := bitcointest.Genesis()
	blocks, _ := bitcointest.New(7).Blocks(tip, 30)
	for h, b := range append([]*wire.MsgBlock{genesis}, blocks...) {
		if err := eng.Add(t.Context(), b, int64(h)); err != nil {
			t.Fatal(err)
		}
	}
	if err := eng.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	a, err := btcutil.NewAddressWitnessPubKeyHash(bytes.Repeat([]byte{7}, 20), params)
	if err != nil {
		t.Fatal(err)
	}
	return a.EncodeAddress()
}

// TestInspectCollectors runs collect with the hot-wallet, GitHub, lockfile
// and privileged-people collectors: each failed check it decides answers its
// controls not_implemented with the collector named, and nothing else.
func TestInspectCollectors(t *testing.T) {
	dir := t.TempDir()
	c := cli{t: t, args: []string{"--data-dir", dir, "--log-level", "error"}}
	c.ok("inspect", "new", "c1", "--org", "acme")
	chainDir := filepath.Join(dir, "btc")
	hot := regtestChain(t, chainDir)
	wallets := filepath.Join(dir, "wallets.json")
	if err := os.WriteFile(wallets, fmt.Appendf(nil, `{"wallets":[{"label":"hot-1","chain":"btc","address":%q,"cap":"1"}]}`, hot), 0o644); err != nil {
		t.Fatal(err)
	}
	collectors := filepath.Join("..", "..", "internal", "action", "inspect")
	var doc struct {
		Sources []struct {
			Collector string `json:"collector"`
			Reading   *struct {
				Read     []string `json:"read"`
				Findings []string `json:"findings"`
			} `json:"reading"`
		} `json:"sources"`
		Failed []struct {
			Control string   `json:"control"`
			Checks  []string `json:"checks"`
		} `json:"failed"`
		Answers int `json:"answers"`
	}
	c.json(&doc, "inspect", "collect", "c1", "--hot-wallets", wallets, "--btc-chain", "pebble://"+chainDir, "--network", "regtest",
		"--github", filepath.Join(collectors, "github", "testdata", "org-weak.json"),
		"--lockfile", filepath.Join(collectors, "deps", "testdata", "risky", "package-lock.json"), "--privileged")
	var got []string
	for _, s := range doc.Sources {
		got = append(got, s.Collector)
		if s.Reading == nil || len(s.Reading.Read) == 0 {
			t.Errorf("%s: no record of what was read", s.Collector)
		}
	}
	if !slices.Equal(got, []string{"hotwallet", "github", "deps", "privilege"}) {
		t.Fatalf("sources %v", got)
	}
	checks := map[string]bool{}
	for _, f := range doc.Failed {
		for _, ch := range f.Checks {
			checks[ch] = true
		}
	}
	if len(checks) != 3 || !checks["hot-cap"] || !checks["source-control"] || !checks["dependency-integrity"] || doc.Answers != len(doc.Failed) {
		t.Fatalf("failed checks %v (%d answers)", checks, doc.Answers)
	}
	t.Run("the report lists the collected evidence with its collector", func(t *testing.T) {
		key := filepath.Join(dir, "report.pem")
		c.ok("inspect", "keygen", key)
		out := filepath.Join(dir, "c1.json")
		c.ok("inspect", "report", "c1", "--key", key, "--json", out)
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(b, []byte("member dev-one has two-factor authentication disabled")) {
			t.Error("the report does not show the GitHub collector's findings in the answer notes")
		}
		for _, col := range []string{"hotwallet", "github", "deps"} {
			if !bytes.Contains(b, []byte(`\"collector\":\"`+col+`\"`)) && !bytes.Contains(b, []byte(`"collector":"`+col+`"`)) && !bytes.Contains(b, []byte(`"collector": "`+col+`"`)) {
				t.Errorf("report has no evidence collected by %s", col)
			}
		}
	})
	t.Run("signer drift reads the signer's spends from the chain index", func(t *testing.T) {
		signers := filepath.Join(dir, "signers.json")
		if err := os.WriteFile(signers, fmt.Appendf(nil, `[{"chain":"btc","address":%q}]`, hot), 0o644); err != nil {
			t.Fatal(err)
		}
		var d struct {
			Sources []struct {
				Collector string
				Reading   struct{ Read []string }
			}
		}
		c.json(&d, "inspect", "collect", "c1", "--signers", signers, "--recent-blocks", "10", "--btc-chain", "pebble://"+chainDir, "--network", "regtest")
		if len(d.Sources) != 1 || d.Sources[0].Collector != "drift" || len(d.Sources[0].Reading.Read) != 1 ||
			!strings.Contains(d.Sources[0].Reading.Read[0], "bitcoin index") || !strings.Contains(d.Sources[0].Reading.Read[0], "tip 30") {
			t.Fatalf("collect: %+v", d)
		}
	})
	t.Run("a lockfile that does not parse is exit 65", func(t *testing.T) {
		bad := filepath.Join(collectors, "deps", "testdata", "bad", "package-lock.json")
		if _, errOut, code := c.run("inspect", "collect", "c1", "--lockfile", bad); code != 65 || !strings.Contains(errOut, "lockfileVersion") {
			t.Fatalf("exit %d: %s", code, errOut)
		}
	})
	t.Run("a hot wallet on a chain whose index is empty is an error naming it", func(t *testing.T) {
		if _, errOut, code := c.run("inspect", "collect", "c1", "--hot-wallets", wallets, "--btc-chain", "pebble://"+filepath.Join(dir, "empty")); code == 0 || !strings.Contains(errOut, "hot-1") {
			t.Fatalf("exit %d: %s", code, errOut)
		}
	})
}
