package screen

// Name screening
//
// A name is screened against every name of every listed entity (primary
// names and all aliases, in every script) and each entity is reported once,
// with the alias that matched best. The entry points are newNameIndex
// (name_index.go: normalisation, vocabulary, postings) and (*nameIndex).search
// (name_search.go: candidates, filters, ranking); the score is computed in
// name_score.go.
//
// # What the score means
//
// Both names are normalised (Normalize: case, punctuation, diacritics,
// transliteration of other scripts) and split into words. Each word weighs
// what it says about who is meant: its inverse document frequency over the
// listed entities, ln((N+1)/(df+0.5)), about 10 for a word found in one entity
// ("lazarus") and 3 to 5 for common given names ("kim", "mohammed");
// honorifics, legal forms and particles ("Dr", "Haji", "LTD", "al") weigh 0.1,
// initials at most 1, East Slavic patronymics 0.3 of their rarity.
//
// The query's words are aligned one to one with the listed name's: equal
// words (similarity 1), the same word misspelt (Jaro–Winkler checked by the
// edit distance, see wordSim: 0.84 to 1), two spellings of the same Korean
// name syllable for Korea-linked entities (0.93: Ri/Li/Rhee, Choe/Choi,
// Jong/Jeong, 김/Kim), one word against two written as one ("Jongun" /
// "Jong Un"), and initials (a letter confirms half of a word with that
// initial). Word order does not matter. Then
//
//	Q = Σ similarity × weight of the aligned query words / weight of all query words
//	L = weight of the aligned listed words / weight of all listed words
//	score = Q × (1 − π × (1 − L))
//
// Q says how much of the query is explained: a query word that matches
// nothing costs its full weight, so "John Kim Jong Un" is not Kim Jong Un.
// A spelling difference costs more in a common word than in a rare one,
// since common words have many spellings on the lists. L says how much of
// the listed name the query covers. A listed word the query lacks costs in
// full (π = 1) while the aligned listed words carry little evidence (0.8
// ln(N+1) or less, N the number of entities: one rare word, or a few common
// ones), and only 0.3 of it (π = 0.3) once they carry 1.6 ln(N+1) or more
// (two rare words): "Ahmed Hassan" is not "Ahmed Hassan Ali", but "Vladimir
// Putin" is "Vladimir Vladimirovich Putin". Finally a match whose aligned
// listed words weigh less than 0.5 ln(N+1), as a single word found in more
// than √N entities does, is scaled down in proportion: a common given name
// alone ("Mohammad", "Kim") identifies nobody, even when an alias is just
// that.
//
// # The default threshold
//
// DefaultThreshold, 0.90, reads: every distinctive word of the query is in
// the listed name, spelt the same or with about one typing error per word,
// and the listed name has no distinctive word the query lacks, unless the
// words that do match are specific enough to tolerate a missing middle name
// or patronymic. Measured on the OFAC SDN list of 2025-11-19 with the UN
// consolidated list of 2026-02-27 (name_quality_test.go; figures and the
// command in docs/benchmarks.md), at 0.90 the quality table's true matches are
// reported at a recall of 0.96 with no false hit, 99.9% of generated variants
// of listed names (a typing error, another word order, an honorific or legal
// form) are found, and 1.2% of 1,494 ordinary names of people and firms
// nobody lists produce any hit. At 0.85 a name with two typing errors or a
// word left out is found more often (80% and 69% against 77% and 58%) for
// 2.0% of ordinary names hitting; at 0.95 only near-exact names hit.

// DefaultThreshold is the documented default minimum name score (see above).
const DefaultThreshold = 0.90
