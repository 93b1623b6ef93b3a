package labels

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPlainFiles(t *testing.T) {
	t.Run("a plain CSV keeps its columns and skips the empty address", func(t *testing.T) {
		s := parseTestFile(t, "testdata/good/plain.csv")
		if s.Format != FormatCSV || len(s.Labels) != 2 || len(s.Skipped) != 1 || s.Skipped[0].Line != 4 {
			t.Fatalf("set = %+v", s)
		}
		l := s.Labels[0]
		if l.Line != 2 || l.Network != "eth" || l.Label != "Ronin exploiter" || l.Date != "2022-04-14" || l.Source != "https://example.org" {
			t.Errorf("first label = %+v", l)
		}
		if s.Labels[1].Category != "exchange" || s.Labels[1].Network != "btc" {
			t.Errorf("second label = %+v", s.Labels[1])
		}
	})
	t.Run("a plain JSON array gives each entry its line", func(t *testing.T) {
		s := parseTestFile(t, "testdata/good/plain.json")
		if s.Format != FormatJSON || len(s.Labels) != 2 || s.Labels[0].Line != 2 || s.Labels[1].Line != 3 {
			t.Fatalf("set = %+v", s)
		}
		if s.Labels[1].Network != "btc" || s.Labels[0].Abuse != "sanction" {
			t.Errorf("labels = %+v", s.Labels)
		}
	})
}

func TestBadFiles(t *testing.T) {
	cases := map[string]string{
		"no_label_column.csv":              `no_label_column.csv:1: CSV header "address,name" has no "label" column`,
		"ragged.csv":                       "ragged.csv:2: row has 3 fields, header 2",
		"no_address.json":                  "no_address.json:3: entry has no address",
		"truncated.json":                   "truncated.json:",
		"etherscan_combinedAllLabels.json": `etherscan_combinedAllLabels.json:1: bad JSON for "0x098b716b8aaf21512996dc57eb0615e2383e2f96"`,
	}
	for file, want := range cases {
		t.Run(file+" is refused with its line", func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "bad", file))
			if err != nil {
				t.Fatal(err)
			}
			_, err = ParseFile(bytes.NewReader(data), file)
			if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), want) {
				t.Fatalf("error %v, want ErrMalformed containing %q", err, want)
			}
		})
	}
	t.Run("a file of no known format is refused", func(t *testing.T) {
		_, err := ParseFile(strings.NewReader("hello"), "notes.txt")
		if !errors.Is(err, ErrUnknownFormat) {
			t.Fatalf("error %v, want ErrUnknownFormat", err)
		}
	})
}

func parseTestFile(t *testing.T, path string) *Set {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ParseFile(bytes.NewReader(data), filepath.Base(path))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// FuzzParse checks that no input makes any format's parser panic, that every
// failure is ErrMalformed, and that every label kept has an address and a
// line. Seeds: testdata/good, testdata/bad and testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/[gb]*/*")
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, uint8(0))
	}
	f.Add([]byte(",Address,Name Tag,Balance,Txn Count\n0,0xabc,,1 ETH,2\n"), uint8(1))
	f.Add([]byte("---\n- name: x\n  url: y\n  addresses:\n    ETH: [\"0x1\"]\n"), uint8(5))
	formats := []Format{FormatEtherscanCombined, FormatEtherscanAccounts, FormatMEW, FormatFortaLabels, FormatFortaContracts,
		FormatFortaPhishing, FormatCryptoScamDB, FormatCSV, FormatJSON}
	f.Fuzz(func(t *testing.T, data []byte, which uint8) {
		s, err := Parse(bytes.NewReader(data), formats[int(which)%len(formats)], "labels/1/x_combinedAllLabels.json")
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v is not ErrMalformed", err)
			}
			return
		}
		for _, l := range s.Labels {
			if l.Address == "" || l.Line < 1 {
				t.Fatalf("bad label %+v", l)
			}
		}
	})
}
