package storetest

import (
	"bytes"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/interdict/interdict/internal/index/lists"
	"github.com/interdict/interdict/internal/sources/sanctions"
)

// bigBlobSize is the size of the blob in the large-blob case: a full SDN list
// encoded is of this order.
const bigBlobSize = 20 << 20

func listCases() []testCase {
	nov := time.Date(2025, 11, 19, 0, 0, 0, 0, time.UTC)
	dec := time.Date(2025, 12, 4, 0, 0, 0, 0, time.UTC)
	return []testCase{
		{"an empty store has no versions", func(t *testing.T, s Backend) {
			vs, err := s.Versions(ctx(t))
			must(t, "Versions", err)
			if len(vs) != 0 {
				t.Fatalf("Versions = %v, want none", vs)
			}
		}},
		{"a saved version reads back with every field and its blob", func(t *testing.T, s Backend) {
			v := version(sanctions.SourceOFAC, nov, "sdn-advanced-2025-11-19")
			v.Published = base // nanoseconds and a zone, to check both are normalised
			blob := []byte("entities\x00with\xffbinary bytes")
			must(t, "SaveVersion", s.SaveVersion(ctx(t), v, blob))

			got, err := s.Version(ctx(t), v.ID)
			must(t, "Version", err)
			checkVersion(t, got, v)
			gotBlob, err := s.VersionBlob(ctx(t), v.ID)
			must(t, "VersionBlob", err)
			if !bytes.Equal(gotBlob, blob) {
				t.Errorf("VersionBlob = %q, want %q", gotBlob, blob)
			}
			vs, err := s.Versions(ctx(t))
			must(t, "Versions", err)
			if len(vs) != 1 {
				t.Fatalf("Versions returned %d versions, want 1", len(vs))
			}
			checkVersion(t, vs[0], v)
		}},
		{"versions are listed in load order", func(t *testing.T, s Backend) {
			// Loaded out of publication order, with two sharing a load time:
			// the order is load time, then insertion.
			loads := []struct {
				v  lists.Version
				at time.Time
			}{
				{version(sanctions.SourceOFAC, dec, "ofac-dec"), base},
				{version(sanctions.SourceUN, nov, "un-nov"), base.Add(time.Minute)},
				{version(sanctions.SourceOFAC, nov, "ofac-nov"), base.Add(time.Minute)},
				{version(sanctions.SourceUN, dec, "un-dec"), base.Add(time.Hour)},
			}
			for _, l := range loads {
				l.v.LoadedAt = l.at
				must(t, "SaveVersion "+l.v.ID, s.SaveVersion(ctx(t), l.v, []byte(l.v.ID)))
			}
			vs, err := s.Versions(ctx(t))
			must(t, "Versions", err)
			if len(vs) != len(loads) {
				t.Fatalf("Versions returned %d versions, want %d", len(vs), len(loads))
			}
			for i, l := range loads {
				if vs[i].ID != l.v.ID {
					t.Errorf("Versions[%d] = %s, want %s", i, vs[i].ID, l.v.ID)
				}
			}
		}},
		{"a zero load time is set to the time of saving", func(t *testing.T, s Backend) {
			v := version(sanctions.SourceUN, nov, "un-nov")
			v.LoadedAt = time.Time{}
			before := time.Now()
			must(t, "SaveVersion", s.SaveVersion(ctx(t), v, nil))
			got, err := s.Version(ctx(t), v.ID)
			must(t, "Version", err)
			checkRecent(t, "LoadedAt", got.LoadedAt, before)
		}},
		{"an empty blob reads back empty", func(t *testing.T, s Backend) {
			v := version(sanctions.SourceUN, nov, "un-empty")
			must(t, "SaveVersion", s.SaveVersion(ctx(t), v, nil))
			blob, err := s.VersionBlob(ctx(t), v.ID)
			must(t, "VersionBlob", err)
			if len(blob) != 0 {
				t.Errorf("VersionBlob returned %d bytes, want 0", len(blob))
			}
		}},
		{"saving the same source and digest again fails with ErrExists and keeps the first", func(t *testing.T, s Backend) {
			first := version(sanctions.SourceOFAC, nov, "same-file")
			must(t, "SaveVersion", s.SaveVersion(ctx(t), first, []byte("first")))
			again := first
			again.ID = "ofac-2025-11-20-other-id"
			again.Published = dec
			wantErr(t, "second SaveVersion", s.SaveVersion(ctx(t), again, []byte("second")), lists.ErrExists)

			if _, err := s.Version(ctx(t), again.ID); err == nil {
				t.Error("the rejected version was stored")
			}
			blob, err := s.VersionBlob(ctx(t), first.ID)
			must(t, "VersionBlob", err)
			if string(blob) != "first" {
				t.Errorf("VersionBlob = %q, want the first blob", blob)
			}
			vs, err := s.Versions(ctx(t))
			must(t, "Versions", err)
			if len(vs) != 1 {
				t.Errorf("Versions returned %d versions, want 1", len(vs))
			}
		}},
		{"saving an existing ID fails with ErrExists", func(t *testing.T, s Backend) {
			v := version(sanctions.SourceOFAC, nov, "a")
			must(t, "SaveVersion", s.SaveVersion(ctx(t), v, nil))
			other := v
			other.SHA256 = digest("b")
			wantErr(t, "SaveVersion with a taken ID", s.SaveVersion(ctx(t), other, nil), lists.ErrExists)
		}},
		{"the same digest under another source is another version", func(t *testing.T, s Backend) {
			a := version(sanctions.SourceOFAC, nov, "shared-bytes")
			b := version(sanctions.SourceUN, nov, "shared-bytes")
			must(t, "SaveVersion ofac", s.SaveVersion(ctx(t), a, nil))
			must(t, "SaveVersion un", s.SaveVersion(ctx(t), b, nil))
		}},
		{"an unknown version is ErrNotFound", func(t *testing.T, s Backend) {
			must(t, "SaveVersion", s.SaveVersion(ctx(t), version(sanctions.SourceOFAC, nov, "x"), []byte("x")))
			_, err := s.Version(ctx(t), "ofac-1999-01-01-000000000000")
			wantErr(t, "Version", err, lists.ErrNotFound)
			_, err = s.VersionBlob(ctx(t), "ofac-1999-01-01-000000000000")
			wantErr(t, "VersionBlob", err, lists.ErrNotFound)
		}},
		{"a 20 MB blob round-trips byte for byte", func(t *testing.T, s Backend) {
			blob := make([]byte, bigBlobSize)
			// Random bytes: no backend or transport can shrink them.
			r := rand.NewChaCha8([32]byte{1, 2, 3})
			_, _ = r.Read(blob)
			v := version(sanctions.SourceOFAC, nov, "big")
			must(t, "SaveVersion", s.SaveVersion(ctx(t), v, blob))
			got, err := s.VersionBlob(ctx(t), v.ID)
			must(t, "VersionBlob", err)
			if !bytes.Equal(got, blob) {
				t.Fatalf("VersionBlob returned %d bytes differing from the %d saved", len(got), len(blob))
			}
		}},
	}
}

func checkVersion(t *testing.T, got, want lists.Version) {
	t.Helper()
	if got.ID != want.ID || got.Source != want.Source || got.SHA256 != want.SHA256 ||
		got.Entities != want.Entities || got.Addresses != want.Addresses {
		t.Errorf("version = %+v, want %+v", got, want)
	}
	checkTime(t, "Published", got.Published, want.Published)
	checkTime(t, "LoadedAt", got.LoadedAt, want.LoadedAt)
}
