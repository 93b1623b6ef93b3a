package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/interdict/interdict/internal/action/alert"
)

func alertCases() []testCase {
	return []testCase{
		{"recording a subject twice keeps one entry with its first time", func(t *testing.T, s Backend) {
			before := time.Now()
			must(t, "RecordScreened", s.RecordScreened(ctx(t), "address", "0x098b716b8aaf21512996dc57eb0615e2383e2f96"))
			first, err := s.ScreenedSubjects(ctx(t))
			must(t, "ScreenedSubjects", err)
			if len(first) != 1 {
				t.Fatalf("ScreenedSubjects returned %d subjects, want 1", len(first))
			}
			checkRecent(t, "FirstSeen", first[0].FirstSeen, before)

			time.Sleep(2 * time.Millisecond) // a second write would carry a later time
			must(t, "RecordScreened again", s.RecordScreened(ctx(t), "address", "0x098b716b8aaf21512996dc57eb0615e2383e2f96"))
			again, err := s.ScreenedSubjects(ctx(t))
			must(t, "ScreenedSubjects", err)
			if len(again) != 1 || again[0] != first[0] {
				t.Fatalf("after recording again ScreenedSubjects = %+v, want %+v", again, first)
			}
		}},
		{"a batch of subjects is recorded like one call per subject", func(t *testing.T, s Backend) {
			b, ok := s.(interface {
				RecordScreenedBatch(ctx context.Context, subjects []alert.Screened) error
			})
			if !ok {
				t.Fatal("the backend does not record screened subjects in batches")
			}
			must(t, "RecordScreened", s.RecordScreened(ctx(t), "name", "Lazarus Group"))
			first, err := s.ScreenedSubjects(ctx(t))
			must(t, "ScreenedSubjects", err)
			time.Sleep(2 * time.Millisecond)
			must(t, "RecordScreenedBatch", b.RecordScreenedBatch(ctx(t), []alert.Screened{
				{Kind: "address", Query: "TA3941uFAvmVibSkQ6fMJXxmaSNovX86mz"},
				{Kind: "name", Query: "Lazarus Group"}, // already recorded: keeps its first time
				{Kind: "address", Query: "TA3941uFAvmVibSkQ6fMJXxmaSNovX86mz"},
			}))
			got, err := s.ScreenedSubjects(ctx(t))
			must(t, "ScreenedSubjects", err)
			if len(got) != 2 || got[0] != first[0] || got[1].Query != "TA3941uFAvmVibSkQ6fMJXxmaSNovX86mz" {
				t.Fatalf("ScreenedSubjects = %+v, want the first subject unchanged and one new address", got)
			}
			must(t, "RecordScreenedBatch of nothing", b.RecordScreenedBatch(ctx(t), nil))
		}},
		{"subjects are listed in the order first screened", func(t *testing.T, s Backend) {
			want := []alert.Screened{
				{Kind: "name", Query: "Kim Jong Un"},
				{Kind: "address", Query: "bc1qa5wkgaew2dkv56kfvj49j0av5nml45x9ek9hz6"},
				{Kind: "address", Query: "Kim Jong Un"}, // same text, other kind: another subject
				{Kind: "name", Query: "Lazarus Group"},
			}
			for _, sc := range want {
				must(t, "RecordScreened", s.RecordScreened(ctx(t), sc.Kind, sc.Query))
			}
			must(t, "RecordScreened a repeat", s.RecordScreened(ctx(t), "name", "Kim Jong Un"))
			got, err := s.ScreenedSubjects(ctx(t))
			must(t, "ScreenedSubjects", err)
			if len(got) != len(want) {
				t.Fatalf("ScreenedSubjects returned %d subjects, want %d: %+v", len(got), len(want), got)
			}
			for i := range want {
				if got[i].Kind != want[i].Kind || got[i].Query != want[i].Query {
					t.Errorf("subject %d = %s %q, want %s %q", i, got[i].Kind, got[i].Query, want[i].Kind, want[i].Query)
				}
			}
		}},
		{"added alerts read back with every field and ascending IDs", func(t *testing.T, s Backend) {
			in := []alert.Alert{sampleAlert(1), sampleAlert(2), sampleAlert(3)}
			in[1].ID = 999 // IDs are the store's to assign
			must(t, "AddAlerts", s.AddAlerts(ctx(t), in))
			got, err := s.Alerts(ctx(t), alert.Filter{})
			must(t, "Alerts", err)
			if len(got) != len(in) {
				t.Fatalf("Alerts returned %d alerts, want %d", len(got), len(in))
			}
			for i, a := range got {
				if i > 0 && a.ID <= got[i-1].ID {
					t.Errorf("alert %d has ID %d after ID %d", i, a.ID, got[i-1].ID)
				}
				if a.ID <= 0 {
					t.Errorf("alert %d has ID %d, want a positive one", i, a.ID)
				}
				want := in[i]
				want.ID, want.CreatedAt = a.ID, a.CreatedAt
				if a != want {
					t.Errorf("alert %d = %+v, want %+v", i, a, want)
				}
				checkTime(t, "CreatedAt", a.CreatedAt, in[i].CreatedAt)
			}
		}},
		{"a zero creation time is set to the time of adding", func(t *testing.T, s Backend) {
			a := sampleAlert(1)
			a.CreatedAt = time.Time{}
			before := time.Now()
			must(t, "AddAlerts", s.AddAlerts(ctx(t), []alert.Alert{a}))
			got, err := s.Alerts(ctx(t), alert.Filter{})
			must(t, "Alerts", err)
			if len(got) != 1 {
				t.Fatalf("Alerts returned %d alerts, want 1", len(got))
			}
			checkRecent(t, "CreatedAt", got[0].CreatedAt, before)
		}},
		{"adding no alerts is a no-op", func(t *testing.T, s Backend) {
			must(t, "AddAlerts(nil)", s.AddAlerts(ctx(t), nil))
			got, err := s.Alerts(ctx(t), alert.Filter{})
			must(t, "Alerts", err)
			if len(got) != 0 {
				t.Fatalf("Alerts = %+v, want none", got)
			}
		}},
		{"alerts page by AfterID and Limit across batches", func(t *testing.T, s Backend) {
			for b := range 3 {
				batch := make([]alert.Alert, 10)
				for i := range batch {
					batch[i] = sampleAlert(b*10 + i)
				}
				must(t, "AddAlerts", s.AddAlerts(ctx(t), batch))
			}
			var (
				seen  []alert.Alert
				after int64
			)
			for {
				page, err := s.Alerts(ctx(t), alert.Filter{AfterID: after, Limit: 7})
				must(t, "Alerts", err)
				if len(page) > 7 {
					t.Fatalf("a page of limit 7 has %d alerts", len(page))
				}
				if len(page) == 0 {
					break
				}
				for _, a := range page {
					if a.ID <= after {
						t.Fatalf("alert ID %d returned after %d", a.ID, after)
					}
					after = a.ID
				}
				seen = append(seen, page...)
			}
			if len(seen) != 30 {
				t.Fatalf("paging returned %d alerts, want 30", len(seen))
			}
			for i, a := range seen {
				if a.Query != sampleAlert(i).Query {
					t.Errorf("alert %d is %s, want %s: insertion order lost", i, a.Query, sampleAlert(i).Query)
				}
			}
		}},
		{"a zero or negative limit returns at most 100 alerts", func(t *testing.T, s Backend) {
			batch := make([]alert.Alert, 150)
			for i := range batch {
				batch[i] = sampleAlert(i)
			}
			must(t, "AddAlerts", s.AddAlerts(ctx(t), batch))
			for _, limit := range []int{0, -1} {
				got, err := s.Alerts(ctx(t), alert.Filter{Limit: limit})
				must(t, "Alerts", err)
				if len(got) != 100 {
					t.Errorf("Alerts with limit %d returned %d alerts, want 100", limit, len(got))
				}
			}
			got, err := s.Alerts(ctx(t), alert.Filter{Limit: 1000})
			must(t, "Alerts", err)
			if len(got) != 150 {
				t.Errorf("Alerts with limit 1000 returned %d alerts, want 150", len(got))
			}
		}},
	}
}
