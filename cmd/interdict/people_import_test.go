package main

import (
	"errors"
	"testing"

	"github.com/interdict/interdict/internal/index/people"
)

func TestParsePeople(t *testing.T) {
	tests := []struct {
		name, in string
		want     int
		bad      bool
	}{
		{"a JSON array", `[{"id":"a","kind":"vendor","identifiers":[{"type":"email","value":"a@example.org"}]}]`, 1, false},
		{"JSON lines with a blank line", "{\"id\":\"a\",\"kind\":\"vendor\",\"identifiers\":[]}\n\n{\"id\":\"b\",\"kind\":\"employee\",\"identifiers\":[]}\n", 2, false},
		{"CSV with several values in a cell", "id,email,wallet\na,a@example.org;b@example.org,0x00000000000000000000000000000000000000a1|eth\n", 1, false},
		{"CSV without an id column", "email\na@example.org\n", 0, true},
		{"CSV with an unknown column", "id,ethnicity\na,x\n", 0, true},
		{"JSON lines with an unknown field", `{"id":"a","kind":"vendor","sex":"x"}`, 0, true},
		{"a duplicate id", "id\na\na\n", 0, true},
		{"an unknown kind", `[{"id":"a","kind":"spy"}]`, 0, true},
		{"an empty file", " \n", 0, true},
		{"a bad phone", "id,phone\na,call me\n", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps, err := parsePeople([]byte(tt.in))
			if tt.bad {
				if !errors.Is(err, people.ErrInvalid) {
					t.Errorf("error = %v, want ErrInvalid", err)
				}
				return
			}
			if err != nil || len(ps) != tt.want {
				t.Errorf("got %d persons, %v; want %d", len(ps), err, tt.want)
			}
		})
	}
}

func FuzzParsePeople(f *testing.F) {
	for _, s := range []string{
		`[{"id":"a","kind":"vendor","identifiers":[{"type":"email","value":"a@example.org"}]}]`,
		"{\"id\":\"a\",\"kind\":\"vendor\",\"identifiers\":[]}\n",
		"id,kind,email,phone\na,applicant,a@example.org,+44 20 7946 0123\n",
		"id,github\na,9001|login\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ps, err := parsePeople(b)
		if err != nil {
			if !errors.Is(err, people.ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			return
		}
		for _, p := range ps {
			if err := p.Validate(); err != nil {
				t.Fatalf("accepted an invalid person: %v", err)
			}
		}
	})
}
