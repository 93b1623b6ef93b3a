package lists_test

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/interdict/interdict/internal/index/lists"
	"github.com/interdict/interdict/internal/sources/sanctions"
)

func entityWith(id string, addrs ...string) sanctions.Entity {
	e := sanctions.Entity{ID: id}
	for i := 0; i+1 < len(addrs); i += 2 {
		e.Addresses = append(e.Addresses, sanctions.DigitalAddress{Currency: addrs[i], Address: addrs[i+1]})
	}
	return e
}

func TestWriteAddressLists(t *testing.T) {
	tests := []struct {
		name     string
		entities []sanctions.Entity
		want     map[string]string // file name → content
	}{
		{
			name: "addresses are sorted in byte order, upper case before lower case",
			entities: []sanctions.Entity{entityWith("1",
				"ETH", "0xabc0000000000000000000000000000000000000",
				"ETH", "0xABC0000000000000000000000000000000000000",
				"ETH", "0x1230000000000000000000000000000000000000")},
			want: map[string]string{"sanctioned_addresses_ETH.txt": "0x1230000000000000000000000000000000000000\n0xABC0000000000000000000000000000000000000\n0xabc0000000000000000000000000000000000000\n"},
		},
		{
			name: "an address listed by two entities is written once per asset, and once in each asset",
			entities: []sanctions.Entity{
				entityWith("1", "USDT", "0x098B716B8Aaf21512996dC57EB0615e2383E2f96", "ETH", "0x098B716B8Aaf21512996dC57EB0615e2383E2f96"),
				entityWith("2", "ETH", "0x098B716B8Aaf21512996dC57EB0615e2383E2f96"),
			},
			want: map[string]string{
				"sanctioned_addresses_ETH.txt":  "0x098B716B8Aaf21512996dC57EB0615e2383E2f96\n",
				"sanctioned_addresses_USDT.txt": "0x098B716B8Aaf21512996dC57EB0615e2383E2f96\n",
			},
		},
		{
			name:     "addresses are trimmed, and blank ones or ones with white space inside are left out",
			entities: []sanctions.Entity{entityWith("1", "XBT", " 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa\n", "XBT", "   ", "XBT", "1A1z P1eP5")},
			want:     map[string]string{"sanctioned_addresses_XBT.txt": "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa\n"},
		},
		{
			name:     "a currency label that is unsafe in a file name is rewritten",
			entities: []sanctions.Entity{entityWith("1", "../X/Y", "addr1")},
			want:     map[string]string{"sanctioned_addresses____X_Y.txt": "addr1\n"},
		},
		{
			name:     "entities without addresses write nothing",
			entities: []sanctions.Entity{{ID: "1"}},
			want:     map[string]string{},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			names, err := lists.WriteAddressLists(dir, tc.entities)
			if err != nil {
				t.Fatal(err)
			}
			got := readDir(t, dir)
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("files = %q\nwant %q", got, tc.want)
			}
			wantNames := slices.Sorted(func(yield func(string) bool) {
				for n := range tc.want {
					if !yield(n) {
						return
					}
				}
			})
			if !slices.Equal(names, wantNames) && !(len(names) == 0 && len(wantNames) == 0) {
				t.Fatalf("names = %v, want %v", names, wantNames)
			}
		})
	}
}

func TestWriteAddressListsReplacesAnEarlierExport(t *testing.T) {
	dir := t.TempDir()
	if _, err := lists.WriteAddressLists(dir, []sanctions.Entity{entityWith("1", "ETH", "0xaa", "XMR", "4abc")}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "README"), []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := lists.WriteAddressLists(dir, []sanctions.Entity{entityWith("1", "ETH", "0xbb")}); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"sanctioned_addresses_ETH.txt": "0xbb\n", "README": "keep me"}
	if got := readDir(t, dir); !reflect.DeepEqual(got, want) {
		t.Fatalf("after the second export: %q, want %q (the stale XMR list removed, other files kept)", got, want)
	}
}

func readDir(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		got[e.Name()] = string(b)
	}
	return got
}

func TestReadAddressListsRoundTrip(t *testing.T) {
	dir := t.TempDir()
	in := []sanctions.Entity{entityWith("1", "XBT", "bc1qexample", "ETH", "0xBB", "ETH", "0xAA")}
	if _, err := lists.WriteAddressLists(dir, in); err != nil {
		t.Fatal(err)
	}
	got, err := lists.ReadAddressLists(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []sanctions.DigitalAddress{{Currency: "ETH", Address: "0xAA"}, {Currency: "ETH", Address: "0xBB"}, {Currency: "XBT", Address: "bc1qexample"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("read %v, want %v", got, want)
	}
	t.Run("a directory without lists is an error", func(t *testing.T) {
		if _, err := lists.ReadAddressLists(t.TempDir()); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestParseAddressList(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []string
		wantErr error
	}{
		{"one address per line with a final newline", "a1\nb2\n", []string{"a1", "b2"}, nil},
		{"CRLF line ends, blank lines and no final newline are accepted", "a1\r\n\r\n  \nb2", []string{"a1", "b2"}, nil},
		{"an empty file has no addresses", "", nil, nil},
		{"white space inside an address is malformed", "a1\nb 2\n", nil, sanctions.ErrMalformed},
		{"a control character is malformed", "a1\x00\n", nil, sanctions.ErrMalformed},
		{"a line longer than any address is malformed", strings.Repeat("x", 5000), nil, sanctions.ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := lists.ParseAddressList("XBT", strings.NewReader(tc.in))
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			var addrs []string
			for _, a := range got {
				if a.Currency != "XBT" {
					t.Fatalf("currency %q", a.Currency)
				}
				addrs = append(addrs, a.Address)
			}
			if !slices.Equal(addrs, tc.want) {
				t.Fatalf("addresses %q, want %q", addrs, tc.want)
			}
		})
	}
}

func FuzzParseAddressList(f *testing.F) {
	f.Add([]byte("0x098B716B8Aaf21512996dC57EB0615e2383E2f96\nTUCsTq7TofTCJRRoHk6RvhMoS2mJLm5Yzq\n"))
	f.Add([]byte("a\r\n\r\nb"))
	f.Add([]byte("a b\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		addrs, err := lists.ParseAddressList("XBT", bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, sanctions.ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			return
		}
		// What parses must survive a write and a read unchanged as a set.
		dir := t.TempDir()
		e := sanctions.Entity{ID: "1", Addresses: addrs}
		if _, err := lists.WriteAddressLists(dir, []sanctions.Entity{e}); err != nil {
			t.Fatal(err)
		}
		if len(addrs) == 0 {
			return
		}
		back, err := lists.ReadAddressLists(dir)
		if err != nil {
			t.Fatal(err)
		}
		if added, removed := lists.DiffAddressLists(addrs, back); len(added)+len(removed) != 0 {
			t.Fatalf("round trip changed the set: +%v -%v", added, removed)
		}
	})
}
