// Package storetest is the one contract suite every state-store backend runs: it
// checks lists.Store, alert.Store and auth.Store together, as the backends
// implement them in one type. A backend's test calls Run with a function that
// opens a fresh, empty store; its benchmark calls Bench the same way.
//
// The suite pins down what the interfaces leave open, so that SQLite and
// PostgreSQL behave the same: times come back in UTC truncated to the
// microsecond, "0 = 100" limits apply to any non-positive limit, list versions and
// keys are ordered by their time and then by insertion, a second revocation keeps
// the first time, and writers running at once never fail or lose rows.
package storetest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/interdict/interdict/internal/action/alert"
	"github.com/interdict/interdict/internal/index/lists"
	"github.com/interdict/interdict/internal/serve/auth"
	"github.com/interdict/interdict/internal/sources/sanctions"
)

// Backend is everything a state-store backend implements.
type Backend interface {
	lists.Store
	alert.Store
	auth.Store
}

// testCase is one contract check, run against a fresh store.
type testCase struct {
	name string
	run  func(t *testing.T, s Backend)
}

// Run runs the contract suite. open must return a fresh, empty store and
// arrange its closing with t.Cleanup; it is called once per case, possibly from
// parallel tests.
func Run(t *testing.T, open func(t *testing.T) Backend) {
	groups := []struct {
		name  string
		cases []testCase
	}{
		{"list versions", listCases()},
		{"screened subjects and alerts", alertCases()},
		{"API keys", keyCases()},
		{"audit log", auditCases()},
		{"concurrent writers", concurrencyCases()},
		{"context cancellation", cancellationCases()},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, c := range g.cases {
				t.Run(c.name, func(t *testing.T) {
					t.Parallel()
					c.run(t, open(t))
				})
			}
		})
	}
}

// base is a time with nanoseconds, in a zone other than UTC, so the suite sees
// both the truncation to microseconds and the conversion to UTC.
var base = time.Date(2025, 11, 19, 14, 30, 15, 123456789, time.FixedZone("EST", -5*3600))

// stored is what a backend must return for t.
func stored(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// checkTime fails unless got is want as stored: same instant and in UTC.
func checkTime(t *testing.T, what string, got, want time.Time) {
	t.Helper()
	if !got.Equal(stored(want)) || got.Location() != time.UTC {
		t.Errorf("%s = %v, want %v in UTC", what, got, stored(want))
	}
}

// checkRecent fails unless got was set by the store during the test: in UTC,
// between before (truncated as stored) and now.
func checkRecent(t *testing.T, what string, got, before time.Time) {
	t.Helper()
	if got.Location() != time.UTC || got.Before(stored(before)) || got.After(time.Now()) {
		t.Errorf("%s = %v, want a UTC time between %v and now", what, got, stored(before))
	}
}

// must fails the test at once on an unexpected error.
func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: unexpected error: %v", what, err)
	}
}

// wantErr fails unless err wraps target.
func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: error = %v, want one wrapping %q", what, err, target)
	}
}

// digest returns the hex SHA-256 of seed, standing in for a list file's digest.
func digest(seed string) string {
	sum := sha256.Sum256([]byte(seed))
	return hex.EncodeToString(sum[:])
}

// version builds a list version the way the lists package names them.
func version(src sanctions.Source, published time.Time, seed string) lists.Version {
	sha := digest(seed)
	return lists.Version{
		ID:        fmt.Sprintf("%s-%s-%s", src, published.Format(time.DateOnly), sha[:12]),
		Source:    src,
		Published: published,
		SHA256:    sha,
		LoadedAt:  base,
		Entities:  18734,
		Addresses: 792,
	}
}

// sampleAlert builds the i-th test alert.
func sampleAlert(i int) alert.Alert {
	return alert.Alert{
		CreatedAt:   base.Add(time.Duration(i) * time.Second),
		ListVersion: "ofac-2025-11-19-0123456789ab",
		Kind:        "address",
		Query:       fmt.Sprintf("0x%040x", i),
		EntityID:    fmt.Sprintf("OFAC-%d", 30000+i),
		Name:        "LAZARUS GROUP",
		Score:       0.5 + float64(i%50)/100,
		Reason:      "address listed on ofac-2025-11-19",
	}
}

// sampleKey builds a key whose hash is derived from its ID.
func sampleKey(id string, role auth.Role, created time.Time) auth.Key {
	sum := sha256.Sum256([]byte("secret-of-" + id))
	return auth.Key{
		ID:        id,
		Name:      "key " + id,
		Member:    "member-" + id,
		Role:      role,
		Hash:      sum[:],
		CreatedAt: created,
	}
}

// ctx returns the test's context.
func ctx(t *testing.T) context.Context { return t.Context() }
