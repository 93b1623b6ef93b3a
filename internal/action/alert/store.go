// Package alert turns list changes into alerts: it remembers every address and
// name screened, re-screens them when a new list version is loaded, and records
// each new hit as an alert.
package alert

import (
	"context"
	"time"
)

// Screened is a subject that was screened at least once.
type Screened struct {
	Kind      string    `json:"kind"` // "address" or "name"
	Query     string    `json:"query"`
	FirstSeen time.Time `json:"first_seen"`
}

// Alert is a hit that appeared when a new list version was loaded.
type Alert struct {
	ID          int64     `json:"id"`
	CreatedAt   time.Time `json:"created_at"`
	ListVersion string    `json:"list_version"`
	Kind        string    `json:"kind"`
	Query       string    `json:"query"`
	EntityID    string    `json:"entity_id"`
	Name        string    `json:"name"`
	Score       float64   `json:"score"`
	Reason      string    `json:"reason"`
}

// Filter selects alerts: those with ID > AfterID, at most Limit (0 = 100).
type Filter struct {
	AfterID int64
	Limit   int
}

// Store persists screened subjects and alerts.
type Store interface {
	// RecordScreened remembers a screened subject; recording it again is a no-op.
	RecordScreened(ctx context.Context, kind, query string) error
	ScreenedSubjects(ctx context.Context) ([]Screened, error)
	// AddAlerts stores alerts atomically, assigning IDs and CreatedAt if zero.
	AddAlerts(ctx context.Context, alerts []Alert) error
	// Alerts returns alerts in ascending ID order.
	Alerts(ctx context.Context, f Filter) ([]Alert, error)
}
