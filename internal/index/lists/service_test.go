package lists_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/interdict/interdict/internal/index/lists"
	"github.com/interdict/interdict/internal/sharedtest"
	"github.com/interdict/interdict/internal/sources/sanctions"
)

func TestLoadStoresVersionsWithSourceDateAndDigest(t *testing.T) {
	fx := loadedOFAC(t)
	tests := []struct {
		name string
		got  lists.Version
		want lists.Version
	}{
		{"the 2025-03-04 XML is stored with its date, digest and counts", fx.v0304, lists.Version{
			ID: "ofac-2025-03-04-3f55a900e828", Source: sanctions.SourceOFAC,
			Published: time.Date(2025, 3, 4, 0, 0, 0, 0, time.UTC),
			SHA256:    "3f55a900e828ad33d5b4c6d1b895d28fabe039e48d46f19e2de060200fc33430",
			Entities:  17635, Addresses: 717,
		}},
		{"the 2025-11-19 XML is stored with the digest OFAC publishes", fx.v1119, lists.Version{
			ID: "ofac-2025-11-19-36c517bd264d", Source: sanctions.SourceOFAC,
			Published: time.Date(2025, 11, 19, 0, 0, 0, 0, time.UTC),
			SHA256:    "36c517bd264d8d97eff353eadd8d84427d5eb293505a8ce07271a5bc258c3117",
			Entities:  18367, Addresses: 761,
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.got
			if got.LoadedAt.IsZero() {
				t.Error("LoadedAt not set")
			}
			got.LoadedAt = time.Time{}
			if got != tc.want {
				t.Fatalf("version = %+v\nwant      %+v", got, tc.want)
			}
			stored, err := fx.svc.Version(context.Background(), tc.want.ID)
			if err != nil {
				t.Fatal(err)
			}
			if stored != tc.got {
				t.Fatalf("stored %+v\nreturned %+v", stored, tc.got)
			}
		})
	}
	t.Run("versions are listed oldest loaded first", func(t *testing.T) {
		vs, err := fx.svc.Versions(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, v := range vs {
			if v.Source == sanctions.SourceOFAC {
				ids = append(ids, v.ID)
			}
		}
		if !slices.Equal(ids, []string{fx.v0304.ID, fx.v1119.ID}) {
			t.Fatalf("versions = %v", ids)
		}
	})
	t.Run("the first version of a source has no diff", func(t *testing.T) {
		if fx.firstDiff != nil || fx.unDiff != nil {
			t.Fatalf("diffs = %v, %v", fx.firstDiff, fx.unDiff)
		}
	})
	t.Run("the UN list is stored as a version of its own source", func(t *testing.T) {
		v := fx.vUN
		if v.Source != sanctions.SourceUN || v.Published.Format(time.DateOnly) != "2026-02-27" ||
			v.ID != "un-2026-02-27-"+v.SHA256[:12] || v.Entities != 1003 || v.Addresses != 0 {
			t.Fatalf("UN version = %+v", v)
		}
	})
}

func TestLoadingTheSameFileTwiceIsRefused(t *testing.T) {
	fx := loadedOFAC(t)
	for _, tc := range []struct {
		name string
		path string
		want lists.Version
	}{
		// One case only: each reload parses 120 MB of XML before the digest
		// is known.
		{"reloading a file reports the stored version as already loaded", "sdn_advanced_2025-11-19.xml.bz2", fx.v1119},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, d, err := fx.svc.Load(context.Background(), sanctions.SourceOFAC, sharedtest.Open(t, "ofac", tc.path))
			if !errors.Is(err, lists.ErrExists) {
				t.Fatalf("err = %v, want ErrExists", err)
			}
			if v != tc.want || d != nil {
				t.Fatalf("got %+v %v, want the stored version and no diff", v, d)
			}
		})
	}
}

func TestLoadRejectsBadInput(t *testing.T) {
	svc := lists.NewService(openStore(t, t.TempDir()), nil)
	ctx := context.Background()
	t.Run("an unknown source is refused", func(t *testing.T) {
		_, _, err := svc.Load(ctx, sanctions.Source("eu"), strings.NewReader("<x/>"))
		if !errors.Is(err, sanctions.ErrUnknownSource) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("a file that is not a list is malformed and nothing is stored", func(t *testing.T) {
		_, _, err := svc.Load(ctx, sanctions.SourceOFAC, strings.NewReader("this is not XML"))
		if !errors.Is(err, sanctions.ErrMalformed) {
			t.Fatalf("err = %v, want ErrMalformed", err)
		}
		vs, err := svc.Versions(ctx)
		if err != nil || len(vs) != 0 {
			t.Fatalf("versions = %v, %v", vs, err)
		}
	})
	t.Run("a read error is reported", func(t *testing.T) {
		boom := errors.New("disk on fire")
		_, _, err := svc.Load(ctx, sanctions.SourceOFAC, io.MultiReader(strings.NewReader("<?xml"), errReader{boom}))
		if !errors.Is(err, boom) && !errors.Is(err, sanctions.ErrMalformed) {
			t.Fatalf("err = %v", err)
		}
	})
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

func TestServiceLookupErrors(t *testing.T) {
	fx := loadedOFAC(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		call func() error
	}{
		{"an unknown version is not found", func() error { _, err := fx.svc.Version(ctx, "ofac-1999-01-01-000000000000"); return err }},
		{"the entities of an unknown version are not found", func() error { _, err := fx.svc.Entities(ctx, "nope"); return err }},
		{"a diff from an unknown version is not found", func() error { _, err := fx.svc.Diff(ctx, "nope", fx.v1119.ID); return err }},
		{"a diff to an unknown version is not found", func() error { _, err := fx.svc.Diff(ctx, fx.v0304.ID, "nope"); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.call(); !errors.Is(err, lists.ErrNotFound) {
				t.Fatalf("err = %v, want ErrNotFound", err)
			}
		})
	}
	t.Run("a diff between an OFAC and a UN version is refused", func(t *testing.T) {
		if _, err := fx.svc.Diff(ctx, fx.v1119.ID, fx.vUN.ID); !errors.Is(err, lists.ErrSourceMismatch) {
			t.Fatalf("err = %v, want ErrSourceMismatch", err)
		}
	})
}

func TestServiceDiffMatchesTheDiffOfLoad(t *testing.T) {
	fx := loadedOFAC(t)
	d, err := fx.svc.Diff(context.Background(), fx.v0304.ID, fx.v1119.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Counts != fx.diff.Counts || d.From != fx.v0304.ID || d.To != fx.v1119.ID {
		t.Fatalf("Diff = %s→%s %+v, Load gave %+v", d.From, d.To, d.Counts, fx.diff.Counts)
	}
	back, err := fx.svc.Diff(context.Background(), fx.v1119.ID, fx.v0304.ID)
	if err != nil {
		t.Fatal(err)
	}
	if back.Counts.EntitiesAdded != d.Counts.EntitiesRemoved || back.Counts.AddressPairsRemoved != d.Counts.AddressPairsAdded {
		t.Fatalf("the reverse diff is not the mirror image: %+v vs %+v", back.Counts, d.Counts)
	}
}

func TestLatestReturnsTheNewestVersionOfEachSource(t *testing.T) {
	fx := loadedOFAC(t)
	latest, err := fx.svc.Latest(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(latest) != 2 {
		t.Fatalf("latest = %d versions, want one per source", len(latest))
	}
	if latest[0].Version != fx.v1119 || len(latest[0].Entities) != 18367 {
		t.Fatalf("latest OFAC = %+v with %d entities", latest[0].Version, len(latest[0].Entities))
	}
	if latest[1].Version != fx.vUN || len(latest[1].Entities) != 1003 {
		t.Fatalf("latest UN = %+v with %d entities", latest[1].Version, len(latest[1].Entities))
	}
}

// TestExportFromTheStoreReproducesTheCommunityLists checks that what the blob gives back
// is what the parser produced, by exporting it: the export must reproduce the
// community lists of the same release byte for byte.
func TestExportFromTheStoreReproducesTheCommunityLists(t *testing.T) {
	fx := loadedOFAC(t)
	want := sharedtest.Path(t, "ofac", "lists_2025-12-04")
	entities, err := fx.svc.Entities(context.Background(), fx.v1119.ID)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	names, err := lists.WriteAddressLists(dir, entities)
	if err != nil {
		t.Fatal(err)
	}
	wantEntries, err := os.ReadDir(want)
	if err != nil {
		t.Fatal(err)
	}
	var wantNames []string
	for _, e := range wantEntries {
		wantNames = append(wantNames, e.Name())
	}
	if !slices.Equal(names, wantNames) {
		t.Fatalf("files written %v\nwant %v", names, wantNames)
	}
	gotEntries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(gotEntries) != len(wantEntries) {
		t.Fatalf("%d files in the export directory, want %d (temporary files left?)", len(gotEntries), len(wantEntries))
	}
	for _, n := range wantNames {
		t.Run(n+" is identical", func(t *testing.T) {
			got, err := os.ReadFile(dir + "/" + n)
			if err != nil {
				t.Fatal(err)
			}
			exp, err := os.ReadFile(want + "/" + n)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, exp) {
				t.Fatalf("differs: %d bytes, want %d", len(got), len(exp))
			}
		})
	}
}
