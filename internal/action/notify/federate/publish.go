package federate

import (
	"context"
	"fmt"
	"time"

	"github.com/interdict/interdict/internal/action/notify"
)

// LocalRecord is a record issued by this instance, as stored.
type LocalRecord struct {
	Envelope notify.Envelope
	Record   notify.Record
	// At is when the store took it; the publish cursor follows it.
	At time.Time
}

// Locals lists the records issued here (by the CLI, the API or another
// node) taken at or after since, oldest first. The flag store does.
type Locals interface {
	LocalRecords(ctx context.Context, since time.Time) ([]LocalRecord, error)
}

// publishCursor is the cursor name of PublishOnce.
const publishCursor = "publish"

// PublishOnce publishes the local records taken since the last time (see
// Publish), so records issued by another process reach peers too. Without
// Deps.Locals it does nothing. It returns how many deliveries it queued.
func (r *Runner) PublishOnce(ctx context.Context) (int, error) {
	if r.d.Locals == nil {
		return 0, nil
	}
	saved, err := r.d.Store.FederationCursor(ctx, publishCursor)
	if err != nil {
		return 0, err
	}
	var since time.Time
	if saved != "" {
		if since, err = time.Parse(time.RFC3339Nano, saved); err != nil {
			return 0, fmt.Errorf("federate: publish cursor %q: %w", saved, err)
		}
	}
	recs, err := r.d.Locals.LocalRecords(ctx, since)
	if err != nil {
		return 0, fmt.Errorf("federate: local records: %w", err)
	}
	queued := 0
	for _, lr := range recs {
		n, err := r.Publish(ctx, lr.Envelope, lr.Record)
		if err != nil {
			return queued, err
		}
		queued += n
		// Records taken at the same instant are listed again next time
		// (at or after since): publishing is idempotent.
		if lr.At.After(since) {
			since = lr.At
			if err := r.d.Store.PutFederationCursor(ctx, publishCursor, since.UTC().Format(time.RFC3339Nano)); err != nil {
				return queued, err
			}
		}
	}
	return queued, nil
}
