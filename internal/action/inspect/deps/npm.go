package deps

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// ParsePackageLock reads an npm package-lock.json of lockfileVersion 2 or
// 3: its "packages" map, keyed by install path (node_modules/a,
// node_modules/a/node_modules/@s/b). The root ("") and workspace links are
// not dependencies. An entry pins its content when it has an integrity
// hash, or is a local file: or link.
func ParsePackageLock(b []byte) (*Lockfile, error) {
	var doc struct {
		LockfileVersion int `json:"lockfileVersion"`
		Packages        map[string]struct {
			Name      string `json:"name"`
			Version   string `json:"version"`
			Resolved  string `json:"resolved"`
			Integrity string `json:"integrity"`
			Link      bool   `json:"link"`
		} `json:"packages"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("%w: package-lock.json: %v", ErrLockfile, err)
	}
	if doc.LockfileVersion != 2 && doc.LockfileVersion != 3 {
		return nil, fmt.Errorf("%w: package-lock.json lockfileVersion %d (2 or 3 read; regenerate with npm 7 or later)", ErrLockfile, doc.LockfileVersion)
	}
	lf := &Lockfile{Format: fmt.Sprintf("package-lock.json v%d", doc.LockfileVersion), Ecosystem: NPM}
	keys := make([]string, 0, len(doc.Packages))
	for k := range doc.Packages {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		e := doc.Packages[k]
		i := strings.LastIndex(k, "node_modules/")
		if k == "" || e.Link || i < 0 {
			continue
		}
		name := k[i+len("node_modules/"):]
		if e.Name != "" {
			name = e.Name
		}
		p := Package{Ecosystem: NPM, Name: name, Version: e.Version, Hash: e.Integrity}
		switch {
		case e.Version == "":
			p.Unpinned = "no version"
		case strings.HasPrefix(e.Resolved, "file:"):
		case e.Integrity == "":
			p.Unpinned = "no integrity hash"
			if strings.HasPrefix(e.Resolved, "git") {
				p.Unpinned = "resolved from git without an integrity hash"
			}
		}
		lf.Packages = append(lf.Packages, p)
	}
	return lf, nil
}

// ParseYarnLock reads a yarn.lock of format v1 (Yarn 1): blocks headed by
// the specifiers they resolve ("a@^1", "@s/b@~2":), with indented version,
// resolved and integrity lines. An entry pins its content with an
// integrity hash or a resolved URL ending in #<sha1>.
func ParseYarnLock(b []byte) (*Lockfile, error) {
	lf := &Lockfile{Format: "yarn.lock v1", Ecosystem: NPM}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	var cur *Package
	var resolved string
	flush := func() {
		if cur == nil {
			return
		}
		switch {
		case cur.Version == "":
			cur.Unpinned = "no version"
		case cur.Hash == "":
			if _, frag, ok := strings.Cut(resolved, "#"); ok && len(frag) == 40 {
				cur.Hash = "sha1-" + frag
			} else {
				cur.Unpinned = "no integrity hash"
			}
		}
		lf.Packages = append(lf.Packages, *cur)
		cur, resolved = nil, ""
	}
	line := 0
	for sc.Scan() {
		line++
		t := sc.Text()
		trimmed := strings.TrimSpace(t)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		if line < 5 && strings.HasPrefix(trimmed, "__metadata:") {
			return nil, fmt.Errorf("%w: yarn.lock: a Yarn 2+ (berry) lockfile; only v1 is read", ErrLockfile)
		}
		indent := len(t) - len(strings.TrimLeft(t, " "))
		switch {
		case indent == 0:
			flush()
			if !strings.HasSuffix(trimmed, ":") {
				return nil, fmt.Errorf("%w: yarn.lock line %d: an entry header ends with ':'", ErrLockfile, line)
			}
			first, _, _ := strings.Cut(strings.TrimSuffix(trimmed, ":"), ",")
			name := yarnName(strings.Trim(strings.TrimSpace(first), `"`))
			if name == "" {
				return nil, fmt.Errorf("%w: yarn.lock line %d: no package name in %q", ErrLockfile, line, first)
			}
			cur = &Package{Ecosystem: NPM, Name: name}
		case indent == 2 && cur != nil:
			k, v, _ := strings.Cut(trimmed, " ")
			v = strings.Trim(strings.TrimSpace(v), `"`)
			switch k {
			case "version":
				cur.Version = v
			case "resolved":
				resolved = v
			case "integrity":
				cur.Hash = v
			}
		case indent >= 2 && cur == nil:
			return nil, fmt.Errorf("%w: yarn.lock line %d: indented line outside an entry", ErrLockfile, line)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: yarn.lock: %v", ErrLockfile, err)
	}
	flush()
	return lf, nil
}

// yarnName is the package name of a specifier: up to its last "@" that is
// not the scope's.
func yarnName(spec string) string {
	i := strings.LastIndex(spec, "@")
	if i <= 0 {
		return spec
	}
	return spec[:i]
}
