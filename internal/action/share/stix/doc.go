// Package stix is the STIX 2.1 object model Interdict emits and consumes:
// typed structs for the domain, relationship and cyber-observable objects
// that matter to crypto-theft intelligence, bundles, marking definitions
// (TLP 2.0, TLP 1 and statements, granular markings), deterministic SCO ids
// and validation against the OASIS JSON schemas.
//
// Every object round-trips losslessly: properties a struct does not name
// (custom x_ properties, properties of object types we do not model, deprecated
// ones) are kept in Common.Extra and written back as they came. Timestamps keep
// the precision they were read with; new ones carry milliseconds, as the
// specification requires of created and modified.
//
// Patterning (the indicator pattern language) is in the pattern subpackage.
package stix
