package synth

import (
	"fmt"
	"slices"

	vet "github.com/interdict/interdict/internal/analysis/people"
	"github.com/interdict/interdict/internal/index/people"
)

// Report is how the graph and the rules did on a population.
type Report struct {
	People          int `json:"people"`
	PlantedClusters int `json:"planted_clusters"`
	Personas        int `json:"personas"`
	Clean           int `json:"clean"`
	// ClustersRecovered counts planted clusters whose personas all ended in
	// one graph cluster; ClusterRecall is its share.
	ClustersRecovered int     `json:"clusters_recovered"`
	ClusterRecall     float64 `json:"cluster_recall"`
	// PersonasFlagged: personas with a signal of medium severity or more.
	PersonasFlagged int     `json:"personas_flagged"`
	PersonaRecall   float64 `json:"persona_recall"`
	// CleanFlagged: clean persons (look-alikes included) flagged.
	CleanFlagged     int     `json:"clean_flagged"`
	CleanFlaggedRate float64 `json:"clean_flagged_rate"`
	// CleanClustered: clean persons the graph put in a cluster with anyone.
	CleanClustered int `json:"clean_clustered"`
	// Rules counts, per rule, the personas and clean persons with a flagging
	// signal of that rule, and those with a non-flagging one.
	Rules map[string]*RuleCount `json:"rules"`
}

// RuleCount is one rule's tally.
type RuleCount struct {
	Personas    int `json:"personas"`
	Clean       int `json:"clean"`
	PersonasLow int `json:"personas_low"`
	CleanLow    int `json:"clean_low"`
}

// Measure seals every person with v, adds it to a new graph in arrival
// order, then evaluates rules on each against the final graph.
func Measure(pop Population, v *people.Vault, rules *vet.Rules) (Report, error) {
	g := vet.NewGraph()
	for i := range pop.People {
		r, err := v.Seal(&pop.People[i])
		if err != nil {
			return Report{}, fmt.Errorf("synth: %w", err)
		}
		g.Add(vet.WithDerived(v, r, &pop.People[i]))
	}
	planted := map[string]bool{}
	rep := Report{People: len(pop.People), PlantedClusters: len(pop.Truth.Clusters), Clean: len(pop.Truth.Clean), Rules: map[string]*RuleCount{}}
	for _, c := range pop.Truth.Clusters {
		rep.Personas += len(c.Members)
		first, _ := g.ClusterOf(c.Members[0])
		all := true
		for _, m := range c.Members {
			planted[m] = true
			if !slices.Contains(first.Members, m) {
				all = false
			}
		}
		if all {
			rep.ClustersRecovered++
		}
	}
	for i := range pop.People {
		p := &pop.People[i]
		signals := rules.Evaluate(vet.SubjectOf(p, g.SharedBy(p.ID)))
		seen := map[string]bool{}
		for _, s := range signals {
			key := s.Rule + fmt.Sprint(s.Severity.Flags())
			if seen[key] {
				continue
			}
			seen[key] = true
			rc := rep.Rules[s.Rule]
			if rc == nil {
				rc = &RuleCount{}
				rep.Rules[s.Rule] = rc
			}
			switch {
			case planted[p.ID] && s.Severity.Flags():
				rc.Personas++
			case planted[p.ID]:
				rc.PersonasLow++
			case s.Severity.Flags():
				rc.Clean++
			default:
				rc.CleanLow++
			}
		}
		flagged := vet.Flagged(signals)
		switch {
		case planted[p.ID] && flagged:
			rep.PersonasFlagged++
		case !planted[p.ID] && flagged:
			rep.CleanFlagged++
		}
		if c, _ := g.ClusterOf(p.ID); !planted[p.ID] && len(c.Members) > 1 {
			rep.CleanClustered++
		}
	}
	rep.ClusterRecall = ratio(rep.ClustersRecovered, rep.PlantedClusters)
	rep.PersonaRecall = ratio(rep.PersonasFlagged, rep.Personas)
	rep.CleanFlaggedRate = ratio(rep.CleanFlagged, rep.Clean)
	return rep, nil
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}
