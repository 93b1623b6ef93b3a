package etl

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func sampleTransaction() Transaction {
	v, fee := int64(5000), int64(1000)
	typ := TypePubKeyHash
	one := 1
	return Transaction{
		Hash: "aa", Size: 100, VirtualSize: 100, Version: 1, BlockNumber: 7, BlockHash: "bb",
		BlockTimestamp: 1, Index: 1,
		Inputs: []Input{{SpentTransactionHash: "cc", ScriptAsm: "0", ScriptHex: "00", Sequence: 1,
			RequiredSignatures: &one, Type: &typ, Addresses: []string{"1x"}, Value: &v}},
		Outputs:    []Output{{ScriptAsm: "OP_1", ScriptHex: "51", Type: TypeNonStandard, Addresses: []string{"nonstandardx"}, Value: 4000}},
		InputCount: 1, OutputCount: 1, InputValue: &v, OutputValue: 4000, Fee: &fee,
	}
}

func TestWriter(t *testing.T) {
	t.Run("JSON lines hold one record per line with bitcoin-etl's keys in order", func(t *testing.T) {
		var buf bytes.Buffer
		w, err := NewTransactionWriter(&buf, FormatJSON)
		if err != nil {
			t.Fatal(err)
		}
		tx := sampleTransaction()
		tx.InputValue, tx.Fee = nil, nil
		for range 2 {
			if err := w.WriteTransaction(tx); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
		if len(lines) != 2 {
			t.Fatalf("%d lines, want 2", len(lines))
		}
		if !strings.Contains(lines[0], `"input_value":null`) || !strings.Contains(lines[0], `"fee":null`) {
			t.Errorf("unknown amounts are not null: %s", lines[0])
		}
		var keys []string
		dec := json.NewDecoder(strings.NewReader(lines[0]))
		dec.Token()
		for dec.More() {
			k, _ := dec.Token()
			keys = append(keys, k.(string))
			var skip json.RawMessage
			_ = dec.Decode(&skip)
		}
		if !reflect.DeepEqual(keys, TransactionColumns) {
			t.Errorf("keys %v, want %v", keys, TransactionColumns)
		}
	})
	t.Run("CSV has a header, JSON-array inputs and outputs, and empty cells for null", func(t *testing.T) {
		var buf bytes.Buffer
		w, err := NewTransactionWriter(&buf, FormatCSV)
		if err != nil {
			t.Fatal(err)
		}
		tx := sampleTransaction()
		tx.Fee = nil
		if err := w.WriteTransaction(tx); err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 || !reflect.DeepEqual(rows[0], TransactionColumns) {
			t.Fatalf("rows %v", rows)
		}
		row := rows[1]
		var ins []Input
		if err := json.Unmarshal([]byte(row[10]), &ins); err != nil || !reflect.DeepEqual(ins, tx.Inputs) {
			t.Errorf("inputs cell %q does not round-trip: %v", row[10], err)
		}
		if row[8] != "False" || row[16] != "" || row[14] != "5000" {
			t.Errorf("is_coinbase %q fee %q input_value %q", row[8], row[16], row[14])
		}
	})
	t.Run("an empty CSV export is still a header", func(t *testing.T) {
		var buf bytes.Buffer
		w, err := NewBlockWriter(&buf, FormatCSV)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		if got := buf.String(); got != strings.Join(BlockColumns, ",")+"\n" {
			t.Errorf("got %q", got)
		}
	})
	t.Run("an unknown format is refused", func(t *testing.T) {
		if _, err := ParseFormat("xml"); !errors.Is(err, ErrFormat) {
			t.Errorf("ParseFormat(xml) = %v", err)
		}
		if _, err := NewBlockWriter(&bytes.Buffer{}, "parquet"); !errors.Is(err, ErrFormat) {
			t.Errorf("NewBlockWriter(parquet) = %v", err)
		}
	})
}
