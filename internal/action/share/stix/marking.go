package stix

import (
	"encoding/json"
	"fmt"
	"strings"
)

// TLP is a Traffic Light Protocol level, ordered from least to most
// restrictive so that levels compare with < and max.
type TLP int

// TLP levels; TLPNone means no TLP marking applies. TLP 1 WHITE is CLEAR.
const (
	TLPNone TLP = iota
	TLPClear
	TLPGreen
	TLPAmber
	TLPAmberStrict
	TLPRed
)

var tlpNames = [...]string{"", "TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT", "TLP:RED"}

// String returns "TLP:AMBER" etc., or "" for TLPNone.
func (t TLP) String() string {
	if t < 0 || int(t) >= len(tlpNames) {
		return fmt.Sprintf("TLP(%d)", int(t))
	}
	return tlpNames[t]
}

// Level returns the TLP 2.0 level name: "clear", "green", "amber",
// "amber+strict", "red", or "" for TLPNone.
func (t TLP) Level() string {
	return strings.ToLower(strings.TrimPrefix(t.String(), "TLP:"))
}

// ParseTLP reads "TLP:AMBER+STRICT", "amber+strict", "white", "clear", ...
func ParseTLP(s string) (TLP, error) {
	u := strings.ToUpper(strings.TrimSpace(s))
	u = strings.TrimPrefix(u, "TLP:")
	switch u {
	case "CLEAR", "WHITE":
		return TLPClear, nil
	case "GREEN":
		return TLPGreen, nil
	case "AMBER":
		return TLPAmber, nil
	case "AMBER+STRICT":
		return TLPAmberStrict, nil
	case "RED":
		return TLPRed, nil
	}
	return TLPNone, fmt.Errorf("%w: unknown TLP level %q", ErrInvalid, s)
}

// TLP20Extension is the extension definition of the TLP 2.0 marking
// definitions.
const TLP20Extension = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"

// The fixed ids of the TLP 2.0 marking definitions.
const (
	TLP20Clear       = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
	TLP20Green       = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
	TLP20Amber       = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
	TLP20AmberStrict = "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"
	TLP20Red         = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
)

// The fixed ids of the TLP 1 marking definitions (STIX 2.1 section 7.2.1.4).
const (
	TLP1White = "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"
	TLP1Green = "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"
	TLP1Amber = "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"
	TLP1Red   = "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"
)

var fixedTLP = map[string]TLP{
	TLP20Clear: TLPClear, TLP20Green: TLPGreen, TLP20Amber: TLPAmber,
	TLP20AmberStrict: TLPAmberStrict, TLP20Red: TLPRed,
	TLP1White: TLPClear, TLP1Green: TLPGreen, TLP1Amber: TLPAmber, TLP1Red: TLPRed,
}

// MarkingDefinition (SMO) is a data marking: TLP, a statement, or one
// defined by an extension (TLP 2.0).
type MarkingDefinition struct {
	Common
	Name           string          `json:"name,omitempty"`
	DefinitionType string          `json:"definition_type,omitempty"`
	Definition     json.RawMessage `json:"definition,omitempty"`
}

func (o *MarkingDefinition) UnmarshalJSON(b []byte) error {
	type plain MarkingDefinition
	return decode(b, (*plain)(o), &o.Common)
}
func (o MarkingDefinition) MarshalJSON() ([]byte, error) {
	type plain MarkingDefinition
	return encode(plain(o), "marking-definition", o.Common)
}

func init() { register("marking-definition", func() Object { return &MarkingDefinition{} }) }

// TLP returns the level a marking definition states: a fixed TLP id, a
// TLP 2.0 extension property, or a TLP 1 "tlp" definition. Statements and
// other markings give TLPNone.
func (o *MarkingDefinition) TLP() TLP {
	if t, ok := fixedTLP[o.ID]; ok {
		return t
	}
	if raw, ok := o.Extensions[TLP20Extension]; ok {
		var ext struct {
			Level string `json:"tlp_2_0"`
		}
		if json.Unmarshal(raw, &ext) == nil {
			if t, err := ParseTLP(ext.Level); err == nil {
				return t
			}
		}
	}
	if o.DefinitionType == "tlp" {
		var def struct {
			TLP string `json:"tlp"`
		}
		if json.Unmarshal(o.Definition, &def) == nil {
			if t, err := ParseTLP(def.TLP); err == nil {
				return t
			}
		}
	}
	return TLPNone
}

// Statement returns the text of a statement marking, or "".
func (o *MarkingDefinition) Statement() string {
	if o.DefinitionType != "statement" {
		return ""
	}
	var def struct {
		Statement string `json:"statement"`
	}
	_ = json.Unmarshal(o.Definition, &def)
	return def.Statement
}

var tlp20Levels = map[TLP]struct{ id, name string }{
	TLPClear: {TLP20Clear, "clear"}, TLPGreen: {TLP20Green, "green"}, TLPAmber: {TLP20Amber, "amber"},
	TLPAmberStrict: {TLP20AmberStrict, "amber+strict"}, TLPRed: {TLP20Red, "red"},
}

// TLP20Definition returns the OASIS TLP 2.0 marking definition of t, as
// published (fixed id, created 2022-10-01); nil for TLPNone.
func TLP20Definition(t TLP) *MarkingDefinition {
	l, ok := tlp20Levels[t]
	if !ok {
		return nil
	}
	ts, _ := ParseTimestamp("2022-10-01T00:00:00.000Z")
	m := &MarkingDefinition{Name: t.String()}
	m.Type, m.SpecVersion, m.ID, m.Created = "marking-definition", "2.1", l.id, ts
	m.Extensions = map[string]json.RawMessage{
		TLP20Extension: json.RawMessage(`{"extension_type":"property-extension","tlp_2_0":"` + l.name + `"}`),
	}
	return m
}

var tlp1Levels = map[TLP]struct{ id, name string }{
	TLPClear: {TLP1White, "white"}, TLPGreen: {TLP1Green, "green"}, TLPAmber: {TLP1Amber, "amber"}, TLPRed: {TLP1Red, "red"},
}

// TLP1Definition returns the STIX 2.1 TLP 1 marking definition of t (fixed
// id, created 2017-01-20; TLPClear is TLP:WHITE); nil for TLPNone and
// TLPAmberStrict, which TLP 1 does not have.
func TLP1Definition(t TLP) *MarkingDefinition {
	l, ok := tlp1Levels[t]
	if !ok {
		return nil
	}
	ts, _ := ParseTimestamp("2017-01-20T00:00:00.000Z")
	m := &MarkingDefinition{Name: "TLP:" + strings.ToUpper(l.name), DefinitionType: "tlp",
		Definition: json.RawMessage(`{"tlp":"` + l.name + `"}`)}
	m.Type, m.SpecVersion, m.ID, m.Created = "marking-definition", "2.1", l.id, ts
	return m
}

// TLP20ID returns the fixed marking-definition id of t ("" for TLPNone).
func TLP20ID(t TLP) string { return tlp20Levels[t].id }

// NewStatementMarking returns a statement marking definition (e.g. a
// copyright or terms-of-use notice).
func NewStatementMarking(statement string, created Timestamp) *MarkingDefinition {
	def, _ := marshal(struct {
		Statement string `json:"statement"`
	}{statement})
	m := &MarkingDefinition{DefinitionType: "statement", Definition: def}
	m.Type, m.SpecVersion, m.ID, m.Created = "marking-definition", "2.1", NewID("marking-definition"), created
	return m
}

// GranularMarking marks the properties its selectors name.
type GranularMarking struct {
	Lang       string   `json:"lang,omitempty"`
	MarkingRef string   `json:"marking_ref,omitempty"`
	Selectors  []string `json:"selectors"`
}

// Markings resolves marking-definition ids to TLP levels: the fixed TLP ids
// always, and the custom definitions added to it (e.g. from a bundle).
type Markings map[string]TLP

// Add records the level of a marking definition that is not one of the
// fixed ids.
func (m Markings) Add(d *MarkingDefinition) {
	if t := d.TLP(); t != TLPNone {
		m[d.ID] = t
	}
}

func (m Markings) level(ref string) TLP {
	if t, ok := fixedTLP[ref]; ok {
		return t
	}
	return m[ref]
}

// Marking returns the effective TLP of an object: the most restrictive level
// among its object markings and its granular markings (a part of an object
// cannot be shared more widely than its most restricted part, so neither can
// the whole). Unknown marking ids count as no TLP.
func Marking(o Object) TLP { return Markings(nil).Of(o) }

// Of is Marking with custom marking definitions resolved through m.
func (m Markings) Of(o Object) TLP {
	c := o.Core()
	t := TLPNone
	for _, ref := range c.ObjectMarkingRefs {
		t = max(t, m.level(ref))
	}
	for _, g := range c.GranularMarkings {
		t = max(t, m.level(g.MarkingRef))
	}
	return t
}

// OfJSON is Of for an object given as JSON (e.g. a TAXII server's stored
// version), reading only its marking properties.
func (m Markings) OfJSON(raw []byte) (TLP, error) {
	var c Common
	var v struct {
		ObjectMarkingRefs []string          `json:"object_marking_refs"`
		GranularMarkings  []GranularMarking `json:"granular_markings"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return TLPNone, fmt.Errorf("%w: markings: %v", ErrInvalid, err)
	}
	c.ObjectMarkingRefs, c.GranularMarkings = v.ObjectMarkingRefs, v.GranularMarkings
	return m.Of(&c), nil
}

// OfProperty returns the TLP that applies to the property at selector (e.g.
// "description", "external_references.[0].url"): the object markings and the
// granular markings whose selector is the property or one of its ancestors.
func (m Markings) OfProperty(o Object, selector string) TLP {
	c := o.Core()
	t := TLPNone
	for _, ref := range c.ObjectMarkingRefs {
		t = max(t, m.level(ref))
	}
	for _, g := range c.GranularMarkings {
		for _, s := range g.Selectors {
			if s == selector || strings.HasPrefix(selector, s+".") {
				t = max(t, m.level(g.MarkingRef))
			}
		}
	}
	return t
}
