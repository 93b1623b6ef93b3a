package pattern

import "testing"

func FuzzParsePattern(f *testing.F) {
	for _, s := range specExamples {
		f.Add(s)
	}
	for _, s := range []string{`[a:b = 'x'] REPEATS 2 TIMES`, `[a:b[*].c_ref.d = h'00']`, `[a:'b' ISSUPERSET '::1/128']`, `(`, `[a:b = '\'`} {
		f.Add(s)
	}
	ip := map[string]any{"type": "ipv4-addr", "id": "ipv4-addr--1", "value": "198.51.100.7"}
	file := map[string]any{"type": "file", "name": "a", "size": float64(3), "hashes": map[string]any{"MD5": "00"},
		"parent_directory_ref": "ipv4-addr--1", "list": []any{"ipv4-addr--1", float64(1), nil, map[string]any{"x": true}}}
	self := map[string]any{"type": "a", "id": "a--1", "b": "a--1", "c_ref": "a--1"}
	self["d"] = []any{self["b"]}
	stream := []Observation{obs(0, ip, file, self), obs(5, ip), obs(9, file)}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Parse(s)
		if err != nil {
			return
		}
		p.Match(stream...)
		ix := NewIndex()
		ix.Add("x", p)
		ix.Match(stream[0])
	})
}
