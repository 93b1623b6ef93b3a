// Package taxii is Interdict's TAXII 2.1 server and client.
//
// The server (Server, an http.Handler mounted under /taxii2/) serves
// discovery, API roots, collections, objects with their versions and
// manifests, and status resources, exactly as the OASIS TAXII 2.1 standard
// lays them out: media type application/taxii+json;version=2.1 both ways,
// pagination by limit/next/more, the added_after and match[...] filters, the
// X-TAXII-Date-Added-First/Last headers and the spec's error resource.
//
// Callers authenticate with an Interdict API key, as the password of HTTP
// Basic auth (any user name) or as a Bearer token. What a key may do on a
// collection is decided in rights.go: admins read and write everything;
// other keys get the collection's default can_read/can_write unless a grant
// for the key or its member says otherwise. TLP markings are enforced per
// object version (tlp.go): TLP:RED is served only to the member that posted
// it, TLP:AMBER and AMBER+STRICT only to members granted AMBER on the
// collection (and to the poster), CLEAR and GREEN to every reader.
//
// Objects are kept as the raw JSON the producer sent plus the envelope
// fields TAXII needs (id, type, spec_version, version, date_added, media
// type, marking); the STIX model proper lives in package stix.
//
// ImportMedallion loads the memory-backend data file of medallion, the OASIS
// reference TAXII server, so an ISAC can move to Interdict with the same ids,
// versions and dates. Client pulls, pushes and mirrors collections of any
// TAXII 2.1 server, resumable by added_after.
package taxii
