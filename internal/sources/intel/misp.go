package intel

import (
	"encoding/json"
	"fmt"
	"io"
)

// Galaxy is a decoded MISP galaxy cluster file (misp-galaxy clusters/*.json).
type Galaxy struct {
	Name        string    `json:"name"`
	Type        string    `json:"type"` // threat-actor, malpedia, ...
	UUID        string    `json:"uuid"`
	Description string    `json:"description"`
	Version     int       `json:"version"`
	Source      string    `json:"source"`
	Clusters    []Cluster `json:"values"`
}

// Cluster is one galaxy value: an actor, a malware family, ...
type Cluster struct {
	Value       string    `json:"value"`
	UUID        string    `json:"uuid"`
	Description string    `json:"description,omitempty"`
	Meta        Meta      `json:"meta"`
	Related     []Related `json:"related,omitempty"`
}

// Meta holds the cluster meta fields the catalogue uses.
type Meta struct {
	Synonyms []string `json:"synonyms,omitempty"`
	Refs     []string `json:"refs,omitempty"`
	Country  string   `json:"country,omitempty"`
	Type     []string `json:"type,omitempty"`
}

// Related links a cluster to another (by uuid, possibly in another galaxy).
type Related struct {
	DestUUID string   `json:"dest-uuid"`
	Type     string   `json:"type"` // similar, uses, linked-to, part-of, ...
	Tags     []string `json:"tags,omitempty"`
}

// DecodeGalaxy reads a MISP galaxy cluster file.
func DecodeGalaxy(r io.Reader) (*Galaxy, error) {
	var g Galaxy
	var raw struct {
		Values json.RawMessage `json:"values"`
	}
	dec := json.NewDecoder(r)
	var doc json.RawMessage
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%w: MISP galaxy: %v", ErrMalformed, err)
	}
	if err := json.Unmarshal(doc, &raw); err != nil || len(raw.Values) == 0 {
		return nil, fmt.Errorf("%w: MISP galaxy: not an object with \"values\"", ErrMalformed)
	}
	if err := json.Unmarshal(doc, &g); err != nil {
		return nil, fmt.Errorf("%w: MISP galaxy: %v", ErrMalformed, err)
	}
	if g.Type == "" {
		return nil, fmt.Errorf("%w: MISP galaxy has no type", ErrMalformed)
	}
	for i, c := range g.Clusters {
		if c.Value == "" || c.UUID == "" {
			return nil, fmt.Errorf("%w: MISP galaxy %s: value %d has no value or uuid", ErrMalformed, g.Type, i)
		}
	}
	return &g, nil
}
