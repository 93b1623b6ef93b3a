package screen

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestNormalize(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"case is folded", "KIM Jong Un", "kim jong un"},
		{"punctuation separates words", "Korea Mangyongdae Computer Technology Corp.", "korea mangyongdae computer technology corp"},
		{"hyphens separate words", "RI JE-SON", "ri je son"},
		{"apostrophes join", "Ch'oe Ch’un-sik O'Neil", "choe chun sik oneil"},
		{"dotted acronyms close up", "J.S.C. \"Alfa\" U.S.A", "jsc alfa usa"},
		{"a lone initial stays a word", "John A. Smith", "john a smith"},
		{"diacritics are stripped", "José Müller Ñúñez Ångström Çelik", "jose muller nunez angstrom celik"},
		{"letters without decomposition are transliterated", "Łukasz Øster Straße", "lukasz oster strasse"},
		{"compatibility forms fold", "ＫＩＭ ｼﾝ ﬁne", "kim shin fine"},
		{"Cyrillic is transliterated", "Лукашенко Александр", "lukashenko aleksandr"},
		{"Greek is transliterated", "Παλνιτσενκο", "palnitsenko"},
		{"Han characters are one word each", "王国英", "wang guo ying"},
		{"short Hangul words split into syllables", "김정은", "gim jeong eun"},
		{"a Hangul surname apart splits the same way", "김 정은", "gim jeong eun"},
		{"long Hangul words stay one word", "조선엑스포합영회사", "joseonegseupohabyeonghoesa"},
		{"Arabic is transliterated", "الزمر", "lzmr"},
		{"digits are kept", "Office 91, APT-C-26", "office 91 apt c 26"},
		{"whitespace of any kind separates", "a\tb\u00a0c\u3000d", "a b c d"},
		{"nothing is left of symbols", "*** --- !!!", ""},
		{"the empty string stays empty", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Normalize(tc.in); got != tc.want {
				t.Errorf("Normalize(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// FuzzNormalize checks that Normalize never panics, keeps to its alphabet and
// is idempotent, on any input including invalid UTF-8.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"KIM Jong Un", "김정은", "Лукашенко", "J.S.C.", "Ch'oe", "a.b", "\xff\xfe", "ﬁ", "王 国英", "조선엑스포합영회사 김", "x김y", "..A.", "ǅ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(s)
		if Normalize(n) != n {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, n, Normalize(n))
		}
		if !utf8.ValidString(n) || strings.HasPrefix(n, " ") || strings.HasSuffix(n, " ") || strings.Contains(n, "  ") {
			t.Fatalf("badly spaced: %q -> %q", s, n)
		}
		for i := 0; i < len(n); i++ {
			if c := n[i]; c != ' ' && (c < 'a' || c > 'z') && (c < '0' || c > '9') {
				t.Fatalf("byte %q outside [a-z0-9 ]: %q -> %q", c, s, n)
			}
		}
	})
}

func TestKoreanKeyJoinsRomanisations(t *testing.T) {
	groups := [][]string{
		{"ri", "li", "lee", "rhee", "yi", "i"},
		{"choe", "choi", "coe"},
		{"pak", "park", "bak"},
		{"kim", "gim"},
		{"jong", "jeong", "chong"},
		{"chol", "cheol", "chul", "ceol"},
		{"un", "eun"},
		{"hyok", "hyeok", "hyuk", "hyeog"},
		{"kwang", "gwang"},
		{"myong", "myeong", "myung"},
		{"ryong", "lyong", "yong"},
	}
	for _, g := range groups {
		t.Run(strings.Join(g, "/")+" share a key", func(t *testing.T) {
			for _, w := range g[1:] {
				if koreanKey(w) != koreanKey(g[0]) {
					t.Errorf("koreanKey(%q) = %q, koreanKey(%q) = %q", w, koreanKey(w), g[0], koreanKey(g[0]))
				}
			}
		})
	}
	for _, p := range [][2]string{{"kim", "kin"}, {"park", "pal"}, {"jong", "jang"}, {"sung", "sang"}} {
		if koreanKey(p[0]) == koreanKey(p[1]) {
			t.Errorf("%q and %q share the key %q", p[0], p[1], koreanKey(p[0]))
		}
	}
}
