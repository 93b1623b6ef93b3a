package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/interdict/interdict/internal/index/people"
)

// maxPeopleFile bounds an import file: the batch is one transaction in memory.
const maxPeopleFile = 256 << 20

// readPeopleFile reads persons from a JSON (array or one per line) or CSV
// file; errors name the file and the record.
func readPeopleFile(path string) ([]people.Person, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxPeopleFile+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(b) > maxPeopleFile {
		return nil, fmt.Errorf("%s: larger than %d MiB: split it", path, maxPeopleFile>>20)
	}
	ps, err := parsePeople(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return ps, nil
}

// parsePeople decodes JSON or CSV persons and validates each.
func parsePeople(b []byte) ([]people.Person, error) {
	trimmed := bytes.TrimLeft(b, " \t\r\n\ufeff")
	var ps []people.Person
	var err error
	switch {
	case len(trimmed) == 0:
		return nil, fmt.Errorf("%w: no persons", people.ErrInvalid)
	case trimmed[0] == '[':
		if err := json.Unmarshal(trimmed, &ps); err != nil {
			return nil, fmt.Errorf("%w: JSON: %v", people.ErrInvalid, err)
		}
	case trimmed[0] == '{':
		ps, err = parseJSONLines(trimmed)
	default:
		ps, err = parseCSV(trimmed)
	}
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, fmt.Errorf("%w: no persons", people.ErrInvalid)
	}
	seen := map[string]bool{}
	for i := range ps {
		if err := ps[i].Validate(); err != nil {
			return nil, fmt.Errorf("record %d: %w", i+1, err)
		}
		if seen[ps[i].ID] {
			return nil, fmt.Errorf("%w: record %d: id %q appears twice", people.ErrInvalid, i+1, ps[i].ID)
		}
		seen[ps[i].ID] = true
		for j, id := range ps[i].Identifiers {
			if _, err := people.Canonical(id.Type, id.Value, id.Extra); err != nil {
				return nil, fmt.Errorf("record %d (%s): identifier %d: %w", i+1, ps[i].ID, j+1, err)
			}
		}
	}
	return ps, nil
}

func parseJSONLines(b []byte) ([]people.Person, error) {
	var ps []people.Person
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	line := 0
	for sc.Scan() {
		line++
		l := bytes.TrimSpace(sc.Bytes())
		if len(l) == 0 {
			continue
		}
		var p people.Person
		dec := json.NewDecoder(bytes.NewReader(l))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&p); err != nil {
			return nil, fmt.Errorf("%w: line %d: %v", people.ErrInvalid, line, err)
		}
		ps = append(ps, p)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: line %d: %v", people.ErrInvalid, line+1, err)
	}
	return ps, nil
}

func parseCSV(b []byte) ([]people.Person, error) {
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = 0
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%w: CSV header: %v", people.ErrInvalid, err)
	}
	cols := make([]string, len(header))
	hasID := false
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		switch {
		case h == "id":
			hasID = true
		case h == "kind", h == "role", h == "privileges":
		case people.Type(h).Valid():
		default:
			return nil, fmt.Errorf("%w: CSV column %q: want id, kind, role, privileges or an identifier type", people.ErrInvalid, h)
		}
		cols[i] = h
	}
	if !hasID {
		return nil, fmt.Errorf("%w: CSV has no id column", people.ErrInvalid)
	}
	var ps []people.Person
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return ps, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%w: CSV: %v", people.ErrInvalid, err)
		}
		p := people.Person{Kind: people.Applicant}
		for i, cell := range rec {
			cell = strings.TrimSpace(cell)
			if cell == "" {
				continue
			}
			switch cols[i] {
			case "id":
				p.ID = cell
			case "kind":
				p.Kind = people.Kind(strings.ToLower(cell))
			case "role":
				p.Role = cell
			case "privileges":
				for pr := range strings.SplitSeq(cell, ";") {
					p.Privileges = append(p.Privileges, people.Privilege(strings.TrimSpace(pr)))
				}
			default:
				for v := range strings.SplitSeq(cell, ";") {
					v, x, _ := strings.Cut(strings.TrimSpace(v), "|")
					p.Identifiers = append(p.Identifiers, people.Identifier{Type: people.Type(cols[i]), Value: v, Extra: x})
				}
			}
		}
		ps = append(ps, p)
	}
}
