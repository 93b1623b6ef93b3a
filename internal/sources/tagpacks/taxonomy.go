package tagpacks

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// Confidence is one level of the GraphSense confidence taxonomy.
type Confidence struct {
	ID          string `json:"id"`
	Label       string `json:"label"`
	Description string `json:"description"`
	Level       int    `json:"level"` // 5 (unknown) to 100 (ownership)
}

// Concept is one entry of the concept taxonomy (categories and abuses).
type Concept struct {
	ID        string `json:"id"`
	PrefLabel string `json:"pref_label"`
	Broader   string `json:"broader,omitempty"`
}

// Taxonomy is what validation checks tags and actors against.
type Taxonomy struct {
	Confidence map[string]Confidence
	Concepts   map[string]Concept
	Countries  map[string]string // ISO 3166 alpha-2 code → name
}

// ConfidenceLevel returns the numeric level of a confidence id.
func (t *Taxonomy) ConfidenceLevel(id string) (int, bool) {
	c, ok := t.Confidence[id]
	return c.Level, ok
}

// ConfidenceIDs lists the known confidence ids, highest level first.
func (t *Taxonomy) ConfidenceIDs() []string {
	ids := make([]string, 0, len(t.Confidence))
	for id := range t.Confidence {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		a, b := t.Confidence[ids[i]], t.Confidence[ids[j]]
		if a.Level != b.Level {
			return a.Level > b.Level
		}
		return a.ID < b.ID
	})
	return ids
}

// Copies of the GraphSense taxonomies (graphsense/graphsense-tagpack-tool), so
// that a binary validates packs without the files; see taxonomy/NOTE.md.
var (
	//go:embed taxonomy/confidence.csv
	confidenceCSV []byte
	//go:embed taxonomy/concepts.yaml
	conceptsYAML []byte
	//go:embed taxonomy/countries.csv
	countriesCSV []byte
)

var (
	defaultOnce sync.Once
	defaultTax  *Taxonomy
	defaultErr  error
)

// DefaultTaxonomy returns the embedded GraphSense taxonomies. It is shared:
// callers must not modify it.
func DefaultTaxonomy() (*Taxonomy, error) {
	defaultOnce.Do(func() {
		defaultTax, defaultErr = LoadTaxonomy(bytes.NewReader(confidenceCSV), bytes.NewReader(conceptsYAML), bytes.NewReader(countriesCSV))
	})
	return defaultTax, defaultErr
}

// LoadTaxonomy reads confidence.csv, concepts.yaml and countries.csv.
func LoadTaxonomy(confidence, concepts, countries io.Reader) (*Taxonomy, error) {
	conf, err := ParseConfidence(confidence, "confidence.csv")
	if err != nil {
		return nil, err
	}
	cons, err := ParseConcepts(concepts, "concepts.yaml")
	if err != nil {
		return nil, err
	}
	ctry, err := parseCodeCSV(countries, "countries.csv")
	if err != nil {
		return nil, err
	}
	t := &Taxonomy{Confidence: map[string]Confidence{}, Concepts: map[string]Concept{}, Countries: map[string]string{}}
	for _, c := range conf {
		t.Confidence[c.ID] = c
	}
	for _, c := range cons {
		t.Concepts[c.ID] = c
	}
	for _, c := range ctry {
		t.Countries[c[1]] = c[0]
	}
	return t, nil
}

// ParseConfidence reads confidence.csv: header id,label,description,level.
func ParseConfidence(r io.Reader, file string) ([]Confidence, error) {
	cr := csv.NewReader(r)
	cr.TrimLeadingSpace = true
	head, err := cr.Read()
	if err != nil {
		return nil, &Error{File: file, Line: 1, Msg: "read header", Err: err}
	}
	if strings.Join(head, ",") != "id,label,description,level" {
		return nil, errorf(file, 1, nil, "header is %q, want id,label,description,level", strings.Join(head, ","))
	}
	var out []Confidence
	seen := map[string]bool{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, &Error{File: file, Msg: "read row", Err: err}
		}
		line, _ := cr.FieldPos(0)
		lvl, err := strconv.Atoi(strings.TrimSpace(rec[3]))
		if err != nil || lvl < 0 || lvl > 100 {
			return nil, errorf(file, line, nil, "level %q is not an integer 0..100", rec[3])
		}
		id := strings.TrimSpace(rec[0])
		if id == "" || seen[id] {
			return nil, errorf(file, line, nil, "empty or repeated id %q", id)
		}
		seen[id] = true
		out = append(out, Confidence{ID: id, Label: rec[1], Description: rec[2], Level: lvl})
	}
	if len(out) == 0 {
		return nil, errorf(file, 0, nil, "no confidence levels")
	}
	return out, nil
}

// ParseConcepts reads concepts.yaml: a mapping of id → {id, type: concept,
// prefLabel, broader}; the "scheme" entry and entries of other types are
// skipped.
func ParseConcepts(r io.Reader, file string) ([]Concept, error) {
	var doc yaml.Node
	if err := yaml.NewDecoder(r).Decode(&doc); err != nil {
		return nil, yamlError(file, err)
	}
	if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, errorf(file, doc.Line, nil, "concepts file is not a mapping")
	}
	m := doc.Content[0]
	var out []Concept
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if v.Kind != yaml.MappingNode {
			continue
		}
		var c struct {
			ID        string `yaml:"id"`
			Type      string `yaml:"type"`
			PrefLabel string `yaml:"prefLabel"`
			Broader   string `yaml:"broader"`
		}
		if err := v.Decode(&c); err != nil {
			return nil, &Error{File: file, Line: k.Line, Msg: "decode concept " + k.Value, Err: err}
		}
		if c.Type != "concept" {
			continue
		}
		// The id is the concept's name; the mapping key usually equals it
		// (the real file has key defi_derivatives for id defi_derivative).
		if c.ID == "" {
			return nil, errorf(file, k.Line, ErrMissingField, "concept %q has no id", k.Value)
		}
		out = append(out, Concept{ID: c.ID, PrefLabel: c.PrefLabel, Broader: c.Broader})
	}
	if len(out) == 0 {
		return nil, errorf(file, 0, nil, "no concepts")
	}
	return out, nil
}

// parseCodeCSV reads a label,id,description file and returns (label, id) pairs.
func parseCodeCSV(r io.Reader, file string) ([][2]string, error) {
	cr := csv.NewReader(r)
	head, err := cr.Read()
	if err != nil || len(head) < 2 || head[0] != "label" || head[1] != "id" {
		return nil, errorf(file, 1, nil, "header %q, want label,id,description", head)
	}
	var out [][2]string
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, &Error{File: file, Msg: "read row", Err: err}
		}
		out = append(out, [2]string{rec[0], rec[1]})
	}
}

// yamlError turns a yaml.v3 error ("yaml: line 35: ...") into an Error with
// the line, so the caller's message reads file:line.
func yamlError(file string, err error) error {
	if errors.Is(err, io.EOF) {
		return errorf(file, 0, nil, "empty document")
	}
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if n, after, ok := strings.Cut(rest, ":"); ok {
			if v, err := strconv.Atoi(n); err == nil {
				line, msg = v, strings.TrimSpace(after)
			}
		}
	}
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
		if rest, ok := strings.CutPrefix(msg, "line "); ok {
			if n, after, ok := strings.Cut(rest, ":"); ok {
				if v, err := strconv.Atoi(n); err == nil {
					line, msg = v, strings.TrimSpace(after)
				}
			}
		}
	}
	return errorf(file, line, nil, "bad YAML: %s", msg)
}

// checkConcept reports whether id is in the concept taxonomy.
func (t *Taxonomy) checkConcept(id string) error {
	if _, ok := t.Concepts[id]; !ok {
		return fmt.Errorf("%w %q", ErrUnknownConcept, id)
	}
	return nil
}
