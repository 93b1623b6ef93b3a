package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/oklog/run"
	"github.com/spf13/cobra"

	"github.com/interdict/interdict/internal/action/notify"
	"github.com/interdict/interdict/internal/action/notify/federate"
)

// The federation runner wired to the flag service: records are accepted
// by notify.Service, peers are the registered members with an endpoint,
// and the records this instance issued are published.

// notifyAcceptor accepts records from peers into the flag store.
type notifyAcceptor struct{ svc *notify.Service }

func (n notifyAcceptor) Accept(ctx context.Context, env notify.Envelope, source string) (bool, error) {
	out, _, err := n.svc.Accept(ctx, env, notify.Source(source))
	return out == notify.Accepted, err
}

// memberPeers are the members other than this instance with an endpoint
// (their flags collection): pushed to and pulled from. Members without
// one are still peers, so their pushes to our collection are read.
type memberPeers struct {
	st   notify.MemberStore
	self string
}

func (m memberPeers) Peers(ctx context.Context) ([]federate.Peer, error) {
	ms, err := m.st.Members(ctx)
	if err != nil {
		return nil, err
	}
	var out []federate.Peer
	for _, mb := range ms {
		if mb.ID == m.self {
			continue
		}
		on := mb.Endpoint.URL != ""
		out = append(out, federate.Peer{Member: mb.ID, URL: mb.Endpoint.URL, Key: mb.Endpoint.Credential.Reveal(), Push: on, Pull: on})
	}
	return out, nil
}

// issuedHere lists the records this instance signed (CLI or API).
type issuedHere struct {
	st   notify.FlagStore
	self string
}

func (l issuedHere) LocalRecords(ctx context.Context, since time.Time) ([]federate.LocalRecord, error) {
	flags, err := l.st.Flags(ctx)
	if err != nil {
		return nil, err
	}
	var out []federate.LocalRecord
	for _, f := range flags {
		if f.Issuer != l.self || f.UpdatedAt.Before(since) {
			continue
		}
		hist, err := l.st.FlagHistory(ctx, f.ID)
		if err != nil {
			return nil, err
		}
		for _, s := range hist {
			if s.Record.Issuer == l.self && !s.ReceivedAt.Before(since) {
				out = append(out, federate.LocalRecord{Envelope: s.Envelope, Record: s.Record, At: s.ReceivedAt})
			}
		}
	}
	slices.SortStableFunc(out, func(a, b federate.LocalRecord) int { return a.At.Compare(b.At) })
	return out, nil
}

// federation returns the runner of this instance; nil without an identity
// (`interdict keys init`), since it then issues nothing and cannot tell
// its own records from others'.
func (a *app) federation(p notify.Policy) (*federate.Runner, error) {
	svc, err := a.notifyService(p)
	if err != nil {
		return nil, err
	}
	id, ok := svc.Identity()
	if !ok {
		return nil, nil
	}
	fs, err := a.federateStore()
	if err != nil {
		return nil, err
	}
	ts, err := a.taxiiStore()
	if err != nil {
		return nil, err
	}
	return federate.New(federate.Config{Member: id.Member}, federate.Deps{Store: fs, TAXII: ts, Acceptor: notifyAcceptor{svc},
		Peers: memberPeers{svc.Store(), id.Member}, Locals: issuedHere{svc.Store(), id.Member}, Log: a.log.With("component", "federate")})
}

// addFederation adds the federation loops to serve's run group; without an
// identity or with a store that cannot hold them it logs why and adds
// nothing.
func (a *app) addFederation(ctx context.Context, g *run.Group) {
	r, err := a.federation(notify.Policy{})
	if err != nil || r == nil {
		a.log.Info("flag federation off", "reason", cmpErr(err, "no instance identity (interdict keys init)"))
		return
	}
	fctx, cancel := context.WithCancel(ctx)
	g.Add(func() error { return r.Run(fctx) }, func(error) { cancel() })
}

func cmpErr(err error, otherwise string) string {
	if err != nil {
		return err.Error()
	}
	return otherwise
}

// syncReport is what `flags sync` did.
type syncReport struct {
	Queued int                    `json:"queued"`
	Push   federate.PushReport    `json:"push"`
	Inbox  federate.ReceiveReport `json:"inbox"`
	Pull   federate.ReceiveReport `json:"pull"`
	Errors []string               `json:"errors,omitempty"`
}

func newFlagsSyncCmd(g *globals, o *flagOpts) *cobra.Command {
	return &cobra.Command{
		Use:   "sync",
		Short: "Federate once: publish records issued here, push due deliveries, read the inbox and pull every peer",
		Long: `Sync runs one round of what 'interdict serve' runs on intervals: records this
instance issued are published in its TAXII flags collection and queued for
every member with an endpoint; due deliveries are pushed (failures back off,
then go dead: see 'flags deliveries'); records members posted to our
collection are verified and accepted; and every member's collection is
pulled from where the last pull stopped. Refused objects are listed by
'flags refused'. Peer errors are reported and do not stop the round.`,
		Args: withArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := o.policy()
			if err != nil {
				return err
			}
			return g.run(cmd, func(ctx context.Context, a *app) error {
				r, err := a.federation(p)
				if err != nil {
					return err
				}
				if r == nil {
					return usageError{errors.New("this instance has no identity: run 'interdict keys init' first")}
				}
				var rep syncReport
				var errs []error
				if err := r.Setup(ctx); err != nil {
					return err
				}
				rep.Queued, err = r.PublishOnce(ctx)
				errs = append(errs, err)
				rep.Push, err = r.PushOnce(ctx)
				errs = append(errs, err)
				rep.Inbox, err = r.InboxOnce(ctx)
				errs = append(errs, err)
				rep.Pull, err = r.PullOnce(ctx)
				errs = append(errs, err)
				for _, e := range errs {
					if e != nil {
						rep.Errors = append(rep.Errors, e.Error())
					}
				}
				return a.emit(rep, func(w *tabwriter.Writer) {
					fmt.Fprintf(w, "queued\t%d\n", rep.Queued)
					fmt.Fprintf(w, "pushed\t%d delivered, %d failed, %d dead\n", rep.Push.Delivered, rep.Push.Failed, rep.Push.Dead)
					fmt.Fprintf(w, "inbox\t%d accepted (%d duplicate), %d refused\n", rep.Inbox.Accepted, rep.Inbox.Duplicates, rep.Inbox.Rejected)
					fmt.Fprintf(w, "pulled\t%d accepted (%d duplicate), %d refused\n", rep.Pull.Accepted, rep.Pull.Duplicates, rep.Pull.Rejected)
					for _, e := range rep.Errors {
						fmt.Fprintf(w, "error\t%s\n", e)
					}
				})
			})
		},
	}
}
