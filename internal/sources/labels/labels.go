// Package labels decodes third-party address label sets into one shape: the
// Etherscan/BscScan label dumps and per-label account CSVs
// (brianleect/etherscan-labels), the MyEtherWallet dark and light lists, the
// Forta labelled datasets, the CryptoScamDB blacklist, and plain CSV or JSON
// files with an address and a label column.
//
// The format is detected from the file name and its first bytes (Detect). A
// structural problem (bad JSON, a missing column) fails the whole file with its
// line; a row whose address is unusable (the MEW darklist has three) is
// skipped and reported with its line, since these sets are published as is.
package labels

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/interdict/interdict/internal/chain"
)

// ErrMalformed wraps every error about a file's content.
var ErrMalformed = errors.New("malformed label file")

// ErrUnknownFormat is a file Detect cannot place.
var ErrUnknownFormat = errors.New("unknown label file format")

// Format names a label-set format.
type Format string

// Formats.
const (
	FormatEtherscanCombined Format = "etherscan-combined" // {address: {name, labels[]}}
	FormatEtherscanAccounts Format = "etherscan-accounts" // ,Address,Name Tag,Balance,Txn Count
	FormatMEW               Format = "mew"                // [{address, comment, date}]
	FormatFortaLabels       Format = "forta-labels"       // banned_address,wallet_tag,data_source
	FormatFortaContracts    Format = "forta-contracts"    // contract_address,contract_tag,contract_creator,...
	FormatFortaPhishing     Format = "forta-phishing"     // address,etherscan_tag,etherscan_labels,is_contract
	FormatCryptoScamDB      Format = "cryptoscamdb"       // YAML [{name, url, category, addresses{COIN: []}}]
	FormatCSV               Format = "csv"                // header with address and label columns
	FormatJSON              Format = "json"               // [{address, label, ...}]
)

// Label is one labelled address.
type Label struct {
	Address  string `json:"address"` // as published, trimmed
	Network  string `json:"network"` // lower case: eth, bsc, btc, ...
	Currency string `json:"currency,omitempty"`
	Label    string `json:"label"`
	Category string `json:"category,omitempty"` // GraphSense concept of the entity type
	Abuse    string `json:"abuse,omitempty"`    // GraphSense concept of the behaviour
	Source   string `json:"source,omitempty"`
	Date     string `json:"date,omitempty"` // YYYY-MM-DD
	Line     int    `json:"line"`
}

// Skip is a row left out, with the reason.
type Skip struct {
	Line    int    `json:"line"`
	Address string `json:"address"`
	Reason  string `json:"reason"`
}

// Set is a decoded label file.
type Set struct {
	Format Format `json:"format"`
	File   string `json:"file"`
	// Confidence is the GraphSense confidence id the source deserves as a
	// whole (web_crawl for scraped labels, trusted_provider for curated lists).
	Confidence string  `json:"confidence"`
	Labels     []Label `json:"labels"`
	Skipped    []Skip  `json:"skipped,omitempty"`
}

// Error is a problem at one line of one file.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// Unwrap makes every Error an ErrMalformed.
func (e *Error) Unwrap() error { return ErrMalformed }

func errorf(file string, line int, format string, args ...any) error {
	return &Error{File: file, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// maxFileSize bounds one label file in memory (the largest, the Etherscan
// dump, is 3.5 MB).
const maxFileSize = 512 << 20

// Detect tells the format of an (uncompressed) file from its name (without a
// .gz suffix) and its first bytes.
func Detect(name string, head []byte) (Format, error) {
	base := strings.ToLower(path.Base(strings.ReplaceAll(name, "\\", "/")))
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	trim := bytes.TrimLeft(head, " \t\r\n")
	first, _, _ := bytes.Cut(trim, []byte("\n"))
	first = bytes.TrimRight(first, "\r")
	switch {
	case strings.Contains(base, "combinedalllabels") && len(trim) > 0 && trim[0] == '{':
		return FormatEtherscanCombined, nil
	case bytes.Equal(first, []byte(",Address,Name Tag,Balance,Txn Count")):
		return FormatEtherscanAccounts, nil
	case bytes.HasPrefix(first, []byte("banned_address,")):
		return FormatFortaLabels, nil
	case bytes.HasPrefix(first, []byte("contract_address,")):
		return FormatFortaContracts, nil
	case bytes.HasPrefix(first, []byte("address,etherscan_tag")):
		return FormatFortaPhishing, nil
	case strings.HasPrefix(base, "addresses-") && strings.HasSuffix(base, "list.json"):
		return FormatMEW, nil
	case (strings.HasSuffix(base, ".yaml") || strings.HasSuffix(base, ".yml")) && bytes.Contains(head, []byte("- name:")) && bytes.Contains(head, []byte("url:")):
		return FormatCryptoScamDB, nil
	case strings.HasSuffix(base, ".json") && len(trim) > 0 && trim[0] == '[':
		return FormatJSON, nil
	case strings.HasSuffix(base, ".csv") || strings.HasSuffix(base, ".tsv"):
		return FormatCSV, nil
	}
	return "", fmt.Errorf("%s: %w (want an Etherscan label dump or account CSV, a MEW list, a Forta dataset, a CryptoScamDB YAML, or a CSV/JSON with address and label)", name, ErrUnknownFormat)
}

// Parse decodes r as format f. file names the input in errors, provenance and
// (for some formats) the label or network: etherscan_accounts/binance.csv
// labels its rows "binance"; Forta's labels/10/ is chain 10, Optimism.
func Parse(r io.Reader, f Format, file string) (*Set, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: read: %w", file, err)
	}
	if len(data) > maxFileSize {
		return nil, errorf(file, 0, "file larger than %d bytes", maxFileSize)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	s := &Set{Format: f, File: file, Confidence: "web_crawl"}
	switch f {
	case FormatEtherscanCombined:
		err = parseEtherscanCombined(s, data)
	case FormatEtherscanAccounts:
		err = parseEtherscanAccounts(s, data)
	case FormatMEW:
		s.Confidence = "trusted_provider"
		err = parseMEW(s, data)
	case FormatFortaLabels, FormatFortaContracts, FormatFortaPhishing:
		err = parseForta(s, data)
	case FormatCryptoScamDB:
		err = parseCryptoScamDB(s, data)
	case FormatCSV:
		s.Confidence = "unknown"
		err = parseCSV(s, data)
	case FormatJSON:
		s.Confidence = "unknown"
		err = parseJSON(s, data)
	default:
		return nil, fmt.Errorf("%s: format %q: %w", file, f, ErrUnknownFormat)
	}
	if err != nil {
		return nil, err
	}
	return s, nil
}

// ParseFile reads r, detecting its format from name and content.
func ParseFile(r io.Reader, name string) (*Set, error) {
	br := bufio.NewReaderSize(r, 4096)
	head, _ := br.Peek(4096)
	f, err := Detect(strings.TrimSuffix(name, ".gz"), head)
	if err != nil {
		return nil, err
	}
	return Parse(br, f, name)
}

// add appends a label after checking its address for the network: EVM
// networks need 0x and 40 hex digits; others any text without blanks.
func (s *Set) add(l Label) {
	l.Address = strings.TrimSpace(l.Address)
	l.Label = strings.TrimSpace(l.Label)
	if reason := badAddress(l.Address, l.Network); reason != "" {
		s.Skipped = append(s.Skipped, Skip{Line: l.Line, Address: l.Address, Reason: reason})
		return
	}
	s.Labels = append(s.Labels, l)
}

func badAddress(a, network string) string {
	switch {
	case a == "":
		return "empty address"
	case strings.ContainsFunc(a, func(r rune) bool { return r <= ' ' || r == 0x7f }):
		return "address holds white space or control characters"
	case isEVMNetwork(network) && chain.ParseAddress(a).Format != chain.FormatEVM:
		return "not an EVM address (0x and 40 hex digits)"
	}
	return ""
}

// isEVMNetwork reports networks whose addresses are 20-byte hex.
func isEVMNetwork(n string) bool {
	switch n {
	case "eth", "bsc", "optimism", "polygon", "arbitrum", "etc", "avax", "base", "ftm":
		return true
	}
	return false
}

// lineAt returns the 1-based line of byte offset off in data.
func lineAt(data []byte, off int64) int {
	return (&lineCounter{data: data}).at(off)
}

// lineCounter turns increasing byte offsets into lines, counting each byte
// once (a dump on one 3 MB line would otherwise be rescanned per entry).
type lineCounter struct {
	data []byte
	off  int64
	line int
}

func (c *lineCounter) at(off int64) int {
	if off > int64(len(c.data)) {
		off = int64(len(c.data))
	}
	if off < c.off {
		c.off, c.line = 0, 0
	}
	c.line += bytes.Count(c.data[c.off:off], []byte("\n"))
	c.off = off
	return c.line + 1
}
