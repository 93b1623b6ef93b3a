package deps

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"
)

// ParseGoSum reads a go.sum: lines "module version h1:<base64 hash>", the
// version suffixed /go.mod for the module file's hash. Every module the
// build downloads is pinned by its h1: hash; a module listed with only its
// /go.mod hash is not downloaded and is kept as pinned by that.
func ParseGoSum(b []byte) (*Lockfile, error) {
	lf := &Lockfile{Format: "go.sum", Ecosystem: Go}
	sc := bufio.NewScanner(bytes.NewReader(b))
	seen := map[string]int{}
	line := 0
	for sc.Scan() {
		line++
		t := strings.TrimSpace(sc.Text())
		if t == "" {
			continue
		}
		f := strings.Fields(t)
		if len(f) != 3 || !strings.HasPrefix(f[2], "h1:") || len(f[2]) < 4 || !strings.HasPrefix(f[1], "v") {
			return nil, fmt.Errorf("%w: go.sum line %d: want \"module version h1:hash\"", ErrLockfile, line)
		}
		version, isMod := strings.CutSuffix(f[1], "/go.mod")
		key := f[0] + "@" + version
		if i, ok := seen[key]; ok {
			if !isMod {
				lf.Packages[i].Hash = f[2]
			}
			continue
		}
		seen[key] = len(lf.Packages)
		lf.Packages = append(lf.Packages, Package{Ecosystem: Go, Name: f[0], Version: version, Hash: f[2]})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: go.sum: %v", ErrLockfile, err)
	}
	return lf, nil
}
