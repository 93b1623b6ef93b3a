package ethereum

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBadAnswersGiveClearErrors decodes every file in testdata/bad (named
// <decoder>.<case>.json) and checks the error: wrapped ErrDecode, saying
// what is wrong.
func TestBadAnswersGiveClearErrors(t *testing.T) {
	want := map[string]string{
		"block.leading-zero-number":      "leading zero",
		"block.number-not-hex-string":    "non-string",
		"block.short-hash":               "want 64 for common.Hash",
		"block.pending-no-number":        "pending block",
		"block.difficulty-over-256-bits": "256 bits",
		"block.tx-type-out-of-range":     "type 0x100 out of range",
		"block.tx-without-value":         "missing value",
		"block.truncated":                "unexpected end of JSON",
		"receipts.null-log":              "log 0 is null",
		"receipts.no-block-number":       "missing blockNumber",
		"receipts.object-not-list":       "cannot unmarshal object",
		"parity.negative-subtraces":      "negative subtraces",
		"parity.unknown-type":            `unknown type "bogus"`,
		"parity.bad-quantity":            `quantity "0x1zz": invalid hex`,
		"geth.tracer-error":              "tracer error: execution timeout",
		"geth.null-call":                 "null call 0",
		"geth.frame-without-type":        "missing type",
	}
	files, err := filepath.Glob(filepath.Join("testdata", "bad", "*.json"))
	if err != nil || len(files) != len(want) {
		t.Fatalf("%d bad files for %d expectations (%v)", len(files), len(want), err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			switch strings.SplitN(name, ".", 2)[0] {
			case "block":
				_, err = DecodeBlock(data)
			case "receipts":
				_, err = DecodeReceipts(data)
			case "parity":
				_, err = DecodeParityTraces(data)
			case "geth":
				_, err = DecodeGethTraces(1, data)
			default:
				t.Fatalf("no decoder for %s", name)
			}
			if !errors.Is(err, ErrDecode) || !strings.Contains(err.Error(), want[name]) {
				t.Fatalf("err = %v, want ErrDecode saying %q", err, want[name])
			}
		})
	}
}
