package screen

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/interdict/interdict/internal/sources/sanctions"
)

// The name index has three layers, so that a query only ever touches the few
// listed names that could reach the threshold:
//
//  1. a vocabulary of the distinct normalised words of every listed name, each
//     with a weight (its inverse document frequency over entities: "kim" or
//     "mohammad" weigh little, "lazarus" a lot);
//  2. a bigram index over that vocabulary, which finds the words spelled like
//     a query word in a few microseconds, plus a Korean-romanisation key index;
//  3. postings from each word to the names that contain it.
//
// A query word is compared with string similarity only against vocabulary
// words that share enough bigrams with it, and a listed name becomes a
// candidate only through its most distinctive query words (see search).

// Token classes decide how a word is weighted and compared.
const (
	classWord    uint8 = iota // compared fuzzily, weighted by rarity
	classNoise                // honorific, legal form or particle: tiny weight
	classInitial              // a single letter: matches words with that initial
	classNumber               // digits: exact comparison only
)

// vocabulary holds the distinct normalised words of the listed names.
type vocabulary struct {
	ids    map[string]int32
	str    []string
	length []uint8 // len(str), at most 255, kept apart for the bigram scan
	class  []uint8
	weight []float32
	korean []bool // the word occurs in a name of a Korea-linked entity
}

func (v *vocabulary) id(w string) (int32, bool) {
	id, ok := v.ids[w]
	return id, ok
}

// add returns the id of w, adding it if new; w is copied only then.
func (v *vocabulary) add(b []byte) int32 {
	if id, ok := v.ids[string(b)]; ok {
		return id
	}
	w := string(b)
	id := int32(len(v.str))
	v.ids[w] = id
	v.str = append(v.str, w)
	v.length = append(v.length, uint8(min(len(w), 255)))
	v.class = append(v.class, classify(w))
	v.korean = append(v.korean, false)
	return id
}

// classify tells the class of a normalised word.
func classify(w string) uint8 {
	switch {
	case noiseWords[w]:
		return classNoise
	case len(w) == 1 && w[0] >= 'a' && w[0] <= 'z':
		return classInitial
	case isDigits(w):
		return classNumber
	}
	return classWord
}

func isDigits(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] < '0' || w[i] > '9' {
			return false
		}
	}
	return w != ""
}

// Weights of the classes that are not weighted by rarity.
const (
	noiseWeight   = 0.1
	initialWeight = 1.0
	// patronymicShare scales the weight of an East Slavic patronymic
	// ("Vladimirovich", "Sergeevna"): lists write it, customers' records
	// mostly leave it out.
	patronymicShare = 0.3
)

// isPatronymic tells an East Slavic patronymic by its ending.
func isPatronymic(w string) bool {
	if len(w) < 7 {
		return false
	}
	for _, suf := range [...]string{"ovich", "evich", "ovych", "ievich", "ovna", "evna", "ivna", "ichna"} {
		if strings.HasSuffix(w, suf) {
			return true
		}
	}
	return false
}

// nameEntity is a listed party as the name index needs it.
type nameEntity struct {
	list, version string
	e             *sanctions.Entity
	birthYears    []int
	countries     string // lower-case nationalities and birth places, NUL-separated
	korean        bool
}

// nameEntry is one distinct normalised name of an entity.
type nameEntry struct {
	ent    int32
	lo, hi int32 // its words: nameIndex.toks[lo:hi]
	text   string
}

// nameIndex is the fuzzy name index. It is immutable once built.
type nameIndex struct {
	ents  []nameEntity
	names []nameEntry
	toks  []int32
	voc   vocabulary

	// postings: the names holding word w are post[postStart[w]:postStart[w+1]].
	postStart []int32
	post      []int32
	// bigram index: the words (see fuzzyIndexed) holding bigram g are
	// gramTok[gramStart[g]:gramStart[g+1]].
	gramStart []int32
	gramTok   []int32
	// koreanKeys maps koreanKey(word) to the Korea-linked words with that key.
	koreanKeys map[string][]int32
	// unseenWeight is the weight of a query word unlike any listed word.
	unseenWeight float32
	// unit is ln(N+1) for N entities: the weight of a word only one has.
	unit float64

	scratch sync.Pool
}

func newNameIndex(datasets []Dataset) *nameIndex {
	ix := &nameIndex{voc: vocabulary{ids: make(map[string]int32)}}
	var df []int32
	var lastEnt []int32 // per word: the last entity counted in df
	var tk tokenizer
	var ids []int32
	var texts []string
	for _, d := range datasets {
		for i := range d.Entities {
			e := &d.Entities[i]
			ent := int32(len(ix.ents))
			ne := newNameEntity(d.Version, e)
			ix.ents = append(ix.ents, ne)
			first := len(ix.names) // this entity's names start here
			for _, n := range e.Names {
				texts = appendNameVariants(texts[:0], n.Full)
				for _, text := range texts {
					tk.run(text)
					if len(tk.ends) == 0 {
						continue
					}
					ids = ids[:0]
					for k := range tk.ends {
						ids = append(ids, ix.voc.add(tk.word(k)))
					}
					if ix.hasName(first, ids) {
						continue
					}
					lo := int32(len(ix.toks))
					for _, id := range ids {
						if int(id) == len(df) {
							df = append(df, 0)
							lastEnt = append(lastEnt, -1)
						}
						if lastEnt[id] != ent {
							lastEnt[id] = ent
							df[id]++
						}
						if ne.korean {
							ix.voc.korean[id] = true
						}
					}
					ix.toks = append(ix.toks, ids...)
					ix.names = append(ix.names, nameEntry{ent: ent, lo: lo, hi: int32(len(ix.toks)), text: n.Full})
				}
			}
		}
	}
	ix.weigh(df)
	ix.buildPostings()
	ix.buildBigrams()
	ix.buildKoreanKeys()
	ix.scratch.New = func() any { return newSearchScratch(ix) }
	return ix
}

// nameVariants returns the names a listed name string holds. Lists pack
// several into one: "KOREA KWANGSON BANKING CORPORATION (KKBC)", or the UN's
// original-script field "أبو بكر البغدادي (Abu Bakr al-Baghdadi; ...)". The
// whole string comes first, then the text outside parentheses, then the
// parts inside when they are a list (";") or a romanisation of a name in
// another script; a parenthesised place ("(香港)", "(Hong Kong)") is no name.
func nameVariants(full string) []string {
	return appendNameVariants(nil, full)
}

// appendNameVariants appends nameVariants(full) to out.
func appendNameVariants(out []string, full string) []string {
	out = append(out, full)
	if !strings.ContainsAny(full, "();") {
		return out
	}
	var outside, inside strings.Builder
	depth := 0
	for _, r := range full {
		switch {
		case r == '(':
			depth++
			inside.WriteByte(';')
		case r == ')' && depth > 0:
			depth--
			outside.WriteByte(' ')
		case depth > 0:
			inside.WriteRune(r)
		default:
			outside.WriteRune(r)
		}
	}
	out = appendParts(out, outside.String())
	in := inside.String()
	if strings.Count(in, ";") > strings.Count(full, "(") || !hasLatin(outside.String()) && hasLatin(in) {
		out = appendParts(out, in)
	}
	return out
}

func appendParts(out []string, s string) []string {
	for part := range strings.SplitSeq(s, ";") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

func hasLatin(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < 0x250 && unicode.IsLetter(r) })
}

// hasName reports whether names[first:] already holds the word sequence ids:
// aliases often differ only in case or punctuation.
func (ix *nameIndex) hasName(first int, ids []int32) bool {
	for _, ne := range ix.names[first:] {
		if slices.Equal(ix.toks[ne.lo:ne.hi], ids) {
			return true
		}
	}
	return false
}

// weigh sets each word's weight: the inverse document frequency over
// entities, ln((N+1)/(df+0.5)), for ordinary words and numbers.
func (ix *nameIndex) weigh(df []int32) {
	n := float64(len(ix.ents)) + 1
	ix.unseenWeight = float32(math.Log(n / 0.5))
	ix.unit = math.Log(n)
	ix.voc.weight = make([]float32, len(ix.voc.str))
	for id, c := range ix.voc.class {
		idf := float32(math.Log(n / (float64(df[id]) + 0.5)))
		switch c {
		case classNoise:
			ix.voc.weight[id] = noiseWeight
		case classInitial:
			ix.voc.weight[id] = min(idf, initialWeight)
		default:
			if isPatronymic(ix.voc.str[id]) {
				idf *= patronymicShare
			}
			ix.voc.weight[id] = idf
		}
	}
}

func (ix *nameIndex) buildPostings() {
	ix.postStart = make([]int32, len(ix.voc.str)+1)
	countWords := func(visit func(w int32, name int32)) {
		for n, ne := range ix.names {
			ws := ix.toks[ne.lo:ne.hi]
			for k, w := range ws {
				if !containsID(ws[:k], w) {
					visit(w, int32(n))
				}
			}
		}
	}
	countWords(func(w, _ int32) { ix.postStart[w+1]++ })
	for i := 1; i < len(ix.postStart); i++ {
		ix.postStart[i] += ix.postStart[i-1]
	}
	ix.post = make([]int32, ix.postStart[len(ix.postStart)-1])
	fill := append([]int32(nil), ix.postStart[:len(ix.postStart)-1]...)
	countWords(func(w, n int32) { ix.post[fill[w]] = n; fill[w]++ })
}

func containsID(s []int32, v int32) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// Bigrams are over the alphabet [a-z0-9] plus a word-boundary symbol, so a
// word of n letters has n+1 bigrams ("^k", "ki", "im", "m$").
const gramSymbols = 37

func gramSymbol(b byte) int {
	switch {
	case b >= 'a' && b <= 'z':
		return int(b-'a') + 1
	case b >= '0' && b <= '9':
		return int(b-'0') + 27
	}
	return 0
}

// forEachGram calls f with each distinct-position bigram id of w.
func forEachGram(w string, f func(g int)) {
	prev := 0
	for i := 0; i < len(w); i++ {
		s := gramSymbol(w[i])
		f(prev*gramSymbols + s)
		prev = s
	}
	f(prev * gramSymbols)
}

// fuzzyIndexed reports whether a vocabulary word is reachable by fuzzy
// lookup. Noise words are, so that "Comapny" is known for a noise word.
func fuzzyIndexed(class uint8, w string) bool {
	return (class == classWord || class == classNoise) && len(w) >= minFuzzyLen
}

func (ix *nameIndex) buildBigrams() {
	ix.gramStart = make([]int32, gramSymbols*gramSymbols+1)
	for id, w := range ix.voc.str {
		if fuzzyIndexed(ix.voc.class[id], w) {
			forEachGram(w, func(g int) { ix.gramStart[g+1]++ })
		}
	}
	for i := 1; i < len(ix.gramStart); i++ {
		ix.gramStart[i] += ix.gramStart[i-1]
	}
	ix.gramTok = make([]int32, ix.gramStart[len(ix.gramStart)-1])
	fill := append([]int32(nil), ix.gramStart[:len(ix.gramStart)-1]...)
	// Words are added shortest first, so every posting is sorted by length.
	byLen := make([]int32, 0, len(ix.voc.str))
	for id, w := range ix.voc.str {
		if fuzzyIndexed(ix.voc.class[id], w) {
			byLen = append(byLen, int32(id))
		}
	}
	slices.SortStableFunc(byLen, func(a, b int32) int { return cmp.Compare(ix.voc.length[a], ix.voc.length[b]) })
	for _, id := range byLen {
		forEachGram(ix.voc.str[id], func(g int) { ix.gramTok[fill[g]] = id; fill[g]++ })
	}
}

// gramRange returns the words holding bigram g whose length is in [lo, hi].
func (ix *nameIndex) gramRange(g, lo, hi int) []int32 {
	p := ix.gramTok[ix.gramStart[g]:ix.gramStart[g+1]]
	i, _ := slices.BinarySearchFunc(p, lo, func(v int32, n int) int { return cmp.Compare(int(ix.voc.length[v]), n) })
	j, _ := slices.BinarySearchFunc(p[i:], hi+1, func(v int32, n int) int { return cmp.Compare(int(ix.voc.length[v]), n) })
	return p[i : i+j]
}

func (ix *nameIndex) buildKoreanKeys() {
	ix.koreanKeys = make(map[string][]int32)
	for id, w := range ix.voc.str {
		if ix.voc.korean[id] && ix.voc.class[id] != classNumber {
			k := koreanKey(w)
			ix.koreanKeys[k] = append(ix.koreanKeys[k], int32(id))
		}
	}
}

func newNameEntity(v VersionRef, e *sanctions.Entity) nameEntity {
	ne := nameEntity{list: string(v.Source), version: v.ID, e: e, korean: isKoreaLinked(e)}
	var c []string
	for _, s := range e.Nationalities {
		c = append(c, strings.ToLower(s))
	}
	for _, s := range e.BirthPlaces {
		c = append(c, strings.ToLower(s))
	}
	ne.countries = strings.Join(c, "\x00")
	for _, d := range e.BirthDates {
		if len(d) >= 4 {
			if y, err := strconv.Atoi(d[:4]); err == nil {
				ne.birthYears = append(ne.birthYears, y)
			}
		}
	}
	return ne
}

// isKoreaLinked tells whether Korean romanisation variants should be tried
// for an entity: a DPRK sanctions program, a Korean nationality or birth
// place, a UN "KP" reference, or a name written in Hangul.
func isKoreaLinked(e *sanctions.Entity) bool {
	for _, p := range e.Programs {
		up := strings.ToUpper(p)
		if strings.Contains(up, "DPRK") || strings.Contains(up, "NKSPEA") {
			return true
		}
	}
	if strings.HasPrefix(e.Reference, "KP") {
		return true
	}
	for _, l := range [][]string{e.Nationalities, e.BirthPlaces} {
		for _, s := range l {
			if strings.Contains(strings.ToLower(s), "korea") {
				return true
			}
		}
	}
	for _, n := range e.Names {
		for _, r := range n.Full {
			if isHangulSyllable(r) {
				return true
			}
		}
	}
	return false
}
