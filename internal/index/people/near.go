package people

import (
	"slices"
	"strconv"
	"strings"
)

// NearVariants returns the two transposition variants of a canonical value:
// texts that two values equal but for one pair of adjacent characters
// swapped ("kalo.vin12@example.com" and "kalo.vni12@example.com") have in
// common, and that other values share only by the same swap within one half.
//
// With n the length in runes and m = n/2, variant "a" is the first m runes as
// they are and the rest sorted, variant "b" the first m+1 runes sorted and
// the rest as it is. A swap at runes i, i+1 lies in the sorted part of "a"
// when i >= m and in that of "b" otherwise, so every single adjacent
// transposition meets its original in one variant, by hash equality, without
// keeping either value in clear. Unlike a deletion neighbourhood (SymSpell,
// one hash per position) it takes two hashes per value and does not meet
// substitutions ("a.kim" and "b.kim", "kim1" and "kim2": relatives and
// numbered accounts), which are not the typos it is for. Values under 6 runes
// give none: too little is left to tell persons apart.
func NearVariants(canonical string) []string {
	r := []rune(canonical)
	n := len(r)
	if n < 6 {
		return nil
	}
	m := n / 2
	prefix := strconv.Itoa(n) + "\x00"
	a := slices.Concat(r[:m], sorted(r[m:]))
	b := slices.Concat(sorted(r[:m+1]), r[m+1:])
	return []string{prefix + "a\x00" + string(a), prefix + "b\x00" + string(b)}
}

// NearEmail returns the form of a canonical email whose NearVariants the
// vault hashes: the address itself, or, when its domain is one adjacent
// transposition from a provider's whose local-part rules canonEmail applies
// (gmail.cmo, mgail.com, gmailc.om), the address canonicalised at that
// provider, so a mistyped domain still meets the address.
func NearEmail(canonical string) string {
	at := strings.LastIndexByte(canonical, '@')
	if at < 0 {
		return canonical
	}
	dom := canonical[at+1:]
	if plusProviders[dom] || dom == "googlemail.com" {
		return canonical
	}
	for d := range plusProviders {
		if transposed(dom, d) {
			if c, err := canonEmail(canonical[:at] + "@" + d); err == nil {
				return c
			}
		}
	}
	return canonical
}

// transposed reports whether a is b with one pair of adjacent bytes swapped.
func transposed(a, b string) bool {
	if len(a) != len(b) || a == b {
		return false
	}
	i := 0
	for a[i] == b[i] {
		i++
	}
	return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
}

func sorted(r []rune) []rune {
	c := slices.Clone(r)
	slices.Sort(c)
	return c
}
