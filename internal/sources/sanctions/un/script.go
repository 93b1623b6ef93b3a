package un

import "unicode"

// scriptNames are the writing systems a listed name is checked against, in the
// order ties are broken. They are the unicode package's table names, the same
// names OFAC's Script reference values give Latin, Arabic, Cyrillic, Hangul,
// Greek, Hebrew, Georgian and Armenian.
var scriptNames = [...]string{
	"Latin", "Arabic", "Cyrillic", "Hangul", "Han", "Hiragana", "Katakana", "Greek",
	"Hebrew", "Georgian", "Armenian", "Thai", "Devanagari", "Ethiopic", "Myanmar",
	"Khmer", "Tamil", "Bengali",
}

// scriptTables holds the unicode table of each of scriptNames.
var scriptTables = func() (t [len(scriptNames)]*unicode.RangeTable) {
	for i, n := range scriptNames {
		t[i] = unicode.Scripts[n]
	}
	return t
}()

// detectScript names the script most of s's letters are written in (the earlier
// in scripts on a tie), or "" when s has no letter of a listed script.
func detectScript(s string) string {
	var counts [len(scriptNames)]int
	for _, r := range s {
		if !unicode.IsLetter(r) {
			continue
		}
		for i, table := range scriptTables {
			if unicode.Is(table, r) {
				counts[i]++
				break
			}
		}
	}
	best := -1
	for i, n := range counts {
		if n > 0 && (best < 0 || n > counts[best]) {
			best = i
		}
	}
	if best < 0 {
		return ""
	}
	return scriptNames[best]
}
