package tagpacks

import (
	"io"
	"strings"

	"gopkg.in/yaml.v3"
)

// Relation kinds an actor entry may declare (an Interdict extension of the
// ActorPack schema, in the field "relations"). same_as unifies two actor ids;
// the other two link distinct actors and never unify them.
const (
	RelSameAs         = "same_as"
	RelAttributedTo   = "attributed_to"
	RelAssociatedWith = "associated_with"
)

// Relation is one declared link from an actor to another actor id.
type Relation struct {
	Type   string `json:"type"`
	Actor  string `json:"actor"`
	Source string `json:"source,omitempty"`
	Line   int    `json:"line"`
}

// Actor is one entry of an ActorPack.
type Actor struct {
	ID            string     `json:"id"`
	Label         string     `json:"label"`
	URI           string     `json:"uri,omitempty"`
	LastMod       string     `json:"lastmod,omitempty"`
	Categories    []string   `json:"categories,omitempty"`
	Jurisdictions []string   `json:"jurisdictions,omitempty"`
	Context       string     `json:"context,omitempty"` // JSON text
	Aliases       []string   `json:"aliases,omitempty"`
	Relations     []Relation `json:"relations,omitempty"`
	Line          int        `json:"line"`
}

// ActorPack is a decoded ActorPack.
type ActorPack struct {
	File        string  `json:"file"`
	Title       string  `json:"title"`
	Creator     string  `json:"creator"`
	Description string  `json:"description,omitempty"`
	LastMod     string  `json:"lastmod,omitempty"`
	IsPublic    bool    `json:"is_public"`
	Actors      []Actor `json:"actors"`
}

// ParseActorPack decodes an ActorPack: a header (title, creator, description,
// is_public, lastmod) and an actors list whose entries need an id and a label.
// Ids must be unique within the pack.
func ParseActorPack(r io.Reader, file string) (*ActorPack, error) {
	root, err := decodeRoot(r, file)
	if err != nil {
		return nil, err
	}
	p := &ActorPack{File: file}
	var list *yaml.Node
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
		case "lastmod":
			err = lastmod(file, k, v, &p.LastMod)
		case "is_public":
			var b *bool
			if err = boolean(file, k, v, &b); err == nil && b != nil {
				p.IsPublic = *b
			}
		case "actors":
			list = v
		default:
			err = errorf(file, k.Line, nil, "unknown header field %q", k.Value)
		}
		if err != nil {
			return nil, err
		}
	}
	switch {
	case p.Title == "":
		return nil, errorf(file, root.Line, ErrMissingField, "actor pack has no title")
	case p.Creator == "":
		return nil, errorf(file, root.Line, ErrMissingField, "actor pack has no creator")
	case list == nil:
		return nil, errorf(file, root.Line, ErrMissingField, "actor pack has no actors list")
	case list.Kind != yaml.SequenceNode:
		return nil, errorf(file, list.Line, nil, "actors is not a list")
	}
	seen := map[string]int{}
	for _, n := range list.Content {
		a, err := parseActor(file, n)
		if err != nil {
			return nil, err
		}
		if a.LastMod == "" {
			a.LastMod = p.LastMod
		}
		if prev, dup := seen[a.ID]; dup {
			return nil, errorf(file, a.Line, nil, "actor id %q repeated (first at line %d)", a.ID, prev)
		}
		seen[a.ID] = a.Line
		p.Actors = append(p.Actors, a)
	}
	return p, nil
}

func parseActor(file string, n *yaml.Node) (Actor, error) {
	if n.Kind != yaml.MappingNode {
		return Actor{}, errorf(file, n.Line, nil, "actor is not a mapping")
	}
	a := Actor{Line: n.Line}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		var err error
		switch k.Value {
		case "id":
			err = scalar(file, k, v, &a.ID)
		case "label":
			err = scalar(file, k, v, &a.Label)
		case "uri":
			err = scalar(file, k, v, &a.URI)
		case "lastmod":
			err = lastmod(file, k, v, &a.LastMod)
		case "categories":
			err = stringList(file, k, v, &a.Categories)
		case "jurisdictions":
			err = stringList(file, k, v, &a.Jurisdictions)
		case "aliases":
			err = stringList(file, k, v, &a.Aliases)
		case "context":
			err = jsonText(file, k, v, &a.Context)
		case "relations":
			a.Relations, err = relations(file, v)
		default:
			err = errorf(file, k.Line, nil, "unknown actor field %q", k.Value)
		}
		if err != nil {
			return Actor{}, err
		}
	}
	switch {
	case a.ID == "":
		return Actor{}, errorf(file, n.Line, ErrMissingField, "actor has no id")
	case a.Label == "":
		return Actor{}, errorf(file, n.Line, ErrMissingField, "actor %s has no label", a.ID)
	}
	return a, nil
}

func relations(file string, v *yaml.Node) ([]Relation, error) {
	if v.Kind != yaml.SequenceNode {
		return nil, errorf(file, v.Line, nil, "relations is not a list")
	}
	var out []Relation
	for _, n := range v.Content {
		if n.Kind != yaml.MappingNode {
			return nil, errorf(file, n.Line, nil, "relation is not a mapping")
		}
		r := Relation{Line: n.Line}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			var err error
			switch k.Value {
			case "type":
				err = scalar(file, k, val, &r.Type)
			case "actor":
				err = scalar(file, k, val, &r.Actor)
			case "source":
				err = scalar(file, k, val, &r.Source)
			default:
				err = errorf(file, k.Line, nil, "unknown relation field %q", k.Value)
			}
			if err != nil {
				return nil, err
			}
		}
		switch r.Type {
		case RelSameAs, RelAttributedTo, RelAssociatedWith:
		default:
			return nil, errorf(file, n.Line, nil, "relation type %q, want %s, %s or %s", r.Type, RelSameAs, RelAttributedTo, RelAssociatedWith)
		}
		if strings.TrimSpace(r.Actor) == "" {
			return nil, errorf(file, n.Line, ErrMissingField, "relation has no actor")
		}
		out = append(out, r)
	}
	return out, nil
}
