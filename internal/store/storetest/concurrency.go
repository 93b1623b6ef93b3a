package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/interdict/interdict/internal/action/alert"
	"github.com/interdict/interdict/internal/index/lists"
	"github.com/interdict/interdict/internal/serve/auth"
	"github.com/interdict/interdict/internal/sources/sanctions"
)

const (
	writers       = 8
	rounds        = 25
	alertsPerCall = 4
)

// parallel runs fn(i) for i in [0, n) at once and returns every error.
func parallel(n int, fn func(i int) error) []error {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start // release together to maximise contention
			if err := fn(i); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		})
	}
	close(start)
	wg.Wait()
	return errs
}

func concurrencyCases() []testCase {
	return []testCase{
		{"eight writers at once lose no alerts, audit entries, subjects or keys", func(t *testing.T, s Backend) {
			errs := parallel(writers, func(w int) error {
				for r := range rounds {
					batch := make([]alert.Alert, alertsPerCall)
					for i := range batch {
						batch[i] = sampleAlert((w*rounds+r)*alertsPerCall + i)
					}
					if err := s.AddAlerts(ctx(t), batch); err != nil {
						return fmt.Errorf("writer %d AddAlerts: %w", w, err)
					}
					if err := s.AppendAudit(ctx(t), auth.AuditEntry{
						KeyID: fmt.Sprintf("k%d", w), Action: fmt.Sprintf("POST /v1/screen %d/%d", w, r), Status: 200,
					}); err != nil {
						return fmt.Errorf("writer %d AppendAudit: %w", w, err)
					}
					if err := s.RecordScreened(ctx(t), "name", fmt.Sprintf("subject %d/%d", w, r)); err != nil {
						return fmt.Errorf("writer %d RecordScreened: %w", w, err)
					}
					// Everyone records this one: idempotency under contention.
					if err := s.RecordScreened(ctx(t), "name", "Lazarus Group"); err != nil {
						return fmt.Errorf("writer %d RecordScreened shared: %w", w, err)
					}
					if err := s.CreateKey(ctx(t), sampleKey(fmt.Sprintf("k%d-%d", w, r), auth.RoleScreener, base)); err != nil {
						return fmt.Errorf("writer %d CreateKey: %w", w, err)
					}
					// Readers run beside the writers.
					if _, err := s.Alerts(ctx(t), alert.Filter{Limit: 10}); err != nil {
						return fmt.Errorf("writer %d Alerts: %w", w, err)
					}
				}
				return nil
			})
			if len(errs) > 0 {
				t.Fatalf("%d writers failed, first: %v", len(errs), errs[0])
			}

			all, err := s.Alerts(ctx(t), alert.Filter{Limit: 10 * writers * rounds * alertsPerCall})
			must(t, "Alerts", err)
			if want := writers * rounds * alertsPerCall; len(all) != want {
				t.Errorf("Alerts returned %d alerts, want %d", len(all), want)
			}
			queries := map[string]bool{}
			for i, a := range all {
				if i > 0 && a.ID <= all[i-1].ID {
					t.Fatalf("alert ID %d follows %d", a.ID, all[i-1].ID)
				}
				queries[a.Query] = true
			}
			if len(queries) != len(all) {
				t.Errorf("%d distinct alerts among %d", len(queries), len(all))
			}
			audit, err := s.Audit(ctx(t), 10*writers*rounds)
			must(t, "Audit", err)
			if len(audit) != writers*rounds {
				t.Errorf("Audit returned %d entries, want %d", len(audit), writers*rounds)
			}
			subjects, err := s.ScreenedSubjects(ctx(t))
			must(t, "ScreenedSubjects", err)
			if len(subjects) != writers*rounds+1 {
				t.Errorf("ScreenedSubjects returned %d subjects, want %d", len(subjects), writers*rounds+1)
			}
			keys, err := s.Keys(ctx(t))
			must(t, "Keys", err)
			if len(keys) != writers*rounds {
				t.Errorf("Keys returned %d keys, want %d", len(keys), writers*rounds)
			}
		}},
		{"of eight saves of one version at once exactly one succeeds", func(t *testing.T, s Backend) {
			v := version(sanctions.SourceOFAC, base, "raced")
			var mu sync.Mutex
			ok := 0
			errs := parallel(writers, func(w int) error {
				err := s.SaveVersion(ctx(t), v, []byte(fmt.Sprintf("writer %d", w)))
				if err == nil {
					mu.Lock()
					ok++
					mu.Unlock()
					return nil
				}
				if errors.Is(err, lists.ErrExists) {
					return nil
				}
				return err
			})
			if len(errs) > 0 {
				t.Fatalf("%d saves failed with something other than ErrExists, first: %v", len(errs), errs[0])
			}
			if ok != 1 {
				t.Fatalf("%d saves succeeded, want exactly 1", ok)
			}
		}},
		{"of eight creations of one key at once exactly one succeeds", func(t *testing.T, s Backend) {
			var mu sync.Mutex
			ok := 0
			errs := parallel(writers, func(w int) error {
				k := sampleKey("same", auth.RoleAdmin, base)
				k.Name = fmt.Sprintf("writer %d", w)
				err := s.CreateKey(ctx(t), k)
				if err == nil {
					mu.Lock()
					ok++
					mu.Unlock()
					return nil
				}
				if errors.Is(err, auth.ErrExists) {
					return nil
				}
				return err
			})
			if len(errs) > 0 {
				t.Fatalf("%d creations failed with something other than ErrExists, first: %v", len(errs), errs[0])
			}
			if ok != 1 {
				t.Fatalf("%d creations succeeded, want exactly 1", ok)
			}
		}},
	}
}

func cancellationCases() []testCase {
	v := version(sanctions.SourceOFAC, base, "cancelled")
	k := sampleKey("k1", auth.RoleAdmin, base)
	calls := []struct {
		method string
		call   func(ctx context.Context, s Backend) error
	}{
		{"SaveVersion", func(ctx context.Context, s Backend) error { return s.SaveVersion(ctx, v, []byte("x")) }},
		{"Versions", func(ctx context.Context, s Backend) error { _, err := s.Versions(ctx); return err }},
		{"Version", func(ctx context.Context, s Backend) error { _, err := s.Version(ctx, v.ID); return err }},
		{"VersionBlob", func(ctx context.Context, s Backend) error { _, err := s.VersionBlob(ctx, v.ID); return err }},
		{"RecordScreened", func(ctx context.Context, s Backend) error { return s.RecordScreened(ctx, "name", "x") }},
		{"ScreenedSubjects", func(ctx context.Context, s Backend) error { _, err := s.ScreenedSubjects(ctx); return err }},
		{"AddAlerts", func(ctx context.Context, s Backend) error {
			return s.AddAlerts(ctx, []alert.Alert{sampleAlert(1), sampleAlert(2)})
		}},
		{"Alerts", func(ctx context.Context, s Backend) error { _, err := s.Alerts(ctx, alert.Filter{}); return err }},
		{"CreateKey", func(ctx context.Context, s Backend) error { return s.CreateKey(ctx, k) }},
		{"KeyByHash", func(ctx context.Context, s Backend) error { _, err := s.KeyByHash(ctx, k.Hash); return err }},
		{"Keys", func(ctx context.Context, s Backend) error { _, err := s.Keys(ctx); return err }},
		{"RevokeKey", func(ctx context.Context, s Backend) error { return s.RevokeKey(ctx, k.ID, base) }},
		{"AppendAudit", func(ctx context.Context, s Backend) error {
			return s.AppendAudit(ctx, auth.AuditEntry{KeyID: "k1", Action: "POST /v1/screen", Status: 200})
		}},
		{"Audit", func(ctx context.Context, s Backend) error { _, err := s.Audit(ctx, 0); return err }},
	}
	cases := make([]testCase, 0, len(calls)+1)
	for _, c := range calls {
		cases = append(cases, testCase{c.method + " fails with context.Canceled", func(t *testing.T, s Backend) {
			cctx, cancel := context.WithCancel(ctx(t))
			cancel()
			wantErr(t, c.method, c.call(cctx, s), context.Canceled)
		}})
	}
	cases = append(cases, testCase{"writes with a cancelled or expired context leave nothing behind", func(t *testing.T, s Backend) {
		cctx, cancel := context.WithCancel(ctx(t))
		cancel()
		dctx, cancelD := context.WithDeadline(ctx(t), time.Now().Add(-time.Second))
		defer cancelD()
		for _, c := range calls {
			_ = c.call(cctx, s)
			if err := c.call(dctx, s); !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("%s with an expired deadline: error = %v, want context.DeadlineExceeded", c.method, err)
			}
		}
		vs, err := s.Versions(ctx(t))
		must(t, "Versions", err)
		as, err := s.Alerts(ctx(t), alert.Filter{})
		must(t, "Alerts", err)
		subjects, err := s.ScreenedSubjects(ctx(t))
		must(t, "ScreenedSubjects", err)
		keys, err := s.Keys(ctx(t))
		must(t, "Keys", err)
		audit, err := s.Audit(ctx(t), 0)
		must(t, "Audit", err)
		if n := len(vs) + len(as) + len(subjects) + len(keys) + len(audit); n != 0 {
			t.Errorf("%d records written with a dead context: %d versions, %d alerts, %d subjects, %d keys, %d audit entries",
				n, len(vs), len(as), len(subjects), len(keys), len(audit))
		}
		must(t, "SaveVersion after cancellations", s.SaveVersion(ctx(t), v, []byte("x")))
	}})
	return cases
}
