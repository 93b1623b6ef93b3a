package main

import (
	"context"
	"path/filepath"
	"time"

	vet "github.com/interdict/interdict/internal/analysis/people"
	"github.com/interdict/interdict/internal/analysis/screen"
	"github.com/interdict/interdict/internal/index/people"
	"github.com/interdict/interdict/internal/serve/api"
)

// servePeople is the service behind /v1/people, or nil (the endpoints then
// answer 503) when the state store keeps no people or the people key does
// not open the persons stored. keyFile "" is people.key in the data dir,
// created on first use as `interdict people` does.
//
// rescreen, when not nil, re-screens every stored person (new signals only,
// cases opened or updated, nothing decided): serve calls it each time the
// list versions it screens against change, so vetting is continuous.
func (a *app) servePeople(ctx context.Context, keyFile string, live *screen.Live) (_ api.PeopleService, rescreen func(ctx context.Context, reason string)) {
	st, ok := a.store.(people.Store)
	if !ok {
		return nil, nil
	}
	if keyFile == "" {
		keyFile = filepath.Join(a.g.dataDir, "people.key")
	}
	key, err := people.LoadKey(keyFile)
	if err == nil {
		var vault *people.Vault
		if vault, err = people.NewVault(key); err == nil {
			var svc *vet.Service
			if svc, err = vet.NewService(ctx, st, vault, vet.NewRules(vet.DefaultConfig(), liveLists{live})); err == nil {
				return peopleAPI{svc}, a.peopleRescreen(svc, vault)
			}
		}
	}
	a.log.Warn("people vetting is off: /v1/people answers 503", "err", err)
	return nil, nil
}

// peopleRescreen is serve's re-screening of every person, or nil on a state
// store without cases.
func (a *app) peopleRescreen(svc *vet.Service, vault *people.Vault) func(ctx context.Context, reason string) {
	cs, err := caseStore(a)
	if err != nil {
		return nil
	}
	rs := vet.NewRescreener(svc, vault, cs, a.log)
	return func(ctx context.Context, reason string) {
		start := time.Now()
		rep, err := rs.Rescreen(ctx, vet.Trigger{Reason: reason})
		if err != nil {
			a.log.Warn("people re-screening", "reason", reason, "err", err)
			return
		}
		a.log.Info("people re-screened", "reason", reason, "assessed", rep.Assessed, "new_signals", rep.NewSignals,
			"cases_opened", len(rep.Opened), "cases_updated", len(rep.Updated), "took", time.Since(start).Round(time.Millisecond))
	}
}

// liveLists screens against the lists the server holds now, so a list
// update reaches the people rules without a restart.
type liveLists struct{ live *screen.Live }

func (l liveLists) ScreenName(q screen.NameQuery) screen.Result {
	return l.live.Current().ScreenName(q)
}
func (l liveLists) ScreenAddress(addr string) screen.Result {
	return l.live.Current().ScreenAddress(addr)
}
func (l liveLists) ScreenEmail(email string) screen.Result {
	return l.live.Current().ScreenEmail(email)
}

// peopleAPI adapts the people service to the API.
type peopleAPI struct{ svc *vet.Service }

func (p peopleAPI) Add(ctx context.Context, ps []people.Person) ([]vet.Assessment, error) {
	return p.svc.AddBatch(ctx, ps)
}

func (p peopleAPI) Assess(ctx context.Context, id string) (vet.Assessment, error) {
	a, _, err := p.svc.Assess(ctx, id)
	return a, err
}
