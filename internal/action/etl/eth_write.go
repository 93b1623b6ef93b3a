package etl

import (
	"bufio"
	"fmt"
	"io"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf8"
)

// EthKind names one ethereum-etl export.
type EthKind string

// The ethereum-etl exports.
const (
	EthKindBlocks         EthKind = "blocks"
	EthKindTransactions   EthKind = "transactions"
	EthKindReceipts       EthKind = "receipts"
	EthKindLogs           EthKind = "logs"
	EthKindTokenTransfers EthKind = "token_transfers"
	EthKindTraces         EthKind = "traces"
	EthKindContracts      EthKind = "contracts"
	EthKindTokens         EthKind = "tokens"
)

// EthColumns are the CSV columns of each export, in ethereum-etl's order;
// its JSON lines carry the same keys in the same order.
var EthColumns = map[EthKind][]string{
	EthKindBlocks: {"number", "hash", "parent_hash", "nonce", "sha3_uncles", "logs_bloom", "transactions_root",
		"state_root", "receipts_root", "miner", "difficulty", "total_difficulty", "size", "extra_data",
		"gas_limit", "gas_used", "timestamp", "transaction_count", "base_fee_per_gas", "withdrawals_root", "withdrawals"},
	EthKindTransactions: {"hash", "nonce", "block_hash", "block_number", "transaction_index", "from_address",
		"to_address", "value", "gas", "gas_price", "input", "block_timestamp", "max_fee_per_gas",
		"max_priority_fee_per_gas", "transaction_type"},
	EthKindReceipts: {"transaction_hash", "transaction_index", "block_hash", "block_number", "cumulative_gas_used",
		"gas_used", "contract_address", "root", "status", "effective_gas_price", "l1_fee", "l1_gas_used",
		"l1_gas_price", "l1_fee_scalar"},
	EthKindLogs: {"log_index", "transaction_hash", "transaction_index", "block_hash", "block_number", "address",
		"data", "topics"},
	EthKindTokenTransfers: {"token_address", "from_address", "to_address", "value", "transaction_hash", "log_index",
		"block_number"},
	EthKindTraces: {"block_number", "transaction_hash", "transaction_index", "from_address", "to_address", "value",
		"input", "output", "trace_type", "call_type", "reward_type", "gas", "gas_used", "subtraces",
		"trace_address", "error", "status", "trace_id"},
	EthKindContracts: {"address", "bytecode", "function_sighashes", "is_erc20", "is_erc721", "block_number"},
	EthKindTokens:    {"address", "symbol", "name", "decimals", "total_supply", "block_number"},
}

// ParseEthKind checks s names an export.
func ParseEthKind(s string) (EthKind, error) {
	if _, ok := EthColumns[EthKind(s)]; ok {
		return EthKind(s), nil
	}
	return "", fmt.Errorf("unknown ethereum export %q: want blocks, transactions, receipts, logs, token_transfers, traces, contracts or tokens", s)
}

// Field is one named value of a record. Value is nil (null), string,
// *big.Int, uint64, int, bool, []string, []int or []Record.
type Field struct {
	Name  string
	Value any
}

// Record is one exported item, its fields in output order.
type Record []Field

// Get returns the value of the field named name and whether it exists.
func (r Record) Get(name string) (any, bool) {
	for _, f := range r {
		if f.Name == name {
			return f.Value, true
		}
	}
	return nil, false
}

// EthWriter writes records of one export in one format, byte for byte as
// ethereum-etl does: JSON lines as Python's json.dumps (", " and ": "
// separators, non-ASCII escaped), CSV with a header row before the first
// record (none when there is no record), "\n" line ends,
// quotes only where needed, null as an empty field, lists joined with ","
// (objects in lists as compact JSON) and booleans as True/False. Call Flush
// at the end.
type EthWriter struct {
	buf     *bufio.Writer
	format  Format
	columns []string
	header  bool // the CSV header was written
	scratch []byte
}

// NewEthWriter writes kind's records to w.
func NewEthWriter(w io.Writer, f Format, kind EthKind) (*EthWriter, error) {
	cols, ok := EthColumns[kind]
	if !ok {
		return nil, fmt.Errorf("unknown ethereum export %q", kind)
	}
	return NewEthRecordWriter(w, f, cols)
}

// NewEthRecordWriter writes records with the given CSV columns (JSON
// writes every field of each record, so enriched stream records keep their
// extra fields).
func NewEthRecordWriter(w io.Writer, f Format, columns []string) (*EthWriter, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	if f != FormatJSON && f != FormatCSV {
		return nil, fmt.Errorf("%w %q: want json or csv", ErrFormat, f)
	}
	return &EthWriter{buf: bw, format: f, columns: columns}, nil
}

// Write writes one record.
func (w *EthWriter) Write(r Record) error {
	b := w.scratch[:0]
	if w.format == FormatCSV && !w.header {
		// Like ethereum-etl, the header comes with the first row: an empty
		// export is an empty file.
		w.header = true
		for i, c := range w.columns {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, csvQuote(c)...)
		}
		b = append(b, '\n')
	}
	if w.format == FormatJSON {
		b = appendPyRecord(b, r, ", ", ": ")
	} else {
		for i, c := range w.columns {
			if i > 0 {
				b = append(b, ',')
			}
			v, _ := r.Get(c)
			b = append(b, csvQuote(csvValue(v))...)
		}
	}
	b = append(b, '\n')
	w.scratch = b
	if _, err := w.buf.Write(b); err != nil {
		return fmt.Errorf("write %s record: %w", w.format, err)
	}
	return nil
}

// WriteAll writes every record.
func (w *EthWriter) WriteAll(rs []Record) error {
	for _, r := range rs {
		if err := w.Write(r); err != nil {
			return err
		}
	}
	return nil
}

// Flush writes buffered output.
func (w *EthWriter) Flush() error {
	if err := w.buf.Flush(); err != nil {
		return fmt.Errorf("flush %s export: %w", w.format, err)
	}
	return nil
}

// WriteEth writes records of kind to w in format f.
func WriteEth(w io.Writer, f Format, kind EthKind, rs []Record) error {
	ew, err := NewEthWriter(w, f, kind)
	if err != nil {
		return err
	}
	if err := ew.WriteAll(rs); err != nil {
		return err
	}
	return ew.Flush()
}

// csvValue renders a value as Python's str() would inside ethereum-etl's
// CSV exporter.
func csvValue(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case []string:
		return strings.Join(x, ",")
	case []int:
		parts := make([]string, len(x))
		for i, n := range x {
			parts[i] = strconv.Itoa(n)
		}
		return strings.Join(parts, ",")
	case []Record:
		parts := make([]string, len(x))
		for i, r := range x {
			parts[i] = string(appendPyRecord(nil, r, ",", ":"))
		}
		return strings.Join(parts, ",")
	case bool:
		if x {
			return "True"
		}
		return "False"
	}
	return string(appendPyScalar(nil, v, false))
}

// csvQuote quotes a field as Python's csv module does with QUOTE_MINIMAL.
func csvQuote(s string) string {
	if !strings.ContainsAny(s, ",\"\r\n") {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

func appendPyRecord(b []byte, r Record, itemSep, keySep string) []byte {
	b = append(b, '{')
	for i, f := range r {
		if i > 0 {
			b = append(b, itemSep...)
		}
		b = appendPyString(b, f.Name)
		b = append(b, keySep...)
		b = appendPyValue(b, f.Value, itemSep, keySep)
	}
	return append(b, '}')
}

func appendPyValue(b []byte, v any, itemSep, keySep string) []byte {
	switch x := v.(type) {
	case []string:
		b = append(b, '[')
		for i, s := range x {
			if i > 0 {
				b = append(b, itemSep...)
			}
			b = appendPyString(b, s)
		}
		return append(b, ']')
	case []int:
		b = append(b, '[')
		for i, n := range x {
			if i > 0 {
				b = append(b, itemSep...)
			}
			b = strconv.AppendInt(b, int64(n), 10)
		}
		return append(b, ']')
	case []Record:
		b = append(b, '[')
		for i, r := range x {
			if i > 0 {
				b = append(b, itemSep...)
			}
			b = appendPyRecord(b, r, itemSep, keySep)
		}
		return append(b, ']')
	}
	return appendPyScalar(b, v, true)
}

// appendPyScalar appends a scalar as JSON (quoted strings, null, true) or,
// with json false, as its bare text.
func appendPyScalar(b []byte, v any, json bool) []byte {
	switch x := v.(type) {
	case nil:
		if json {
			return append(b, "null"...)
		}
		return b
	case string:
		if json {
			return appendPyString(b, x)
		}
		return append(b, x...)
	case *big.Int:
		if x == nil {
			return appendPyScalar(b, nil, json)
		}
		return x.Append(b, 10)
	case uint64:
		return strconv.AppendUint(b, x, 10)
	case int:
		return strconv.AppendInt(b, int64(x), 10)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case bool:
		if json {
			return strconv.AppendBool(b, x)
		}
		if x {
			return append(b, "True"...)
		}
		return append(b, "False"...)
	}
	panic(fmt.Sprintf("etl: record value of type %T", v)) // a builder made a bad record
}

// appendPyString appends s as Python's json.dumps writes it with
// ensure_ascii: control and non-ASCII characters as \uXXXX (surrogate pairs
// above the BMP); invalid UTF-8 bytes as U+FFFD.
func appendPyString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for _, r := range s {
		switch {
		case r == '"':
			b = append(b, '\\', '"')
		case r == '\\':
			b = append(b, '\\', '\\')
		case r == '\n':
			b = append(b, '\\', 'n')
		case r == '\r':
			b = append(b, '\\', 'r')
		case r == '\t':
			b = append(b, '\\', 't')
		case r == '\b':
			b = append(b, '\\', 'b')
		case r == '\f':
			b = append(b, '\\', 'f')
		case r >= 0x20 && r < 0x7f:
			b = append(b, byte(r))
		default:
			if r == utf8.RuneError {
				r = 0xfffd
			}
			units := []rune{r}
			if r > 0xffff {
				r -= 0x10000
				units = []rune{0xd800 + (r>>10)&0x3ff, 0xdc00 + r&0x3ff}
			}
			for _, u := range units {
				b = append(b, '\\', 'u', hex[u>>12&0xf], hex[u>>8&0xf], hex[u>>4&0xf], hex[u&0xf])
			}
		}
	}
	return append(b, '"')
}
