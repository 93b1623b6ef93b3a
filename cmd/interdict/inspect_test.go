package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/interdict/interdict/internal/action/inspect"
	"github.com/interdict/interdict/internal/action/inspect/safe/safetest"
	"github.com/interdict/interdict/internal/sources/ethereum/rpctest"
)

// TestInspectCLIContract runs `interdict inspect` as a user would: a key, two
// inspections, answers, a collected configuration (the Bybit scenario's), a
// signed report that verifies and fails once tampered, and the exit codes of
// bad input.
func TestInspectCLIContract(t *testing.T) {
	dir := t.TempDir()
	c := cli{t: t, args: []string{"--data-dir", dir, "--log-level", "error"}}
	key := filepath.Join(dir, "report.pem")
	pub := strings.TrimSpace(c.ok("inspect", "keygen", key))

	var scen struct {
		Config json.RawMessage `json:"config"`
	}
	b, err := os.ReadFile(filepath.Join("..", "..", "internal", "action", "inspect", "testdata", "scenarios", "bybit-2025.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &scen); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "bybit-config.json")
	if err := os.WriteFile(cfg, scen.Config, 0o644); err != nil {
		t.Fatal(err)
	}

	c.ok("inspect", "new", "q1", "--org", "acme", "--first")
	c.ok("inspect", "answer", "q1", "fsa-2024-09-26:fsa-3", "not_implemented")
	var col struct {
		Failed []struct {
			Control string   `json:"control"`
			Heists  []string `json:"heists"`
		} `json:"failed"`
		Answers, Evidence int
	}
	c.json(&col, "inspect", "collect", "q1", "--config", cfg)
	if col.Answers != 19 || len(col.Failed) != 19 || col.Evidence == 0 {
		t.Fatalf("collect: %d answers, %d failed, %d evidence; want 19 failing controls (docs/inspection.md)", col.Answers, len(col.Failed), col.Evidence)
	}

	var q2 struct{ Previous string }
	c.json(&q2, "inspect", "new", "q2", "--org", "acme")
	if q2.Previous != "q1" {
		t.Fatalf("q2 previous = %q, want the organisation's latest, q1", q2.Previous)
	}
	c.ok("inspect", "answer", "q2", "fsa-2024-09-26:fsa-3", "implemented")
	c.ok("inspect", "answer", "q2", "seal-sfc:dns-1.1.1", "na", "--justification", "no domains")
	evFile := filepath.Join(dir, "allowlist.txt")
	if err := os.WriteFile(evFile, []byte("allowlist export"), 0o644); err != nil {
		t.Fatal(err)
	}
	c.ok("inspect", "evidence", "q2", "fsa-2024-09-26:fsa-3", evFile, "--kind", "config_export", "--title", "allowlist", "--owner", "ops", "--expires", "2099-01-01")

	out := filepath.Join(dir, "q2.json")
	html := filepath.Join(dir, "q2.html")
	var rep struct {
		PublicKey string `json:"public_key"`
		Changes   int    `json:"changes"`
	}
	checklist := filepath.Join(dir, "q2.csv")
	c.json(&rep, "inspect", "report", "q2", "--key", key, "--json", out, "--html", html, "--checklist", checklist, "--lang", "ja")
	if b, err := os.ReadFile(checklist); err != nil || !bytes.Contains(b, []byte("dns-1.1.1")) {
		t.Errorf("checklist: %v", err)
	}
	if rep.PublicKey != pub {
		t.Errorf("report key %s, keygen printed %s", rep.PublicKey, pub)
	}
	if rep.Changes != 21 { // fsa-3 not_implemented -> implemented, 19 collected -> unknown, dns-1.1.1 unknown -> na
		t.Errorf("changes = %d, want 21", rep.Changes)
	}
	t.Run("the report prints to PDF", func(t *testing.T) {
		if _, err := inspect.FindChromium(); err != nil && os.Getenv("CI") == "" {
			t.Skip("no chromium (make test installs it)")
		}
		pdf := filepath.Join(dir, "q2.pdf")
		c.ok("inspect", "report", "q2", "--key", key, "--json", filepath.Join(dir, "again.json"), "--pdf", pdf)
		if b, err := os.ReadFile(pdf); err != nil || !bytes.HasPrefix(b, []byte("%PDF-")) {
			t.Fatalf("--pdf wrote no PDF (%v)", err)
		}
	})
	t.Run("the signed report verifies against the key", func(t *testing.T) {
		if got := c.ok("inspect", "verify", out, "--public-key", pub); !strings.Contains(got, "verified") {
			t.Fatalf("verify: %s", got)
		}
	})
	t.Run("a tampered report fails with exit 65", func(t *testing.T) {
		signed, _ := os.ReadFile(out)
		bad := filepath.Join(dir, "bad.json")
		os.WriteFile(bad, bytes.Replace(signed, []byte(`"acme"`), []byte(`"acne"`), 1), 0o644)
		if _, errOut, code := c.run("inspect", "verify", bad); code != 65 {
			t.Fatalf("exit %d, want 65: %s", code, errOut)
		}
	})
	t.Run("the HTML report names the sections", func(t *testing.T) {
		h, _ := os.ReadFile(html)
		for _, s := range []string{"CCSS level / CCSSレベル", "SEAL certification modules", "Changes since the previous inspection / 前回点検からの変更: q1"} {
			if !bytes.Contains(h, []byte(s)) {
				t.Errorf("HTML lacks %q", s)
			}
		}
	})
	node := rpctest.New(t)
	safeA, safeB := common.HexToAddress("0x1db92e2eebc8e0c075a02bea49a2935bcd2dfcf4"), common.HexToAddress("0x2db92e2eebc8e0c075a02bea49a2935bcd2dfcf4")
	owners := []common.Address{common.HexToAddress("0xa1"), common.HexToAddress("0xa2"), common.HexToAddress("0xa3")}
	node.SetContract(safeA, safetest.Code, safetest.Safe(2, owners, nil, common.Address{}))
	delay := common.HexToAddress("0x5db92e2eebc8e0c075a02bea49a2935bcd2dfcf4")
	node.SetContract(safeB, safetest.Code, safetest.Safe(2, owners, []common.Address{delay}, common.HexToAddress("0xbeef")))
	node.SetContract(delay, safetest.Code, safetest.Delay(48*3600))
	t.Run("collect reads Safes on chain: the unguarded one fails the guard check, shared owners are listed", func(t *testing.T) {
		c.ok("inspect", "new", "q3", "--org", "acme")
		var doc struct {
			Sources []struct {
				Collector string `json:"collector"`
				Outcomes  []struct{ Check, Status string }
			} `json:"sources"`
			Failed []struct{ Control string } `json:"failed"`
			Reused map[string][]string        `json:"reused_owners"`
		}
		c.json(&doc, "inspect", "collect", "q3", "--safe", safeA.Hex()+","+safeB.Hex(), "--rpc", node.URL)
		if len(doc.Sources) != 2 || doc.Sources[0].Collector != "safe" || len(doc.Reused) != 3 {
			t.Fatalf("collect: %+v", doc)
		}
		guardFailed := map[string]bool{}
		for i, s := range doc.Sources {
			for _, o := range s.Outcomes {
				if o.Check == "multisig-guard" {
					guardFailed[[]string{"A", "B"}[i]] = o.Status == "not_implemented"
				}
			}
		}
		if !guardFailed["A"] || guardFailed["B"] {
			t.Fatalf("guard check failed: %v, want only Safe A (B has a guard and a 48-hour delay module)", guardFailed)
		}
	})
	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		{"a Safe address holding no Safe is exit 65", []string{"inspect", "collect", "q2", "--safe", "0x3db92e2eebc8e0c075a02bea49a2935bcd2dfcf4", "--rpc", node.URL}, 65},
		{"--safe without --rpc is a usage error", []string{"inspect", "collect", "q2", "--safe", safeA.Hex()}, 2},
		{"an unknown inspection is exit 4", []string{"inspect", "answer", "nope", "fsa-2024-09-26:fsa-1", "implemented"}, 4},
		{"a repeated inspection id is exit 5", []string{"inspect", "new", "q1", "--org", "acme"}, 5},
		{"na without a justification is a usage error", []string{"inspect", "answer", "q2", "fsa-2024-09-26:fsa-1", "na"}, 2},
		{"an unknown control is a usage error", []string{"inspect", "answer", "q2", "seal-sfc:nope", "implemented"}, 2},
		{"an unknown status is a usage error", []string{"inspect", "answer", "q2", "fsa-2024-09-26:fsa-1", "maybe"}, 2},
		{"a config with an unknown field is exit 65", []string{"inspect", "collect", "q2", "--config", evFile}, 65},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, errOut, code := c.run(tc.args...); code != tc.code {
				t.Fatalf("exit %d, want %d: %s", code, tc.code, errOut)
			}
		})
	}
}
