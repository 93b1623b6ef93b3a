package screen

import "strings"

// Words that say little about who a party is. They stay in the token lists (so
// the explanation shows them) but weigh almost nothing, so "Dr", "Haji" or
// "LTD" present on one side only neither makes nor breaks a match. The lists
// hold normalised forms (see Normalize): "Co., Ltd." arrives as "co" "ltd".
var (
	// honorifics and titles written before personal names. Full military ranks
	// ("general", "major") are left out: they are also ordinary words in
	// organisation names such as "Reconnaissance General Bureau".
	honorifics = []string{
		"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "madam", "rev",
		"haji", "hajji", "hadji", "alhaji", "alhaj", "alhajji",
		"sheikh", "shaikh", "sheik", "shaykh", "sheikha", "shaikha",
		"mullah", "mulla", "maulana", "mawlana", "maulvi", "mawlawi", "maulawi", "mufti",
		"gen", "col", "lt", "capt", "maj", "sgt", "adm", "brig", "cdr",
	}
	// legalForms are company-type suffixes and generic organisation words.
	legalForms = []string{
		"co", "company", "companies", "corp", "corporation", "inc", "incorporated",
		"ltd", "limited", "llc", "llp", "lp", "plc", "jsc", "ojsc", "cjsc", "pjsc",
		"ao", "oao", "zao", "pao", "ooo", "tov", "gmbh", "mbh", "ag", "kg", "sa",
		"sas", "sarl", "sprl", "srl", "spa", "bv", "nv", "pte", "pty", "sdn", "bhd",
		"fze", "fzc", "fzco", "fzllc", "fzsc", "dmcc", "lda", "ltda", "cv", "kft",
		"zrt", "doo", "sro", "oy", "ab", "aps", "asa", "jv", "group", "holding",
		"holdings",
	}
	// particles are articles and connectives, including those inside Arabic
	// and European personal names ("al-", "bin", "van der"). Those that are
	// also common surnames ("Das", "Le", "Di", "Du", "Da") are left out.
	particles = []string{
		"the", "of", "and", "for", "de", "del", "la", "dos", "van", "von",
		"der", "den", "al", "el", "ul", "bin", "ibn", "bint",
	}
)

// noiseWords is the union of the lists above, for lookup.
var noiseWords = func() map[string]bool {
	m := make(map[string]bool)
	for _, l := range [][]string{honorifics, legalForms, particles} {
		for _, w := range l {
			m[w] = true
		}
	}
	return m
}()

// koreanSurnames groups the common romanisations of Korean surnames
// (McCune–Reischauer as the DPRK and the lists use it, Revised Romanisation,
// and the customary spellings): 이 is Ri, Li, Lee, Yi or Rhee; 최 is Choe or
// Choi; 박 is Pak, Park or Bak.
var koreanSurnames = func() map[string]string {
	groups := [][]string{
		{"i", "ri", "li", "lee", "yi", "rhee", "rhie", "rhi", "yee", "rii"},
		{"choi", "choe", "chey", "choy", "chwe", "coe"},
		{"pak", "park", "bak", "bahk", "pag", "bag"},
		{"kim", "gim", "ghim"},
		{"chong", "jong", "jeong", "cheong", "chung", "jung", "joung"},
		{"o", "oh"},
		{"yu", "ryu", "yoo", "you", "ryoo", "lyu"},
		{"ko", "go", "koh", "goh"},
		{"sin", "shin", "shinn"},
		{"so", "seo", "suh"},
		{"chang", "jang"},
		{"cho", "jo", "joe"},
		{"yun", "youn", "yoon"},
		{"yang", "ryang"},
		{"im", "rim", "lim", "yim"},
		{"no", "ro", "noh", "roh"},
		{"na", "ra"},
		{"paek", "baek", "paik", "baik", "back"},
		{"kwon", "gwon"},
		{"son", "sohn"},
		{"mun", "moon"},
		{"chon", "jon", "jeon", "chun", "jun"},
		{"hyon", "hyun", "hyeon"},
		{"om", "eom", "um"},
		{"ryom", "yeom", "yom"},
		{"kang", "gang"},
	}
	m := make(map[string]string)
	for _, g := range groups {
		for _, w := range g {
			m[w] = g[0]
		}
	}
	return m
}()

// koreanKey maps a romanised Korean syllable or name word to a key shared by
// its usual spellings: McCune–Reischauer ("Chol", "Kwang", "Hyok"), Revised
// Romanisation ("Cheol", "Gwang", "Hyeok"), the customary forms ("Chul",
// "Kwang", "Hyuk") and the letter-by-letter transliteration of Hangul that
// unidecode produces ("ceol", "gwang", "hyeog"). It is deliberately coarse
// (ㅓ, ㅗ, ㅜ and ㅡ share one vowel) and is only applied to entities with a
// Korean link, where it finds spellings that string similarity misses.
func koreanKey(tok string) string {
	s := tok
	if k, ok := koreanSurnames[tok]; ok {
		s = k
	}
	for _, r := range [...][2]string{{"eo", "o"}, {"eu", "u"}, {"oo", "u"}, {"ee", "i"}, {"ui", "i"}, {"yi", "i"}, {"oe", "oi"}} {
		s = strings.ReplaceAll(s, r[0], r[1])
	}
	switch {
	case strings.HasPrefix(s, "sh"):
		s = "s" + s[2:]
	case strings.HasPrefix(s, "ch"):
	case strings.HasPrefix(s, "c"), strings.HasPrefix(s, "j"):
		s = "ch" + s[1:]
	case strings.HasPrefix(s, "g"):
		s = "k" + s[1:]
	case strings.HasPrefix(s, "d"):
		s = "t" + s[1:]
	case strings.HasPrefix(s, "b"):
		s = "p" + s[1:]
	case strings.HasPrefix(s, "r"), strings.HasPrefix(s, "l"):
		if len(s) > 1 && (s[1] == 'i' || s[1] == 'y') {
			s = s[1:]
		} else {
			s = "r" + s[1:]
		}
	}
	if n := len(s); n > 1 && !strings.HasSuffix(s, "ng") {
		switch s[n-1] {
		case 'g':
			s = s[:n-1] + "k"
		case 'b':
			s = s[:n-1] + "p"
		case 'd':
			s = s[:n-1] + "t"
		}
	}
	return strings.ReplaceAll(s, "u", "o")
}
