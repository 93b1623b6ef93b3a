package screen

import (
	"testing"
)

// BenchmarkNameIndexBuild builds the name index of the full OFAC SDN and UN
// lists (parsing excluded).
func BenchmarkNameIndexBuild(b *testing.B) {
	ds := realDatasets(b)
	b.ReportAllocs()
	for b.Loop() {
		newNameIndex(ds)
	}
}

// benchQueries are the query mixes of BenchmarkScreenName.
var benchQueries = map[string][]string{
	"hit": {"Kim Jong Un", "Lazarus Group", "Park Jin Hyok", "Cheil Credit Bank", "Reconnaissance General Bureau",
		"Korea Mangyongdae Computer Technology Corporation", "Vladimir Putin", "Usama bin Laden"},
	"misspelt": {"Kim Jong Oon", "Lazarus Grop", "Pak Jin Hyok", "Cheil Credt Bank", "Reconaissance General Bureau",
		"Korea Mangyongdae Computer Tecnology Corp", "Vladimir Poutine", "Osama bin Ladin"},
	"miss": {"John Smith", "Maria Garcia Lopez", "Mohammed Ali Hassan", "Wang Wei", "Northwind Logistics Ltd",
		"Anna Kowalski", "Hiroshi Tanaka", "Priya Sharma"},
	"hangul": {"김정은", "박진혁", "조선엑스포합영회사"},
}

// BenchmarkScreenName searches the full OFAC SDN and UN name index with
// listed names, misspelt ones and names nobody lists.
func BenchmarkScreenName(b *testing.B) {
	ix := realIndex(b)
	for _, kind := range []string{"hit", "misspelt", "miss", "hangul"} {
		qs := benchQueries[kind]
		b.Run(kind, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				ix.search(NameQuery{Name: qs[i%len(qs)]})
				i++
			}
		})
	}
}
