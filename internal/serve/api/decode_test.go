package api

import (
	"errors"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/interdict/interdict/internal/sources/sanctions"
)

func TestDecodeScreenRequest(t *testing.T) {
	limits := DefaultLimits()
	limits.MaxBatch = 4
	for _, tc := range []struct {
		name    string
		in      string
		wantErr error
		check   func(t *testing.T, r ScreenRequest)
	}{
		{name: "addresses and names with every filter decode", in: `{"addresses":[" 0xAB "],"names":[{"name":"Kim","types":["individual","vessel"],"programs":["DPRK3"],"country":"Korea","birth_year":1984,"threshold":0.8,"limit":3}]}`,
			check: func(t *testing.T, r ScreenRequest) {
				q := r.Names[0].Query()
				if r.Addresses[0] != "0xAB" || q.Name != "Kim" || q.Types[1] != sanctions.TypeVessel || q.Programs[0] != "DPRK3" ||
					q.Country != "Korea" || q.BirthYear != 1984 || q.Threshold != 0.8 || q.Limit != 3 {
					t.Errorf("decoded %+v / %+v", r, q)
				}
			}},
		{name: "names alone are enough", in: `{"names":[{"name":"x"}]}`},
		{name: "null lists are empty lists", in: `{"addresses":null,"names":[{"name":"x"}]}`},
		{name: "an empty object is an empty batch", in: `{}`, wantErr: ErrInvalidRequest},
		{name: "null is an empty batch", in: `null`, wantErr: ErrInvalidRequest},
		{name: "a top-level array is malformed", in: `["0xab"]`, wantErr: ErrMalformedJSON},
		{name: "a bare string is malformed", in: `"0xab"`, wantErr: ErrMalformedJSON},
		{name: "an empty body is malformed", in: ``, wantErr: ErrMalformedJSON},
		{name: "whitespace only is malformed", in: " \n\t", wantErr: ErrMalformedJSON},
		{name: "an unknown top-level field is malformed", in: `{"addresses":["a"],"extra":1}`, wantErr: ErrMalformedJSON},
		{name: "field names are matched case-insensitively by encoding/json", in: `{"Addresses":["a"]}`},
		{name: "a number as an address is malformed", in: `{"addresses":[42]}`, wantErr: ErrMalformedJSON},
		{name: "a string birth year is malformed", in: `{"names":[{"name":"x","birth_year":"1984"}]}`, wantErr: ErrMalformedJSON},
		{name: "a fractional limit is malformed", in: `{"names":[{"name":"x","limit":1.5}]}`, wantErr: ErrMalformedJSON},
		{name: "a huge number is malformed", in: `{"names":[{"name":"x","limit":1e400}]}`, wantErr: ErrMalformedJSON},
		{name: "trailing garbage is malformed", in: `{"addresses":["a"]}x`, wantErr: ErrMalformedJSON},
		{name: "trailing whitespace is fine", in: "{\"addresses\":[\"a\"]}\n\n  "},
		{name: "a second value is malformed", in: `{"addresses":["a"]}{}`, wantErr: ErrMalformedJSON},
		{name: "five queries over a limit of four are too many", in: `{"addresses":["a","b","c"],"names":[{"name":"x"},{"name":"y"}]}`, wantErr: ErrBatchTooLarge},
		{name: "an empty address is invalid", in: `{"addresses":[""]}`, wantErr: ErrInvalidRequest},
		{name: "a blank name is invalid", in: `{"names":[{"name":" \t "}]}`, wantErr: ErrInvalidRequest},
		{name: "a missing name is invalid", in: `{"names":[{"types":["individual"]}]}`, wantErr: ErrInvalidRequest},
		{name: "a null name query is invalid", in: `{"names":[null]}`, wantErr: ErrInvalidRequest},
		{name: "a tab inside an address is invalid", in: `{"addresses":["0x\t1"]}`, wantErr: ErrInvalidRequest},
		{name: "an escaped NUL is invalid", in: `{"addresses":["a\u0000b"]}`, wantErr: ErrInvalidRequest},
		{name: "an empty program is invalid", in: `{"names":[{"name":"x","programs":[""]}]}`, wantErr: ErrInvalidRequest},
		{name: "too many programs are invalid", in: `{"names":[{"name":"x","programs":[` + strings.Repeat(`"P",`, 32) + `"P"]}]}`, wantErr: ErrInvalidRequest},
		{name: "an overlong country is invalid", in: `{"names":[{"name":"x","country":"` + strings.Repeat("k", 129) + `"}]}`, wantErr: ErrInvalidRequest},
		{name: "a negative threshold is invalid", in: `{"names":[{"name":"x","threshold":-0.1}]}`, wantErr: ErrInvalidRequest},
		{name: "a negative limit is invalid", in: `{"names":[{"name":"x","limit":-1}]}`, wantErr: ErrInvalidRequest},
		{name: "a birth year in the future is invalid", in: `{"names":[{"name":"x","birth_year":2200}]}`, wantErr: ErrInvalidRequest},
		{name: "invalid UTF-8 is replaced, not refused", in: "{\"names\":[{\"name\":\"a\xffb\"}]}",
			check: func(t *testing.T, r ScreenRequest) {
				if r.Names[0].Name != "a\uFFFDb" {
					t.Errorf("name %q", r.Names[0].Name)
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := DecodeScreenRequest(strings.NewReader(tc.in), limits)
			if tc.wantErr == nil && err != nil || !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if tc.check != nil {
				tc.check(t, r)
			}
		})
	}
}

// errReader fails like a broken connection.
type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

func TestDecodeScreenRequestPassesReadErrorsThrough(t *testing.T) {
	_, err := DecodeScreenRequest(io.MultiReader(strings.NewReader(`{"addr`), errReader{}), DefaultLimits())
	if err == nil || errors.Is(err, ErrMalformedJSON) || !strings.Contains(err.Error(), "connection reset") {
		t.Errorf("err = %v, want the read error", err)
	}
}

// FuzzDecodeScreenRequest checks that no input crashes the decoder, that
// every refusal is one of its sentinels, and that whatever it accepts is
// within the limits.
func FuzzDecodeScreenRequest(f *testing.F) {
	for _, s := range []string{
		`{"addresses":["0x098B716B8Aaf21512996dC57EB0615e2383E2f96"]}`,
		`{"names":[{"name":"Lazarus Group","types":["entity"],"programs":["DPRK3"],"country":"Korea, North","birth_year":1984,"threshold":0.9,"limit":10}]}`,
		`{"addresses":["bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh"],"names":[{"name":"PARK Jin Hyok"}]}`,
		`{}`, `null`, `[]`, `{"addresses":[""]}`, `{"names":[null]}`, `{"a":1}`, `{"addresses":["x"]}{}`,
		"{\"names\":[{\"name\":\"\xff\"}]}",
	} {
		f.Add([]byte(s))
	}
	limits := Limits{MaxBatch: 8, MaxAddressLen: 64, MaxNameLen: 64, MaxFilters: 4, MaxFilterLen: 16, MaxMatches: 20}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := DecodeScreenRequest(strings.NewReader(string(data)), limits)
		if err != nil {
			if !errors.Is(err, ErrMalformedJSON) && !errors.Is(err, ErrInvalidRequest) && !errors.Is(err, ErrBatchTooLarge) {
				t.Fatalf("error outside the sentinels: %v", err)
			}
			return
		}
		if n := r.Len(); n == 0 || n > limits.MaxBatch {
			t.Fatalf("accepted a batch of %d", n)
		}
		for _, a := range r.Addresses {
			if a == "" || utf8.RuneCountInString(a) > limits.MaxAddressLen || a != strings.TrimSpace(a) {
				t.Fatalf("accepted address %q", a)
			}
		}
		for _, n := range r.Names {
			if n.Name == "" || utf8.RuneCountInString(n.Name) > limits.MaxNameLen || n.Limit < 0 || n.Limit > limits.MaxMatches ||
				n.Threshold < 0 || n.Threshold > 1 || len(n.Types) > limits.MaxFilters || len(n.Programs) > limits.MaxFilters {
				t.Fatalf("accepted name query %+v", n)
			}
		}
	})
}

func BenchmarkDecodeScreenRequest(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"addresses":[`)
	for i := range 1000 {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(`"0x098B716B8Aaf21512996dC57EB0615e2383E2f96"`)
	}
	sb.WriteString(`]}`)
	body := sb.String()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeScreenRequest(strings.NewReader(body), DefaultLimits()); err != nil {
			b.Fatal(err)
		}
	}
}
