package watch_test

import (
	"encoding/json"
	"math/big"
	"strings"
	"testing"

	"github.com/interdict/interdict/internal/action/watch"
)

func TestAlertJSONAmountIsAnIntegerString(t *testing.T) {
	wei, _ := new(big.Int).SetString("123456789012345678901234567890", 10)
	b, err := json.Marshal(watch.Alert{ID: "x", Amount: wei, FlagID: "f"})
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	if !strings.Contains(s, `"amount":"123456789012345678901234567890"`) || !strings.Contains(s, `"flag_ids":["f"]`) ||
		!strings.Contains(s, `"path":[]`) || strings.Count(s, `"amount"`) != 1 {
		t.Fatalf("json %s", s)
	}
}
