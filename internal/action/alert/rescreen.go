package alert

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/interdict/interdict/internal/analysis/screen"
)

// Subject kinds, as recorded by RecordScreened.
const (
	KindAddress = "address"
	KindName    = "name"
)

// rescreenNameLimit is the number of name matches compared per subject. It is
// well above the default limit so that an entity ranked just below the cut in
// prev and just above it in next is not mistaken for a new hit.
const rescreenNameLimit = 100

// Rescreen screens every subject recorded in st against next and prev, and
// records an alert for each entity that matches a subject in next but did not
// match it in prev: only new hits alert, so an entity already listed, or one
// whose entry merely changed, does not alert again. Addresses match exactly
// (after normalisation); names at screen.DefaultThreshold. A nil prev is an
// empty index: every hit is new. version names the list version whose
// loading made next (it goes in each alert's ListVersion and Reason).
//
// The alerts are stored with one AddAlerts call, so atomically, and returned
// in subject order; the store assigns their IDs, so the returned alerts carry
// ID 0.
func Rescreen(ctx context.Context, st Store, prev, next *screen.Index, version string) ([]Alert, error) {
	subjects, err := st.ScreenedSubjects(ctx)
	if err != nil {
		return nil, fmt.Errorf("rescreen: %w", err)
	}
	if prev == nil {
		prev = screen.NewIndex()
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	perSubject := make([][]Alert, len(subjects))
	work := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range work {
				perSubject[i] = newHits(subjects[i], prev, next, version, now)
			}
		})
	}
	var cancelled error
feed:
	for i := range subjects {
		select {
		case work <- i:
		case <-ctx.Done():
			cancelled = ctx.Err()
			break feed
		}
	}
	close(work)
	wg.Wait()
	if cancelled != nil {
		return nil, fmt.Errorf("rescreen: %w", cancelled)
	}
	var alerts []Alert
	for _, a := range perSubject {
		alerts = append(alerts, a...)
	}
	if err := st.AddAlerts(ctx, alerts); err != nil {
		return nil, fmt.Errorf("rescreen: %w", err)
	}
	return alerts, nil
}

// newHits returns an alert per entity matching s in next and not in prev.
func newHits(s Screened, prev, next *screen.Index, version string, now time.Time) []Alert {
	var was, is screen.Result
	switch s.Kind {
	case KindAddress:
		was, is = prev.ScreenAddress(s.Query), next.ScreenAddress(s.Query)
	case KindName:
		q := screen.NameQuery{Name: s.Query, Limit: rescreenNameLimit}
		was, is = prev.ScreenName(q), next.ScreenName(q)
	default:
		return nil
	}
	if !is.Hit {
		return nil
	}
	// An entity is the same across versions by its source and the list's own
	// ID; the version ID changes with every load.
	type entity struct{ list, id string }
	before := make(map[entity]bool, len(was.Matches))
	for _, m := range was.Matches {
		before[entity{m.List, m.EntityID}] = true
	}
	var out []Alert
	for _, m := range is.Matches {
		k := entity{m.List, m.EntityID}
		if before[k] {
			continue
		}
		before[k] = true // one alert per entity
		out = append(out, Alert{
			CreatedAt:   now,
			ListVersion: version,
			Kind:        s.Kind,
			Query:       s.Query,
			EntityID:    m.EntityID,
			Name:        m.Name,
			Score:       m.Score,
			Reason:      reason(s.Kind, version, m),
		})
	}
	return out
}

func reason(kind, version string, m screen.Match) string {
	if kind == KindAddress {
		return fmt.Sprintf("new list version %s: address now listed for entity %s (%s) under %s", version, m.EntityID, m.Name, m.Currency)
	}
	return fmt.Sprintf("new list version %s: name now matches entity %s (%s) with score %.2f on %q", version, m.EntityID, m.Name, m.Score, m.MatchedName)
}
