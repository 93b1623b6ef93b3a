package storetest

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/interdict/interdict/internal/serve/auth"
)

func keyCases() []testCase {
	return []testCase{
		{"a created key is found by its hash with every field", func(t *testing.T, s Backend) {
			k := sampleKey("k1", auth.RoleAnalyst, base)
			must(t, "CreateKey", s.CreateKey(ctx(t), k))
			must(t, "CreateKey other", s.CreateKey(ctx(t), sampleKey("k2", auth.RoleAdmin, base)))
			got, err := s.KeyByHash(ctx(t), k.Hash)
			must(t, "KeyByHash", err)
			checkKey(t, got, k)
		}},
		{"a zero creation time is set to the time of creating", func(t *testing.T, s Backend) {
			k := sampleKey("k1", auth.RoleScreener, time.Time{})
			before := time.Now()
			must(t, "CreateKey", s.CreateKey(ctx(t), k))
			got, err := s.KeyByHash(ctx(t), k.Hash)
			must(t, "KeyByHash", err)
			checkRecent(t, "CreatedAt", got.CreatedAt, before)
		}},
		{"a taken ID or hash fails with ErrExists", func(t *testing.T, s Backend) {
			k := sampleKey("k1", auth.RoleAdmin, base)
			must(t, "CreateKey", s.CreateKey(ctx(t), k))
			sameID := sampleKey("k1", auth.RoleScreener, base)
			sameID.Hash = bytes.Repeat([]byte{7}, 32)
			sameHash := sampleKey("k2", auth.RoleScreener, base)
			sameHash.Hash = k.Hash
			for _, c := range []struct {
				what string
				k    auth.Key
			}{{"the same ID", sameID}, {"the same hash", sameHash}} {
				wantErr(t, "CreateKey with "+c.what, s.CreateKey(ctx(t), c.k), auth.ErrExists)
			}
			keys, err := s.Keys(ctx(t))
			must(t, "Keys", err)
			if len(keys) != 1 || keys[0].Role != auth.RoleAdmin {
				t.Fatalf("Keys = %+v, want only the first key", keys)
			}
		}},
		{"an unknown hash is ErrNotFound", func(t *testing.T, s Backend) {
			must(t, "CreateKey", s.CreateKey(ctx(t), sampleKey("k1", auth.RoleAdmin, base)))
			for _, hash := range [][]byte{bytes.Repeat([]byte{1}, 32), nil} {
				_, err := s.KeyByHash(ctx(t), hash)
				wantErr(t, fmt.Sprintf("KeyByHash(%x)", hash), err, auth.ErrNotFound)
			}
		}},
		{"keys are listed oldest first", func(t *testing.T, s Backend) {
			// Created out of time order; two share a time and keep insertion order.
			keys := []auth.Key{
				sampleKey("c", auth.RoleScreener, base.Add(time.Hour)),
				sampleKey("a", auth.RoleAdmin, base),
				sampleKey("d", auth.RoleAnalyst, base.Add(time.Hour)),
				sampleKey("b", auth.RoleAnalyst, base.Add(time.Minute)),
			}
			for _, k := range keys {
				must(t, "CreateKey "+k.ID, s.CreateKey(ctx(t), k))
			}
			got, err := s.Keys(ctx(t))
			must(t, "Keys", err)
			var ids string
			for _, k := range got {
				ids += k.ID
			}
			if ids != "abcd" {
				t.Fatalf("Keys in order %q, want %q", ids, "abcd")
			}
			checkKey(t, got[0], keys[1])
		}},
		{"a revoked key keeps its first revocation time and is still found", func(t *testing.T, s Backend) {
			k := sampleKey("k1", auth.RoleAnalyst, base)
			must(t, "CreateKey", s.CreateKey(ctx(t), k))
			must(t, "CreateKey other", s.CreateKey(ctx(t), sampleKey("k2", auth.RoleAnalyst, base)))
			revoked := base.Add(36 * time.Hour)
			must(t, "RevokeKey", s.RevokeKey(ctx(t), k.ID, revoked))
			must(t, "RevokeKey again", s.RevokeKey(ctx(t), k.ID, revoked.Add(time.Hour)))

			got, err := s.KeyByHash(ctx(t), k.Hash)
			must(t, "KeyByHash", err)
			if got.RevokedAt == nil {
				t.Fatal("RevokedAt is nil after RevokeKey")
			}
			checkTime(t, "RevokedAt", *got.RevokedAt, revoked)
			keys, err := s.Keys(ctx(t))
			must(t, "Keys", err)
			if len(keys) != 2 || keys[0].RevokedAt == nil || keys[1].RevokedAt != nil {
				t.Fatalf("Keys = %+v, want k1 revoked and k2 not", keys)
			}
		}},
		{"a key created revoked keeps its revocation time", func(t *testing.T, s Backend) {
			k := sampleKey("k1", auth.RoleAnalyst, base)
			at := base.Add(time.Minute)
			k.RevokedAt = &at
			must(t, "CreateKey", s.CreateKey(ctx(t), k))
			got, err := s.KeyByHash(ctx(t), k.Hash)
			must(t, "KeyByHash", err)
			checkKey(t, got, k)
		}},
		{"revoking an unknown key is ErrNotFound", func(t *testing.T, s Backend) {
			must(t, "CreateKey", s.CreateKey(ctx(t), sampleKey("k1", auth.RoleAdmin, base)))
			wantErr(t, "RevokeKey", s.RevokeKey(ctx(t), "nope", base), auth.ErrNotFound)
		}},
	}
}

func auditCases() []testCase {
	return []testCase{
		{"an empty audit log has no entries", func(t *testing.T, s Backend) {
			got, err := s.Audit(ctx(t), 0)
			must(t, "Audit", err)
			if len(got) != 0 {
				t.Fatalf("Audit = %+v, want none", got)
			}
		}},
		{"entries come back newest first with IDs and every field", func(t *testing.T, s Backend) {
			in := []auth.AuditEntry{
				{At: base, KeyID: "k1", Member: "m1", Action: "POST /v1/keys", Target: "k2", Status: 201},
				{At: base.Add(time.Second), KeyID: "k2", Member: "m1", Action: "POST /v1/screen", Status: 200},
				{At: base.Add(2 * time.Second), KeyID: "k2", Member: "m1", Action: "DELETE /v1/keys/k9", Target: "k9", Status: 404},
			}
			for _, e := range in {
				e.ID = 77 // IDs are the store's to assign
				must(t, "AppendAudit", s.AppendAudit(ctx(t), e))
			}
			got, err := s.Audit(ctx(t), 10)
			must(t, "Audit", err)
			if len(got) != len(in) {
				t.Fatalf("Audit returned %d entries, want %d", len(got), len(in))
			}
			for i, e := range got {
				want := in[len(in)-1-i]
				if i > 0 && e.ID >= got[i-1].ID {
					t.Errorf("entry %d has ID %d after ID %d, want descending", i, e.ID, got[i-1].ID)
				}
				checkTime(t, "At", e.At, want.At)
				want.ID, want.At = e.ID, e.At
				if e != want {
					t.Errorf("entry %d = %+v, want %+v", i, e, want)
				}
			}
		}},
		{"a zero time is set to the time of appending", func(t *testing.T, s Backend) {
			before := time.Now()
			must(t, "AppendAudit", s.AppendAudit(ctx(t), auth.AuditEntry{KeyID: "k", Action: "POST /v1/screen", Status: 200}))
			got, err := s.Audit(ctx(t), 1)
			must(t, "Audit", err)
			if len(got) != 1 {
				t.Fatalf("Audit returned %d entries, want 1", len(got))
			}
			checkRecent(t, "At", got[0].At, before)
		}},
		{"a limit caps entries and zero or negative means 100", func(t *testing.T, s Backend) {
			for i := range 120 {
				must(t, "AppendAudit", s.AppendAudit(ctx(t), auth.AuditEntry{
					At: base, KeyID: "k", Action: fmt.Sprintf("POST /v1/screen #%d", i), Status: 200,
				}))
			}
			for _, c := range []struct{ limit, want int }{{5, 5}, {0, 100}, {-3, 100}, {500, 120}} {
				got, err := s.Audit(ctx(t), c.limit)
				must(t, "Audit", err)
				if len(got) != c.want {
					t.Errorf("Audit(%d) returned %d entries, want %d", c.limit, len(got), c.want)
				}
				if len(got) > 0 && got[0].Action != "POST /v1/screen #119" {
					t.Errorf("Audit(%d) starts with %q, want the newest entry", c.limit, got[0].Action)
				}
			}
		}},
	}
}

func checkKey(t *testing.T, got, want auth.Key) {
	t.Helper()
	if got.ID != want.ID || got.Name != want.Name || got.Member != want.Member || got.Role != want.Role ||
		!bytes.Equal(got.Hash, want.Hash) {
		t.Errorf("key = %+v, want %+v", got, want)
	}
	checkTime(t, "CreatedAt", got.CreatedAt, want.CreatedAt)
	switch {
	case (got.RevokedAt == nil) != (want.RevokedAt == nil):
		t.Errorf("RevokedAt = %v, want %v", got.RevokedAt, want.RevokedAt)
	case want.RevokedAt != nil:
		checkTime(t, "RevokedAt", *got.RevokedAt, *want.RevokedAt)
	}
}
