package tags_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/interdict/interdict/internal/index/tags"
	"github.com/interdict/interdict/internal/sharedtest"
	"github.com/interdict/interdict/internal/sources/tagpacks"
	"github.com/interdict/interdict/internal/store/sqlite"
)

// newImporter returns an importer over a fresh SQLite state store (a real
// store: the same code the CLI runs) with the curated DPRK actors loaded.
func newImporter(t testing.TB) (*tags.Importer, *sqlite.Store) {
	t.Helper()
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "state.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	im, err := tags.NewImporter(st, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := im.EnsureCurated(t.Context()); err != nil {
		t.Fatal(err)
	}
	return im, st
}

// importShared imports a shared-data file under its path below tags/.
func importShared(t testing.TB, im *tags.Importer, opt tags.Options, elem ...string) (tags.Result, error) {
	t.Helper()
	data := sharedtest.ReadAll(t, append([]string{"tags"}, elem...)...)
	return im.ImportFile(t.Context(), strings.Join(elem, "/"), bytes.NewReader(data), opt)
}

func mustImport(t testing.TB, im *tags.Importer, elem ...string) tags.Result {
	t.Helper()
	r, err := importShared(t, im, tags.Options{}, elem...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestRealTagPacks is the must-show: import counts and the confidence mapping
// on the real GraphSense packs.
func TestRealTagPacks(t *testing.T) {
	im, st := newImporter(t)
	ctx := t.Context()
	pack := func(name string) tags.Result { return mustImport(t, im, "graphsense-tagpacks", "packs", name) }

	t.Run("lazarus.yaml: 21 OFAC-sourced Lazarus tags, authority_data = 60", func(t *testing.T) {
		r := pack("lazarus.yaml")
		if r.Rows != 21 || r.Tags != 21 || !reflect.DeepEqual(r.Confidence, map[string]int{"authority_data": 21}) {
			t.Fatalf("result %+v", r)
		}
		ts, err := st.TagsByDataset(ctx, r.Dataset)
		if err != nil {
			t.Fatal(err)
		}
		networks := map[string]int{}
		for _, tg := range ts {
			networks[tg.Network]++
			if tg.Level != 60 || tg.Actor != "lazarusgroup" || tg.Abuse != "sanction" || tg.Category != "user" || tg.Date != "2022-04-15" || tg.PackTitle != "OFAC Tagpack" || tg.TLP != "AMBER" {
				t.Fatalf("tag %+v", tg)
			}
		}
		if networks["btc"] != 20 || networks["eth"] != 1 {
			t.Errorf("networks %v, want btc 20, eth 1", networks)
		}
		if ts[0].Line != 13 || ts[0].File != "graphsense-tagpacks/packs/lazarus.yaml" || ts[0].Address != "134r8iHv69xdT6p5qVKTsHrcUEuBVZAYak" {
			t.Errorf("first tag provenance %s:%d %s", ts[0].File, ts[0].Line, ts[0].Address)
		}
	})
	t.Run("lazarus2.yaml: 6 FBI-sourced BTC tags, authority_data = 60", func(t *testing.T) {
		r := pack("lazarus2.yaml")
		if r.Tags != 6 || r.Confidence["authority_data"] != 6 {
			t.Fatalf("result %+v", r)
		}
	})
	t.Run("ofac.yaml: 572 tags without confidence become unknown = 5, with a warning", func(t *testing.T) {
		r := pack("ofac.yaml")
		if r.Tags != 572 || r.Confidence["unknown"] != 572 || len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0].Msg, `572 tags have no confidence; set to "unknown"`) {
			t.Fatalf("result %+v", r)
		}
		ts, _ := st.TagsByDataset(ctx, r.Dataset)
		networks := map[string]int{}
		for _, tg := range ts {
			networks[tg.Network]++
			if tg.Level != 5 {
				t.Fatalf("tag %+v", tg)
			}
		}
		if networks["btc"] != 385 || networks["eth"] != 147 || networks["usdt"] != 9 || networks["ltc"] != 8 || networks["bch"] != 7 {
			t.Errorf("networks %v", networks)
		}
	})
	t.Run("exchange packs: service_data = 50, category exchange, actor binance", func(t *testing.T) {
		for name, want := range map[string]int{"binance.yaml": 2, "exchange-wallets-binance.yaml": 86, "exchange-wallets-okx.yaml": 36, "exchange-wallets-huobi.yaml": 58} {
			r := pack(name)
			if r.Tags != want || r.Confidence["service_data"] != want {
				t.Errorf("%s: result %+v, want %d service_data tags", name, r, want)
			}
		}
		// The KuCoin pack repeats 5 (address, network, label) rows.
		if r := pack("exchange-wallets-kucoin.yaml"); r.Rows != 59 || r.Tags != 54 || r.Duplicates != 5 {
			t.Errorf("kucoin: %+v", r)
		}
		ts, err := tags.AddressTags(ctx, st, "0xBE0EB53F46CD790CD13851D5EFF43D12404D33E8")
		// The pack lists this reserve wallet for ETH, BUSD and BNB (ETH and
		// BEP20): four tags, file order within one confidence.
		if err != nil || len(ts) != 4 || ts[0].Label != "binance reserve wallets ETH" || ts[2].Network != "bep20" {
			t.Fatalf("binance reserve wallet by upper-case address: %+v, %v", ts, err)
		}
		for _, tg := range ts {
			if tg.Category != "exchange" || tg.Actor != "binance" || tg.Level != 50 || !tg.ClusterDefiner {
				t.Errorf("tag %+v", tg)
			}
		}
		ex, err := st.TagsByConcept(ctx, "exchange", 50, 0)
		if err != nil || len(ex) != 2+86+36+58+54 {
			t.Errorf("exchange tags at level >= 50: %d, %v", len(ex), err)
		}
	})
	t.Run("re-importing a pack stores nothing new", func(t *testing.T) {
		r := pack("lazarus.yaml")
		if !r.Unchanged || r.Tags != 21 {
			t.Fatalf("second import %+v", r)
		}
		ts, _ := tags.AddressTags(ctx, st, "134r8iHv69xdT6p5qVKTsHrcUEuBVZAYak")
		// lazarus.yaml's tag plus ofac.yaml's.
		if len(ts) != 2 {
			t.Errorf("%d tags on a lazarus address after re-import, want 2", len(ts))
		}
	})
}

// TestAllRealPacks imports every pack: 26176 rows, 26170 tags after the
// KuCoin (5) and Tornado Cash (1) repeats.
func TestAllRealPacks(t *testing.T) {
	if testing.Short() {
		t.Skip("imports 26k tags")
	}
	im, _ := newImporter(t)
	dir := sharedtest.Path(t, "tags", "graphsense-tagpacks", "packs")
	files, _ := filepath.Glob(filepath.Join(dir, "*.yaml*"))
	more, _ := filepath.Glob(filepath.Join(dir, "*", "*.yaml*"))
	rows, stored, warned := 0, 0, 0
	for _, f := range append(files, more...) {
		rel, _ := filepath.Rel(filepath.Dir(dir), f)
		r := mustImport(t, im, append([]string{"graphsense-tagpacks"}, strings.Split(filepath.ToSlash(rel), "/")...)...)
		rows += r.Rows
		stored += r.Tags
		warned += len(r.Warnings)
	}
	if rows != 26176 || stored != 26170 {
		t.Errorf("%d rows, %d tags stored; want 26176 and 26170", rows, stored)
	}
	// ofac, miners_additional, etherscamdb (no confidence); usdt_blacklist
	// (category black_list is not in the taxonomy).
	if warned != 4 {
		t.Errorf("%d warnings, want 4", warned)
	}
}

// TestRealLabelSets imports each label set and checks what is stored.
func TestRealLabelSets(t *testing.T) {
	im, _ := newImporter(t)
	cases := []struct {
		path                      []string
		rows, tags, dups, skipped int
		confidence                string
	}{
		{[]string{"etherscan-labels-brianleect", "etherscan_combinedAllLabels.json.gz"}, 29945, 29944, 1, 0, "web_crawl"},
		{[]string{"etherscan-labels-brianleect", "bscscan_combinedAllLabels.json.gz"}, 6726, 6723, 0, 3, "web_crawl"},
		{[]string{"etherscan-labels-brianleect", "etherscan_accounts", "blocked.csv"}, 661, 483, 178, 0, "web_crawl"},
		{[]string{"etherscan-labels-brianleect", "etherscan_accounts", "ofac-sanctions-lists.csv"}, 72, 72, 0, 0, "web_crawl"},
		{[]string{"mew-ethereum-lists", "addresses-darklist.json"}, 693, 662, 30, 1, "trusted_provider"},
		{[]string{"mew-ethereum-lists", "addresses-lightlist.json"}, 2, 2, 0, 0, "trusted_provider"},
		{[]string{"forta-labelled-datasets", "labels", "1", "etherscan_malicious_labels.csv.gz"}, 7780, 7272, 508, 0, "web_crawl"},
		{[]string{"forta-labelled-datasets", "labels", "1", "malicious_smart_contracts.csv.gz"}, 753, 732, 21, 0, "web_crawl"},
		{[]string{"forta-labelled-datasets", "labels", "1", "phishing_scams.csv.gz"}, 6726, 6218, 508, 0, "web_crawl"},
		{[]string{"forta-labelled-datasets", "labels", "10", "malicious_smart_contracts.csv"}, 1, 1, 0, 0, "web_crawl"},
		{[]string{"cryptoscamdb-blacklist", "urls.yaml.gz"}, 5841, 5801, 16, 24, "web_crawl"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.path, "/"), func(t *testing.T) {
			r := mustImport(t, im, c.path...)
			if r.Rows != c.rows || r.Tags != c.tags || r.Duplicates != c.dups || len(r.Skipped) != c.skipped || r.Confidence[c.confidence] != c.tags {
				t.Errorf("rows %d tags %d dups %d skipped %d confidence %v; want %d %d %d %d all %s",
					r.Rows, r.Tags, r.Duplicates, len(r.Skipped), r.Confidence, c.rows, c.tags, c.dups, c.skipped, c.confidence)
			}
		})
	}
}

// TestBadFilesStoreNothing: a refused file leaves no dataset and no tag.
func TestBadFilesStoreNothing(t *testing.T) {
	im, st := newImporter(t)
	bad, _ := filepath.Glob("../../sources/tagpacks/testdata/bad/*.yaml")
	if len(bad) < 5 {
		t.Fatalf("found %d bad files", len(bad))
	}
	for _, f := range bad {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		_, err = im.ImportFile(t.Context(), filepath.Base(f), bytes.NewReader(data), tags.Options{Strict: true})
		if !errors.Is(err, tags.ErrMalformed) || !strings.HasPrefix(err.Error(), filepath.Base(f)+":") {
			t.Errorf("%s: error %v, want ErrMalformed starting with file:line", f, err)
		}
	}
	t.Run("uris.yaml from CryptoScamDB is refused with its line", func(t *testing.T) {
		_, err := importShared(t, im, tags.Options{}, "cryptoscamdb-blacklist", "uris.yaml")
		if !errors.Is(err, tags.ErrMalformed) || !strings.Contains(err.Error(), "uris.yaml:25:") {
			t.Fatalf("error %v", err)
		}
	})
	t.Run("an unknown confidence is refused even when not strict", func(t *testing.T) {
		data, _ := os.ReadFile("../../sources/tagpacks/testdata/bad/unknown_confidence.yaml")
		_, err := im.ImportFile(t.Context(), "unknown_confidence.yaml", bytes.NewReader(data), tags.Options{})
		if !errors.Is(err, tagpacks.ErrUnknownConfidence) {
			t.Fatalf("error %v", err)
		}
	})
	ds, err := st.TagDatasets(t.Context())
	if err != nil || len(ds) != 1 || ds[0].ID != tags.CuratedDataset {
		t.Fatalf("datasets after bad imports: %+v, %v; want only the curated actors", ds, err)
	}
}
