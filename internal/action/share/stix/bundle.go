package stix

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
)

// Bundle is a collection of objects sent together.
type Bundle struct {
	ID      string
	Objects []Object
	// Extra keeps other bundle properties (STIX 2.0 bundles had spec_version).
	Extra map[string]json.RawMessage
}

// NewBundle returns a bundle of objs with a fresh id.
func NewBundle(objs ...Object) *Bundle { return &Bundle{ID: NewID("bundle"), Objects: objs} }

// ParseBundle reads a bundle; an object that does not parse fails it, with
// its index in the error.
func ParseBundle(data []byte) (*Bundle, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("%w: bundle is not a JSON object: %v", ErrInvalid, err)
	}
	var typ, id string
	if json.Unmarshal(raw["type"], &typ) != nil || typ != "bundle" {
		return nil, fmt.Errorf("%w: not a bundle (type %s)", ErrInvalid, raw["type"])
	}
	if json.Unmarshal(raw["id"], &id) != nil {
		return nil, fmt.Errorf("%w: bundle has no string id", ErrInvalid)
	}
	if err := CheckID(id, "bundle"); err != nil {
		return nil, err
	}
	b := &Bundle{ID: id}
	if objs, ok := raw["objects"]; ok {
		var list []json.RawMessage
		if err := json.Unmarshal(objs, &list); err != nil {
			return nil, fmt.Errorf("%w: bundle %s: objects is not an array", ErrInvalid, id)
		}
		for i, r := range list {
			o, err := Parse(r)
			if err != nil {
				return nil, fmt.Errorf("bundle %s: object %d: %w", id, i, err)
			}
			b.Objects = append(b.Objects, o)
		}
	}
	for k, v := range raw {
		if k == "type" || k == "id" || k == "objects" {
			continue
		}
		if b.Extra == nil {
			b.Extra = map[string]json.RawMessage{}
		}
		b.Extra[k] = v
	}
	return b, nil
}

// MarshalJSON writes the bundle: type, id, objects, then other properties.
func (b *Bundle) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	id, _ := marshal(b.ID)
	buf.WriteString(`{"type":"bundle","id":`)
	buf.Write(id)
	if b.Objects != nil {
		buf.WriteString(`,"objects":[`)
		for i, o := range b.Objects {
			if i > 0 {
				buf.WriteByte(',')
			}
			// Every object type here writes itself compact and valid: call
			// it directly rather than have encoding/json check it again.
			var ob []byte
			var err error
			if m, ok := o.(json.Marshaler); ok {
				ob, err = m.MarshalJSON()
			} else {
				ob, err = marshal(o)
			}
			if err != nil {
				return nil, fmt.Errorf("stix: bundle object %d: %w", i, err)
			}
			buf.Write(ob)
		}
		buf.WriteByte(']')
	}
	keys := make([]string, 0, len(b.Extra))
	for k := range b.Extra {
		if k != "type" && k != "id" && k != "objects" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		kb, _ := marshal(k)
		buf.WriteByte(',')
		buf.Write(kb)
		buf.WriteByte(':')
		if err := json.Compact(&buf, b.Extra[k]); err != nil {
			return nil, fmt.Errorf("stix: bundle property %s: %w", k, err)
		}
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// Get returns the object with id (the first if several versions), or nil.
func (b *Bundle) Get(id string) Object {
	for _, o := range b.Objects {
		if o.Core().ID == id {
			return o
		}
	}
	return nil
}

// Markings returns the TLP levels of the bundle's marking definitions.
func (b *Bundle) Markings() Markings {
	m := Markings{}
	for _, o := range b.Objects {
		if d, ok := o.(*MarkingDefinition); ok {
			m.Add(d)
		}
	}
	return m
}
