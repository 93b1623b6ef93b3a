package stix

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"unicode/utf16"

	"github.com/google/uuid"
)

// SCONamespace is the UUIDv5 namespace of deterministic SCO ids (STIX 2.1
// section 2.9).
var SCONamespace = uuid.MustParse("00abedb4-aa42-466c-9c01-fed23315a9b7")

// idContributing lists, per SCO type, the properties its deterministic id is
// computed from (STIX 2.1 section 6, "ID Contributing Properties"; for the
// cryptocurrency SCOs, their extension definitions).
var idContributing = map[string][]string{
	"artifact":                   {"hashes", "payload_bin"},
	"autonomous-system":          {"number"},
	"directory":                  {"path"},
	"domain-name":                {"value"},
	"email-addr":                 {"value"},
	"email-message":              {"from_ref", "subject", "body"},
	"file":                       {"hashes", "name", "extensions", "parent_directory_ref"},
	"ipv4-addr":                  {"value"},
	"ipv6-addr":                  {"value"},
	"mac-addr":                   {"value"},
	"mutex":                      {"name"},
	"network-traffic":            {"start", "end", "src_ref", "dst_ref", "src_port", "dst_port", "protocols", "extensions"},
	"software":                   {"name", "cpe", "swid", "vendor", "version"},
	"url":                        {"value"},
	"user-account":               {"account_type", "user_id", "account_login"},
	"windows-registry-key":       {"key", "values"},
	"x509-certificate":           {"hashes", "serial_number"},
	"cryptocurrency-wallet":      {"address"},
	"cryptocurrency-transaction": {"symbol", "hash"},
}

// hashPreference is the order in which one hash is picked when "hashes"
// contributes to an id.
var hashPreference = []string{"MD5", "SHA-1", "SHA-256", "SHA-512"}

// IsSCO reports whether typ is a cyber-observable type with id rules here.
func IsSCO(typ string) bool { _, ok := idContributing[typ]; return ok }

// SCOID returns the deterministic id of an SCO: a UUIDv5 in SCONamespace over
// the JSON canonicalisation (RFC 8785) of its id-contributing properties. An
// SCO with none of them set (or of a type without such rules, e.g. process)
// gets a random UUIDv4 id, as the specification says.
func SCOID(o Object) (string, error) {
	c := o.Core()
	b, err := marshal(o)
	if err != nil {
		return "", err
	}
	var all map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&all); err != nil {
		return "", err
	}
	typ := c.Type
	if typ == "" {
		typ, _ = all["type"].(string)
	}
	props, ok := idContributing[typ]
	if !ok {
		return NewID(typ), nil
	}
	contrib := map[string]any{}
	for _, p := range props {
		v, ok := all[p]
		if !ok {
			continue
		}
		if p == "hashes" {
			v = oneHash(v)
		}
		contrib[p] = v
	}
	if len(contrib) == 0 {
		return NewID(typ), nil
	}
	var buf bytes.Buffer
	if err := canonical(&buf, contrib); err != nil {
		return "", err
	}
	return typ + "--" + uuid.NewSHA1(SCONamespace, buf.Bytes()).String(), nil
}

func oneHash(v any) any {
	m, ok := v.(map[string]any)
	if !ok || len(m) == 0 {
		return v
	}
	for _, k := range hashPreference {
		if h, ok := m[k]; ok {
			return map[string]any{k: h}
		}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return map[string]any{keys[0]: m[keys[0]]}
}

// canonical writes v (decoded with UseNumber) as RFC 8785 JSON: object keys
// sorted by UTF-16 code units, no white space, minimal string escapes,
// numbers in their shortest ECMAScript form.
func canonical(buf *bytes.Buffer, v any) error {
	switch x := v.(type) {
	case nil:
		buf.WriteString("null")
	case bool:
		buf.WriteString(strconv.FormatBool(x))
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return fmt.Errorf("stix: canonical number %s: %w", x, err)
		}
		buf.WriteString(esNumber(f))
	case string:
		canonicalString(buf, x)
	case []any:
		buf.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := canonical(buf, e); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool { return utf16Less(keys[i], keys[j]) })
		buf.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				buf.WriteByte(',')
			}
			canonicalString(buf, k)
			buf.WriteByte(':')
			if err := canonical(buf, x[k]); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
	default:
		return fmt.Errorf("stix: cannot canonicalise %T", v)
	}
	return nil
}

func utf16Less(a, b string) bool {
	ua, ub := utf16.Encode([]rune(a)), utf16.Encode([]rune(b))
	for i := 0; i < len(ua) && i < len(ub); i++ {
		if ua[i] != ub[i] {
			return ua[i] < ub[i]
		}
	}
	return len(ua) < len(ub)
}

func canonicalString(buf *bytes.Buffer, s string) {
	const hex = "0123456789abcdef"
	buf.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			buf.WriteString(`\"`)
		case '\\':
			buf.WriteString(`\\`)
		case '\b':
			buf.WriteString(`\b`)
		case '\f':
			buf.WriteString(`\f`)
		case '\n':
			buf.WriteString(`\n`)
		case '\r':
			buf.WriteString(`\r`)
		case '\t':
			buf.WriteString(`\t`)
		default:
			if r < 0x20 {
				buf.WriteString(`\u00`)
				buf.WriteByte(hex[r>>4])
				buf.WriteByte(hex[r&0xf])
			} else {
				buf.WriteRune(r)
			}
		}
	}
	buf.WriteByte('"')
}

// esNumber formats f as ECMAScript's Number.prototype.toString does, which
// RFC 8785 requires.
func esNumber(f float64) string {
	if f == 0 {
		return "0"
	}
	abs := f
	if abs < 0 {
		abs = -abs
	}
	if abs >= 1e21 || abs < 1e-6 {
		s := strconv.FormatFloat(f, 'e', -1, 64)
		// Go writes e+21 / e-07; ECMAScript writes e+21 / e-7.
		if i := bytes.IndexByte([]byte(s), 'e'); i >= 0 {
			mant, exp := s[:i], s[i+1:]
			sign := exp[0]
			exp = exp[1:]
			for len(exp) > 1 && exp[0] == '0' {
				exp = exp[1:]
			}
			return mant + "e" + string(sign) + exp
		}
		return s
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}
