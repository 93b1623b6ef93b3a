package api

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/interdict/interdict/internal/action/alert"
	"github.com/interdict/interdict/internal/analysis/screen"
	"github.com/interdict/interdict/internal/index/lists"
	"github.com/interdict/interdict/internal/serve/auth"
	"github.com/interdict/interdict/internal/sources/sanctions"
	"github.com/interdict/interdict/internal/store/sqlite"
)

// lazarusAddress is the OFAC-listed Lazarus Group (FixedRef 27307) address
// also tagged in the Ronin bridge TagPack (../shared/data/README.md).
const lazarusAddress = "0x098B716B8Aaf21512996dC57EB0615e2383E2f96"

var (
	ofacOld = lists.Version{
		ID: "ofac-2025-03-04-aaaaaaaaaaaa", Source: sanctions.SourceOFAC,
		Published: time.Date(2025, 3, 4, 0, 0, 0, 0, time.UTC), SHA256: strings.Repeat("a", 64),
		LoadedAt: time.Date(2025, 12, 1, 10, 0, 0, 0, time.UTC), Entities: 2, Addresses: 1,
	}
	ofacNew = lists.Version{
		ID: "ofac-2025-11-19-bbbbbbbbbbbb", Source: sanctions.SourceOFAC,
		Published: time.Date(2025, 11, 19, 0, 0, 0, 0, time.UTC), SHA256: strings.Repeat("b", 64),
		LoadedAt: time.Date(2025, 12, 1, 10, 5, 0, 0, time.UTC), Entities: 2, Addresses: 2,
	}
	unV = lists.Version{
		ID: "un-2025-11-20-cccccccccccc", Source: sanctions.SourceUN,
		Published: time.Date(2025, 11, 20, 0, 0, 0, 0, time.UTC), SHA256: strings.Repeat("c", 64),
		LoadedAt: time.Date(2025, 12, 1, 10, 6, 0, 0, time.UTC), Entities: 0, Addresses: 0,
	}
)

// testEntities are two real DPRK-program SDN entries, cut down by hand to the
// fields screening reads (source: ../shared/data/ofac/sdn_advanced_2025-11-19.xml.bz2).
func testEntities() []sanctions.Entity {
	return []sanctions.Entity{
		{
			ID: "27307", Type: sanctions.TypeOrganization,
			Names: []sanctions.Name{
				{Full: "Lazarus Group", Primary: true, Script: "Latin"},
				{Full: "HIDDEN COBRA", Kind: "a.k.a.", Script: "Latin"},
				{Full: "Guardians of Peace", Kind: "a.k.a.", Script: "Latin"},
			},
			Programs: []string{"DPRK3"},
			Addresses: []sanctions.DigitalAddress{
				{Currency: "ETH", Address: lazarusAddress},
				{Currency: "ETH", Address: "0xa0e1c89Ef1a489c9C7dE96311eD5Ce5D32c20E4B"},
			},
		},
		{
			ID: "25512", Type: sanctions.TypeIndividual,
			Names: []sanctions.Name{
				{Full: "PARK, Jin Hyok", Primary: true, Script: "Latin"},
				{Full: "PAK, Jin Hek", Kind: "a.k.a.", Script: "Latin"},
				{Full: "PAK, Kwang Jin", Kind: "a.k.a.", Script: "Latin"},
			},
			Programs:      []string{"DPRK3"},
			BirthDates:    []string{"1984-08-15"},
			BirthPlaces:   []string{"Korea, North"},
			Nationalities: []string{"Korea, North"},
		},
	}
}

// testAlerts are what loading ofacNew would have raised for subjects
// screened under ofacOld.
func testAlerts() []alert.Alert {
	at := time.Date(2025, 12, 1, 10, 5, 1, 0, time.UTC)
	return []alert.Alert{
		{CreatedAt: at, ListVersion: ofacNew.ID, Kind: "address", Query: "0xa0e1c89ef1a489c9c7de96311ed5ce5d32c20e4b",
			EntityID: "27307", Name: "Lazarus Group", Score: 1, Reason: "address added to Lazarus Group (27307)"},
		{CreatedAt: at, ListVersion: ofacNew.ID, Kind: "name", Query: "Park Jin-hyok",
			EntityID: "25512", Name: "PARK, Jin Hyok", Score: 0.97, Reason: "name now matches PARK, Jin Hyok (25512)"},
	}
}

func testIndex() *screen.Index {
	return screen.NewIndex(screen.Dataset{
		Version:  screen.VersionRef{ID: ofacNew.ID, Source: ofacNew.Source, Published: ofacNew.Published},
		Entities: testEntities(),
	})
}

// fixedLists serves three fixed versions and the diff of the two OFAC ones.
// It is a stand-in for the lists service over fixed data, not a database.
type fixedLists struct{}

func (fixedLists) Versions(context.Context) ([]lists.Version, error) {
	return []lists.Version{ofacOld, ofacNew, unV}, nil
}

func (fixedLists) Diff(_ context.Context, from, to string) (*lists.Diff, error) {
	known := map[string]lists.Version{ofacOld.ID: ofacOld, ofacNew.ID: ofacNew, unV.ID: unV}
	f, ok1 := known[from]
	t, ok2 := known[to]
	switch {
	case !ok1:
		return nil, fmt.Errorf("diff: version %q: %w", from, lists.ErrNotFound)
	case !ok2:
		return nil, fmt.Errorf("diff: version %q: %w", to, lists.ErrNotFound)
	case f.Source != t.Source:
		return nil, fmt.Errorf("diff %s with %s: %w", from, to, lists.ErrSourceMismatch)
	}
	if from == to {
		return &lists.Diff{From: from, To: to, EntitiesAdded: []lists.EntityRef{}, EntitiesRemoved: []lists.EntityRef{},
			EntitiesChanged: []lists.EntityChange{}, AddressesAdded: []lists.AddressRef{}, AddressesRemoved: []lists.AddressRef{}}, nil
	}
	return &lists.Diff{
		From: from, To: to,
		Counts:          lists.DiffCounts{EntitiesChanged: 1, AddressesAdded: 1, AddressPairsAdded: 1},
		EntitiesAdded:   []lists.EntityRef{},
		EntitiesRemoved: []lists.EntityRef{},
		EntitiesChanged: []lists.EntityChange{{
			EntityRef: lists.EntityRef{ID: "27307", Name: "Lazarus Group", Type: sanctions.TypeOrganization, Programs: []string{"DPRK3"}},
			Fields:    []string{"addresses"},
		}},
		AddressesAdded:   []lists.AddressRef{{EntityID: "27307", Currency: "ETH", Address: "0xa0e1c89Ef1a489c9C7dE96311eD5Ce5D32c20E4B"}},
		AddressesRemoved: []lists.AddressRef{},
	}, nil
}

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// harness is a running API over a real SQLite store in a temp dir, with one
// key per role and a revoked admin key.
type harness struct {
	t       testing.TB
	srv     *httptest.Server
	handler *server
	store   *sqlite.Store
	reg     *prometheus.Registry
	logs    *syncBuffer
	// secrets maps a placeholder ($ADMIN, ...) to its secret; ids maps a key
	// id to its placeholder ($ADMIN_ID, ...).
	secrets map[string]string
	ids     map[string]string
}

type harnessOption func(*Config, *Deps)

func newHarness(t testing.TB, opts ...harnessOption) *harness {
	t.Helper()
	ctx := context.Background()
	logs := &syncBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "state.db"), logger)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	h := &harness{t: t, store: store, logs: logs, reg: prometheus.NewRegistry(), secrets: map[string]string{}, ids: map[string]string{}}
	for _, k := range []struct {
		name string
		role auth.Role
	}{{"ADMIN", auth.RoleAdmin}, {"ANALYST", auth.RoleAnalyst}, {"SCREENER", auth.RoleScreener}, {"REVOKED", auth.RoleAdmin}} {
		secret, key, err := auth.NewKey("acme", strings.ToLower(k.name), k.role)
		if err != nil {
			t.Fatal(err)
		}
		if err := store.CreateKey(ctx, key); err != nil {
			t.Fatal(err)
		}
		if k.name == "REVOKED" {
			if err := store.RevokeKey(ctx, key.ID, time.Now()); err != nil {
				t.Fatal(err)
			}
		}
		h.secrets["$"+k.name] = secret
		h.ids[key.ID] = "$" + k.name + "_ID"
	}
	if err := store.AddAlerts(ctx, testAlerts()); err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	deps := Deps{
		Screen:   screen.NewLive(testIndex()),
		Subjects: store,
		Lists:    fixedLists{},
		Alerts:   store,
		Auth:     store,
		Logger:   logger,
		Registry: h.reg,
		Ready:    store.Ping,
	}
	for _, o := range opts {
		o(&cfg, &deps)
	}
	s, err := newServer(cfg, deps)
	if err != nil {
		t.Fatal(err)
	}
	h.handler = s
	h.srv = httptest.NewServer(s)
	// Parallel benchmarks would otherwise measure connection churn.
	h.srv.Client().Transport.(*http.Transport).MaxIdleConnsPerHost = 64
	t.Cleanup(h.srv.Close)
	return h
}

// do sends one request and returns the response with its body read. key
// names a placeholder secret; a nil header means a JSON body.
func (h *harness) do(method, path, key string, header http.Header, body string) (*http.Response, []byte) {
	h.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, h.srv.URL+path, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+h.secrets[key])
	}
	if header == nil && body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := h.srv.Client().Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return resp, b
}
