package sqlite

import (
	"context"
	"fmt"
)

const qNotifyVersion = `SELECT
	(SELECT coalesce(max(seq), 0) FROM notify_records),
	(SELECT count(*) FROM notify_members),
	(SELECT coalesce(max(updated_at), 0) FROM notify_members),
	(SELECT count(*) FROM notify_member_keys),
	(SELECT total(revoked_at) FROM notify_member_keys)`

// FlagsVersion changes whenever a record is accepted or the member registry
// changes (a member or key added or removed, a key revoked): what can change
// the active flags other than the clock. The alert engine re-reads the flags
// only when it changes.
func (s *Store) FlagsVersion(ctx context.Context) (string, error) {
	var seq, members, updated, keys int64
	var revoked string
	if err := s.reader.QueryRowContext(ctx, qNotifyVersion).Scan(&seq, &members, &updated, &keys, &revoked); err != nil {
		return "", fmt.Errorf("sqlite: flags version: %w", err)
	}
	return fmt.Sprintf("%d.%d.%d.%d.%s", seq, members, updated, keys, revoked), nil
}
