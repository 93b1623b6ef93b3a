package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/interdict/interdict/internal/action/deliver"
)

// deliverStore returns the state store as a delivery store (both backends
// are), without access to the endpoints' secrets.
func (a *app) deliverStore() (deliver.Store, error) {
	ds, ok := a.store.(deliver.Store)
	if !ok {
		return nil, errors.New("the state store does not hold webhooks")
	}
	return ds, nil
}

// webhookKeyFile holds the key that encrypts webhook secrets at rest, in
// the data dir: a copy of the database alone does not let anyone sign.
// Every process serving the same database needs the same file.
const webhookKeyFile = "webhooks.key"

// sealedDeliverStore is deliverStore with secrets sealed and opened with the
// data dir's webhook key, made when create is set and the file is missing.
func (a *app) sealedDeliverStore(create bool) (deliver.Store, error) {
	ds, err := a.deliverStore()
	if err != nil {
		return nil, err
	}
	path := filepath.Join(a.g.dataDir, webhookKeyFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) && create {
		key := make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(a.g.dataDir, 0o750); err != nil {
			return nil, fmt.Errorf("create data dir: %w", err)
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, fmt.Errorf("create webhook key: %w", err)
		}
		_, werr := f.WriteString(hex.EncodeToString(key) + "\n")
		if cerr := f.Close(); werr != nil || cerr != nil {
			return nil, fmt.Errorf("write webhook key %s: %w", path, errors.Join(werr, cerr))
		}
		a.log.Info("created the webhook key", "path", path)
		b = []byte(hex.EncodeToString(key))
	} else if err != nil {
		return nil, fmt.Errorf("webhook key (%s in the data dir, made by the first 'webhooks add'): %w", webhookKeyFile, err)
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, fmt.Errorf("webhook key %s: not hex: %w", path, err)
	}
	s, err := deliver.NewSealer(key)
	if err != nil {
		return nil, fmt.Errorf("webhook key %s: %w", path, err)
	}
	return s.Wrap(ds), nil
}

func newWebhooksCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "webhooks", Short: "Register webhook endpoints for alerts and inspect their deliveries",
		Long: `Every alert is POSTed to every registered endpoint by 'interdict serve', signed
with the endpoint's secret (header Interdict-Signature: t=<unix>,v1=<hex
HMAC-SHA256 of "<t>.<body>">), with an Idempotency-Key that is the same on
every retry. Failed deliveries are retried with back-off for a day, then dead:
'webhooks deliveries --dead' lists them, 'webhooks retry ID' queues one again.`}
	cmd.AddCommand(newWebhooksAddCmd(g), newWebhooksListCmd(g), newWebhooksRemoveCmd(g),
		newWebhooksDeliveriesCmd(g), newWebhooksShowCmd(g), newWebhooksRetryCmd(g))
	return cmd
}

func newWebhooksAddCmd(g *globals) *cobra.Command {
	var (
		url, secretFile, id, member string
		replay                      bool
	)
	cmd := &cobra.Command{
		Use:   "add --url URL [--secret-file FILE] [--id ID] [--member M]",
		Short: "Register an endpoint; without --secret-file a secret is made and printed once",
		Args:  withArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			secret, generated := "", false
			if secretFile != "" {
				b, err := os.ReadFile(secretFile)
				if err != nil {
					return usageError{fmt.Errorf("--secret-file: %w", err)}
				}
				secret = strings.TrimSpace(string(b))
			} else {
				s, err := deliver.NewSecret()
				if err != nil {
					return err
				}
				secret, generated = s, true
			}
			if id == "" {
				b := make([]byte, 6)
				_, _ = rand.Read(b)
				id = "wh_" + hex.EncodeToString(b)
			}
			e := deliver.Endpoint{ID: id, URL: url, Secret: secret, Member: member, CreatedAt: nowUTC()}
			if err := deliver.CheckEndpoint(e); err != nil {
				return usageError{err}
			}
			return g.run(cmd, func(ctx context.Context, a *app) error {
				ds, err := a.sealedDeliverStore(true)
				if err != nil {
					return err
				}
				if !replay {
					if e.Cursor, err = a.latestAlert(ctx); err != nil {
						return err
					}
				}
				if err := ds.AddEndpoint(ctx, e); err != nil {
					if errors.Is(err, deliver.ErrExists) {
						return usageError{fmt.Errorf("webhook %s already exists", id)}
					}
					return err
				}
				out := map[string]any{"id": e.ID, "url": e.URL, "member": e.Member, "created_at": e.CreatedAt, "cursor": e.Cursor}
				if generated {
					out["secret"] = secret
				}
				return a.emit(out, func(w *tabwriter.Writer) {
					fmt.Fprintf(w, "id\t%s\nurl\t%s\n", e.ID, e.URL)
					if generated {
						fmt.Fprintf(w, "secret\t%s\n\t(the secret is shown once; give it to the receiver now)\n", secret)
					}
				})
			})
		},
	}
	cmd.Flags().StringVar(&url, "url", "", "the receiver's http:// or https:// URL")
	cmd.Flags().StringVar(&secretFile, "secret-file", "", "file holding the signing secret (at least 16 bytes)")
	cmd.Flags().StringVar(&id, "id", "", "endpoint id (default: generated)")
	cmd.Flags().StringVar(&member, "member", "", "deliver only this member's alerts and the instance's own (default: all)")
	cmd.Flags().BoolVar(&replay, "replay", false, "also deliver the alerts raised before the endpoint was added")
	return cmd
}

// latestAlert is the number of the newest alert in the alert log (0 when
// empty): a new endpoint starts after it.
func (a *app) latestAlert(ctx context.Context) (int64, error) {
	outbox, ok := a.store.(deliver.Outbox)
	if !ok {
		return 0, nil
	}
	var last int64
	for {
		evs, err := outbox.AlertsAfter(ctx, last, 1000)
		if err != nil {
			return 0, err
		}
		if len(evs) == 0 {
			return last, nil
		}
		last = evs[len(evs)-1].ID
	}
}

func newWebhooksListCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List endpoints (never their secrets)",
		Args:  withArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.run(cmd, func(ctx context.Context, a *app) error {
				ds, err := a.deliverStore()
				if err != nil {
					return err
				}
				eps, err := ds.Endpoints(ctx)
				if err != nil {
					return err
				}
				if eps == nil {
					eps = []deliver.Endpoint{}
				}
				return a.emit(map[string]any{"webhooks": eps}, func(w *tabwriter.Writer) {
					fmt.Fprintln(w, "ID\tURL\tMEMBER\tCURSOR\tCREATED")
					for _, e := range eps {
						fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%s\n", e.ID, e.URL, orDash(e.Member), e.Cursor, e.CreatedAt.Format(time.RFC3339))
					}
				})
			})
		},
	}
}

func newWebhooksRemoveCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "remove ID",
		Short: "Remove an endpoint with its deliveries",
		Args:  withArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.run(cmd, func(ctx context.Context, a *app) error {
				ds, err := a.deliverStore()
				if err != nil {
					return err
				}
				if err := ds.RemoveEndpoint(ctx, args[0]); err != nil {
					return err
				}
				return a.emit(map[string]any{"removed": args[0]}, func(w *tabwriter.Writer) {
					fmt.Fprintf(w, "removed\t%s\n", args[0])
				})
			})
		},
	}
}

func newWebhooksDeliveriesCmd(g *globals) *cobra.Command {
	var (
		dead     bool
		endpoint string
		limit    int
	)
	cmd := &cobra.Command{
		Use:   "deliveries [--dead] [--endpoint ID] [--limit N]",
		Short: "List deliveries, newest first",
		Args:  withArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			f := deliver.DeliveryFilter{Endpoint: endpoint, Limit: limit}
			if dead {
				f.State = deliver.StateDead
			}
			return g.run(cmd, func(ctx context.Context, a *app) error {
				ds, err := a.deliverStore()
				if err != nil {
					return err
				}
				list, err := ds.Deliveries(ctx, f)
				if err != nil {
					return err
				}
				if list == nil {
					list = []deliver.Delivery{}
				}
				return a.emit(map[string]any{"deliveries": list}, func(w *tabwriter.Writer) {
					fmt.Fprintln(w, "ID\tENDPOINT\tALERT\tSTATE\tATTEMPTS\tLAST STATUS\tNEXT\tLAST ERROR")
					for _, d := range list {
						next := "-"
						if d.State == deliver.StatePending {
							next = d.NextAttempt.Format(time.RFC3339)
						}
						fmt.Fprintf(w, "%d\t%s\t%d\t%s\t%d\t%d\t%s\t%.80s\n", d.ID, d.Endpoint, d.EventID, d.State, d.Attempts,
							d.LastStatus, next, orDash(d.LastError))
					}
				})
			})
		},
	}
	cmd.Flags().BoolVar(&dead, "dead", false, "only dead deliveries (the dead-letter view)")
	cmd.Flags().StringVar(&endpoint, "endpoint", "", "only this endpoint's deliveries")
	cmd.Flags().IntVar(&limit, "limit", 100, "at most this many")
	return cmd
}

func newWebhooksShowCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "show ID",
		Short: "Show a delivery with every attempt and the alert it carries",
		Args:  withArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil {
				return usageError{fmt.Errorf("delivery id %q is not a number", args[0])}
			}
			return g.run(cmd, func(ctx context.Context, a *app) error {
				ds, err := a.deliverStore()
				if err != nil {
					return err
				}
				d, err := ds.Delivery(ctx, id)
				if err != nil {
					return err
				}
				as, err := ds.Attempts(ctx, id)
				if err != nil {
					return err
				}
				if as == nil {
					as = []deliver.Attempt{}
				}
				alert := json.RawMessage(d.Payload)
				if !json.Valid(alert) {
					alert = json.RawMessage("null")
				}
				return a.emit(map[string]any{"delivery": d, "attempts": as, "alert": alert}, func(w *tabwriter.Writer) {
					fmt.Fprintf(w, "id\t%d\nendpoint\t%s\nalert\t%d\nstate\t%s\nidempotency key\t%s\nexpires\t%s\n",
						d.ID, d.Endpoint, d.EventID, d.State, d.IdempotencyKey(), d.ExpiresAt.Format(time.RFC3339))
					fmt.Fprintln(w, "ATTEMPT\tAT\tSTATUS\tDURATION\tERROR")
					for _, at := range as {
						fmt.Fprintf(w, "%d\t%s\t%d\t%s\t%.80s\n", at.N, at.At.Format(time.RFC3339), at.Status,
							at.Duration.Round(time.Millisecond), orDash(at.Error))
					}
				})
			})
		},
	}
}

func newWebhooksRetryCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "retry ID",
		Short: "Queue a dead delivery again (retried for another day)",
		Args:  withArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil {
				return usageError{fmt.Errorf("delivery id %q is not a number", args[0])}
			}
			return g.run(cmd, func(ctx context.Context, a *app) error {
				ds, err := a.deliverStore()
				if err != nil {
					return err
				}
				now := nowUTC()
				if err := ds.Requeue(ctx, id, now, now.Add(deliver.DefaultConfig().MaxAge)); err != nil {
					if errors.Is(err, deliver.ErrNotDead) {
						return usageError{err}
					}
					return err
				}
				return a.emit(map[string]any{"requeued": id}, func(w *tabwriter.Writer) {
					fmt.Fprintf(w, "requeued\t%d\n", id)
				})
			})
		},
	}
}
