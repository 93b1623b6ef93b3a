package tagpacks

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// maxFileSize bounds what one pack may hold in memory (the largest real pack,
// etherscan-label-word-cloud, is 2.4 MB uncompressed).
const maxFileSize = 256 << 20

// Fields are the tag fields of the TagPack schema. A pack header may set any of
// them for all its tags; a tag's own value overrides the header's.
type Fields struct {
	Label            string   `json:"label,omitempty"`
	Source           string   `json:"source,omitempty"`
	Currency         string   `json:"currency,omitempty"`
	Network          string   `json:"network,omitempty"`
	Context          string   `json:"context,omitempty"` // JSON text
	Confidence       string   `json:"confidence,omitempty"`
	Category         string   `json:"category,omitempty"`
	Abuse            string   `json:"abuse,omitempty"`
	Actor            string   `json:"actor,omitempty"`
	TagType          string   `json:"tag_type,omitempty"`
	TxHash           string   `json:"tx_hash,omitempty"`
	LastMod          string   `json:"lastmod,omitempty"` // YYYY-MM-DD
	Concepts         []string `json:"concepts,omitempty"`
	IsClusterDefiner *bool    `json:"is_cluster_definer,omitempty"`
}

// Tag is one entry of a pack's tags list with the header's fields applied.
type Tag struct {
	Address string `json:"address"`
	Line    int    `json:"line"`
	Fields
}

// Pack is a decoded TagPack.
type Pack struct {
	File        string `json:"file"`
	Title       string `json:"title"`
	Creator     string `json:"creator"`
	Description string `json:"description,omitempty"`
	Owner       string `json:"owner,omitempty"`
	IsPublic    bool   `json:"is_public"`
	Header      Fields `json:"header"`
	Tags        []Tag  `json:"tags"`
}

// ParsePack decodes a TagPack. file names the input in errors and provenance.
// It checks the structure: known fields of the right YAML kind, title, creator
// and a tags list in the header, and per tag (after inheritance) an address, a
// label, a source and a currency or network. Taxonomy checks are Check's.
func ParsePack(r io.Reader, file string) (*Pack, error) {
	root, err := decodeRoot(r, file)
	if err != nil {
		return nil, err
	}
	p := &Pack{File: file}
	var tagsNode *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch k.Value {
		case "title":
			err = scalar(file, k, v, &p.Title)
		case "creator":
			err = scalar(file, k, v, &p.Creator)
		case "description":
			err = scalar(file, k, v, &p.Description)
		case "owner":
			err = scalar(file, k, v, &p.Owner)
		case "is_public":
			var b *bool
			if err = boolean(file, k, v, &b); err == nil && b != nil {
				p.IsPublic = *b
			}
		case "tags":
			tagsNode = v
		default:
			var known bool
			known, err = setField(file, k, v, &p.Header)
			if err == nil && !known {
				err = errorf(file, k.Line, nil, "unknown header field %q", k.Value)
			}
		}
		if err != nil {
			return nil, err
		}
	}
	if p.Title == "" {
		return nil, errorf(file, root.Line, ErrMissingField, "pack has no title")
	}
	if p.Creator == "" {
		return nil, errorf(file, root.Line, ErrMissingField, "pack has no creator")
	}
	if tagsNode == nil {
		return nil, errorf(file, root.Line, ErrMissingField, "pack has no tags list")
	}
	if tagsNode.Kind != yaml.SequenceNode {
		return nil, errorf(file, tagsNode.Line, nil, "tags is not a list")
	}
	p.Tags = make([]Tag, 0, len(tagsNode.Content))
	for _, n := range tagsNode.Content {
		t, err := parseTag(file, n, p.Header)
		if err != nil {
			return nil, err
		}
		p.Tags = append(p.Tags, t)
	}
	return p, nil
}

func parseTag(file string, n *yaml.Node, header Fields) (Tag, error) {
	if n.Kind != yaml.MappingNode {
		return Tag{}, errorf(file, n.Line, nil, "tag is not a mapping")
	}
	t := Tag{Line: n.Line, Fields: header}
	t.Concepts = append([]string(nil), header.Concepts...)
	var own Fields
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Value == "address" {
			if err := scalar(file, k, v, &t.Address); err != nil {
				return Tag{}, err
			}
			continue
		}
		known, err := setField(file, k, v, &own)
		if err != nil {
			return Tag{}, err
		}
		if !known {
			return Tag{}, errorf(file, k.Line, nil, "unknown tag field %q", k.Value)
		}
	}
	t.Fields = inherit(t.Fields, own)
	t.Address = strings.TrimSpace(t.Address)
	switch {
	case t.Address == "":
		return Tag{}, errorf(file, n.Line, ErrMissingField, "tag has no address")
	case t.Label == "":
		return Tag{}, errorf(file, n.Line, ErrMissingField, "tag %s has no label", t.Address)
	case t.Source == "":
		return Tag{}, errorf(file, n.Line, ErrMissingField, "tag %s has no source", t.Address)
	case t.Currency == "" && t.Network == "":
		return Tag{}, errorf(file, n.Line, ErrMissingField, "tag %s has neither currency nor network", t.Address)
	}
	return t, nil
}

// inherit returns base with every field own sets.
func inherit(base, own Fields) Fields {
	for _, f := range []struct{ dst, src *string }{
		{&base.Label, &own.Label}, {&base.Source, &own.Source}, {&base.Currency, &own.Currency},
		{&base.Network, &own.Network}, {&base.Context, &own.Context}, {&base.Confidence, &own.Confidence},
		{&base.Category, &own.Category}, {&base.Abuse, &own.Abuse}, {&base.Actor, &own.Actor},
		{&base.TagType, &own.TagType}, {&base.TxHash, &own.TxHash}, {&base.LastMod, &own.LastMod},
	} {
		if *f.src != "" {
			*f.dst = *f.src
		}
	}
	if own.Concepts != nil {
		base.Concepts = own.Concepts
	}
	if own.IsClusterDefiner != nil {
		base.IsClusterDefiner = own.IsClusterDefiner
	}
	return base
}

// setField sets the Fields member named by k; known is false for a name that
// is not a tag field.
func setField(file string, k, v *yaml.Node, f *Fields) (known bool, err error) {
	var dst *string
	switch k.Value {
	case "label":
		dst = &f.Label
	case "source":
		dst = &f.Source
	case "currency":
		dst = &f.Currency
	case "network":
		dst = &f.Network
	case "confidence":
		dst = &f.Confidence
	case "category":
		dst = &f.Category
	case "abuse":
		dst = &f.Abuse
	case "actor":
		dst = &f.Actor
	case "tag_type":
		dst = &f.TagType
	case "tx_hash":
		dst = &f.TxHash
	case "lastmod":
		return true, lastmod(file, k, v, &f.LastMod)
	case "context":
		return true, jsonText(file, k, v, &f.Context)
	case "concepts":
		return true, stringList(file, k, v, &f.Concepts)
	case "is_cluster_definer":
		return true, boolean(file, k, v, &f.IsClusterDefiner)
	default:
		return false, nil
	}
	return true, scalar(file, k, v, dst)
}

// decodeRoot reads one YAML document whose root is a mapping.
func decodeRoot(r io.Reader, file string) (*yaml.Node, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: read: %w", file, err)
	}
	if len(data) > maxFileSize {
		return nil, errorf(file, 0, nil, "file larger than %d bytes", maxFileSize)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, yamlError(file, err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, errorf(file, 0, nil, "empty document")
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, errorf(file, root.Line, nil, "document is not a mapping")
	}
	return root, nil
}

func scalar(file string, k, v *yaml.Node, dst *string) error {
	if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
		return nil
	}
	if v.Kind != yaml.ScalarNode {
		return errorf(file, v.Line, nil, "%s is not a single value", k.Value)
	}
	*dst = strings.TrimSpace(v.Value)
	return nil
}

func boolean(file string, k, v *yaml.Node, dst **bool) error {
	if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
		return nil
	}
	var b bool
	if v.Kind != yaml.ScalarNode || v.Decode(&b) != nil {
		return errorf(file, v.Line, nil, "%s is %q, not true or false", k.Value, v.Value)
	}
	*dst = &b
	return nil
}

func stringList(file string, k, v *yaml.Node, dst *[]string) error {
	if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
		return nil
	}
	if v.Kind != yaml.SequenceNode {
		return errorf(file, v.Line, nil, "%s is not a list", k.Value)
	}
	out := make([]string, 0, len(v.Content))
	for _, it := range v.Content {
		if it.Kind != yaml.ScalarNode {
			return errorf(file, it.Line, nil, "%s item is not a single value", k.Value)
		}
		out = append(out, strings.TrimSpace(it.Value))
	}
	*dst = out
	return nil
}

// jsonText accepts context as JSON text (as the TagPack schema says) or as a
// YAML mapping (as ActorPacks write it), and stores compact JSON.
func jsonText(file string, k, v *yaml.Node, dst *string) error {
	if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
		return nil
	}
	if v.Kind == yaml.ScalarNode {
		s := strings.TrimSpace(v.Value)
		if s == "" {
			return nil
		}
		if !json.Valid([]byte(s)) {
			return errorf(file, v.Line, nil, "%s is not valid JSON text", k.Value)
		}
		var buf strings.Builder
		var x any
		_ = json.Unmarshal([]byte(s), &x)
		b, _ := json.Marshal(x)
		buf.Write(b)
		*dst = buf.String()
		return nil
	}
	var x any
	if err := v.Decode(&x); err != nil {
		return &Error{File: file, Line: v.Line, Msg: "decode " + k.Value, Err: err}
	}
	b, err := json.Marshal(x)
	if err != nil {
		return errorf(file, v.Line, nil, "%s cannot be written as JSON: %v", k.Value, err)
	}
	*dst = string(b)
	return nil
}

// lastmod accepts a date or a date-time (both occur in real packs) and keeps
// the date.
func lastmod(file string, k, v *yaml.Node, dst *string) error {
	var s string
	if err := scalar(file, k, v, &s); err != nil || s == "" {
		return err
	}
	d, err := ParseDate(s)
	if err != nil {
		return errorf(file, v.Line, nil, "%s %q is not a date", k.Value, s)
	}
	*dst = d.Format(time.DateOnly)
	return nil
}

// ParseDate reads the date forms seen in packs and label sets: YYYY-MM-DD,
// with a time (space or T, optional fraction and zone), or M/D/YY.
func ParseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.DateOnly, time.RFC3339Nano, "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05Z07:00", "1/2/06", "1/2/2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date", s)
}
