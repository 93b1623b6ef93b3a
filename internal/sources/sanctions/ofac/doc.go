// Package ofac parses the US Treasury OFAC SDN list in its "advanced" XML schema
// (SDN_ADVANCED.XML, namespace …/exports/ADVANCED_XML) into a sanctions.List.
//
// The parser streams: it reads the document once, front to back, with a SAX
// tokenizer (github.com/orisano/gosax) and keeps only what the model needs. The
// file is large (about 120 MB) and encoding/xml only tokenizes it at about
// 50 MB/s (RawToken, measured on the 2025-11-19 list) before any work is done;
// gosax tokenizes at about 800 MB/s, and the whole parse runs at about 350 MB/s
// on one core (BenchmarkParseOFAC), well above the 50 MB/s import target. gosax does not check well-formedness,
// so this package does: start and end tags must match, there is one root named
// Sanctions, entity references must be valid and kept text must be UTF-8.
//
// The advanced schema is relational. Reference value sets (alias types, scripts,
// countries, feature types, ...) come first, then Locations, IDRegDocuments,
// DistinctParties and finally SanctionsEntries, all joined by numeric IDs. The
// parser keeps the small lookup tables and the parties in memory and joins
// documents, nationalities (via Locations), programs and listing dates at the end,
// so it does not depend on the order of those sections; feature types must be
// known before the features that use them, as the schema's element order
// guarantees.
//
// How fields are mapped:
//   - Entity.ID is DistinctParty/@FixedRef (the legacy ent_num).
//   - Entity.Type comes from Profile/@PartySubTypeID through the PartySubType and
//     PartyType reference values (Vessel, Aircraft, else the party type
//     Individual or Entity).
//   - Every Alias gives one Name per DocumentedName (one per script). The name parts
//     are joined with single spaces in document order, which is the order OFAC
//     publishes them in (last name first for most individuals, as in the legacy
//     list's "LAST, First"). Name.Kind is the lower-cased AliasType ("name",
//     "a.k.a.", "f.k.a.", "n.k.a."), Name.Script the Script reference value's name
//     ("Latin", "Cyrillic", "Hangul", "Chinese Simplified", ...). Names of the
//     primary alias are marked Primary and the first of them is Names[0].
//   - Programs are the Comments of SanctionsMeasures with SanctionsTypeID 1
//     ("Program") across all SanctionsEntries of the profile, de-duplicated and
//     sorted. ListedOn is the EntryEvent date of the SDN List entry (or the
//     earliest entry when a party is on no SDN entry).
//   - Birth dates are written at the precision the DatePeriod implies: an exact
//     day "1966-09-25", a whole month "1938-09", a whole year "1946". A period
//     that spans more than that is written as an ISO 8601 interval at the same
//     precision: "1955/1957" for 1955-01-01..1957-12-31, "1962-03/1963-02", or
//     "1950-03-21/1951-03-20" (Iranian-calendar years). The first four characters
//     are always the earliest possible year. The Approximate flag is not kept.
//   - Places of birth are the feature text as published; nationalities are the
//     country names of the Location the "Nationality Country" and "Citizenship
//     Country" features point to, de-duplicated.
//   - Identifiers are the IDRegDocuments of the party's identities: document type
//     name, IDRegistrationNo and the issuing country's name.
//   - Addresses are the "Digital Currency Address - XXX" features: Currency XXX
//     and the VersionDetail text exactly as published (not trimmed or
//     normalised; see chain.ParseAddress for that).
//   - Emails are the "Email Address" features' text, trimmed (DPRK IT-worker
//     front companies and facilitators are listed with them).
//   - Remarks is the DistinctParty's own Comment.
//
// Every error caused by the input wraps sanctions.ErrMalformed; errors of the
// underlying reader are returned wrapped as they are.
package ofac
