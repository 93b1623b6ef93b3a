package lists

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode"

	"github.com/interdict/interdict/internal/sources/sanctions"
)

// The per-asset address-list format, as the widely used community lists
// publish it (0xB10C/ofac-sanctioned-digital-currency-addresses): one file
// sanctioned_addresses_<ASSET>.txt per currency label, one address per line
// as published (case kept), sorted in byte order, no duplicates, no blank
// lines, a final newline. Node and firewall blocklists read these files.
const (
	addressListPrefix = "sanctioned_addresses_"
	addressListSuffix = ".txt"
)

// AddressListFileName returns the file name of asset's list. Bytes other than
// A-Z, a-z, 0-9, '-' and '_' become '_', so a strange label can never name a
// path outside the directory.
func AddressListFileName(asset string) string {
	b := []byte(asset)
	for i, c := range b {
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			b[i] = '_'
		}
	}
	return addressListPrefix + string(b) + addressListSuffix
}

// AddressLists groups the entities' digital-currency addresses by currency
// label: for each asset, the addresses as published (trimmed), deduplicated
// and sorted in byte order. Addresses that are empty or hold white space
// inside cannot be written one per line and are left out.
func AddressLists(entities []sanctions.Entity) map[string][]string {
	sets := map[string]map[string]bool{}
	for i := range entities {
		for _, a := range entities[i].Addresses {
			addr := strings.TrimSpace(a.Address)
			if addr == "" || strings.ContainsFunc(addr, isSpaceOrControl) {
				continue
			}
			s := sets[a.Currency]
			if s == nil {
				s = map[string]bool{}
				sets[a.Currency] = s
			}
			s[addr] = true
		}
	}
	out := make(map[string][]string, len(sets))
	for asset, s := range sets {
		l := make([]string, 0, len(s))
		for addr := range s {
			l = append(l, addr)
		}
		slices.Sort(l) // Go compares strings byte-wise: C-locale order
		out[asset] = l
	}
	return out
}

// WriteAddressLists writes the per-asset address lists of entities into dir
// (created if needed) and returns the file names written, sorted. Each file
// is written to a temporary file in dir and renamed into place, so a reader
// never sees a half-written list; sanctioned_addresses_*.txt files left in
// dir by an earlier export for assets no longer listed are removed.
func WriteAddressLists(dir string, entities []sanctions.Entity) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("export address lists: %w", err)
	}
	lists := AddressLists(entities)
	files := map[string][]string{}
	for asset, addrs := range lists {
		name := AddressListFileName(asset)
		// Two labels that differ only in unsafe bytes share a file.
		files[name] = append(files[name], addrs...)
	}
	names := make([]string, 0, len(files))
	for name, addrs := range files {
		slices.Sort(addrs)
		var buf bytes.Buffer
		for _, a := range slices.Compact(addrs) {
			buf.WriteString(a)
			buf.WriteByte('\n')
		}
		if err := writeFileAtomic(filepath.Join(dir, name), buf.Bytes()); err != nil {
			return nil, fmt.Errorf("export address lists: %w", err)
		}
		names = append(names, name)
	}
	slices.Sort(names)
	old, err := filepath.Glob(filepath.Join(dir, addressListPrefix+"*"+addressListSuffix))
	if err != nil {
		return nil, fmt.Errorf("export address lists: %w", err)
	}
	for _, p := range old {
		if _, ok := files[filepath.Base(p)]; !ok {
			if err := os.Remove(p); err != nil {
				return nil, fmt.Errorf("export address lists: remove stale list: %w", err)
			}
		}
	}
	return names, nil
}

func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // a no-op once renamed
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// ReadAddressLists reads every sanctioned_addresses_<ASSET>.txt file in dir
// into (currency, address) pairs, in file-name then line order. A directory
// without such files is an error wrapping fs.ErrNotExist.
func ReadAddressLists(dir string) ([]sanctions.DigitalAddress, error) {
	paths, err := filepath.Glob(filepath.Join(dir, addressListPrefix+"*"+addressListSuffix))
	if err != nil {
		return nil, fmt.Errorf("read address lists: %w", err)
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("read address lists: no %s*%s files in %s: %w", addressListPrefix, addressListSuffix, dir, fs.ErrNotExist)
	}
	slices.Sort(paths)
	var out []sanctions.DigitalAddress
	for _, p := range paths {
		asset := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(p), addressListPrefix), addressListSuffix)
		f, err := os.Open(p)
		if err != nil {
			return nil, fmt.Errorf("read address lists: %w", err)
		}
		addrs, err := ParseAddressList(asset, f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("read address lists: %s: %w", filepath.Base(p), err)
		}
		out = append(out, addrs...)
	}
	return out, nil
}

// maxAddressLine bounds a line: the longest real addresses (Monero) are 106
// characters, so a longer line is not an address list.
const maxAddressLine = 1024

// ParseAddressList reads one list file of asset: one address per line. It
// accepts CRLF line ends, blank lines and a missing final newline, which other
// tools produce, but returns an error wrapping sanctions.ErrMalformed for a
// line holding white space or control characters inside, or too long.
func ParseAddressList(asset string, r io.Reader) ([]sanctions.DigitalAddress, error) {
	var out []sanctions.DigitalAddress
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxAddressLine)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		if strings.ContainsFunc(line, isSpaceOrControl) {
			return nil, fmt.Errorf("line %d: white space or control character in an address: %w", n, sanctions.ErrMalformed)
		}
		out = append(out, sanctions.DigitalAddress{Currency: asset, Address: line})
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("line longer than %d bytes: %w", maxAddressLine, sanctions.ErrMalformed)
		}
		return nil, err
	}
	return out, nil
}

func isSpaceOrControl(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }

// DiffAddressLists compares two sets of (currency, address) pairs exactly (as
// published, the way the community lists are compared file+line) and returns
// the pairs only in to (added) and only in from (removed), each sorted by
// currency then address.
func DiffAddressLists(from, to []sanctions.DigitalAddress) (added, removed []sanctions.DigitalAddress) {
	a, b := pairSet(from), pairSet(to)
	for p := range b {
		if !a[p] {
			added = append(added, p)
		}
	}
	for p := range a {
		if !b[p] {
			removed = append(removed, p)
		}
	}
	slices.SortFunc(added, comparePair)
	slices.SortFunc(removed, comparePair)
	return added, removed
}

func pairSet(l []sanctions.DigitalAddress) map[sanctions.DigitalAddress]bool {
	s := make(map[sanctions.DigitalAddress]bool, len(l))
	for _, p := range l {
		s[p] = true
	}
	return s
}

func comparePair(x, y sanctions.DigitalAddress) int {
	if c := strings.Compare(x.Currency, y.Currency); c != 0 {
		return c
	}
	return strings.Compare(x.Address, y.Address)
}
