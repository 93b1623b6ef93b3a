package screen

import (
	"cmp"
	"math"
	"slices"
)

// Scoring parameters (see name.go for what the score means).
const (
	// A listed name may carry words the query lacks (a middle name, a
	// patronymic, "Joint Venture"). How much that costs depends on how much
	// the query did match: with little matched evidence (common words only)
	// every missing listed word counts in full; with strong evidence only
	// partialMin of it does. Evidence is measured in units of ln(N+1), the
	// weight of a word found in a single entity of N (about 9.9 for the SDN
	// and UN lists together): π = 1 up to partialLo such units, partialMin from
	// partialHi on.
	partialLo  = 0.8
	partialHi  = 1.6
	partialMin = 0.3
	// initialShare is how much of a word an initial confirms ("J" for "John").
	initialShare = 0.5
	// minEvidence, in units of ln(N+1), is the matched listed weight below
	// which a match is too common to identify anyone: a single word found in
	// more than √N entities ("Mohammad", "Kim") weighs less. Such matches
	// are scaled down in proportion, so a listed alias that is one common
	// given name does not hit on its own. Names made only of initials and
	// noise words ("D Company") are exempt: nothing in them is common.
	minEvidence = 0.5
)

// alignOpt is a candidate pairing of query words [qi, qi+qn) with listed
// words [lj, lj+ln); one side is a single word, the other one or two.
type alignOpt struct {
	qi, qn, lj, ln int8
	sim            float32
}

// align pairs the query's words with those of listed name n and scores the
// result. With explain it also returns the pairing, query words in order
// followed by the listed words left over.
func (ix *nameIndex) align(sc *searchScratch, n int32, explain bool) (float64, []TokenMatch) {
	ne := ix.names[n]
	ws := ix.toks[ne.lo:ne.hi]
	if len(ws) > maxListedWords {
		ws = ws[:maxListedWords]
	}
	qws := sc.qwords
	korean := ix.ents[ne.ent].korean
	opts := sc.opts[:0]
	for j, v := range ws {
		r := sc.lookup(v)
		if r == nil {
			continue
		}
		for i := range qws {
			s := r.sim[i]
			if korean && r.ko[i] > s {
				s = r.ko[i]
			}
			if s > 0 {
				opts = append(opts, alignOpt{qi: int8(i), qn: 1, lj: int8(j), ln: 1, sim: s})
			}
		}
	}
	opts = ix.joinedOptions(opts, qws, ws)
	slices.SortFunc(opts, func(a, b alignOpt) int {
		if c := cmp.Compare(b.sim, a.sim); c != 0 {
			return c
		}
		return cmp.Compare(b.qn+b.ln, a.qn+a.ln)
	})
	sc.opts = opts

	var p pairing
	for _, o := range opts {
		if p.free(o) {
			p.take(o, 1, 1)
		}
	}
	// Initials confirm part of a word with the same first letter.
	for i, qw := range qws {
		if p.qUsed&(1<<i) != 0 {
			continue
		}
		for j, v := range ws {
			if p.lUsed&(1<<j) != 0 {
				continue
			}
			lw, lc := ix.voc.str[v], ix.voc.class[v]
			o := alignOpt{qi: int8(i), qn: 1, lj: int8(j), ln: 1, sim: 1}
			switch {
			case qw.class == classInitial && lc == classWord && lw[0] == qw.text[0]:
				p.take(o, 1, initialShare)
			case lc == classInitial && qw.class == classWord && qw.text[0] == lw[0]:
				p.take(o, initialShare, 1)
			default:
				continue
			}
			break
		}
	}

	var wq, mq, wl, evidence float64
	for i, qw := range qws {
		w := float64(qw.weight)
		wq += w
		if p.qUsed&(1<<i) != 0 {
			mq += w * float64(p.qSim[i]*p.qFactor[i])
		}
	}
	for j, v := range ws {
		w := float64(ix.voc.weight[v])
		wl += w
		if p.lUsed&(1<<j) != 0 {
			evidence += w * float64(p.lFactor[j])
		}
	}
	score := nameScore(mq, wq, evidence/ix.unit, wl/ix.unit)
	if e := evidence / ix.unit; e < minEvidence && hasWords(qws) {
		// Too common to identify anyone alone ("Mohammad", "Kim").
		score *= e / minEvidence
	}
	if !explain {
		return score, nil
	}
	return score, ix.explain(qws, ws, &p)
}

// hasWords reports whether the query has a word weighted by rarity.
func hasWords(qws []qword) bool {
	for _, q := range qws {
		if q.class == classWord || q.class == classNumber {
			return true
		}
	}
	return false
}

// pairing records which query words were aligned with which listed words.
type pairing struct {
	qUsed, lUsed  uint64
	qLo, qN       [maxQueryWords]int8 // the query words of i's group
	qLj, qLn      [maxQueryWords]int8 // the listed words of i's group
	qSim, qFactor [maxQueryWords]float32
	lFactor       [maxListedWords]float32
}

func (p *pairing) free(o alignOpt) bool {
	qm := uint64(1)<<(o.qi+o.qn) - uint64(1)<<o.qi
	lm := uint64(1)<<(o.lj+o.ln) - uint64(1)<<o.lj
	return p.qUsed&qm == 0 && p.lUsed&lm == 0
}

// take aligns o; qf and lf are the shares of the query and listed words it
// confirms (1, or initialShare for a word matched by its initial).
func (p *pairing) take(o alignOpt, qf, lf float32) {
	for i := o.qi; i < o.qi+o.qn; i++ {
		p.qUsed |= 1 << i
		p.qLo[i], p.qN[i], p.qLj[i], p.qLn[i] = o.qi, o.qn, o.lj, o.ln
		p.qSim[i], p.qFactor[i] = o.sim, qf
	}
	for j := o.lj; j < o.lj+o.ln; j++ {
		p.lUsed |= 1 << j
		p.lFactor[j] = lf
	}
}

// mayReach is a cheap upper bound test before align: the score never exceeds
// Q, and Q at most credits each query word with its best similarity to any
// listed word, or fully if it could be written as one with a neighbour (the
// prefilter of joinedOptions, without the comparison).
func (ix *nameIndex) mayReach(sc *searchScratch, n int32, threshold float64) bool {
	ne := ix.names[n]
	ws := ix.toks[ne.lo:ne.hi]
	if len(ws) > maxListedWords {
		ws = ws[:maxListedWords]
	}
	qws := sc.qwords
	korean := ix.ents[ne.ent].korean
	var best [maxQueryWords]float32
	for _, v := range ws {
		r := sc.lookup(v)
		if r == nil {
			continue
		}
		for i := range qws {
			s := r.sim[i]
			if korean && r.ko[i] > s {
				s = r.ko[i]
			}
			best[i] = max(best[i], s)
		}
	}
	var total, reach float64
	for i, qw := range qws {
		w := float64(qw.weight)
		total += w
		if best[i] < 1 && ix.mayJoin(qws, ws, i) {
			best[i] = 1
		}
		reach += w * float64(best[i])
	}
	return total > 0 && reach/total >= threshold-1e-9
}

// mayJoin reports whether query word i passes joinedOptions' prefilter with
// some listed words: as one word against two, or with a neighbour against one.
func (ix *nameIndex) mayJoin(qws []qword, ws []int32, i int) bool {
	plausible := func(one string, a, b int) bool {
		return one[0] == ix.voc.str[a][0] && abs(int(ix.voc.length[a])+int(ix.voc.length[b])-len(one)) <= 2
	}
	q := qws[i]
	if q.class == classWord && len(q.text) >= 4 {
		for j := 0; j+1 < len(ws); j++ {
			if plausible(q.text, int(ws[j]), int(ws[j+1])) {
				return true
			}
		}
	}
	for k := max(0, i-1); k <= i && k+1 < len(qws); k++ {
		a, b := qws[k].text, qws[k+1].text
		for _, v := range ws {
			if ix.voc.class[v] == classWord && ix.voc.length[v] >= 4 && a[0] == ix.voc.str[v][0] && abs(len(a)+len(b)-int(ix.voc.length[v])) <= 2 {
				return true
			}
		}
	}
	return false
}

// nameScore combines how well the query is matched (mq of its weight wq,
// each word counted by its similarity) and how much of the listed name is
// covered at all (evidence of its weight wl, both in units of ln(N+1)); see
// name.go.
func nameScore(mq, wq, evidence, wl float64) float64 {
	if wq <= 0 || wl <= 0 {
		return 0
	}
	cq, cl := mq/wq, evidence/wl
	penalty := 1.0
	switch {
	case evidence >= partialHi:
		penalty = partialMin
	case evidence > partialLo:
		penalty = 1 - (1-partialMin)*(evidence-partialLo)/(partialHi-partialLo)
	}
	return math.Max(0, math.Min(1, cq*(1-penalty*(1-cl))))
}

// joinedOptions adds pairings of one word with two adjacent words of the
// other side written as one ("Jongun" / "Jong Un", "Abdul Rahman" /
// "Abdulrahman"). Only plausible ones, same first letter and similar length,
// are compared.
func (ix *nameIndex) joinedOptions(opts []alignOpt, qws []qword, ws []int32) []alignOpt {
	joined := func(one, a, b string) float32 {
		if one[0] != a[0] || abs(len(a)+len(b)-len(one)) > 2 {
			return 0
		}
		return wordSim(one, a+b)
	}
	for i, qw := range qws {
		if qw.class != classWord || len(qw.text) < 4 {
			continue
		}
		for j := 0; j+1 < len(ws); j++ {
			if s := joined(qw.text, ix.voc.str[ws[j]], ix.voc.str[ws[j+1]]); s > 0 {
				opts = append(opts, alignOpt{qi: int8(i), qn: 1, lj: int8(j), ln: 2, sim: s})
			}
		}
	}
	for j, v := range ws {
		lw := ix.voc.str[v]
		if ix.voc.class[v] != classWord || len(lw) < 4 {
			continue
		}
		for i := 0; i+1 < len(qws); i++ {
			if s := joined(lw, qws[i].text, qws[i+1].text); s > 0 {
				opts = append(opts, alignOpt{qi: int8(i), qn: 2, lj: int8(j), ln: 1, sim: s})
			}
		}
	}
	return opts
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// explain lists the pairing: each query word (or joined pair) with the listed
// word(s) it was aligned with and their similarity, then the listed words
// nothing matched.
func (ix *nameIndex) explain(qws []qword, ws []int32, p *pairing) []TokenMatch {
	out := make([]TokenMatch, 0, len(qws)+len(ws))
	join := func(words func(k int) string, lo, n int8) string {
		s := words(int(lo))
		for k := lo + 1; k < lo+n; k++ {
			s += " " + words(int(k))
		}
		return s
	}
	qText := func(k int) string { return qws[k].text }
	lText := func(k int) string { return ix.voc.str[ws[k]] }
	for i := 0; i < len(qws); i++ {
		if p.qUsed&(1<<i) == 0 {
			out = append(out, TokenMatch{Query: qws[i].text})
			continue
		}
		out = append(out, TokenMatch{
			Query:  join(qText, p.qLo[i], p.qN[i]),
			Listed: join(lText, p.qLj[i], p.qLn[i]),
			Score:  roundDown(float64(p.qSim[i] * p.qFactor[i])),
		})
		i += int(p.qN[i]) - 1
	}
	for j, v := range ws {
		if p.lUsed&(1<<j) == 0 {
			out = append(out, TokenMatch{Listed: ix.voc.str[v]})
		}
	}
	return out
}
