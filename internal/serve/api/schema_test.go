package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// docSchemas checks JSON bodies against the schemas openapi.json gives them,
// so the document cannot drift from what the handlers send. It reads the
// subset of JSON Schema the document uses: $ref, type (or a list of types),
// properties, required, additionalProperties: false, items, enum, minimum,
// maximum, minLength, maxLength.
type docSchemas struct {
	doc map[string]any
}

func newDocSchemas() (*docSchemas, error) {
	var doc map[string]any
	if err := json.Unmarshal(openapiJSON, &doc); err != nil {
		return nil, err
	}
	return &docSchemas{doc: doc}, nil
}

// resolve follows a local $ref.
func (d *docSchemas) resolve(v map[string]any) map[string]any {
	for {
		ref, ok := v["$ref"].(string)
		if !ok {
			return v
		}
		var cur any = d.doc
		for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
			cur = cur.(map[string]any)[part]
		}
		v = cur.(map[string]any)
	}
}

// checkResponse validates body as the answer of route pattern with status.
// It returns the problems found; an undocumented status is one.
func (d *docSchemas) checkResponse(pattern string, status int, contentType string, body []byte) []string {
	method, path, _ := strings.Cut(pattern, " ")
	op, _ := d.doc["paths"].(map[string]any)[path].(map[string]any)[strings.ToLower(method)].(map[string]any)
	if op == nil {
		return []string{"route not documented"}
	}
	resp, ok := op["responses"].(map[string]any)[strconv.Itoa(status)].(map[string]any)
	if !ok {
		return []string{fmt.Sprintf("status %d not documented", status)}
	}
	resp = d.resolve(resp)
	content, _ := resp["content"].(map[string]any)
	if len(body) == 0 {
		if content != nil {
			return []string{"documented a body, got none"}
		}
		return nil
	}
	mt, _, _ := strings.Cut(contentType, ";")
	media, ok := content[mt].(map[string]any)
	if !ok {
		return []string{fmt.Sprintf("content type %q not documented", mt)}
	}
	if mt != "application/json" {
		return nil
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return []string{"body is not JSON: " + err.Error()}
	}
	var problems []string
	d.check("$", media["schema"].(map[string]any), v, &problems)
	return problems
}

func (d *docSchemas) check(at string, schema map[string]any, v any, problems *[]string) {
	schema = d.resolve(schema)
	bad := func(format string, args ...any) {
		*problems = append(*problems, at+": "+fmt.Sprintf(format, args...))
	}
	if t, ok := schema["type"]; ok && !typeMatches(t, v) {
		bad("%T does not match type %v", v, t)
		return
	}
	if enum, ok := schema["enum"].([]any); ok {
		found := false
		for _, e := range enum {
			found = found || fmt.Sprint(e) == fmt.Sprint(v)
		}
		if !found {
			bad("%v not in enum %v", v, enum)
		}
	}
	switch x := v.(type) {
	case map[string]any:
		props, _ := schema["properties"].(map[string]any)
		for _, r := range asStrings(schema["required"]) {
			if _, ok := x[r]; !ok {
				bad("required property %q missing", r)
			}
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			ps, ok := props[k].(map[string]any)
			if !ok {
				if schema["additionalProperties"] == false {
					bad("property %q not documented", k)
				}
				continue
			}
			d.check(at+"."+k, ps, x[k], problems)
		}
	case []any:
		if items, ok := schema["items"].(map[string]any); ok {
			for i, e := range x {
				d.check(fmt.Sprintf("%s[%d]", at, i), items, e, problems)
			}
		}
	case json.Number:
		f, _ := x.Float64()
		if m, ok := schema["minimum"].(float64); ok && f < m {
			bad("%v below minimum %v", f, m)
		}
		if m, ok := schema["maximum"].(float64); ok && f > m {
			bad("%v above maximum %v", f, m)
		}
	case string:
		if m, ok := schema["maxLength"].(float64); ok && float64(len([]rune(x))) > m {
			bad("longer than maxLength %v", m)
		}
		if m, ok := schema["minLength"].(float64); ok && float64(len([]rune(x))) < m {
			bad("shorter than minLength %v", m)
		}
	}
}

func typeMatches(t any, v any) bool {
	for _, name := range asStrings(t) {
		switch x := v.(type) {
		case nil:
			if name == "null" {
				return true
			}
		case bool:
			if name == "boolean" {
				return true
			}
		case string:
			if name == "string" {
				return true
			}
		case json.Number:
			_, err := x.Int64()
			if name == "number" || name == "integer" && err == nil {
				return true
			}
		case []any:
			if name == "array" {
				return true
			}
		case map[string]any:
			if name == "object" {
				return true
			}
		}
	}
	return false
}

func asStrings(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			out = append(out, fmt.Sprint(e))
		}
		return out
	}
	return nil
}
