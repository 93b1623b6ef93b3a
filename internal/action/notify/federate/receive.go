package federate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/interdict/interdict/internal/action/notify"
	"github.com/interdict/interdict/internal/action/share/taxii"
)

// ReceiveReport counts what a pull or inbox step did with the objects it read.
type ReceiveReport struct {
	Objects  int `json:"objects"`
	Accepted int `json:"accepted"`
	Rejected int `json:"rejected"`
	// Duplicates were accepted before (counted in Accepted too).
	Duplicates int `json:"duplicates"`
	Skipped    int `json:"skipped"` // not flag indicators
}

func (a *ReceiveReport) add(b ReceiveReport) {
	a.Objects += b.Objects
	a.Accepted += b.Accepted
	a.Rejected += b.Rejected
	a.Duplicates += b.Duplicates
	a.Skipped += b.Skipped
}

// rejections are the errors that turn a record away for good.
var rejections = []error{ErrInvalid, ErrMismatch, notify.ErrMalformed, notify.ErrBadSignature, notify.ErrUnknownIssuer,
	notify.ErrNotAuthorised, notify.ErrExpired, notify.ErrTooLarge, notify.ErrConflict}

func isRejection(err error) bool {
	for _, e := range rejections {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// receive hands one object to the acceptor. It returns an error only when
// the object should be tried again (the acceptor failed for another
// reason than the record); rejections are recorded.
func (r *Runner) receive(ctx context.Context, raw []byte, source, via string, rep *ReceiveReport) error {
	rep.Objects++
	env, rec, ind, err := Decode(raw)
	if errors.Is(err, ErrNotFlag) {
		rep.Skipped++
		return nil
	}
	fresh := false
	if err == nil {
		fresh, err = r.d.Acceptor.Accept(ctx, env, "peer:"+source)
		if err != nil && !isRejection(err) {
			return fmt.Errorf("federate: accept from %s: %w", source, err)
		}
	}
	if err == nil {
		rep.Accepted++
		if !fresh {
			rep.Duplicates++
		}
		return nil
	}
	rej := Rejection{At: r.d.Now(), Source: source, Via: via, RecordID: rec.ID, Reason: err.Error()}
	if ind != nil {
		rej.ObjectID, rej.Version = ind.ID, ind.Modified.String()
	} else {
		var head struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(raw, &head)
		rej.ObjectID = head.ID
	}
	if err := r.d.Store.AddFederationRejection(ctx, rej); err != nil {
		return fmt.Errorf("federate: record rejection: %w", err)
	}
	rep.Rejected++
	r.d.Log.LogAttrs(ctx, slog.LevelWarn, "flag rejected", slog.String("source", source), slog.String("via", via),
		slog.String("object", rej.ObjectID), slog.String("record", rec.ID), slog.String("reason", rej.Reason))
	return nil
}

// cursors adapts the store's cursors to the TAXII client's resume points.
type cursors struct{ s Store }

func (c cursors) ClientState(ctx context.Context, name string) (string, error) {
	return c.s.FederationCursor(ctx, name)
}

func (c cursors) PutClientState(ctx context.Context, name, value string) error {
	return c.s.PutFederationCursor(ctx, name, value)
}

// PullOnce pulls every pull peer's flags collection from where the last
// pull stopped (added_after paging) and hands each flag indicator to the
// acceptor. A peer that cannot be reached does not stop the others; its
// error is returned with theirs.
func (r *Runner) PullOnce(ctx context.Context) (ReceiveReport, error) {
	var rep ReceiveReport
	peers, err := r.d.Peers.Peers(ctx)
	if err != nil {
		return rep, fmt.Errorf("federate: pull: peers: %w", err)
	}
	var errs []error
	for _, p := range peers {
		if !p.Pull || p.URL == "" || p.Member == r.cfg.Member {
			continue
		}
		var pr ReceiveReport
		c := &taxii.Client{HTTP: r.d.HTTP, User: p.User, Key: p.Key, Retries: -1, PageSize: r.cfg.Batch, Log: r.d.Log}
		_, err := c.Pull(ctx, p.URL, cursors{r.d.Store}, "pull "+p.Member+" "+p.URL, func(ctx context.Context, objs []json.RawMessage) error {
			for _, raw := range objs {
				if err := r.receive(ctx, raw, p.Member, "pull", &pr); err != nil {
					return err
				}
			}
			return nil
		})
		rep.add(pr)
		if err != nil {
			errs = append(errs, fmt.Errorf("federate: pull from %s: %w", p.Member, err))
		}
	}
	return rep, errors.Join(errs...)
}

// InboxOnce reads what peers posted to the local flags collection since
// the last time, per peer (each peer's TLP:RED versions are visible only
// as that peer), and hands each flag indicator to the acceptor.
func (r *Runner) InboxOnce(ctx context.Context) (ReceiveReport, error) {
	var rep ReceiveReport
	if err := r.ensureSetup(ctx); err != nil {
		return rep, err
	}
	peers, err := r.d.Peers.Peers(ctx)
	if err != nil {
		return rep, fmt.Errorf("federate: inbox: peers: %w", err)
	}
	if err := r.grant(ctx, peers); err != nil {
		return rep, fmt.Errorf("federate: inbox: %w", err)
	}
	var errs []error
	for _, p := range peers {
		if p.Member == r.cfg.Member {
			continue
		}
		if err := r.inbox(ctx, p.Member, &rep); err != nil {
			errs = append(errs, fmt.Errorf("federate: inbox of %s: %w", p.Member, err))
		}
	}
	return rep, errors.Join(errs...)
}

func (r *Runner) inbox(ctx context.Context, member string, rep *ReceiveReport) error {
	name := "inbox " + r.cfg.Root + "/" + r.cfg.Collection + " " + member
	saved, err := r.d.Store.FederationCursor(ctx, name)
	if err != nil {
		return err
	}
	pos, err := parsePosition(saved)
	if err != nil {
		return fmt.Errorf("cursor %q: %w", saved, err)
	}
	for {
		metas, err := r.d.TAXII.ObjectMetas(ctx, r.cfg.Root, r.cfg.Collection,
			taxii.MetaQuery{Viewer: taxii.Viewer{Member: member, Amber: true}, After: pos, Limit: r.cfg.Batch})
		if err != nil {
			return err
		}
		var seqs []int64
		for _, m := range metas {
			if m.Owner == member {
				seqs = append(seqs, m.Seq)
			}
		}
		bodies, err := r.d.TAXII.ObjectBodies(ctx, seqs)
		if err != nil {
			return err
		}
		var failed error
		moved := false
		for _, m := range metas {
			if m.Owner == member {
				if failed = r.receive(ctx, bodies[m.Seq], member, "push", rep); failed != nil {
					break // the cursor stays before m: tried again next time
				}
			}
			pos, moved = &taxii.Position{DateAdded: m.DateAdded, Seq: m.Seq}, true
		}
		if moved {
			if err := r.d.Store.PutFederationCursor(ctx, name, formatPosition(*pos)); err != nil {
				return err
			}
		}
		if failed != nil {
			return failed
		}
		if len(metas) < r.cfg.Batch {
			return nil
		}
	}
}

// A position is kept as "RFC 3339 date_added (nanoseconds) seq".
func formatPosition(p taxii.Position) string {
	return p.DateAdded.UTC().Format(time.RFC3339Nano) + " " + strconv.FormatInt(p.Seq, 10)
}

func parsePosition(s string) (*taxii.Position, error) {
	if s == "" {
		return nil, nil
	}
	t, seq, ok := strings.Cut(s, " ")
	if !ok {
		return nil, errors.New("not DATE SEQ")
	}
	at, err := time.Parse(time.RFC3339Nano, t)
	if err != nil {
		return nil, err
	}
	n, err := strconv.ParseInt(seq, 10, 64)
	if err != nil {
		return nil, err
	}
	return &taxii.Position{DateAdded: at.UTC(), Seq: n}, nil
}
