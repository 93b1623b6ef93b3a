// Package synth generates synthetic applicants for measuring the persona
// rules: planted persona clusters (2–8 personas sharing 1–3 identifiers,
// written with the noise real applications have) among clean people,
// including clean look-alikes (families at one address, colleagues behind one
// corporate VPN), with the ground truth beside them. Deterministic for a seed.
//
// Every value is made up and drawn from ranges reserved for fiction or
// documentation: names from invented syllables, phone numbers from Ofcom's
// drama ranges, IPs from the documentation prefixes (RFC 5737, RFC 3849),
// domains under example.*, bank accounts under the unassigned country code
// ZZ. No real person is in it.
package synth

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/interdict/interdict/internal/index/people"
)

// Config sizes a population.
type Config struct {
	Seed     uint64
	People   int // total, about
	Clusters int // planted persona clusters
	Families int // clean families sharing an address and a home IP
	VPNs     int // clean companies whose staff share one VPN egress IP
	// LookAlikeEmails: clean pairs whose emails differ by one character
	// (relatives "a.name" and "b.name", numbered accounts "name1" and
	// "name2"), which near-email matching must not join.
	LookAlikeEmails int
}

// DefaultConfig is the population docs/benchmarks.md reports on.
func DefaultConfig() Config {
	return Config{Seed: 1, People: 1000, Clusters: 60, Families: 40, VPNs: 3, LookAlikeEmails: 20}
}

// Truth is the ground truth of a population.
type Truth struct {
	Seed     uint64     `json:"seed"`
	Clusters []Planted  `json:"clusters"`
	Families [][]string `json:"families"`
	VPNs     [][]string `json:"vpns"`
	// LookAlikes are the clean pairs with emails one character apart.
	LookAlikes [][]string `json:"look_alikes,omitempty"`
	// Clean lists every person not in a planted cluster, look-alikes included.
	Clean []string `json:"clean"`
}

// Planted is one planted persona cluster.
type Planted struct {
	Members []string      `json:"members"`
	Shared  []people.Type `json:"shared"` // the identifier types its personas share
}

// Population is generated people in arrival order and their truth.
type Population struct {
	People []people.Person
	Truth  Truth
}

type gen struct {
	r   *rand.Rand
	n   int // identifiers drawn so far: makes every value unique
	out []people.Person
}

// Generate builds a population.
func Generate(cfg Config) Population {
	g := &gen{r: rand.New(rand.NewPCG(cfg.Seed, 0x7065_6f70_6c65))} // "people"
	var t Truth
	t.Seed = cfg.Seed
	for range cfg.Clusters {
		t.Clusters = append(t.Clusters, g.cluster())
	}
	for range cfg.Families {
		t.Families = append(t.Families, g.family())
	}
	for i := range cfg.VPNs {
		t.VPNs = append(t.VPNs, g.vpn(i))
	}
	for i := range cfg.LookAlikeEmails {
		t.LookAlikes = append(t.LookAlikes, g.lookAlike(i))
	}
	for len(g.out) < cfg.People {
		g.out = append(g.out, g.person())
	}
	// Arrival order is random: personas of one operator do not apply in a row.
	g.r.Shuffle(len(g.out), func(i, j int) { g.out[i], g.out[j] = g.out[j], g.out[i] })
	planted := map[string]bool{}
	for _, c := range t.Clusters {
		for _, m := range c.Members {
			planted[m] = true
		}
	}
	for _, p := range g.out {
		if !planted[p.ID] {
			t.Clean = append(t.Clean, p.ID)
		}
	}
	return Population{People: g.out, Truth: t}
}

var syllables = []string{"ka", "lo", "vin", "tar", "mel", "dro", "sul", "qui", "ber", "zan", "ota", "rix", "fen", "gal", "mur", "ste", "pol", "wen", "yor", "thi"}

func (g *gen) word(n int) string {
	var b strings.Builder
	for range n {
		b.WriteString(syllables[g.r.IntN(len(syllables))])
	}
	s := b.String()
	return strings.ToUpper(s[:1]) + s[1:]
}

func (g *gen) name() string { return g.word(2) + " " + g.word(2+g.r.IntN(2)) }

// uniq returns a number no other identifier of the population has.
func (g *gen) uniq() int { g.n++; return g.n }

// fictionPhones is how many numbers fictionPhone has.
const fictionPhones = 13 * 1000

// fictionPhone returns a number from Ofcom's drama ranges, national format.
func fictionPhone(n int) string {
	areas := []string{"020 7946 0", "0113 496 0", "0114 496 0", "0115 496 0", "0116 496 0", "0117 496 0", "0118 496 0", "0121 496 0", "0131 496 0", "0141 496 0", "0151 496 0", "0161 496 0", "07700 900"}
	return fmt.Sprintf("%s%03d", areas[(n/1000)%len(areas)], n%1000)
}

var emailDomains = []string{"example.com", "example.org", "example.net", "gmail.com"}

// person returns a clean person with unique identifiers.
func (g *gen) person() people.Person {
	n := g.uniq()
	legal := g.name()
	first, last, _ := strings.Cut(legal, " ")
	dom := emailDomains[g.r.IntN(len(emailDomains))]
	p := people.Person{
		ID: fmt.Sprintf("p%05d", n), Kind: people.Applicant,
		Identifiers: []people.Identifier{
			{Type: people.LegalName, Value: legal},
			{Type: people.PayoutName, Value: legal},
			{Type: people.Email, Value: fmt.Sprintf("%s.%s%d@%s", strings.ToLower(first), strings.ToLower(last), n, dom)},
			{Type: people.PostalAddress, Value: fmt.Sprintf("%d %s Street, Springfield", n, g.word(2))},
			{Type: people.IP, Value: fmt.Sprintf("2001:db8::%x:%x", n>>16, n&0xffff), Extra: "AS64496"},
			{Type: people.GitHub, Value: fmt.Sprint(10_000_000 + n), Extra: strings.ToLower(first + last)},
			{Type: people.IDDocument, Value: fmt.Sprintf("X%08d", n), Extra: "passport:ZZ"},
			{Type: people.PhotoHash, Value: fmt.Sprintf("%016x", g.r.Uint64())},
			{Type: people.BankAccount, Value: fmt.Sprintf("ZZ%02d 0000 %08d", n%97, n)},
			{Type: people.Wallet, Value: fmt.Sprintf("0x%040x", 0xface_0000_0000+n)},
			{Type: people.Employer, Value: g.word(3) + " Labs"},
		},
	}
	if n < fictionPhones {
		// The drama ranges hold 13,000 numbers; past them a person gives none.
		p.Identifiers = append(p.Identifiers, people.Identifier{Type: people.Phone, Value: fictionPhone(n), Extra: "GB"})
	}
	switch g.r.IntN(10) { // the payout form written differently: a typo, surname first
	case 0:
		p.Identifiers[1].Value = typo(g.r, legal)
	case 1:
		p.Identifiers[1].Value = strings.ToUpper(last) + ", " + first
	}
	if g.r.IntN(10) == 0 { // some applicants give a shipping address apart
		p.Identifiers = append(p.Identifiers, people.Identifier{Type: people.ShippingAddress, Value: fmt.Sprintf("%d %s Avenue, Shelbyville", n, g.word(2))})
	}
	return p
}

func (g *gen) set(p *people.Person, id people.Identifier) {
	for i := range p.Identifiers {
		if p.Identifiers[i].Type == id.Type {
			p.Identifiers[i] = id
			return
		}
	}
	p.Identifiers = append(p.Identifiers, id)
}

// strongShared are the identifiers an operator reuses across personas.
var strongShared = []people.Type{people.Wallet, people.BankAccount, people.Phone, people.Email, people.IDDocument, people.PhotoHash, people.GitHub}

// cluster plants 2–8 personas of one operator sharing 1–3 identifiers.
func (g *gen) cluster() Planted {
	size := 2 + g.r.IntN(7)
	k := 1 + g.r.IntN(3)
	perm := g.r.Perm(len(strongShared))
	operator := g.person() // its values are the shared ones
	var shared []people.Type
	for _, i := range perm {
		if len(shared) < k && value(operator, strongShared[i]) != "" {
			shared = append(shared, strongShared[i])
		}
	}
	if g.r.IntN(3) == 0 { // a laptop farm: one shipping address too
		shared = append(shared, people.ShippingAddress)
		g.set(&operator, people.Identifier{Type: people.ShippingAddress, Value: fmt.Sprintf("%d %s Road, Ogdenville", g.uniq(), g.word(2))})
	}
	var pl Planted
	pl.Shared = shared
	for i := range size {
		p := g.person()
		for j, t := range shared {
			// Every persona holds the first shared identifier; the others
			// each with odds of 2 in 3.
			if j > 0 && g.r.IntN(3) == 0 {
				continue
			}
			v := g.noisy(operator, t, i)
			if j == 0 && i > 0 && t == people.Email && g.r.IntN(6) == 0 {
				// A typo in the address: this copy no longer matches.
				v.Value = typo(g.r, v.Value)
			}
			g.set(&p, v)
			if t == people.BankAccount {
				// The account is the operator's: paid out in its name.
				g.set(&p, people.Identifier{Type: people.PayoutName, Value: value(operator, people.LegalName)})
			}
		}
		if g.r.IntN(4) == 0 { // a typo in the name on one form
			g.set(&p, people.Identifier{Type: people.PayoutName, Value: typo(g.r, value(p, people.PayoutName))})
		}
		pl.Members = append(pl.Members, p.ID)
		g.out = append(g.out, p)
	}
	return pl
}

func value(p people.Person, t people.Type) string {
	if v := p.Values(t); len(v) > 0 {
		return v[0]
	}
	return ""
}

func extra(p people.Person, t people.Type) string {
	for _, id := range p.Identifiers {
		if id.Type == t {
			return id.Extra
		}
	}
	return ""
}

// noisy returns the operator's identifier of type t as persona i writes it:
// the same identifier in another format, a changed handle.
func (g *gen) noisy(op people.Person, t people.Type, i int) people.Identifier {
	v, x := value(op, t), extra(op, t)
	switch t {
	case people.Phone: // +44 20 7946 0123, 020-7946-0123, 02079460123
		national := strings.ReplaceAll(v, " ", "")
		switch i % 3 {
		case 0:
			v, x = "+44 "+v[1:], ""
		case 1:
			v = strings.ReplaceAll(v, " ", "-")
		default:
			v = national
		}
	case people.Email:
		local, dom, _ := strings.Cut(v, "@")
		if dom == "gmail.com" && i%2 == 1 {
			local = strings.ReplaceAll(local, ".", "") + fmt.Sprintf("+job%d", i)
		}
		v = local + "@" + dom
		if i%3 == 2 {
			v = strings.ToUpper(v)
		}
	case people.GitHub: // same account id, renamed login
		x = fmt.Sprintf("%s-%d", x, i)
	case people.Wallet:
		if i%2 == 1 {
			v = "0x" + strings.ToUpper(v[2:])
		}
	case people.BankAccount:
		if i%2 == 1 {
			v = strings.ToLower(strings.ReplaceAll(v, " ", ""))
		}
	case people.IDDocument:
		if i%2 == 1 {
			v = v[:3] + "-" + v[3:]
		}
	case people.ShippingAddress:
		if i%2 == 1 {
			v = strings.ToUpper(strings.ReplaceAll(v, "Road", "Rd."))
		}
	case people.PhotoHash:
		if i%2 == 1 {
			v = "0x" + strings.ToUpper(v)
		}
	}
	return people.Identifier{Type: t, Value: v, Extra: x}
}

// docIP returns a documentation address unique for n: in the IPv4 block
// while it lasts, then in the IPv6 one.
func docIP(v4, v6 string, n int) string {
	if n < 250 {
		return fmt.Sprintf("%s%d", v4, n+1)
	}
	return fmt.Sprintf("%s%x:%x", v6, n>>16, n&0xffff)
}

func typo(r *rand.Rand, s string) string {
	if len(s) < 4 {
		return s
	}
	i := 1 + r.IntN(len(s)-2)
	if s[i] == ' ' || s[i+1] == ' ' {
		return s
	}
	return s[:i] + string(s[i+1]) + string(s[i]) + s[i+2:]
}

// family: 2–4 clean persons with one surname, one home address and one home IP.
func (g *gen) family() []string {
	size := 2 + g.r.IntN(3)
	surname := g.word(3)
	addr := fmt.Sprintf("%d %s Lane, Capital City", g.uniq(), g.word(2))
	ip := docIP("192.0.2.", "2001:db8:fa::", g.uniq())
	var ids []string
	for i := range size {
		p := g.person()
		name := g.word(2) + " " + surname
		g.set(&p, people.Identifier{Type: people.LegalName, Value: name})
		g.set(&p, people.Identifier{Type: people.PayoutName, Value: name})
		a := addr
		if i%2 == 1 {
			a = strings.ReplaceAll(addr, "Lane", "Ln")
		}
		g.set(&p, people.Identifier{Type: people.PostalAddress, Value: a})
		g.set(&p, people.Identifier{Type: people.IP, Value: ip, Extra: "AS64497"})
		ids = append(ids, p.ID)
		g.out = append(g.out, p)
	}
	return ids
}

// vpn: 25–80 colleagues of one company behind one egress IP.
func (g *gen) vpn(i int) []string {
	size := 25 + g.r.IntN(56)
	employer := g.word(3) + " Systems"
	ip := docIP("198.51.100.", "2001:db8:fb::", i)
	var ids []string
	for range size {
		p := g.person()
		g.set(&p, people.Identifier{Type: people.Employer, Value: employer})
		g.set(&p, people.Identifier{Type: people.IP, Value: ip, Extra: "AS64498"})
		ids = append(ids, p.ID)
		g.out = append(g.out, p)
	}
	return ids
}

// lookAlike: two clean persons whose emails differ by one substituted
// character: relatives by their initial, or the same name numbered.
func (g *gen) lookAlike(i int) []string {
	base := strings.ToLower(g.word(3))
	dom := emailDomains[g.r.IntN(len(emailDomains))]
	var locals [2]string
	if i%2 == 0 {
		a := byte('a' + g.r.IntN(25))
		locals = [2]string{string(a) + "." + base, string(a+1) + "." + base}
	} else {
		k := 1 + g.r.IntN(8)
		locals = [2]string{fmt.Sprintf("%s%d", base, k), fmt.Sprintf("%s%d", base, k+1)}
	}
	var ids []string
	for _, l := range locals {
		p := g.person()
		g.set(&p, people.Identifier{Type: people.Email, Value: l + "@" + dom})
		ids = append(ids, p.ID)
		g.out = append(g.out, p)
	}
	return ids
}
