package deps

import (
	"fmt"
	"regexp"
	"strings"
)

var (
	pipName = regexp.MustCompile(`^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*(.*)$`)
	pipSep  = regexp.MustCompile(`[-_.]+`)
)

// NormalizePyPI is a distribution name as PEP 503 compares it.
func NormalizePyPI(name string) string { return strings.ToLower(pipSep.ReplaceAllString(name, "-")) }

// ParseRequirements reads a pip requirements file. A requirement is pinned
// when it names one exact version (==, no wildcard) and at least one
// --hash; editable installs, URLs and VCS references are not pinned.
// Included files (-r, -c) are noted, not followed.
func ParseRequirements(b []byte) (*Lockfile, error) {
	lf := &Lockfile{Format: "pip requirements", Ecosystem: PyPI}
	lines := strings.Split(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		start := i + 1
		l := lines[i]
		for strings.HasSuffix(strings.TrimRight(l, " \t"), `\`) && i+1 < len(lines) {
			i++
			l = strings.TrimSuffix(strings.TrimRight(l, " \t"), `\`) + " " + lines[i]
		}
		if j := strings.Index(l, " #"); j >= 0 {
			l = l[:j]
		}
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		if strings.HasPrefix(l, "-") {
			opt, arg, _ := strings.Cut(l, " ")
			switch opt {
			case "-r", "--requirement", "-c", "--constraint":
				lf.Notes = append(lf.Notes, fmt.Sprintf("line %d includes %s (not followed)", start, strings.TrimSpace(arg)))
			case "-e", "--editable":
				lf.Packages = append(lf.Packages, Package{Ecosystem: PyPI, Name: strings.TrimSpace(arg), Unpinned: "editable install"})
			}
			continue
		}
		if strings.Contains(l, "://") || strings.HasPrefix(l, "git+") {
			lf.Packages = append(lf.Packages, Package{Ecosystem: PyPI, Name: l, Unpinned: "URL or VCS reference"})
			continue
		}
		m := pipName.FindStringSubmatch(l)
		if m == nil {
			return nil, fmt.Errorf("%w: requirements line %d: no distribution name in %q", ErrLockfile, start, l)
		}
		p := Package{Ecosystem: PyPI, Name: NormalizePyPI(m[1])}
		rest := m[3]
		hashes := strings.Fields(hashesOf(rest))
		spec := rest
		if j := strings.Index(spec, "--"); j >= 0 {
			spec = spec[:j]
		}
		if j := strings.Index(spec, ";"); j >= 0 {
			spec = spec[:j]
		}
		spec = strings.TrimSpace(spec)
		if v, ok := strings.CutPrefix(spec, "==="); ok && v != "" {
			p.Version = v
		} else if v, ok := strings.CutPrefix(spec, "=="); ok && !strings.ContainsAny(v, "*,<>!~= ") && v != "" {
			p.Version = strings.TrimSpace(v)
		}
		switch {
		case p.Version == "":
			p.Unpinned = "no exact version (" + orNone(spec) + ")"
		case len(hashes) == 0:
			p.Unpinned = "no --hash"
		default:
			p.Hash = hashes[0]
		}
		lf.Packages = append(lf.Packages, p)
	}
	return lf, nil
}

// hashesOf returns the hash values of the --hash options in s.
func hashesOf(s string) string {
	var out []string
	f := strings.Fields(s)
	for i := 0; i < len(f); i++ {
		switch {
		case strings.HasPrefix(f[i], "--hash="):
			out = append(out, strings.TrimPrefix(f[i], "--hash="))
		case f[i] == "--hash" && i+1 < len(f):
			out = append(out, f[i+1])
			i++
		}
	}
	return strings.Join(out, " ")
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
