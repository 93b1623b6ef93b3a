package stix

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"

	"github.com/google/uuid"
)

// ErrInvalid marks input that is not a well-formed STIX object; match it with
// errors.Is.
var ErrInvalid = errors.New("stix: invalid")

// Object is any STIX object: the typed structs of this package and Generic.
type Object interface {
	// Core returns the common properties, including the unmodelled ones in Extra.
	Core() *Common
}

// Common holds the properties shared by SDOs, SROs, SMOs and SCOs. Properties
// no struct field names are kept, raw, in Extra.
type Common struct {
	Type               string              `json:"type"`
	SpecVersion        string              `json:"spec_version,omitempty"`
	ID                 string              `json:"id"`
	CreatedByRef       string              `json:"created_by_ref,omitempty"`
	Created            Timestamp           `json:"created,omitzero"`
	Modified           Timestamp           `json:"modified,omitzero"`
	Revoked            *bool               `json:"revoked,omitempty"`
	Labels             []string            `json:"labels,omitempty"`
	Confidence         *int                `json:"confidence,omitempty"`
	Lang               string              `json:"lang,omitempty"`
	ExternalReferences []ExternalReference `json:"external_references,omitempty"`
	ObjectMarkingRefs  []string            `json:"object_marking_refs,omitempty"`
	GranularMarkings   []GranularMarking   `json:"granular_markings,omitempty"`
	Defanged           *bool               `json:"defanged,omitempty"`
	// Extensions maps an extension-definition id (or a predefined extension
	// name such as "archive-ext") to its properties, kept raw.
	Extensions map[string]json.RawMessage `json:"extensions,omitempty"`

	// Extra holds every property not named above or by the object's struct,
	// exactly as read.
	Extra map[string]json.RawMessage `json:"-"`

	// empty keeps named properties that came with an empty value ("", [],
	// {}, false, 0), which omitempty would drop, so they are written back.
	empty map[string]json.RawMessage
}

// Core returns c itself; every typed object embeds Common.
func (c *Common) Core() *Common { return c }

// Prop returns an unmodelled property decoded into v; ok is false when absent.
func (c *Common) Prop(name string, v any) (ok bool, err error) {
	raw, ok := c.Extra[name]
	if !ok {
		return false, nil
	}
	return true, json.Unmarshal(raw, v)
}

// SetProp sets an unmodelled (e.g. custom x_) property.
func (c *Common) SetProp(name string, v any) error {
	b, err := marshal(v)
	if err != nil {
		return err
	}
	if c.Extra == nil {
		c.Extra = map[string]json.RawMessage{}
	}
	c.Extra[name] = b
	return nil
}

// ExternalReference points outside STIX (ATT&CK ids, CVEs, reports).
type ExternalReference struct {
	SourceName  string            `json:"source_name"`
	Description string            `json:"description,omitempty"`
	URL         string            `json:"url,omitempty"`
	Hashes      map[string]string `json:"hashes,omitempty"`
	ExternalID  string            `json:"external_id,omitempty"`
}

// KillChainPhase names a phase of a kill chain (e.g. ATT&CK tactics).
type KillChainPhase struct {
	KillChainName string `json:"kill_chain_name"`
	PhaseName     string `json:"phase_name"`
}

// Generic is an object of a type this package does not model (grouping,
// infrastructure, x-custom types, ...): everything but the common properties
// is in Extra.
type Generic struct{ Common }

// UnmarshalJSON keeps every property.
func (o *Generic) UnmarshalJSON(b []byte) error {
	type plain Generic
	return decode(b, (*plain)(o), &o.Common)
}

// MarshalJSON writes every property back.
func (o Generic) MarshalJSON() ([]byte, error) {
	type plain Generic
	return encode(plain(o), o.Type, o.Common)
}

// registry maps a STIX type to a constructor of its typed struct.
var registry = map[string]func() Object{}

func register(typ string, f func() Object) { registry[typ] = f }

// Parse reads one STIX object. Unknown types become *Generic; the type and id
// are checked (a type-prefixed UUID), the rest is decoded into the typed struct.
func Parse(data []byte) (Object, error) {
	var head struct {
		Type json.RawMessage `json:"type"`
		ID   json.RawMessage `json:"id"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("%w: not a JSON object: %v", ErrInvalid, err)
	}
	var typ, id string
	if err := json.Unmarshal(head.Type, &typ); err != nil || typ == "" {
		return nil, fmt.Errorf("%w: object has no string \"type\"", ErrInvalid)
	}
	if typ == "bundle" {
		return nil, fmt.Errorf("%w: a bundle is not an object (use ParseBundle)", ErrInvalid)
	}
	if err := json.Unmarshal(head.ID, &id); err != nil || id == "" {
		return nil, fmt.Errorf("%w: %s object has no string \"id\"", ErrInvalid, typ)
	}
	if err := CheckID(id, typ); err != nil {
		return nil, err
	}
	var o Object = &Generic{}
	if f, ok := registry[typ]; ok {
		o = f()
	}
	// The head decode above has checked data is valid JSON: call the
	// object's decoder directly rather than have encoding/json check it again.
	if err := o.(json.Unmarshaler).UnmarshalJSON(data); err != nil {
		var se *json.UnmarshalTypeError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("%w: %s: property %s: %s where %s was expected", ErrInvalid, id, se.Field, se.Value, se.Type)
		}
		if errors.Is(err, ErrInvalid) {
			return nil, fmt.Errorf("%s: %w", id, err)
		}
		return nil, fmt.Errorf("%w: %s: %v", ErrInvalid, id, err)
	}
	return o, nil
}

// Marshal writes an object as JSON: type, spec_version and id first, then the
// other named properties in the struct's order, then unmodelled ones by name.
func Marshal(o Object) ([]byte, error) { return marshal(o) }

// CheckID checks that id is "<typ>--<UUID>" (typ may be empty: any type).
func CheckID(id, typ string) error {
	t, u, ok := strings.Cut(id, "--")
	if !ok {
		return fmt.Errorf("%w: id %q is not TYPE--UUID", ErrInvalid, id)
	}
	if typ != "" && t != typ {
		return fmt.Errorf("%w: id %q does not start with its type %q", ErrInvalid, id, typ)
	}
	if _, err := uuid.Parse(u); err != nil || len(u) != 36 {
		return fmt.Errorf("%w: id %q: %q is not a UUID", ErrInvalid, id, u)
	}
	return nil
}

// NewID returns a fresh "<typ>--<UUIDv4>" id.
func NewID(typ string) string { return typ + "--" + uuid.NewString() }

// decode reads b into dst (a struct without JSON methods embedding c) and
// keeps the properties dst does not name in c.Extra.
func decode(b []byte, dst any, c *Common) error {
	if err := json.Unmarshal(b, dst); err != nil {
		return err
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		return err
	}
	known := fieldIndex(reflect.TypeOf(dst).Elem())
	c.Extra, c.empty = nil, nil
	for k, v := range all {
		// encoding/json matches names ignoring case, so "TYPE" would have
		// overwritten "type": refuse names that differ from ours only in case.
		if _, exact := known[k]; !exact {
			if _, folded := known[strings.ToLower(k)]; folded {
				return fmt.Errorf("%w: property %q differs from %q only in case", ErrInvalid, k, strings.ToLower(k))
			}
		}
		if _, ok := known[k]; ok {
			if isEmptyJSON(v) {
				if c.empty == nil {
					c.empty = map[string]json.RawMessage{}
				}
				c.empty[k] = v
			}
			continue
		}
		if c.Extra == nil {
			c.Extra = map[string]json.RawMessage{}
		}
		c.Extra[k] = v
	}
	return nil
}

// isEmptyJSON reports whether raw is a value omitempty leaves out.
func isEmptyJSON(raw json.RawMessage) bool {
	s := strings.TrimSpace(string(raw))
	switch s {
	case `""`, "false", "0", "null":
		return true
	}
	if len(s) >= 2 && (s[0] == '[' || s[0] == '{') {
		return strings.TrimSpace(s[1:len(s)-1]) == ""
	}
	return false
}

// encode writes v (a struct without JSON methods, Common first so that
// type, spec_version and id lead) with typ as its type if unset, then c's
// unmodelled properties and the empty ones it was read with, by name.
func encode(v any, typ string, c Common) ([]byte, error) {
	b, err := marshal(v)
	if err != nil {
		return nil, err
	}
	const untyped = `{"type":""`
	if bytes.HasPrefix(b, []byte(untyped)) {
		tb, _ := marshal(typ)
		b = append(append([]byte(`{"type":`), tb...), b[len(untyped):]...)
	}
	if len(c.Extra) == 0 && len(c.empty) == 0 {
		return b, nil
	}
	rv := reflect.ValueOf(v)
	fields := fieldIndex(rv.Type())
	add := map[string]json.RawMessage{}
	for k, x := range c.Extra {
		if _, named := fields[k]; !named {
			add[k] = x
		}
	}
	for k, x := range c.empty {
		if f, ok := fields[k]; ok && omittable(rv.Type(), f) && omitted(rv.FieldByIndex(f)) {
			add[k] = x
		}
	}
	if len(add) == 0 {
		return b, nil
	}
	keys := make([]string, 0, len(add))
	for k := range add {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	buf := bytes.NewBuffer(b[:len(b)-1])
	for _, k := range keys {
		buf.WriteByte(',')
		kb, _ := marshal(k)
		buf.Write(kb)
		buf.WriteByte(':')
		if err := json.Compact(buf, add[k]); err != nil {
			return nil, fmt.Errorf("stix: property %s: %w", k, err)
		}
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// omittable reports whether the field at index has omitempty or omitzero.
func omittable(t reflect.Type, index []int) bool {
	_, opts, _ := strings.Cut(t.FieldByIndex(index).Tag.Get("json"), ",")
	return strings.Contains(opts, "omitempty") || strings.Contains(opts, "omitzero")
}

// omitted reports whether encoding/json leaves the field out, given that it
// is omittable.
func omitted(v reflect.Value) bool {
	if z, ok := v.Interface().(interface{ IsZero() bool }); ok {
		return z.IsZero()
	}
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool:
		return !v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int() == 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return v.Uint() == 0
	case reflect.Float32, reflect.Float64:
		return v.Float() == 0
	case reflect.Interface, reflect.Pointer:
		return v.IsNil()
	}
	return false
}

// marshal is json.Marshal without HTML escaping: patterns hold < and >.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

var fieldCache sync.Map // reflect.Type -> map[string][]int

// fieldIndex maps the JSON names of t's fields, through embedded structs,
// to their index paths.
func fieldIndex(t reflect.Type) map[string][]int {
	if v, ok := fieldCache.Load(t); ok {
		return v.(map[string][]int)
	}
	fields := map[string][]int{}
	var walk func(reflect.Type, []int)
	walk = func(t reflect.Type, at []int) {
		for i := range t.NumField() {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			if tag == "-" || !f.IsExported() {
				continue
			}
			idx := append(append([]int{}, at...), i)
			name, _, _ := strings.Cut(tag, ",")
			if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
				walk(f.Type, idx)
				continue
			}
			if name == "" {
				name = f.Name
			}
			fields[name] = idx
		}
	}
	walk(t, nil)
	fieldCache.Store(t, fields)
	return fields
}
