package deps

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/interdict/interdict/internal/action/inspect"
)

//go:embed data/known-bad.json
var knownBadJSON []byte

//go:embed data/popular.json
var popularJSON []byte

// Bad is one known malicious package with where it was published.
type Bad struct {
	Ecosystem string `json:"ecosystem"`
	Name      string `json:"name"`
	Campaign  string `json:"campaign"`
	Source    string `json:"source"`
	Note      string `json:"note,omitempty"`
}

// Lists are the known malicious names and the popular names look-alikes
// imitate.
type Lists struct {
	Bad     []Bad
	Popular map[string][]string // ecosystem -> names
}

// LoadLists reads the shipped lists.
func LoadLists() (*Lists, error) {
	var bad struct {
		Packages []Bad `json:"packages"`
	}
	if err := json.Unmarshal(knownBadJSON, &bad); err != nil {
		return nil, fmt.Errorf("deps: known-bad.json: %w", err)
	}
	var pop map[string]json.RawMessage
	if err := json.Unmarshal(popularJSON, &pop); err != nil {
		return nil, fmt.Errorf("deps: popular.json: %w", err)
	}
	l := &Lists{Bad: bad.Packages, Popular: map[string][]string{}}
	for _, eco := range []string{NPM, PyPI, Go} {
		var names []string
		if err := json.Unmarshal(pop[eco], &names); err != nil {
			return nil, fmt.Errorf("deps: popular.json %s: %w", eco, err)
		}
		l.Popular[eco] = names
	}
	return l, nil
}

func key(eco, name string) string {
	if eco == PyPI {
		name = NormalizePyPI(name)
	}
	return eco + ":" + strings.ToLower(name)
}

// Match says why a package is suspicious: a known malicious name (with its
// source) or a look-alike of a popular one; "" when neither.
func (l *Lists) Match(p Package) string {
	k := key(p.Ecosystem, p.Name)
	for _, b := range l.Bad {
		if key(b.Ecosystem, b.Name) == k {
			return fmt.Sprintf("known malicious (%s; %s)", b.Campaign, b.Source)
		}
	}
	name := strings.ToLower(p.Name)
	if p.Ecosystem == PyPI {
		name = NormalizePyPI(name)
	}
	for _, pop := range l.Popular[p.Ecosystem] {
		if len(pop) < 5 || pop == name {
			continue
		}
		if oneEdit(name, pop) {
			return "look-alike of " + pop
		}
	}
	return ""
}

// oneEdit says whether a and b differ by exactly one insertion, deletion,
// substitution or swap of adjacent characters.
func oneEdit(a, b string) bool {
	if a == b {
		return false
	}
	la, lb := len(a), len(b)
	if la > lb {
		a, b, la, lb = b, a, lb, la
	}
	if lb-la > 1 {
		return false
	}
	i := 0
	for i < la && a[i] == b[i] {
		i++
	}
	if la == lb {
		if a[i+1:] == b[i+1:] {
			return true // substitution
		}
		return i+1 < la && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
	}
	return a[i:] == b[i+1:] // insertion into a
}

// File is one lockfile's bytes and name.
type File struct {
	Path string
	Data []byte
}

// Collect parses the lockfiles and decides code.dependencies_pinned and
// code.no_malicious_dependencies; every unpinned or suspicious package is a
// finding naming its file.
func Collect(files []File, l *Lists, now time.Time) (inspect.Reading, error) {
	r := inspect.Reading{Collector: "deps", Label: fmt.Sprintf("dependency lockfiles (%d)", len(files)), ReadAt: now.UTC()}
	var parsed []*Lockfile
	pinned, clean := true, true
	for _, f := range files {
		lf, err := Parse(f.Path, f.Data)
		if err != nil {
			return inspect.Reading{}, err
		}
		sum := sha256.Sum256(f.Data)
		r.Read = append(r.Read, fmt.Sprintf("%s (%s, sha256 %s): %d packages", f.Path, lf.Format, hex.EncodeToString(sum[:]), len(lf.Packages)))
		r.Read = append(r.Read, lf.Notes...)
		for _, p := range lf.Packages {
			if p.Unpinned != "" {
				pinned = false
				r.Findings = append(r.Findings, fmt.Sprintf("%s: %s %s@%s is not pinned: %s", f.Path, p.Ecosystem, p.Name, p.Version, p.Unpinned))
			}
			if why := l.Match(p); why != "" {
				clean = false
				r.Findings = append(r.Findings, fmt.Sprintf("%s: %s %s@%s is %s", f.Path, p.Ecosystem, p.Name, p.Version, why))
			}
		}
		parsed = append(parsed, lf)
	}
	sort.Strings(r.Findings)
	if len(files) > 0 {
		r.Facts.Code.DependenciesPinned = inspect.Bool(pinned)
		r.Facts.Code.NoMaliciousDependencies = inspect.Bool(clean)
	}
	r.Detail = parsed
	return r, nil
}
