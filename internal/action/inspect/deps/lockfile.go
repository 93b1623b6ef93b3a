// Package deps collects inspection evidence from dependency lockfiles
// (package-lock.json v2/v3, yarn.lock v1, go.sum, pip requirements with
// hashes): whether every dependency is pinned to a version and a content
// hash, and whether any is a known malicious package or a look-alike
// (edit distance 1) of a popular one. DPRK's "Contagious Interview"
// operation ships its loaders as npm and PyPI packages named like real
// ones and asks developers to install them; an unpinned dependency lets a
// later malicious release in without a lockfile change.
package deps

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
)

// ErrLockfile: a lockfile that cannot be read as its format.
var ErrLockfile = errors.New("deps: invalid lockfile")

// Ecosystems.
const (
	NPM  = "npm"
	PyPI = "pypi"
	Go   = "go"
)

// Package is one resolved dependency of a lockfile.
type Package struct {
	Ecosystem string `json:"ecosystem"`
	Name      string `json:"name"`
	Version   string `json:"version"`
	// Hash is the content hash the lockfile pins ("" when none).
	Hash string `json:"hash,omitempty"`
	// Unpinned says why the entry does not pin one content ("" when it does).
	Unpinned string `json:"unpinned,omitempty"`
}

// Lockfile is a parsed lockfile.
type Lockfile struct {
	Path      string    `json:"path"`
	Format    string    `json:"format"`
	Ecosystem string    `json:"ecosystem"`
	Packages  []Package `json:"packages"`
	// Notes are things read but not followed (included requirement files).
	Notes []string `json:"notes,omitempty"`
}

// Parse reads a lockfile, choosing the parser by its file name:
// package-lock.json (or npm-shrinkwrap.json), yarn.lock, go.sum, and
// requirements*.txt or any other *.txt as pip requirements.
func Parse(path string, b []byte) (*Lockfile, error) {
	base := filepath.Base(path)
	var lf *Lockfile
	var err error
	switch {
	case base == "package-lock.json" || base == "npm-shrinkwrap.json":
		lf, err = ParsePackageLock(b)
	case base == "yarn.lock":
		lf, err = ParseYarnLock(b)
	case base == "go.sum":
		lf, err = ParseGoSum(b)
	case strings.HasSuffix(base, ".txt"):
		lf, err = ParseRequirements(b)
	default:
		return nil, fmt.Errorf("%w: %s: not a known lockfile name (package-lock.json, npm-shrinkwrap.json, yarn.lock, go.sum, requirements*.txt)", ErrLockfile, path)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	lf.Path = path
	return lf, nil
}
