package lists_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/interdict/interdict/internal/index/lists"
	"github.com/interdict/interdict/internal/sources/sanctions"
)

// lineParser reads a tiny list format for version-ordering tests: the first
// line is the publication date, then one "ID NAME [ADDRESS...]" per line.
func lineParser(ctx context.Context, r io.Reader) (*sanctions.List, error) {
	sc := bufio.NewScanner(r)
	if !sc.Scan() {
		return nil, fmt.Errorf("empty: %w", sanctions.ErrMalformed)
	}
	published, err := time.Parse(time.DateOnly, sc.Text())
	if err != nil {
		return nil, fmt.Errorf("date: %v: %w", err, sanctions.ErrMalformed)
	}
	l := &sanctions.List{Source: "test", Published: published}
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 {
			return nil, fmt.Errorf("line %q: %w", sc.Text(), sanctions.ErrMalformed)
		}
		e := sanctions.Entity{ID: f[0], Names: []sanctions.Name{{Full: f[1], Primary: true}}}
		for _, a := range f[2:] {
			e.Addresses = append(e.Addresses, sanctions.DigitalAddress{Currency: "XBT", Address: a})
		}
		l.Entities = append(l.Entities, e)
	}
	return l, ctx.Err()
}

func TestVersionOrdering(t *testing.T) {
	ctx := context.Background()
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	svc := lists.NewService(openStore(t, t.TempDir()), nil,
		lists.WithParser("test", lineParser),
		lists.WithClock(func() time.Time { clock = clock.Add(time.Minute); return clock }))
	load := func(t *testing.T, body string) (lists.Version, *lists.Diff) {
		t.Helper()
		v, d, err := svc.Load(ctx, "test", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		return v, d
	}
	latestID := func(t *testing.T) string {
		t.Helper()
		l, err := svc.Latest(ctx)
		if err != nil || len(l) != 1 {
			t.Fatalf("latest = %v, %v", l, err)
		}
		return l[0].ID
	}

	feb, d := load(t, "2025-02-01\n1 A 1aaa\n2 B\n")
	if d != nil {
		t.Fatalf("first version has a diff: %+v", d)
	}
	t.Run("an older list loaded later is diffed against nothing older and does not become the latest", func(t *testing.T) {
		jan, d := load(t, "2025-01-01\n1 A\n")
		if d != nil {
			t.Fatalf("diff = %+v", d.Counts)
		}
		if jan.ID == feb.ID || latestID(t) != feb.ID {
			t.Fatalf("latest = %s, want %s", latestID(t), feb.ID)
		}
	})
	t.Run("a newer list is diffed against the newest older one", func(t *testing.T) {
		mar, d := load(t, "2025-03-01\n1 A 1aaa 1bbb\n3 C\n")
		if d == nil || d.From != feb.ID || d.To != mar.ID {
			t.Fatalf("diff = %+v", d)
		}
		want := lists.DiffCounts{EntitiesAdded: 1, EntitiesRemoved: 1, EntitiesChanged: 1, AddressesAdded: 1, AddressPairsAdded: 1}
		if d.Counts != want {
			t.Fatalf("counts = %+v, want %+v", d.Counts, want)
		}
		if latestID(t) != mar.ID {
			t.Fatalf("latest = %s, want %s", latestID(t), mar.ID)
		}
		t.Run("a re-issue of the same date loaded later is newer", func(t *testing.T) {
			again, d := load(t, "2025-03-01\n1 A 1aaa 1bbb\n3 C\n4 D\n")
			if d == nil || d.From != mar.ID || d.Counts.EntitiesAdded != 1 {
				t.Fatalf("diff = %+v", d)
			}
			if again.ID == mar.ID {
				t.Fatalf("two contents share the ID %s", again.ID)
			}
			if latestID(t) != again.ID {
				t.Fatalf("latest = %s, want %s", latestID(t), again.ID)
			}
		})
	})
	t.Run("a list without a publication date is malformed", func(t *testing.T) {
		svc := lists.NewService(openStore(t, t.TempDir()), nil, lists.WithParser("test",
			func(context.Context, io.Reader) (*sanctions.List, error) { return &sanctions.List{}, nil }))
		if _, _, err := svc.Load(ctx, "test", strings.NewReader("")); !errors.Is(err, sanctions.ErrMalformed) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("a cancelled load stores nothing", func(t *testing.T) {
		before, _ := svc.Versions(ctx)
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, _, err := svc.Load(cctx, "test", strings.NewReader("2025-04-01\n1 A\n")); !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v", err)
		}
		after, _ := svc.Versions(ctx)
		if len(after) != len(before) {
			t.Fatalf("%d versions, want %d", len(after), len(before))
		}
	})
	t.Run("the ID is source, date and the first 12 hex digits of the digest", func(t *testing.T) {
		if !strings.HasPrefix(feb.ID, "test-2025-02-01-") || feb.ID != lists.VersionID("test", feb.Published, feb.SHA256) || len(feb.ID) != len("test-2025-02-01-")+12 {
			t.Fatalf("ID = %s", feb.ID)
		}
	})
}
