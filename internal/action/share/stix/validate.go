package stix

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// SchemaBase is the URL prefix of the OASIS STIX 2.1 JSON schemas' $ids; the
// validator maps it onto a local folder, never the network.
const SchemaBase = "http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas/"

// ErrSchema marks an object that does not validate against its schema.
var ErrSchema = errors.New("stix: schema violation")

// Validator checks objects against the OASIS STIX 2.1 JSON schemas (the
// common/, sdos/, sros/ and observables/ folders of cti-stix2-json-schemas).
type Validator struct {
	byType  map[string]*jsonschema.Schema
	core    *jsonschema.Schema // objects of other types (custom SDOs)
	scoCore *jsonschema.Schema // SCOs of other types (new-sco extensions)
	bundle  *jsonschema.Schema
}

// NewValidator compiles the schemas found in fsys (the schemas folder: it
// holds common/core.json). References resolve inside fsys only.
func NewValidator(fsys fs.FS) (*Validator, error) {
	c := jsonschema.NewCompiler()
	c.UseLoader(fsLoader{fsys})
	v := &Validator{byType: map[string]*jsonschema.Schema{}}
	var err error
	for _, dir := range []string{"sdos", "sros", "observables", "common"} {
		files, rerr := fs.Glob(fsys, dir+"/*.json")
		if rerr != nil {
			return nil, rerr
		}
		for _, f := range files {
			typ := strings.TrimSuffix(path.Base(f), ".json")
			if dir == "common" && typ != "marking-definition" && typ != "extension-definition" && typ != "language-content" {
				continue
			}
			s, cerr := c.Compile(SchemaBase + f)
			if cerr != nil {
				return nil, fmt.Errorf("stix: schema %s: %w", f, cerr)
			}
			v.byType[typ] = s
		}
	}
	if len(v.byType) == 0 {
		return nil, fmt.Errorf("stix: no schemas under sdos/, sros/, observables/ of the schema folder")
	}
	if v.core, err = c.Compile(SchemaBase + "common/core.json"); err != nil {
		return nil, fmt.Errorf("stix: schema common/core.json: %w", err)
	}
	if v.scoCore, err = c.Compile(SchemaBase + "common/cyber-observable-core.json"); err != nil {
		return nil, fmt.Errorf("stix: schema common/cyber-observable-core.json: %w", err)
	}
	if v.bundle, err = c.Compile(SchemaBase + "common/bundle.json"); err != nil {
		return nil, fmt.Errorf("stix: schema common/bundle.json: %w", err)
	}
	return v, nil
}

// Types lists the object types with a schema of their own.
func (v *Validator) Types() int { return len(v.byType) }

// Validate checks one object as this package writes it.
func (v *Validator) Validate(o Object) error {
	b, err := Marshal(o)
	if err != nil {
		return err
	}
	return v.ValidateJSON(b)
}

// ValidateJSON checks one object given as JSON. Types without a schema are
// checked against the SCO core schema when they declare a new-sco extension,
// else against the common core schema.
func (v *Validator) ValidateJSON(data []byte) error {
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	m, ok := inst.(map[string]any)
	if !ok {
		return fmt.Errorf("%w: not a JSON object", ErrInvalid)
	}
	typ, _ := m["type"].(string)
	s := v.byType[typ]
	if s == nil {
		s = v.core
		if declaresNewSCO(data) {
			s = v.scoCore
		}
	}
	if err := s.Validate(inst); err != nil {
		return fmt.Errorf("%w: %s %v: %v", ErrSchema, typ, m["id"], err)
	}
	return nil
}

// ValidateBundle checks a bundle's envelope and every object in it.
func (v *Validator) ValidateBundle(b *Bundle) error {
	data, err := json.Marshal(b)
	if err != nil {
		return err
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return err
	}
	env := inst.(map[string]any)
	delete(env, "objects") // each object is checked against its own schema below
	if err := v.bundle.Validate(env); err != nil {
		return fmt.Errorf("%w: bundle %s: %v", ErrSchema, b.ID, err)
	}
	for i, o := range b.Objects {
		if err := v.Validate(o); err != nil {
			return fmt.Errorf("bundle object %d: %w", i, err)
		}
	}
	return nil
}

func declaresNewSCO(data []byte) bool {
	var o struct {
		Extensions map[string]struct {
			ExtensionType string `json:"extension_type"`
		} `json:"extensions"`
	}
	if json.Unmarshal(data, &o) != nil {
		return false
	}
	for _, e := range o.Extensions {
		if e.ExtensionType == "new-sco" {
			return true
		}
	}
	return false
}

// fsLoader serves SchemaBase URLs from a file system and refuses the rest.
type fsLoader struct{ fsys fs.FS }

func (l fsLoader) Load(url string) (any, error) {
	rel, ok := strings.CutPrefix(url, SchemaBase)
	if !ok {
		return nil, fmt.Errorf("stix: schema %s is outside %s (no network access)", url, SchemaBase)
	}
	f, err := l.fsys.Open(rel)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return jsonschema.UnmarshalJSON(f)
}
