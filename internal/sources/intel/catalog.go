package intel

import (
	"sort"
	"strings"
)

// Source names as the catalogue reports them.
const (
	SourceATTACK   = "MITRE ATT&CK"
	SourceMISP     = "MISP threat-actor galaxy"
	SourceMalpedia = "MISP Malpedia galaxy"
)

// Actor is an intrusion set (ATT&CK) or a threat-actor cluster (MISP).
type Actor struct {
	Name        string   `json:"name"`
	Source      string   `json:"source"`
	ExternalID  string   `json:"external_id,omitempty"` // G0032, or the MISP uuid
	URL         string   `json:"url,omitempty"`
	Country     string   `json:"country,omitempty"`
	Description string   `json:"description,omitempty"`
	Aliases     []string `json:"aliases,omitempty"`
}

// Software is a malware family or tool.
type Software struct {
	Name       string   `json:"name"`
	Kind       string   `json:"kind"` // malware, tool
	Source     string   `json:"source"`
	ExternalID string   `json:"external_id,omitempty"` // S0584, or the MISP uuid
	Aliases    []string `json:"aliases,omitempty"`
	Refs       []string `json:"-"`
}

// Technique is an ATT&CK technique or sub-technique.
type Technique struct {
	ID      string   `json:"id"` // T1566.001
	Name    string   `json:"name"`
	Tactics []string `json:"tactics,omitempty"`
}

type use struct {
	software  *Software
	technique *Technique
}

type link struct {
	to   *Actor
	kind string // similar, linked-to, part-of, attributed-to (campaign)
	note string // e.g. MISP estimative language
}

// Catalog joins ATT&CK bundles and MISP galaxies. Add everything first;
// queries are read-only and safe for concurrent use afterwards.
type Catalog struct {
	actors    []*Actor
	software  []*Software
	campaigns map[*Actor][]*Actor // actor -> ATT&CK campaigns attributed to it
	uses      map[*Actor][]use
	links     map[*Actor][]link

	byName  map[string][]*Actor
	byAlias map[string][]*Actor
	stix    map[string]any       // ATT&CK STIX id -> *Actor, *Software or *Technique
	misp    map[string]any       // MISP uuid -> *Actor or *Software
	pending map[*Actor][]Related // MISP relations, resolved lazily (the target may come later)
}

// NewCatalog returns an empty catalogue.
func NewCatalog() *Catalog {
	return &Catalog{campaigns: map[*Actor][]*Actor{}, uses: map[*Actor][]use{}, links: map[*Actor][]link{},
		byName: map[string][]*Actor{}, byAlias: map[string][]*Actor{}, stix: map[string]any{}, misp: map[string]any{},
		pending: map[*Actor][]Related{}}
}

// nameKey matches the tag store's rule: case and runs of white space do not
// matter, punctuation does.
func nameKey(s string) string { return strings.Join(strings.Fields(strings.ToLower(s)), " ") }

func (c *Catalog) addActor(a *Actor) {
	c.actors = append(c.actors, a)
	c.byName[nameKey(a.Name)] = append(c.byName[nameKey(a.Name)], a)
	for _, al := range a.Aliases {
		if k := nameKey(al); k != nameKey(a.Name) {
			c.byAlias[k] = append(c.byAlias[k], a)
		}
	}
}

// AddATTACK adds an ATT&CK bundle: intrusion sets as actors, campaigns
// attributed to them, their malware, tools and techniques. Revoked and
// deprecated objects are left out.
func (c *Catalog) AddATTACK(a *ATTACK) {
	campaigns := map[string]*Actor{}
	for _, id := range a.Order {
		o := a.Objects[id]
		if o.Revoked || o.Deprecated {
			continue
		}
		switch o.Type {
		case "intrusion-set":
			act := &Actor{Name: o.Name, Source: SourceATTACK, ExternalID: o.ExternalID, URL: o.URL, Description: o.Description, Aliases: o.Aliases}
			c.addActor(act)
			c.stix[id] = act
		case "campaign":
			camp := &Actor{Name: o.Name, Source: SourceATTACK, ExternalID: o.ExternalID, URL: o.URL, Description: o.Description, Aliases: o.Aliases}
			campaigns[id] = camp
			c.stix[id] = camp
		case "malware", "tool":
			s := &Software{Name: o.Name, Kind: o.Type, Source: SourceATTACK, ExternalID: o.ExternalID, Aliases: o.Aliases}
			c.software = append(c.software, s)
			c.stix[id] = s
		case "attack-pattern":
			c.stix[id] = &Technique{ID: o.ExternalID, Name: o.Name, Tactics: o.Tactics}
		}
	}
	for _, r := range a.Relationships {
		from, ok := c.stix[r.Source].(*Actor)
		if !ok {
			continue
		}
		switch r.Type {
		case "uses":
			switch to := c.stix[r.Target].(type) {
			case *Software:
				c.uses[from] = append(c.uses[from], use{software: to})
			case *Technique:
				c.uses[from] = append(c.uses[from], use{technique: to})
			}
		case "attributed-to":
			if to, ok := c.stix[r.Target].(*Actor); ok && campaigns[r.Source] != nil {
				c.campaigns[to] = append(c.campaigns[to], from)
			}
		}
	}
}

// AddGalaxy adds a MISP galaxy: threat-actor clusters as actors (synonyms
// as aliases, related clusters as links), malpedia clusters as malware.
// Other galaxy types are ignored.
func (c *Catalog) AddGalaxy(g *Galaxy) {
	for i := range g.Clusters {
		cl := &g.Clusters[i]
		switch g.Type {
		case "threat-actor":
			act := &Actor{Name: cl.Value, Source: SourceMISP, ExternalID: cl.UUID, Country: cl.Meta.Country,
				Description: cl.Description, Aliases: cl.Meta.Synonyms}
			c.addActor(act)
			c.misp[cl.UUID] = act
			if len(cl.Related) > 0 {
				c.pending[act] = cl.Related
			}
		case "malpedia":
			s := &Software{Name: cl.Value, Kind: "malware", Source: SourceMalpedia, ExternalID: cl.UUID, Aliases: cl.Meta.Synonyms, Refs: cl.Meta.Refs}
			c.software = append(c.software, s)
			c.misp[cl.UUID] = s
		}
	}
}

// resolveMISP turns the MISP relations whose targets are known into links
// and uses; relations to clusters of galaxies not loaded stay unresolved.
func (c *Catalog) resolveMISP(a *Actor) (links []link, uses []use) {
	for _, r := range c.pending[a] {
		switch to := c.misp[r.DestUUID].(type) {
		case *Actor:
			links = append(links, link{to: to, kind: r.Type, note: estimate(r.Tags)})
		case *Software:
			uses = append(uses, use{software: to})
		}
	}
	return links, uses
}

// estimate turns MISP estimative-language tags into their value ("likely").
func estimate(tags []string) string {
	for _, t := range tags {
		if _, v, ok := strings.Cut(t, "="); ok && strings.HasPrefix(t, "estimative-language:") {
			return strings.Trim(v, `"`)
		}
	}
	return ""
}

// Counts returns how many actors, software entries and techniques are held.
func (c *Catalog) Counts() (actors, software, techniques int) {
	for _, v := range c.stix {
		if _, ok := v.(*Technique); ok {
			techniques++
		}
	}
	return len(c.actors), len(c.software), techniques
}

// Actors returns every actor, in the order the sources were added.
func (c *Catalog) Actors() []*Actor { return c.actors }

// Lookup returns the actors a name stands for: those whose primary name it
// is, else those that list it as an alias (several when sources disagree).
func (c *Catalog) Lookup(name string) []*Actor {
	k := nameKey(name)
	if as := c.byName[k]; len(as) > 0 {
		return as
	}
	return c.byAlias[k]
}

// Item is one line of a profile: a piece of software, a technique, a
// campaign or a related actor, with who says so.
type Item struct {
	Name   string `json:"name"`
	ID     string `json:"id,omitempty"`
	Kind   string `json:"kind,omitempty"`
	Source string `json:"source"`
	// Via names the related actor or campaign the item comes through; empty
	// when the actor itself is linked to it.
	Via string `json:"via,omitempty"`
}

// Profile is what the catalogue knows about one actor name.
type Profile struct {
	Query   string   `json:"query"`
	Actors  []*Actor `json:"actors"`
	Aliases []string `json:"aliases"`
	// AliasOf lists other actors that give the name as one of their aliases:
	// kept apart, not merged.
	AliasOf    []*Actor `json:"alias_of,omitempty"`
	Related    []Item   `json:"related,omitempty"`
	Campaigns  []Item   `json:"campaigns,omitempty"`
	Software   []Item   `json:"software"`
	Techniques []Item   `json:"techniques"`
	// CitedWith lists Malpedia families whose references cite a report named
	// after the actor: weaker evidence than a "uses" relationship.
	CitedWith []Item `json:"cited_with,omitempty"`
}

// Profile gathers an actor's aliases, software, techniques, campaigns and
// related actors across sources. ok is false for an unknown name.
func (c *Catalog) Profile(name string) (p *Profile, ok bool) {
	primaries := c.Lookup(name)
	if len(primaries) == 0 {
		return nil, false
	}
	p = &Profile{Query: name, Actors: primaries, Software: []Item{}, Techniques: []Item{}}
	inProfile := map[*Actor]bool{}
	for _, a := range primaries {
		inProfile[a] = true
	}
	for _, a := range c.byAlias[nameKey(name)] {
		if !inProfile[a] {
			p.AliasOf = append(p.AliasOf, a)
		}
	}
	aliases := map[string]string{}
	seen := map[string]bool{}
	add := func(list *[]Item, it Item) {
		k := it.Name + "\x00" + it.Via + "\x00" + it.Source
		if !seen[k] {
			seen[k] = true
			*list = append(*list, it)
		}
	}
	addUses := func(a *Actor, via string, extra []use) {
		for _, u := range append(c.uses[a], extra...) {
			if u.software != nil {
				add(&p.Software, Item{Name: u.software.Name, ID: u.software.ExternalID, Kind: u.software.Kind, Source: u.software.Source, Via: via})
			} else {
				add(&p.Techniques, Item{Name: u.technique.Name, ID: u.technique.ID, Kind: "technique", Source: SourceATTACK, Via: via})
			}
		}
		for _, camp := range c.campaigns[a] {
			if via == "" {
				add(&p.Campaigns, Item{Name: camp.Name, ID: camp.ExternalID, Kind: "campaign", Source: SourceATTACK})
			}
			cv := "campaign " + camp.Name
			if via != "" {
				cv = via + ", " + cv
			}
			for _, u := range c.uses[camp] {
				if u.software != nil {
					add(&p.Software, Item{Name: u.software.Name, ID: u.software.ExternalID, Kind: u.software.Kind, Source: SourceATTACK, Via: cv})
				} else {
					add(&p.Techniques, Item{Name: u.technique.Name, ID: u.technique.ID, Kind: "technique", Source: SourceATTACK, Via: cv})
				}
			}
		}
	}
	for _, a := range primaries {
		for _, al := range a.Aliases {
			if nameKey(al) != nameKey(a.Name) {
				aliases[nameKey(al)] = al
			}
		}
		links, extra := c.resolveMISP(a)
		addUses(a, "", extra)
		for _, l := range links {
			kind := l.kind
			if l.note != "" {
				kind += ", " + l.note
			}
			add(&p.Related, Item{Name: l.to.Name, ID: l.to.ExternalID, Kind: kind, Source: a.Source})
			// The related actor as every source knows it (MISP's Lazarus Group
			// and ATT&CK's G0032 share a name).
			for _, same := range c.byName[nameKey(l.to.Name)] {
				if !inProfile[same] {
					addUses(same, l.to.Name+" ("+l.kind+")", nil)
				}
			}
		}
	}
	for _, a := range primaries {
		delete(aliases, nameKey(a.Name))
	}
	for _, al := range aliases {
		p.Aliases = append(p.Aliases, al)
	}
	sort.Strings(p.Aliases)
	for _, a := range primaries {
		c.citations(p, a.Name, add)
	}
	sortItems(p.Software)
	sortItems(p.Techniques)
	return p, true
}

// citations adds the Malpedia families whose references name the actor
// (e.g. CISA's "AA22-108A-TraderTraitor-..." advisory).
func (c *Catalog) citations(p *Profile, name string, add func(*[]Item, Item)) {
	compact := strings.ToLower(strings.Join(strings.Fields(name), ""))
	if len(compact) < 6 {
		return // too short to find in a URL without false hits
	}
	for _, s := range c.software {
		for _, ref := range s.Refs {
			if strings.Contains(strings.ToLower(ref), compact) {
				add(&p.CitedWith, Item{Name: s.Name, ID: ref, Kind: "malware", Source: s.Source})
				break
			}
		}
	}
}

// sortItems puts direct items first, then by name.
func sortItems(items []Item) {
	sort.SliceStable(items, func(i, j int) bool {
		if (items[i].Via == "") != (items[j].Via == "") {
			return items[i].Via == ""
		}
		if items[i].Via != items[j].Via {
			return items[i].Via < items[j].Via
		}
		return items[i].Name < items[j].Name
	})
}
