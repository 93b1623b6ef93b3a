package inspect

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strings"
)

//go:embed data/*.json data/*.LICENSE* data/NOTE.md
var dataFS embed.FS

// ErrCatalogue marks a catalogue file that cannot be used: malformed, with a
// duplicate id, or linking to a control or technique that does not exist.
var ErrCatalogue = errors.New("inspect: bad catalogue")

// Framework ids of the shipped catalogue files.
const (
	SEAL   = "seal-sfc"
	CCSS   = "ccss-2021"
	ATTACK = "attack-mitigations"
	FSA    = "fsa-2024-09-26"
)

// frameworkFiles are the shipped files, in report order.
var frameworkFiles = []string{"seal-sfc.json", "ccss-2021.json", "attack-mitigations.json", "fsa-2024-09-26.json"}

// Framework is one catalogue file: its controls and where they came from.
type Framework struct {
	ID          string      `json:"framework"`
	Name        string      `json:"name"`
	Source      string      `json:"source"`
	License     string      `json:"license"`
	Attribution string      `json:"attribution"`
	Derivation  string      `json:"derivation"`
	Groups      []Group     `json:"groups"`
	Controls    []*Control  `json:"controls"`
	Techniques  []Technique `json:"techniques,omitempty"`
}

// Group is a SEAL module, a CCSS aspect or a list of items.
type Group struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Category string `json:"category,omitempty"`
	Version  string `json:"version,omitempty"`
	Revised  string `json:"revised,omitempty"`
}

// Control is one question of a framework. Key is framework:id, unique across
// the catalogue. Techniques are the ATT&CK ids the control counters (from
// ATT&CK's mitigates relationships, ATT&CK controls only); Counters those and
// the techniques of the checks naming the control; Heists the
// scenarios a check naming it would have stopped; Checks those checks.
type Control struct {
	Key          string            `json:"key"`
	Framework    string            `json:"-"`
	ID           string            `json:"id"`
	Group        string            `json:"group"`
	Section      string            `json:"section,omitempty"`
	SectionTitle string            `json:"section_title,omitempty"`
	Title        string            `json:"title"`
	Text         string            `json:"text,omitempty"`
	Baselines    []string          `json:"baselines,omitempty"`
	Uncertified  string            `json:"uncertified,omitempty"`
	Levels       map[string]string `json:"levels,omitempty"`
	MinLevel     int               `json:"min_level,omitempty"`
	URL          string            `json:"url,omitempty"`
	Techniques   []string          `json:"techniques,omitempty"`
	Counters     []string          `json:"counters,omitempty"`
	Heists       []string          `json:"heists,omitempty"`
	Checks       []string          `json:"checks,omitempty"`
}

// Technique is an ATT&CK technique of the DPRK subset.
type Technique struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Check is one machine-answerable question of the crosswalk.
type Check struct {
	ID         string   `json:"id"`
	Title      string   `json:"title"`
	Techniques []string `json:"techniques"`
	Heists     []string `json:"heists"`
	Controls   []string `json:"controls"`
}

// Heist is a scenario the checks are tested against.
type Heist struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Summary string `json:"summary"`
}

// Catalogue is every framework with the crosswalk resolved.
type Catalogue struct {
	Frameworks []*Framework
	Checks     []Check
	Heists     []Heist
	controls   map[string]*Control
	techniques map[string]string
	heists     map[string]Heist
}

// Load reads the shipped catalogue.
func Load() (*Catalogue, error) {
	sub, err := fs.Sub(dataFS, "data")
	if err != nil {
		return nil, err
	}
	return LoadFS(sub)
}

// LoadFS reads a catalogue from the framework files and checks.json in fsys.
func LoadFS(fsys fs.FS) (*Catalogue, error) {
	c := &Catalogue{controls: map[string]*Control{}, techniques: map[string]string{}, heists: map[string]Heist{}}
	for _, name := range frameworkFiles {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrCatalogue, err)
		}
		f, err := decodeFramework(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		for _, ctl := range f.Controls {
			if _, dup := c.controls[ctl.Key]; dup {
				return nil, fmt.Errorf("%w: %s: control %s appears twice", ErrCatalogue, name, ctl.Key)
			}
			c.controls[ctl.Key] = ctl
		}
		for _, t := range f.Techniques {
			c.techniques[t.ID] = t.Name
		}
		c.Frameworks = append(c.Frameworks, f)
	}
	b, err := fs.ReadFile(fsys, "checks.json")
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCatalogue, err)
	}
	if err := c.link(b); err != nil {
		return nil, fmt.Errorf("checks.json: %w", err)
	}
	return c, nil
}

func decodeFramework(b []byte) (*Framework, error) {
	var f Framework
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCatalogue, err)
	}
	if f.ID == "" || f.License == "" || f.Source == "" {
		return nil, fmt.Errorf("%w: framework id, source and license are required", ErrCatalogue)
	}
	groups := map[string]bool{}
	for _, g := range f.Groups {
		groups[g.ID] = true
	}
	for i, ctl := range f.Controls {
		if ctl == nil || ctl.ID == "" || ctl.Title == "" {
			return nil, fmt.Errorf("%w: control %d has no id or title", ErrCatalogue, i)
		}
		if !groups[ctl.Group] {
			return nil, fmt.Errorf("%w: control %s is in unknown group %q", ErrCatalogue, ctl.ID, ctl.Group)
		}
		ctl.Framework, ctl.Key = f.ID, f.ID+":"+ctl.ID
		for _, t := range ctl.Techniques {
			ctl.Counters = addSorted(ctl.Counters, t)
		}
	}
	return &f, nil
}

// link resolves checks.json: every control and technique it names must
// exist; controls gain the techniques, heists and checks that name them.
func (c *Catalogue) link(b []byte) error {
	var doc struct {
		Checks []Check `json:"checks"`
		Heists []Heist `json:"heists"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return fmt.Errorf("%w: %v", ErrCatalogue, err)
	}
	for _, h := range doc.Heists {
		if h.ID == "" {
			return fmt.Errorf("%w: heist without id", ErrCatalogue)
		}
		c.heists[h.ID] = h
	}
	seen := map[string]bool{}
	for _, ch := range doc.Checks {
		if ch.ID == "" || seen[ch.ID] {
			return fmt.Errorf("%w: check id %q empty or repeated", ErrCatalogue, ch.ID)
		}
		seen[ch.ID] = true
		for _, t := range ch.Techniques {
			if _, ok := c.techniques[t]; !ok {
				return fmt.Errorf("%w: check %s: technique %s is not in the DPRK subset", ErrCatalogue, ch.ID, t)
			}
		}
		for _, h := range ch.Heists {
			if _, ok := c.heists[h]; !ok {
				return fmt.Errorf("%w: check %s: unknown heist %s", ErrCatalogue, ch.ID, h)
			}
		}
		for _, key := range ch.Controls {
			ctl := c.controls[key]
			if ctl == nil {
				return fmt.Errorf("%w: check %s: unknown control %s", ErrCatalogue, ch.ID, key)
			}
			ctl.Checks = addSorted(ctl.Checks, ch.ID)
			for _, t := range ch.Techniques {
				ctl.Counters = addSorted(ctl.Counters, t)
			}
			for _, h := range ch.Heists {
				ctl.Heists = addSorted(ctl.Heists, h)
			}
		}
	}
	c.Checks, c.Heists = doc.Checks, doc.Heists
	return nil
}

func addSorted(list []string, s string) []string {
	i, found := slices.BinarySearch(list, s)
	if found {
		return list
	}
	return slices.Insert(list, i, s)
}

// Control returns the control with key framework:id.
func (c *Catalogue) Control(key string) (*Control, bool) {
	ctl, ok := c.controls[key]
	return ctl, ok
}

// Framework returns the framework with id.
func (c *Catalogue) Framework(id string) (*Framework, bool) {
	for _, f := range c.Frameworks {
		if f.ID == id {
			return f, true
		}
	}
	return nil, false
}

// TechniqueName names an ATT&CK technique of the DPRK subset.
func (c *Catalogue) TechniqueName(id string) (string, bool) {
	n, ok := c.techniques[id]
	return n, ok
}

// Heist returns a heist by id.
func (c *Catalogue) Heist(id string) (Heist, bool) {
	h, ok := c.heists[id]
	return h, ok
}

// Controls returns every control key, sorted.
func (c *Catalogue) Controls() []string {
	out := make([]string, 0, len(c.controls))
	for k := range c.controls {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Crosswalk lists, for a control, the controls of other frameworks that a
// check links to it: the same question asked by another framework.
func (c *Catalogue) Crosswalk(key string) []string {
	ctl := c.controls[key]
	if ctl == nil {
		return nil
	}
	var out []string
	for _, ch := range c.Checks {
		if !slices.Contains(ctl.Checks, ch.ID) {
			continue
		}
		for _, other := range ch.Controls {
			if !strings.HasPrefix(other, ctl.Framework+":") {
				out = addSorted(out, other)
			}
		}
	}
	return out
}
