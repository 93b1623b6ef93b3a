package main

import (
	"math/rand/v2"
	"strings"
	"unicode"

	"github.com/interdict/interdict/internal/analysis/screen"
)

// query is one name to screen and what kind of name it is.
type query struct {
	kind, name string
}

// The mix: 40% names as listed (any alias), 30% listed names with one typing
// error, 30% names of people and firms nobody lists, the queries an
// inverted-index screener finds slowest because nothing cuts them short.
const (
	shareListed   = 0.4
	shareMisspelt = 0.3
)

// Ordinary names, none of them listed as such, for the unlisted share.
var (
	givenNames = []string{"James", "Mary", "Robert", "Patricia", "Michael", "Jennifer", "Hans", "Sabine", "Pierre", "Isabelle",
		"Giuseppe", "Chiara", "José", "Lucía", "João", "Ahmed", "Fatima", "Omar", "Layla", "Ivan", "Olga", "Dmitry",
		"Wei", "Xiulan", "Min-jun", "Seo-yeon", "Haruto", "Yui", "Amit", "Priya", "Kwame", "Ngozi", "Mehmet", "Ayse"}
	surnames = []string{"Smith", "Johnson", "Miller", "Davis", "Müller", "Schneider", "Dubois", "Moreau", "Rossi", "Bianchi",
		"García", "Martínez", "Silva", "Haddad", "Khoury", "Petrova", "Sokolov", "Wang", "Zhang", "Chen", "Tanaka",
		"Suzuki", "Sharma", "Patel", "Mensah", "Okafor", "Yilmaz", "Nguyen", "Kowalski", "Jansen"}
	firmHeads  = []string{"Northwind", "Bluewater", "Silverline", "Greenfield", "Brightstar", "Redwood", "Evergreen", "Clearview", "Oakridge", "Lakeside"}
	firmTrades = []string{"Logistics", "Software", "Consulting", "Foods", "Textiles", "Construction", "Analytics", "Packaging"}
	firmForms  = []string{"Ltd", "LLC", "GmbH", "S.A.", "Inc.", "B.V.", "Co., Ltd."}
)

// queryMix returns n reproducible queries drawn from the datasets' names.
func queryMix(ds []screen.Dataset, n int, seed uint64) []query {
	r := rand.New(rand.NewPCG(seed, 7))
	var names []string
	for _, d := range ds {
		for _, e := range d.Entities {
			for _, nm := range e.Names {
				if isLatin(nm.Full) {
					names = append(names, nm.Full)
				}
			}
		}
	}
	out := make([]query, 0, n)
	for len(out) < n {
		switch p := r.Float64(); {
		case p < shareListed:
			out = append(out, query{"listed", names[r.IntN(len(names))]})
		case p < shareListed+shareMisspelt:
			if q := typo(r, names[r.IntN(len(names))]); q != "" {
				out = append(out, query{"misspelt", q})
			}
		case r.IntN(3) == 0:
			out = append(out, query{"unlisted", pick(r, firmHeads) + " " + pick(r, firmTrades) + " " + pick(r, firmForms)})
		default:
			out = append(out, query{"unlisted", pick(r, givenNames) + " " + pick(r, surnames)})
		}
	}
	return out
}

func pick(r *rand.Rand, l []string) string { return l[r.IntN(len(l))] }

// typo changes, deletes, inserts or swaps one letter inside a word of five
// letters or more, or returns "" if the name has none.
func typo(r *rand.Rand, name string) string {
	fields := strings.Fields(name)
	var long []int
	for i, f := range fields {
		if len(f) >= 5 && strings.IndexFunc(f, func(c rune) bool { return c > unicode.MaxASCII || !unicode.IsLetter(c) }) < 0 {
			long = append(long, i)
		}
	}
	if len(long) == 0 {
		return ""
	}
	i := long[r.IntN(len(long))]
	w := []byte(fields[i])
	p := 1 + r.IntN(len(w)-2)
	c := byte('a' + r.IntN(26))
	switch r.IntN(4) {
	case 0:
		w[p] = c
	case 1:
		w = append(w[:p], w[p+1:]...)
	case 2:
		w = append(w[:p], append([]byte{c}, w[p:]...)...)
	default:
		w[p], w[p+1] = w[p+1], w[p]
	}
	fields[i] = string(w)
	return strings.Join(fields, " ")
}

func isLatin(s string) bool {
	for _, c := range s {
		if unicode.IsLetter(c) && !unicode.Is(unicode.Latin, c) {
			return false
		}
	}
	return true
}
