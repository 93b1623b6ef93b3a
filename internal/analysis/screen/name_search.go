package screen

import (
	"cmp"
	"slices"
	"strings"
)

// Word-similarity parameters.
const (
	// minFuzzyLen is the shortest word compared by spelling; shorter words
	// ("ri", "al", "92") must be equal, or share a Korean key.
	minFuzzyLen = 3
	// simFloor is the lowest word similarity (see wordSim) counted as the
	// same word spelt differently ("smith"/"smyth" 0.89, "choe"/"choi" 0.88); below it
	// two words are different ("kim"/"kin" 0.82, "hussein"/"hassan" 0.77).
	simFloor = 0.84
	// commonFuzzyStretch scales how much more a spelling difference costs in
	// a common word than in a rare one (see lookupWord).
	commonFuzzyStretch = 1.0
	// koreanSim is the similarity given to two spellings of the same Korean
	// syllable or surname (koreanKey), for Korea-linked entities only.
	koreanSim = 0.93
	// shortWordLen and shortWordFloor tighten the comparison of short words.
	shortWordLen   = 4
	shortWordFloor = 0.88
	// editCost is the share of a word's length one edit costs (see wordSim).
	editCost = 0.5
	// maxQueryWords and maxListedWords bound the alignment; longer names are
	// cut, which only matters for names nobody types.
	maxQueryWords  = 32
	maxListedWords = 48
	// maxWordLen cuts absurdly long words before comparing them.
	maxWordLen = 40
)

// qword is one word of the query.
type qword struct {
	text   string
	class  uint8
	weight float32
	hits   []int32 // vocabulary words similar to it (incl. Korean-key ones)
	// split is, for a word not in the vocabulary, the rarer of two listed
	// words it is written as ("jongun": "jong" "un"), or -1.
	split int32
}

// simRow holds, for one vocabulary word, its similarity to each query word:
// by spelling, and by Korean key (used only for Korea-linked entities).
type simRow struct {
	sim, ko [maxQueryWords]float32
}

// nameHit is a scored candidate name.
type nameHit struct {
	name  int32
	score float64
}

// searchScratch is per-search working memory, pooled, sized to the index.
type searchScratch struct {
	epoch       uint32
	gramCount   []uint16
	gramTouched []int32
	vstamp      []uint32 // vocabulary word → epoch it got a row
	vrow        []int32
	rows        []simRow
	nstamp      []uint32 // name → epoch it became a candidate
	cands       []int32
	estamp      []uint32 // entity → epoch its filter/best were set
	ebest       []int32  // entity → index in hits, or -1 if filtered out
	hits        []nameHit
	qwords      []qword
	hitBuf      []int32
	opts        []alignOpt
}

func newSearchScratch(ix *nameIndex) any {
	nv := len(ix.voc.str)
	return &searchScratch{
		gramCount: make([]uint16, nv),
		vstamp:    make([]uint32, nv),
		vrow:      make([]int32, nv),
		nstamp:    make([]uint32, len(ix.names)),
		estamp:    make([]uint32, len(ix.ents)),
		ebest:     make([]int32, len(ix.ents)),
	}
}

// next starts a new search, clearing the stamps when the epoch wraps.
func (sc *searchScratch) next() {
	sc.epoch++
	if sc.epoch == 0 {
		clear(sc.vstamp)
		clear(sc.nstamp)
		clear(sc.estamp)
		sc.epoch = 1
	}
	sc.rows = sc.rows[:0]
	sc.cands = sc.cands[:0]
	sc.hits = sc.hits[:0]
	sc.qwords = sc.qwords[:0]
	sc.hitBuf = sc.hitBuf[:0]
}

// row returns the similarity row of vocabulary word v, creating it.
func (sc *searchScratch) row(v int32) *simRow {
	if sc.vstamp[v] != sc.epoch {
		sc.vstamp[v] = sc.epoch
		sc.vrow[v] = int32(len(sc.rows))
		sc.rows = append(sc.rows, simRow{})
	}
	return &sc.rows[sc.vrow[v]]
}

// lookup returns the row of v if any query word resembles it.
func (sc *searchScratch) lookup(v int32) *simRow {
	if sc.vstamp[v] != sc.epoch {
		return nil
	}
	return &sc.rows[sc.vrow[v]]
}

func (ix *nameIndex) search(q NameQuery) []Match {
	threshold := q.Threshold
	if threshold <= 0 {
		threshold = DefaultThreshold
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 10
	}
	if len(ix.names) == 0 {
		return nil
	}
	sc := ix.scratch.Get().(*searchScratch)
	defer ix.scratch.Put(sc)
	sc.next()

	words := normalizeTokens(nil, q.Name)
	if len(words) > maxQueryWords {
		words = words[:maxQueryWords]
	}
	for i, w := range words {
		if len(w) > maxWordLen {
			w = w[:maxWordLen]
		}
		sc.qwords = append(sc.qwords, ix.lookupWord(sc, i, w))
	}
	ix.collectCandidates(sc, threshold)

	filter := newEntityFilter(q)
	for _, n := range sc.cands {
		ent := ix.names[n].ent
		if sc.estamp[ent] != sc.epoch {
			sc.estamp[ent] = sc.epoch
			sc.ebest[ent] = -1
			if !filter.keep(&ix.ents[ent]) {
				sc.ebest[ent] = -2
			}
		}
		if sc.ebest[ent] == -2 {
			continue
		}
		if !ix.mayReach(sc, n, threshold) {
			continue
		}
		s, _ := ix.align(sc, n, false)
		if s < threshold {
			continue
		}
		switch b := sc.ebest[ent]; {
		case b < 0:
			sc.ebest[ent] = int32(len(sc.hits))
			sc.hits = append(sc.hits, nameHit{name: n, score: s})
		case s > sc.hits[b].score:
			sc.hits[b] = nameHit{name: n, score: s}
		}
	}
	if len(sc.hits) == 0 {
		return nil
	}
	slices.SortFunc(sc.hits, func(a, b nameHit) int {
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		return cmp.Compare(a.name, b.name)
	})
	if len(sc.hits) > limit {
		sc.hits = sc.hits[:limit]
	}
	out := make([]Match, 0, len(sc.hits))
	for _, h := range sc.hits {
		out = append(out, ix.match(sc, h))
	}
	return out
}

// lookupWord classifies query word i, finds the vocabulary words that
// resemble it and gives it a weight.
func (ix *nameIndex) lookupWord(sc *searchScratch, i int, w string) qword {
	qw := qword{text: w, class: classify(w), split: -1}
	start := len(sc.hitBuf)
	best, bestSim := int32(-1), float32(0)
	noiseLike := false // a misspelt legal form or honorific ("Limitd", "Copmany")
	add := func(v int32, s float32, korean bool) {
		r := sc.row(v)
		if r.sim[i] == 0 && r.ko[i] == 0 {
			sc.hitBuf = append(sc.hitBuf, v)
		}
		if korean {
			r.ko[i] = max(r.ko[i], s)
			return
		}
		r.sim[i] = max(r.sim[i], s)
		if s > bestSim {
			best, bestSim = v, s
		}
		if ix.voc.class[v] == classNoise && s >= 0.9 && abs(len(w)-len(ix.voc.str[v])) <= 1 {
			noiseLike = true
		}
	}
	exact, known := ix.voc.id(w)
	if known {
		add(exact, 1, false)
	}
	if qw.class == classWord && len(w) >= minFuzzyLen {
		ix.fuzzyWords(sc, w, func(v int32, s float32) {
			if v != exact {
				add(v, s, false)
			}
		})
	}
	if qw.class == classWord || qw.class == classInitial {
		for _, v := range ix.koreanKeys[koreanKey(w)] {
			if v != exact {
				add(v, koreanSim, true)
			}
		}
	}
	qw.hits = sc.hitBuf[start:len(sc.hitBuf):len(sc.hitBuf)]
	var splitWeight float32
	if !known && qw.class == classWord {
		qw.split, splitWeight = ix.splitWord(w)
	}
	switch {
	case known:
		qw.weight = ix.voc.weight[exact]
	case qw.class == classWord && noiseLike:
		qw.class, qw.weight = classNoise, noiseWeight
	case qw.class == classNoise:
		qw.weight = noiseWeight
	case qw.class == classInitial:
		qw.weight = initialWeight
	case qw.split >= 0:
		qw.weight = splitWeight
	case best >= 0:
		// A misspelling carries the information of the word it misspells.
		qw.weight = ix.voc.weight[best]
	default:
		qw.weight = ix.unseenWeight
	}
	// A common word has many spellings on the lists ("mohammed", "mohamad",
	// "muhammad"...), so resembling one of them says less than resembling a
	// rare word: the shortfall from 1 grows as the word's weight falls.
	rarity := min(1, float64(qw.weight)/ix.unit)
	stretch := float32(1 + commonFuzzyStretch*(1-rarity))
	for _, v := range qw.hits {
		if r := sc.row(v); r.sim[i] > 0 && r.sim[i] < 1 {
			r.sim[i] = max(0, 1-(1-r.sim[i])*stretch)
		}
	}
	return qw
}

// splitWord finds two listed words that w writes as one and returns the
// rarer of them and the weight of both, or -1.
func (ix *nameIndex) splitWord(w string) (int32, float32) {
	for i := 1; i < len(w); i++ {
		l, okL := ix.voc.id(w[:i])
		r, okR := ix.voc.id(w[i:])
		if okL && okR && ix.voc.class[l] != classNoise && ix.voc.class[r] != classNoise {
			wl, wr := ix.voc.weight[l], ix.voc.weight[r]
			if wl > wr {
				return l, wl + wr
			}
			return r, wl + wr
		}
	}
	return -1, 0
}

// collectCandidates gathers the names that can reach the threshold. A score
// never exceeds the share of the query's weight that is matched, so a name
// that matches none of the heaviest query words, together holding more than
// (1-threshold) of the weight, cannot reach it: only their postings (and
// those of adjacent query words written as one) are read.
func (ix *nameIndex) collectCandidates(sc *searchScratch, threshold float64) {
	var total float64
	order := make([]int, 0, len(sc.qwords))
	for i, qw := range sc.qwords {
		total += float64(qw.weight)
		if qw.class == classWord || qw.class == classNumber {
			order = append(order, i)
		}
	}
	if len(order) == 0 {
		// Only initials and noise words ("D Company", "Mr. O"): such a name
		// is only ever found as written, through its least common word.
		best := int32(-1)
		for _, qw := range sc.qwords {
			if v, ok := ix.voc.id(qw.text); ok && (best < 0 || ix.postingLen(v) < ix.postingLen(best)) {
				best = v
			}
		}
		if best >= 0 {
			ix.addPostings(sc, best)
		}
		return
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return cmp.Compare(sc.qwords[b].weight, sc.qwords[a].weight)
	})
	need := (1 - threshold) * total
	var cum float64
	var inPrefix [maxQueryWords]bool
	for _, i := range order {
		inPrefix[i] = true
		for _, v := range sc.qwords[i].hits {
			// A word resembling a legal form or honorific is not found
			// through it: those are in thousands of names.
			if ix.voc.class[v] != classNoise {
				ix.addPostings(sc, v)
			}
		}
		if v := sc.qwords[i].split; v >= 0 {
			ix.addPostings(sc, v)
		}
		if cum += float64(sc.qwords[i].weight); cum > need+1e-9 {
			break
		}
	}
	for i := 0; i+1 < len(sc.qwords); i++ {
		if inPrefix[i] || inPrefix[i+1] {
			if v, ok := ix.voc.id(sc.qwords[i].text + sc.qwords[i+1].text); ok {
				ix.addPostings(sc, v)
			}
		}
	}
}

func (ix *nameIndex) postingLen(v int32) int32 { return ix.postStart[v+1] - ix.postStart[v] }

func (ix *nameIndex) addPostings(sc *searchScratch, v int32) {
	for _, n := range ix.post[ix.postStart[v]:ix.postStart[v+1]] {
		if sc.nstamp[n] != sc.epoch {
			sc.nstamp[n] = sc.epoch
			sc.cands = append(sc.cands, n)
		}
	}
}

// match turns a hit into a Match with its explanation.
func (ix *nameIndex) match(sc *searchScratch, h nameHit) Match {
	ne := ix.names[h.name]
	ent := &ix.ents[ne.ent]
	_, expl := ix.align(sc, h.name, true)
	return Match{
		List:        ent.list,
		ListVersion: ent.version,
		EntityID:    ent.e.ID,
		Name:        ent.e.PrimaryName(),
		Type:        ent.e.Type,
		Programs:    slices.Clone(ent.e.Programs),
		Score:       roundDown(h.score),
		MatchedName: ne.text,
		Explanation: expl,
	}
}

// roundDown keeps three decimals without ever rounding a score up to a
// threshold it does not reach.
func roundDown(s float64) float64 {
	return float64(int64(s*1000+1e-9)) / 1000
}

// entityFilter applies the optional NameQuery filters.
type entityFilter struct {
	q       *NameQuery
	country string
}

func newEntityFilter(q NameQuery) entityFilter {
	return entityFilter{q: &q, country: strings.ToLower(strings.TrimSpace(q.Country))}
}

// keep reports whether an entity passes the filters. Unknown facts never
// exclude: an entity without nationality or birth place passes a country
// filter, one without a birth date passes a birth-year filter.
func (f entityFilter) keep(ne *nameEntity) bool {
	e := ne.e
	if len(f.q.Types) > 0 && !slices.Contains(f.q.Types, e.Type) {
		return false
	}
	if len(f.q.Programs) > 0 && !slices.ContainsFunc(e.Programs, func(p string) bool {
		return slices.ContainsFunc(f.q.Programs, func(w string) bool { return strings.EqualFold(p, w) })
	}) {
		return false
	}
	if f.country != "" && ne.countries != "" && !strings.Contains(ne.countries, f.country) {
		return false
	}
	if f.q.BirthYear != 0 && len(ne.birthYears) > 0 && !slices.ContainsFunc(ne.birthYears, func(y int) bool {
		return y >= f.q.BirthYear-1 && y <= f.q.BirthYear+1
	}) {
		return false
	}
	return true
}
