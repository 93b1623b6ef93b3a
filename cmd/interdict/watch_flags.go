package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/interdict/interdict/internal/action/notify"
	"github.com/interdict/interdict/internal/action/watch"
	"github.com/interdict/interdict/internal/serve/api"
)

// notifyFlags gives the alert engine the flags of the notification network:
// those the flag store holds as active now (verified on receipt, not
// revoked, not expired, their issuer's key still trusted), one
// watch.Source per subject.
type notifyFlags struct {
	svc *notify.Service
	// ver says cheaply when the stored records or the member registry
	// changed; nil: no version, the engine re-reads every time.
	ver interface {
		FlagsVersion(ctx context.Context) (string, error)
	}
	now func() time.Time
}

func (n notifyFlags) ActiveFlags(ctx context.Context, chain string) ([]watch.Source, error) {
	flags, err := n.svc.Active(ctx, chain, n.now())
	if err != nil {
		return nil, fmt.Errorf("active flags: %w", err)
	}
	var out []watch.Source
	for _, f := range flags {
		for _, s := range f.Subjects {
			src := watch.Source{FlagID: f.ID, Chain: s.Chain, Address: s.Address, Tx: s.TxID, Vout: -1,
				Incident: f.Incident, Actor: f.Actor, Reason: f.Reason}
			if s.Vout != nil {
				src.Vout = int(*s.Vout)
			}
			out = append(out, src)
		}
	}
	return out, nil
}

// FlagsVersion implements watch.Versioned: the store's version of records
// and members, and the minute, so a flag that expires stops feeding the
// engine within a minute of its expiry.
func (n notifyFlags) FlagsVersion(ctx context.Context, _ string) (string, error) {
	v, err := n.ver.FlagsVersion(ctx)
	if err != nil {
		return "", err
	}
	return v + "@" + n.now().UTC().Truncate(time.Minute).Format(time.RFC3339), nil
}

// bothFlags joins the network's flags and the local flags file.
type bothFlags struct {
	net   notifyFlags
	local localFlags
}

func (b bothFlags) ActiveFlags(ctx context.Context, chain string) ([]watch.Source, error) {
	a, err := b.net.ActiveFlags(ctx, chain)
	if err != nil {
		return nil, err
	}
	l, err := b.local.ActiveFlags(ctx, chain)
	if err != nil {
		return nil, err
	}
	return append(a, l...), nil
}

// FlagsVersion implements watch.Versioned: the network's version and the
// local file's size and modification time.
func (b bothFlags) FlagsVersion(ctx context.Context, chain string) (string, error) {
	v, err := b.net.FlagsVersion(ctx, chain)
	if err != nil {
		return "", err
	}
	st, err := os.Stat(b.local.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return v + "|-", nil
	case err != nil:
		return "", err
	}
	return fmt.Sprintf("%s|%d.%d", v, st.Size(), st.ModTime().UnixNano()), nil
}

// networkFlagSource is the alert engine's flag source on a state store that
// keeps the notification network's flags: the network's active flags and
// the local flags file.
func networkFlagSource(a *app, local localFlags) (watch.FlagSource, bool, error) {
	ver, ok := a.store.(interface {
		FlagsVersion(ctx context.Context) (string, error)
	})
	if !ok {
		return nil, false, nil
	}
	if _, err := a.notifyStore(); err != nil {
		return nil, false, nil
	}
	svc, err := a.notifyService(notify.Policy{})
	if err != nil {
		return nil, false, err
	}
	return bothFlags{net: notifyFlags{svc: svc, ver: ver, now: time.Now}, local: local}, true, nil
}

// serveFlagService is /v1/flags' service: the flag store with the instance
// identity and the default issuer policy (authorities only); nil (the API
// answers 503) on a state store without flags.
func (a *app) serveFlagService() api.FlagService {
	if _, err := a.notifyStore(); err != nil {
		return nil
	}
	svc, err := a.notifyService(notify.Policy{})
	if err != nil {
		a.log.Warn("flags API off", "err", err)
		return nil
	}
	return svc
}
