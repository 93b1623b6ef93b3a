package screen

import (
	"math"

	"github.com/adrg/strutil/metrics"
)

// Word similarity: which listed words a query word may be a spelling of, and
// how alike they are.

// The word metrics (github.com/adrg/strutil) are stateless.
var (
	jaroWinkler = metrics.NewJaroWinkler()
	levenshtein = metrics.NewLevenshtein()
)

// fuzzyWords calls f with every vocabulary word whose Jaro–Winkler
// similarity to w reaches simFloor, comparing only words of similar length
// that share enough bigrams with w.
func (ix *nameIndex) fuzzyWords(sc *searchScratch, w string, f func(v int32, s float32)) {
	// need[n] is the fewest bigrams a word of n letters must share with w
	// (see mayBeAlike); impossible lengths need more than any word has.
	var need [256]int16
	for n := range need {
		long := max(len(w), n)
		d := maxEdits(long)
		need[n] = int16(long - 2*d)
		if abs(len(w)-n) > d {
			need[n] = math.MaxInt16
		}
	}
	// Bigram postings are sorted by word length: read only the lengths that
	// can be within maxEdits of w.
	lo, hi := len(w), len(w)
	for lo > 0 && abs(len(w)-(lo-1)) <= maxEdits(len(w)) {
		lo--
	}
	for hi < 255 && hi+1-len(w) <= maxEdits(hi+1) {
		hi++
	}
	sc.gramTouched = sc.gramTouched[:0]
	forEachGram(w, func(g int) {
		for _, v := range ix.gramRange(g, lo, hi) {
			if sc.gramCount[v] == 0 {
				sc.gramTouched = append(sc.gramTouched, v)
			}
			sc.gramCount[v]++
		}
	})
	for _, v := range sc.gramTouched {
		shared := int16(sc.gramCount[v])
		sc.gramCount[v] = 0
		if shared < need[ix.voc.length[v]] {
			continue
		}
		o := ix.voc.str[v]
		if len(w) <= shortWordLen && o[0] != w[0] {
			continue
		}
		if s := wordSim(w, o); s > 0 {
			f(v, s)
		}
	}
}

// A necessary condition for wordSim(a, b) > 0 rules out most words cheaply:
// wordSim accepts at most maxEdits(len) edits; an edit changes at most two of
// the len+1 bigrams (a swap three), the length by one, and one letter of the
// bag of letters; and short words must share their first letter.

// maxEdits is the most edits wordSim accepts between words whose longer one
// has n letters: one, or as many as keep 1-editCost·d/n at simFloor.
func maxEdits(n int) int {
	if n < len(maxEditsTable) {
		return int(maxEditsTable[n])
	}
	return max(1, int((1-simFloor)/editCost*float64(n)))
}

var maxEditsTable = func() (t [256]uint8) {
	for n := range t {
		t[n] = uint8(max(1, int((1-simFloor)/editCost*float64(n))))
	}
	return t
}()

// bagCompare returns the number of letters a and b have in common (as
// bags) and the bag distance, a lower bound of their edit distance: the
// larger of the numbers of letters of a not in b and of b not in a.
func bagCompare(a, b string) (common, distance int) {
	var c [gramSymbols]int8
	for i := 0; i < len(a); i++ {
		c[gramSymbol(a[i])]++
	}
	pos, neg := 0, 0
	for i := 0; i < len(b); i++ {
		k := gramSymbol(b[i])
		if c[k] > 0 {
			common++
		} else {
			neg++
		}
		c[k]--
	}
	for _, x := range c {
		if x > 0 {
			pos += int(x)
		}
	}
	return common, max(pos, neg)
}

// wordSim is the similarity of two different words of at least minFuzzyLen
// letters, or 0 if they are not the same word misspelt. It is Jaro–Winkler
// checked against the edit distance d (Levenshtein, with a swap of two
// neighbours counted as one edit), whose similarity is 1-editCost·d/len:
//
//   - one edit is a typing error: the higher of the two, since Jaro–Winkler
//     rates some single edits low ("wdser"/"weser" 0.81);
//   - more edits are a different word unless both agree: the lower of the
//     two, since Jaro–Winkler rates words with a common start high however
//     they end ("alexei"/"alexander" 0.88, "northwind"/"northern" 0.88).
//
// A word of up to shortWordLen letters only matches a word of its own length
// and first letter, at shortWordFloor or more: "ali"/"wali" (Jaro–Winkler 0.92)
// and "kim"/"kimo" (0.94) are different names.
func wordSim(a, b string) float32 {
	long := max(len(a), len(b))
	common, bag := bagCompare(a, b)
	if bag > maxEdits(long) {
		return 0
	}
	// Jaro counts at most the common letters as matching; with the largest
	// Winkler bonus that bounds the similarity from above.
	jaro := (float64(common)/float64(len(a)) + float64(common)/float64(len(b)) + 1) / 3
	if jaro+0.4*(1-jaro) < simFloor && bag > 1 {
		return 0
	}
	jw := jaroWinkler.Compare(a, b)
	if jw < simFloor && bag > 1 {
		// At least two edits: the score is at most jw.
		return 0
	}
	d := levenshtein.Distance(a, b)
	if d == 2 && isSwap(a, b) {
		d = 1
	}
	lev := 1 - editCost*float64(d)/float64(long)
	s := min(jw, lev)
	if d == 1 {
		s = max(jw, lev)
	}
	if min(len(a), len(b)) <= shortWordLen && (a[0] != b[0] || s < shortWordFloor || long <= shortWordLen && len(a) != len(b)) {
		return 0
	}
	if s < simFloor {
		return 0
	}
	return float32(s)
}

// isSwap reports whether b is a with two neighbouring letters swapped.
func isSwap(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
}
