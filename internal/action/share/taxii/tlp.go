package taxii

// TLP is the Traffic Light Protocol level of an object version, taken from
// its object_marking_refs. The empty TLP means no TLP marking.
type TLP string

// TLP levels, from least to most restricted.
const (
	TLPNone        TLP = ""
	TLPClear       TLP = "clear"
	TLPGreen       TLP = "green"
	TLPAmber       TLP = "amber"
	TLPAmberStrict TLP = "amber+strict"
	TLPRed         TLP = "red"
)

// tlpMarkings maps the fixed marking-definition ids to their level: TLP 2.0
// (the OASIS TLP 2.0 extension's definitions) and TLP 1.0 (STIX 2.1 section
// 7.2.1.4), with WHITE read as CLEAR.
var tlpMarkings = map[string]TLP{
	"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487": TLPClear,
	"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb": TLPGreen,
	"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421": TLPAmber,
	"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003": TLPAmberStrict,
	"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1": TLPRed,

	"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": TLPClear,
	"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": TLPGreen,
	"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": TLPAmber,
	"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": TLPRed,
}

// TLPMarkingID returns the TLP 2.0 marking-definition id of a level.
func TLPMarkingID(t TLP) string {
	switch t {
	case TLPClear:
		return "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
	case TLPGreen:
		return "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
	case TLPAmber:
		return "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
	case TLPAmberStrict:
		return "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"
	case TLPRed:
		return "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
	}
	return ""
}

var tlpRank = map[TLP]int{TLPNone: 0, TLPClear: 1, TLPGreen: 2, TLPAmber: 3, TLPAmberStrict: 4, TLPRed: 5}

// tlpOf returns the most restrictive TLP level among refs: an object marked
// twice is handled as its stricter marking.
func tlpOf(refs []string) TLP {
	out := TLPNone
	for _, r := range refs {
		if t, ok := tlpMarkings[r]; ok && tlpRank[t] > tlpRank[out] {
			out = t
		}
	}
	return out
}

// Visible reports whether v may read a version marked t owned by owner. It
// is the rule the stores implement in SQL; tests hold them to it.
func Visible(v Viewer, t TLP, owner string) bool {
	switch t {
	case TLPRed:
		return owner != "" && owner == v.Member
	case TLPAmber, TLPAmberStrict:
		return v.Amber || (owner != "" && owner == v.Member)
	}
	return true
}
