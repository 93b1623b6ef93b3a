package un

import (
	"bytes"
	"context"
	"errors"
	"os"
	"testing"

	"github.com/interdict/interdict/internal/sources/sanctions"
)

// FuzzParseUN checks that no input makes Parse panic, that every failure on an
// in-memory input is ErrMalformed, and that a success yields named records.
func FuzzParseUN(f *testing.F) {
	sample, err := os.ReadFile(samplePath)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(sample)
	f.Add([]byte(`<CONSOLIDATED_LIST dateGenerated="2026-02-27T00:00:09.554Z"><INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID>` +
		`<FIRST_NAME>KIM</FIRST_NAME><NAME_ORIGINAL_SCRIPT>김</NAME_ORIGINAL_SCRIPT><INDIVIDUAL_ALIAS><QUALITY>Low</QUALITY>` +
		`<ALIAS_NAME>K</ALIAS_NAME></INDIVIDUAL_ALIAS><INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>BETWEEN</TYPE_OF_DATE>` +
		`<FROM_YEAR>1960</FROM_YEAR><TO_YEAR>1962</TO_YEAR></INDIVIDUAL_DATE_OF_BIRTH></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>`))
	f.Add([]byte(`<CONSOLIDATED_LIST><ENTITIES><ENTITY><DATAID>2</DATAID></ENTITY></ENTITIES></CONSOLIDATED_LIST>`))
	f.Add([]byte("\x00garbage"))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := Parse(context.Background(), bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, sanctions.ErrMalformed) {
				t.Fatalf("error %v is not ErrMalformed", err)
			}
			return
		}
		for _, e := range l.Entities {
			if e.ID == "" || e.PrimaryName() == "" {
				t.Fatalf("record without ID or name: %+v", e)
			}
		}
	})
}
