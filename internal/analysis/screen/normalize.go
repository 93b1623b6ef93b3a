package screen

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mozillazg/go-unidecode"
	"golang.org/x/text/unicode/norm"
)

// Normalize returns the form in which names are compared: lower-case ASCII
// words ([a-z0-9]+) separated by single spaces. It folds case and
// compatibility forms, strips diacritics, transliterates other scripts to
// Latin, drops apostrophes (so "Ch'oe" and "Choe" agree), splits on every other
// punctuation mark ("Jong-Un" is two words), and closes up dotted acronyms
// ("J.S.C." is "jsc"). Hangul words of up to three syllables, which is how
// Korean personal names are written, become one word per syllable so that
// 김정은 lines up with "Kim Jong Un". Normalize is idempotent.
//
// Honorifics, legal-form suffixes and noise words are kept: the scorer gives
// them almost no weight instead, so "Dr" or "LTD" on one side only costs
// nothing while the explanation still shows them.
func Normalize(s string) string { return strings.Join(normalizeTokens(nil, s), " ") }

// maxHangulNameSyllables is the longest Hangul word split into syllables; longer
// words are organisation names and stay one token.
const maxHangulNameSyllables = 3

// stripMarks folds compatibility forms and removes combining marks, then
// recomposes so that Hangul syllables (decomposed by NFKD into jamo) are whole
// again.
func stripMarks(s string) string {
	d := norm.NFKD.String(s)
	var b strings.Builder
	b.Grow(len(d))
	for _, r := range d {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
		}
	}
	return norm.NFC.String(b.String())
}

// normalizeTokens appends the normalised words of s to dst.
func normalizeTokens(dst []string, s string) []string {
	var tk tokenizer
	tk.run(s)
	all := string(tk.words) // one allocation for all the words
	start := 0
	for _, end := range tk.ends {
		dst = append(dst, all[start:end])
		start = end
	}
	return dst
}

// tokenizer splits a name into normalised words, stored back to back in
// words (word i ends at ends[i]) so that a caller can look them up without
// allocating. It is reusable: run resets it.
type tokenizer struct {
	words  []byte
	ends   []int
	cur    []byte
	hangul []rune
}

// run normalises s into t.words and t.ends.
func (t *tokenizer) run(s string) {
	t.words, t.ends, t.cur, t.hangul = t.words[:0], t.ends[:0], t.cur[:0], t.hangul[:0]
	if !isASCII(s) {
		s = stripMarks(s)
	}
	for field := range strings.FieldsFuncSeq(s, unicode.IsSpace) {
		if isDottedAcronym(field) {
			field = strings.ReplaceAll(field, ".", "")
		}
		t.field(field)
		t.flush()
	}
}

// word returns word i of the last run.
func (t *tokenizer) word(i int) []byte {
	start := 0
	if i > 0 {
		start = t.ends[i-1]
	}
	return t.words[start:t.ends[i]]
}

func (t *tokenizer) field(f string) {
	for _, r := range f {
		switch {
		case r < utf8.RuneSelf:
			t.endHangul()
			t.ascii(byte(r))
		case isHangulSyllable(r):
			if len(t.hangul) == 0 {
				t.flushWord()
			}
			t.hangul = append(t.hangul, r)
		case isApostrophe(r):
			// Joins: "Myo’ng" is one word, as in its ASCII spelling.
		case unicode.IsLetter(r) || unicode.IsNumber(r):
			t.endHangul()
			t.transliterated(unidecode.Unidecode(string(r)))
		default:
			t.endHangul()
			t.flushWord()
		}
	}
}

// ascii adds one byte of Latin text: letters and digits extend the word,
// apostrophes vanish, anything else ends the word.
func (t *tokenizer) ascii(b byte) {
	switch {
	case 'a' <= b && b <= 'z', '0' <= b && b <= '9':
		t.cur = append(t.cur, b)
	case 'A' <= b && b <= 'Z':
		t.cur = append(t.cur, b+('a'-'A'))
	case b == '\'' || b == '`':
	default:
		t.flushWord()
	}
}

// transliterated feeds unidecode output, which is ASCII but may hold spaces
// (one CJK character is one syllable and one word) and punctuation.
func (t *tokenizer) transliterated(s string) {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			t.flushWord()
			continue
		}
		t.ascii(s[i])
	}
}

// endHangul emits the pending Hangul word: short ones one syllable per word,
// long ones as a single word.
func (t *tokenizer) endHangul() {
	if len(t.hangul) == 0 {
		return
	}
	split := len(t.hangul) <= maxHangulNameSyllables
	for _, r := range t.hangul {
		t.transliterated(unidecode.Unidecode(string(r)))
		if split {
			t.flushWord()
		}
	}
	t.flushWord()
	t.hangul = t.hangul[:0]
}

func (t *tokenizer) flushWord() {
	if len(t.cur) > 0 {
		t.words = append(t.words, t.cur...)
		t.ends = append(t.ends, len(t.words))
		t.cur = t.cur[:0]
	}
}

func (t *tokenizer) flush() {
	t.endHangul()
	t.flushWord()
}

func isHangulSyllable(r rune) bool { return r >= 0xAC00 && r <= 0xD7A3 }

func isApostrophe(r rune) bool {
	switch r {
	case '\u2018', '\u2019', '\u02BC', '\u02BB', '\u02BF', '\u02BE', '\u2032', '\u00B4':
		return true
	}
	return false
}

// isDottedAcronym reports whether f is single letters joined by dots, such as
// "U.S.A." or "J.S.C", which are written without dots just as often.
func isDottedAcronym(f string) bool {
	letters := 0
	expectLetter := true
	for _, r := range f {
		switch {
		case expectLetter && unicode.IsLetter(r):
			letters++
			expectLetter = false
		case !expectLetter && r == '.':
			expectLetter = true
		default:
			return false
		}
	}
	return letters >= 2
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
