package intel

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// ErrMalformed marks input that is not a bundle or galaxy of the expected
// shape; match it with errors.Is.
var ErrMalformed = errors.New("intel: malformed")

// Object is one ATT&CK object of a kind the catalogue uses.
type Object struct {
	Type        string   `json:"type"`
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	Aliases     []string `json:"aliases,omitempty"` // aliases or x_mitre_aliases, the name included as ATT&CK lists it
	ExternalID  string   `json:"external_id,omitempty"`
	URL         string   `json:"url,omitempty"`
	Domains     []string `json:"domains,omitempty"`
	Tactics     []string `json:"tactics,omitempty"` // kill-chain phase names of a technique
	Revoked     bool     `json:"revoked,omitempty"`
	Deprecated  bool     `json:"deprecated,omitempty"`
}

// Relationship is one ATT&CK relationship (uses, attributed-to,
// subtechnique-of, mitigates, ...).
type Relationship struct {
	ID     string `json:"id"`
	Type   string `json:"type"`
	Source string `json:"source_ref"`
	Target string `json:"target_ref"`
}

// ATTACK is a decoded ATT&CK bundle.
type ATTACK struct {
	Objects       map[string]*Object
	Order         []string // object ids in bundle order
	Relationships []Relationship
	// Other counts objects of types the catalogue does not use (identity,
	// marking-definition, x-mitre-* ...).
	Other int
}

var attackTypes = map[string]bool{
	"intrusion-set": true, "campaign": true, "malware": true, "tool": true,
	"attack-pattern": true, "course-of-action": true,
}

// DecodeATTACK reads an ATT&CK STIX 2.1 bundle.
func DecodeATTACK(r io.Reader) (*ATTACK, error) {
	var doc struct {
		Type    string            `json:"type"`
		Objects []json.RawMessage `json:"objects"`
	}
	if err := json.NewDecoder(r).Decode(&doc); err != nil {
		return nil, fmt.Errorf("%w: ATT&CK bundle: %v", ErrMalformed, err)
	}
	if doc.Type != "bundle" {
		return nil, fmt.Errorf("%w: ATT&CK data is a STIX bundle, not type %q", ErrMalformed, doc.Type)
	}
	a := &ATTACK{Objects: map[string]*Object{}}
	for i, raw := range doc.Objects {
		var o struct {
			Type         string   `json:"type"`
			ID           string   `json:"id"`
			Name         string   `json:"name"`
			Description  string   `json:"description"`
			Aliases      []string `json:"aliases"`
			MitreAliases []string `json:"x_mitre_aliases"`
			Domains      []string `json:"x_mitre_domains"`
			Revoked      bool     `json:"revoked"`
			Deprecated   bool     `json:"x_mitre_deprecated"`
			RelType      string   `json:"relationship_type"`
			Source       string   `json:"source_ref"`
			Target       string   `json:"target_ref"`
			ExternalRefs []struct {
				SourceName string `json:"source_name"`
				ExternalID string `json:"external_id"`
				URL        string `json:"url"`
			} `json:"external_references"`
			KillChain []struct {
				Chain string `json:"kill_chain_name"`
				Phase string `json:"phase_name"`
			} `json:"kill_chain_phases"`
		}
		if err := json.Unmarshal(raw, &o); err != nil {
			return nil, fmt.Errorf("%w: ATT&CK object %d: %v", ErrMalformed, i, err)
		}
		if o.Type == "" || o.ID == "" {
			return nil, fmt.Errorf("%w: ATT&CK object %d has no type or id", ErrMalformed, i)
		}
		if o.Type == "relationship" {
			if o.RelType == "" || o.Source == "" || o.Target == "" {
				return nil, fmt.Errorf("%w: relationship %s lacks relationship_type, source_ref or target_ref", ErrMalformed, o.ID)
			}
			a.Relationships = append(a.Relationships, Relationship{ID: o.ID, Type: o.RelType, Source: o.Source, Target: o.Target})
			continue
		}
		if !attackTypes[o.Type] {
			a.Other++
			continue
		}
		if o.Name == "" {
			return nil, fmt.Errorf("%w: %s has no name", ErrMalformed, o.ID)
		}
		obj := &Object{Type: o.Type, ID: o.ID, Name: o.Name, Description: o.Description, Aliases: o.Aliases,
			Domains: o.Domains, Revoked: o.Revoked, Deprecated: o.Deprecated}
		if len(obj.Aliases) == 0 {
			obj.Aliases = o.MitreAliases
		}
		for _, e := range o.ExternalRefs {
			if e.SourceName == "mitre-attack" {
				obj.ExternalID, obj.URL = e.ExternalID, e.URL
				break
			}
		}
		for _, k := range o.KillChain {
			if k.Chain == "mitre-attack" || k.Chain == "mitre-ics-attack" {
				obj.Tactics = append(obj.Tactics, k.Phase)
			}
		}
		if _, dup := a.Objects[o.ID]; dup {
			return nil, fmt.Errorf("%w: %s appears twice", ErrMalformed, o.ID)
		}
		a.Objects[o.ID] = obj
		a.Order = append(a.Order, o.ID)
	}
	return a, nil
}
