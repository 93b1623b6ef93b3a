package pattern

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/interdict/interdict/internal/sharedtest"
)

func TestOASISExampleIndicatorPatternsParse(t *testing.T) {
	dir := sharedtest.Path(t, "stix", "oasis-examples")
	n := 0
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".json") {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		var doc struct {
			Objects []struct {
				Pattern string `json:"pattern"`
			} `json:"objects"`
		}
		if err := json.Unmarshal(data, &doc); err != nil {
			return err
		}
		for _, o := range doc.Objects {
			if o.Pattern == "" {
				continue
			}
			n++
			if _, err := Parse(o.Pattern); err != nil {
				t.Errorf("%s: %v", filepath.Base(p), err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d indicator patterns of the OASIS examples parse", n)
	if n != 43 {
		t.Errorf("%d patterns, want the 43 indicators of the examples", n)
	}
}
