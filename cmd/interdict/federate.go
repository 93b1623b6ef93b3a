package main

import (
	"context"
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/interdict/interdict/internal/action/notify/federate"
)

// `interdict flags sync|deliveries|requeue|refused`: one round of
// federation with the peers, the outbox of records pushed to them with its
// dead letters, and the objects peers sent that were refused.

// federationCmds are the flags subcommands of federation.
func federationCmds(g *globals, o *flagOpts) []*cobra.Command {
	return []*cobra.Command{newFlagsSyncCmd(g, o), newFederationDeliveriesCmd(g), newFederationRequeueCmd(g), newFederationRejectionsCmd(g)}
}

// federateStore returns the state store as a federation store (both
// backends are).
func (a *app) federateStore() (federate.Store, error) {
	fs, ok := a.store.(federate.Store)
	if !ok {
		return nil, errors.New("the state store does not hold the federation outbox")
	}
	return fs, nil
}

func fedTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

func newFederationDeliveriesCmd(g *globals) *cobra.Command {
	var q federate.OutboxQuery
	var state string
	cmd := &cobra.Command{
		Use:   "deliveries [--state pending|delivered|dead] [--peer MEMBER] [--limit N]",
		Short: "List the outbox: each record queued for each peer, its attempts and last error",
		Args:  withArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch federate.DeliveryState(state) {
			case "", federate.Pending, federate.Delivered, federate.Dead:
				q.State = federate.DeliveryState(state)
			default:
				return usageError{fmt.Errorf("--state %q: want pending, delivered or dead", state)}
			}
			return g.run(cmd, func(ctx context.Context, a *app) error {
				fs, err := a.federateStore()
				if err != nil {
					return err
				}
				ds, err := fs.OutboxList(ctx, q)
				if err != nil {
					return err
				}
				if ds == nil {
					ds = []federate.Delivery{}
				}
				return a.emit(ds, func(w *tabwriter.Writer) {
					fmt.Fprintln(w, "PEER\tRECORD\tSTATE\tATTEMPTS\tQUEUED\tNEXT\tLAST ERROR")
					for _, d := range ds {
						next := fedTime(d.NextAt)
						if d.State != federate.Pending {
							next = "-"
						}
						fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%s\t%s\t%s\n", d.Peer, d.RecordID, d.State, d.Attempts, fedTime(d.Queued), next, d.LastError)
					}
				})
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&state, "state", "", "only entries in this state (pending, delivered, dead)")
	f.StringVar(&q.Peer, "peer", "", "only entries for this member")
	f.IntVar(&q.Limit, "limit", 100, "at most this many entries")
	return cmd
}

func newFederationRequeueCmd(g *globals) *cobra.Command {
	var peer string
	cmd := &cobra.Command{
		Use:   "requeue [--peer MEMBER] [RECORD_ID]",
		Short: "Queue dead deliveries again (of one record, of one peer, or all), due now with attempts reset",
		Args:  withArgs(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			rec := ""
			if len(args) == 1 {
				rec = args[0]
			}
			return g.run(cmd, func(ctx context.Context, a *app) error {
				fs, err := a.federateStore()
				if err != nil {
					return err
				}
				n, err := fs.OutboxRequeue(ctx, peer, rec, time.Now().UTC())
				if err != nil {
					return err
				}
				return a.emit(map[string]int{"requeued": n}, func(w *tabwriter.Writer) {
					fmt.Fprintf(w, "requeued\t%d\n", n)
				})
			})
		},
	}
	cmd.Flags().StringVar(&peer, "peer", "", "only this member's dead deliveries")
	return cmd
}

func newFederationRejectionsCmd(g *globals) *cobra.Command {
	var limit int
	cmd := &cobra.Command{
		Use:   "refused [--limit N]",
		Short: "List objects received from peers over TAXII that were refused, newest first, with the reason",
		Args:  withArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.run(cmd, func(ctx context.Context, a *app) error {
				fs, err := a.federateStore()
				if err != nil {
					return err
				}
				rs, err := fs.FederationRejections(ctx, limit)
				if err != nil {
					return err
				}
				if rs == nil {
					rs = []federate.Rejection{}
				}
				return a.emit(rs, func(w *tabwriter.Writer) {
					fmt.Fprintln(w, "AT\tFROM\tVIA\tOBJECT\tRECORD\tREASON")
					for _, r := range rs {
						fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", fedTime(r.At), r.Source, r.Via, r.ObjectID, r.RecordID, r.Reason)
					}
				})
			})
		},
	}
	cmd.Flags().IntVar(&limit, "limit", 100, "at most this many")
	return cmd
}
