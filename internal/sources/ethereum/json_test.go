package ethereum

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/interdict/interdict/internal/sharedtest"
)

// etlDir is the ethereum-etl recordings folder inside the shared data.
var etlDir = []string{"blockchain", "ethereum-etl"}

// recorded returns the result member of every recorded response of method.
func recorded(t *testing.T, method string) map[string]json.RawMessage {
	t.Helper()
	root := sharedtest.Path(t, etlDir...)
	files, err := filepath.Glob(filepath.Join(root, "*", "*", "web3_response."+method+"_*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no recorded %s responses under %s", method, root)
	}
	out := map[string]json.RawMessage{}
	for _, f := range files {
		rel, _ := filepath.Rel(root, f)
		var env struct {
			Result json.RawMessage `json:"result"`
		}
		if err := json.Unmarshal(sharedtest.ReadAll(t, append(append([]string{}, etlDir...), strings.Split(filepath.ToSlash(rel), "/")...)...), &env); err != nil {
			t.Fatalf("%s: %v", rel, err)
		}
		out[rel] = env.Result
	}
	return out
}

func TestBlockJSONDecodesEveryRecordedBlockAndRoundTrips(t *testing.T) {
	for name, raw := range recorded(t, "eth_getBlockByNumber") {
		t.Run(name, func(t *testing.T) {
			var b Block
			if err := json.Unmarshal(raw, &b); err != nil {
				t.Fatal(err)
			}
			full := strings.HasSuffix(name, "_true.json")
			if full != (b.Txs != nil) && b.TxCount() > 0 {
				t.Fatalf("full=%v but Txs=%v", full, b.Txs != nil)
			}
			out, err := b.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			var b2 Block
			if err := json.Unmarshal(out, &b2); err != nil {
				t.Fatalf("re-decode: %v\n%s", err, out)
			}
			out2, _ := b2.MarshalJSON()
			if !bytes.Equal(out, out2) {
				t.Fatalf("round trip differs:\n%s\n%s", out, out2)
			}
		})
	}
}

func TestReceiptJSONDecodesEveryRecordedReceipt(t *testing.T) {
	for name, raw := range recorded(t, "eth_getTransactionReceipt") {
		t.Run(name, func(t *testing.T) {
			var r Receipt
			if err := json.Unmarshal(raw, &r); err != nil {
				t.Fatal(err)
			}
			if r.TxHash.Hex() == "" || !strings.Contains(name, r.TxHash.Hex()) {
				t.Fatalf("hash %s not in %s", r.TxHash.Hex(), name)
			}
		})
	}
}
