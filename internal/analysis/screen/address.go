package screen

import (
	"strings"

	"github.com/interdict/interdict/internal/chain"
	"github.com/interdict/interdict/internal/sources/sanctions"
)

// addressIndex maps each normalised address (chain.NormalizeAddress) to the
// entities that list it. It is built once and only read afterwards.
//
// One Match is kept per (list version, entity, normalised address). When an
// entity publishes the same address under several currency labels (OFAC lists
// some Ethereum addresses under both ETH and USDT) the labels are joined with
// "," in the order the list gives them, and Address is the first published
// form. When two entities list the same address, both are returned, in dataset
// order and then in the list's own entity order.
type addressIndex struct {
	// byKey's slices are shared by every lookup: callers must not modify them.
	// They are built with len == cap, so an append by a caller copies.
	byKey map[string][]Match
}

func newAddressIndex(datasets []Dataset) *addressIndex {
	type owner struct {
		version, entity, key string
	}
	byKey := map[string][]Match{}
	slot := map[owner]int{} // position of the owner's Match in byKey[key]
	for _, d := range datasets {
		for i := range d.Entities {
			e := &d.Entities[i]
			for _, a := range e.Addresses {
				key := chain.NormalizeAddress(a.Address)
				if key == "" {
					continue
				}
				o := owner{d.Version.ID, e.ID, key}
				if j, ok := slot[o]; ok {
					m := &byKey[key][j]
					m.Currency = addLabel(m.Currency, a.Currency)
					continue
				}
				slot[o] = len(byKey[key])
				byKey[key] = append(byKey[key], addressMatch(d.Version, e, a))
			}
		}
	}
	for k, ms := range byKey {
		byKey[k] = ms[:len(ms):len(ms)]
	}
	return &addressIndex{byKey: byKey}
}

func addressMatch(v VersionRef, e *sanctions.Entity, a sanctions.DigitalAddress) Match {
	return Match{
		List:        string(v.Source),
		ListVersion: v.ID,
		EntityID:    e.ID,
		Name:        e.PrimaryName(),
		Type:        e.Type,
		Programs:    e.Programs,
		Score:       1,
		Currency:    a.Currency,
		Address:     strings.TrimSpace(a.Address),
	}
}

// addLabel appends label to the comma-separated labels unless already there.
func addLabel(labels, label string) string {
	if label == "" {
		return labels
	}
	for _, l := range strings.Split(labels, ",") {
		if l == label {
			return labels
		}
	}
	if labels == "" {
		return label
	}
	return labels + "," + label
}

// lookup returns the matches of addr, or nil. A miss costs no allocation: the
// stored keys are fixed points of chain.NormalizeAddress, so an exact hit is
// final, and only text that normalisation could change is normalised again.
func (ix *addressIndex) lookup(addr string) []Match {
	if m, ok := ix.byKey[addr]; ok {
		return m
	}
	if !mayChangeOnNormalize(addr) {
		return nil
	}
	if isEVMShape(addr) {
		// The common mixed-case (EIP-55) query: fold into a stack buffer
		// rather than let strings.ToLower allocate.
		var buf [42]byte
		for i := 0; i < len(addr); i++ {
			c := addr[i]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			buf[i] = c
		}
		return ix.byKey[string(buf[:])]
	}
	key := chain.NormalizeAddress(addr)
	if key == addr {
		return nil
	}
	return ix.byKey[key]
}

// mayChangeOnNormalize reports whether chain.NormalizeAddress(s) could differ
// from s: only surrounding white space, upper-case letters (folded in the
// case-insensitive formats) and a bare cashaddr (which gains its prefix) change.
func mayChangeOnNormalize(s string) bool {
	if s == "" {
		return false
	}
	if first, last := s[0], s[len(s)-1]; first <= ' ' || first >= 0x80 || last <= ' ' || last >= 0x80 {
		return true
	}
	if len(s) == 42 && (s[0] == 'q' || s[0] == 'p') {
		return true
	}
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			return true
		}
	}
	return false
}

// isEVMShape reports 0x + 40 hex digits, the text chain.NormalizeAddress
// simply lower-cases.
func isEVMShape(s string) bool {
	if len(s) != 42 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X') {
		return false
	}
	for i := 2; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}
