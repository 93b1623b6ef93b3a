// Package inspect is the self-inspection of an exchange or custodian against
// the techniques DPRK groups use: a control catalogue shipped as data with its
// provenance (SEAL Frameworks certifications, CCSS 2021, the ATT&CK
// mitigations of the DPRK techniques, the FSA's 2024-09-26 self-inspection
// topics), a crosswalk of checks linking those controls to techniques and to
// the heists they would have stopped, inspections with answers and typed
// evidence kept by a Store, rules that evaluate a configuration (and so
// replay the heist scenarios in testdata/scenarios), and signed reports.
//
// Each catalogue file in data/ keeps its own licence and notice: see
// data/NOTE.md. The third-party files are re-derived by go generate.
package inspect

//go:generate go run ../../../cmd/inspectgen -data ../../../../shared/data -out data
