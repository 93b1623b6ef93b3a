package etl

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// Format is an export file format.
type Format string

// The formats bitcoin-etl writes.
const (
	FormatJSON Format = "json" // JSON lines: one record per line
	FormatCSV  Format = "csv"  // a header row, then one record per row
)

// ErrFormat reports an unknown Format.
var ErrFormat = errors.New("unknown export format")

// ParseFormat checks s names a Format.
func ParseFormat(s string) (Format, error) {
	switch f := Format(s); f {
	case FormatJSON, FormatCSV:
		return f, nil
	}
	return "", fmt.Errorf("%w %q: want json or csv", ErrFormat, s)
}

// BlockColumns and TransactionColumns are the CSV columns, in bitcoin-etl's
// order (the JSON key order is the same).
var (
	BlockColumns = []string{"hash", "size", "stripped_size", "weight", "number", "version",
		"merkle_root", "timestamp", "nonce", "bits", "coinbase_param", "transaction_count"}
	TransactionColumns = []string{"hash", "size", "virtual_size", "version", "lock_time",
		"block_number", "block_hash", "block_timestamp", "is_coinbase", "index", "inputs",
		"outputs", "input_count", "output_count", "input_value", "output_value", "fee"}
)

// Writer writes records of one kind in one format. Call Flush at the end.
type Writer struct {
	buf  *bufio.Writer
	json *json.Encoder
	csv  *csv.Writer
}

// NewBlockWriter writes Block records to w; for CSV the header comes first,
// so an empty export is still a valid file.
func NewBlockWriter(w io.Writer, f Format) (*Writer, error) {
	return newWriter(w, f, BlockColumns)
}

// NewTransactionWriter writes Transaction records to w.
func NewTransactionWriter(w io.Writer, f Format) (*Writer, error) {
	return newWriter(w, f, TransactionColumns)
}

func newWriter(w io.Writer, f Format, header []string) (*Writer, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	switch f {
	case FormatJSON:
		enc := json.NewEncoder(bw)
		enc.SetEscapeHTML(false)
		return &Writer{buf: bw, json: enc}, nil
	case FormatCSV:
		cw := csv.NewWriter(bw)
		if err := cw.Write(header); err != nil {
			return nil, fmt.Errorf("write csv header: %w", err)
		}
		return &Writer{buf: bw, csv: cw}, nil
	}
	return nil, fmt.Errorf("%w %q: want json or csv", ErrFormat, f)
}

// WriteBlock writes one block record.
func (w *Writer) WriteBlock(b Block) error {
	if w.json != nil {
		return w.json.Encode(b)
	}
	return w.csv.Write([]string{
		b.Hash, itoa(b.Size), itoa(b.StrippedSize), itoa(b.Weight), i64(b.Number),
		i64(int64(b.Version)), b.MerkleRoot, i64(b.Timestamp), b.Nonce, b.Bits,
		b.CoinbaseParam, itoa(b.TransactionCount),
	})
}

// WriteTransaction writes one transaction record. In CSV, inputs and
// outputs are JSON arrays in one cell each, and null is an empty cell.
func (w *Writer) WriteTransaction(t Transaction) error {
	if w.json != nil {
		return w.json.Encode(t)
	}
	ins, err := json.Marshal(t.Inputs)
	if err != nil {
		return fmt.Errorf("encode inputs of %s: %w", t.Hash, err)
	}
	outs, err := json.Marshal(t.Outputs)
	if err != nil {
		return fmt.Errorf("encode outputs of %s: %w", t.Hash, err)
	}
	return w.csv.Write([]string{
		t.Hash, itoa(t.Size), itoa(t.VirtualSize), i64(int64(t.Version)),
		strconv.FormatUint(uint64(t.LockTime), 10), i64(t.BlockNumber), t.BlockHash,
		i64(t.BlockTimestamp), pyBool(t.IsCoinbase), itoa(t.Index), string(ins), string(outs),
		itoa(t.InputCount), itoa(t.OutputCount), optional(t.InputValue), i64(t.OutputValue),
		optional(t.Fee),
	})
}

// Flush writes out buffered records.
func (w *Writer) Flush() error {
	if w.csv != nil {
		w.csv.Flush()
		if err := w.csv.Error(); err != nil {
			return fmt.Errorf("write csv: %w", err)
		}
	}
	if err := w.buf.Flush(); err != nil {
		return fmt.Errorf("write export: %w", err)
	}
	return nil
}

func itoa(n int) string  { return strconv.Itoa(n) }
func i64(n int64) string { return strconv.FormatInt(n, 10) }
func optional(n *int64) string {
	if n == nil {
		return ""
	}
	return i64(*n)
}

// pyBool writes booleans as bitcoin-etl's Python csv module does, so files
// load into the same BigQuery/Athena schemas.
func pyBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}
