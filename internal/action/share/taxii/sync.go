package taxii

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"time"
)

// StateStore keeps resume points (Store does).
type StateStore interface {
	ClientState(ctx context.Context, name string) (string, error)
	PutClientState(ctx context.Context, name, value string) error
}

// PullReport says what a pull read.
type PullReport struct {
	// From is the added_after the pull resumed from (zero: the start).
	From    time.Time `json:"from"`
	Pages   int       `json:"pages"`
	Objects int       `json:"objects"`
	// Last is the date_added of the last version read: the next resume point.
	Last time.Time `json:"last"`
}

// Pull reads every version added to the collection at collURL since the
// resume point saved under name, page by page, handing each page to fn, and
// saves the page's X-TAXII-Date-Added-Last as the resume point once fn has
// taken it. A pull cut short (a dropped connection after the retries) is
// resumed by pulling again with the same name.
func (c *Client) Pull(ctx context.Context, collURL string, state StateStore, name string, fn func(ctx context.Context, objs []json.RawMessage) error) (PullReport, error) {
	var rep PullReport
	saved, err := state.ClientState(ctx, name)
	if err != nil {
		return rep, err
	}
	if saved != "" {
		if rep.From, err = ParseTimestamp(saved); err != nil {
			return rep, fmt.Errorf("taxii: resume point %q of %s: %w", saved, name, err)
		}
	}
	after, next := rep.From, ""
	for {
		p, err := c.Objects(ctx, collURL, after, next)
		if err != nil {
			return rep, err
		}
		if len(p.Objects) > 0 {
			if err := fn(ctx, p.Objects); err != nil {
				return rep, err
			}
			if err := state.PutClientState(ctx, name, FormatTimestamp(p.Last)); err != nil {
				return rep, err
			}
			rep.Pages++
			rep.Objects += len(p.Objects)
			rep.Last = p.Last
		}
		c.log().LogAttrs(ctx, slog.LevelDebug, "taxii page read", slog.String("collection", collURL), slog.Int("objects", len(p.Objects)), slog.Bool("more", p.More))
		if !p.More {
			return rep, nil
		}
		if len(p.Objects) == 0 {
			return rep, fmt.Errorf("%w: %s: an empty page says more follow", ErrProtocol, collURL)
		}
		next = p.Next
		if next == "" {
			// A server paging by added_after alone.
			after = p.Last
		}
	}
}

// Sync mirrors the remote collection at collURL into collection coll of API
// root root of the local store (both created if missing; the mirror is
// read-only for non-admin keys), resuming where the last sync stopped.
// Versions are stored as posted by member, so TLP rules apply to them as to
// the member's own; a version already held is skipped.
func Sync(ctx context.Context, c *Client, collURL string, local Store, root, coll, member string) (PullReport, error) {
	roots, err := local.APIRoots(ctx)
	if err != nil {
		return PullReport{}, err
	}
	if !slices.ContainsFunc(roots, func(r APIRoot) bool { return r.Name == root }) {
		if err := local.PutAPIRoot(ctx, APIRoot{Name: root, Title: "Mirrored collections", Versions: []string{MediaType}}); err != nil {
			return PullReport{}, err
		}
	}
	colls, err := local.Collections(ctx, root)
	if err != nil {
		return PullReport{}, err
	}
	if !slices.ContainsFunc(colls, func(c Collection) bool { return c.ID == coll }) {
		if err := local.PutCollection(ctx, Collection{APIRoot: root, ID: coll, Title: "Mirror of " + collURL, CanRead: true}); err != nil {
			return PullReport{}, err
		}
	}
	name := "sync " + collURL + " > " + root + "/" + coll
	return c.Pull(ctx, collURL, local, name, func(ctx context.Context, raws []json.RawMessage) error {
		objs := make([]Object, 0, len(raws))
		for _, raw := range raws {
			o, err := ParseObject(raw)
			if err != nil {
				return err // Objects checked them already
			}
			o.Owner = member
			objs = append(objs, o)
		}
		_, err := local.AddObjects(ctx, root, coll, objs)
		return err
	})
}
