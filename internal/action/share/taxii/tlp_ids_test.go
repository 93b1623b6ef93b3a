package taxii_test

import (
	"encoding/json"
	"testing"

	"github.com/interdict/interdict/internal/action/share/stix"
	"github.com/interdict/interdict/internal/action/share/taxii"
)

// TestTLPAgreesWithSTIX holds the TAXII server's TLP reading to the STIX
// model's: the same TLP 2.0 marking-definition ids, and the same level for
// objects marked with them (package stix reads markings on its own).
func TestTLPAgreesWithSTIX(t *testing.T) {
	for _, name := range []string{"clear", "green", "amber", "amber+strict", "red"} {
		t.Run("TLP:"+name+" has one marking-definition id in both packages", func(t *testing.T) {
			level, err := stix.ParseTLP(name)
			if err != nil {
				t.Fatal(err)
			}
			id := taxii.TLPMarkingID(taxii.TLP(name))
			if id == "" || id != stix.TLP20ID(level) {
				t.Fatalf("taxii %q, stix %q", id, stix.TLP20ID(level))
			}
			raw := json.RawMessage(`{"type":"indicator","spec_version":"2.1","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","object_marking_refs":["` + id + `"]}`)
			o, err := taxii.ParseObject(raw)
			if err != nil {
				t.Fatal(err)
			}
			if o.TLP != taxii.TLP(name) {
				t.Fatalf("taxii reads %q", o.TLP)
			}
		})
	}
}
